"""Slash command names: the core's command names with the workspace's prefix.

A Slack workspace has one namespace for slash commands, shared by every app and by
Slack's own built-ins, so a name can be taken. ``SLACK_COMMAND_PREFIX`` ("rb-" gives
``/rb-quote``) works around a clash; ``/help`` is Slack's, so without a prefix the help
command is registered as ``/reviewbot-help``.

The core writes its hints with its own names ("use /daily resume"); ``slack_text``
rewrites them into what the user can type here, and every message the adapter sends
passes through it (``adapters.slack.blocks``), so no hint can name a command that does
not exist in this workspace.
"""

from __future__ import annotations

import re

from bot.commands.definitions import COMMANDS, CommandSpec

# Names Slack keeps for itself, and what this app registers instead when no prefix is set.
_RESERVED = {"help": "reviewbot-help"}
_BY_NAME = {spec.name: spec for spec in COMMANDS}
# "/quote" as a word of its own: not the tail of a URL or of "and/or", not "/quote-x", and
# not an already renamed "/rb-quote" (its first word after the slash is the prefix).
_COMMAND = re.compile(
    r"(?<![A-Za-z0-9/.:-])/(" + "|".join(map(re.escape, _BY_NAME)) + r")(?![A-Za-z0-9-])"
)


def slash_name(spec: CommandSpec, prefix: str = "") -> str:
    """The slash command (without the leading ``/``) that runs ``spec``."""
    if prefix:
        return f"{prefix}{spec.name}"
    return _RESERVED.get(spec.name, spec.name)


def slash_names(prefix: str = "") -> dict[str, CommandSpec]:
    """Every slash command this app answers, ``"/rb-quote" -> QUOTE``."""
    return {f"/{slash_name(spec, prefix)}": spec for spec in COMMANDS}


def slack_text(text: str, prefix: str = "") -> str:
    """``text`` with every core command name (``/daily``, ``/help``) as typed in Slack."""
    return _COMMAND.sub(lambda m: f"/{slash_name(_BY_NAME[m.group(1)], prefix)}", text)
