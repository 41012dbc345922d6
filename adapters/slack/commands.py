"""Slash command names: the core's command names with the workspace's prefix.

A Slack workspace has one namespace for slash commands, shared by every app and by
Slack's own built-ins, so a name can be taken. ``SLACK_COMMAND_PREFIX`` ("rb-" gives
``/rb-quote``) works around a clash; ``/help`` is Slack's, so without a prefix the help
command is registered as ``/reviewbot-help``.
"""

from __future__ import annotations

import re

from bot.commands.definitions import COMMANDS, CommandSpec

# Names Slack keeps for itself, and what this app registers instead when no prefix is set.
_RESERVED = {"help": "reviewbot-help"}
_USAGE_HEAD = re.compile(r"^/(\S+)")


def slash_name(spec: CommandSpec, prefix: str = "") -> str:
    """The slash command (without the leading ``/``) that runs ``spec``."""
    if prefix:
        return f"{prefix}{spec.name}"
    return _RESERVED.get(spec.name, spec.name)


def slash_names(prefix: str = "") -> dict[str, CommandSpec]:
    """Every slash command this app answers, ``"/rb-quote" -> QUOTE``."""
    return {f"/{slash_name(spec, prefix)}": spec for spec in COMMANDS}


def slack_usage(usage: str, prefix: str = "") -> str:
    """Rewrite a core usage line (``/quote [mood]``) with the command's Slack name."""
    by_name = {spec.name: spec for spec in COMMANDS}

    def rename(match: re.Match[str]) -> str:
        spec = by_name.get(match.group(1))
        return f"/{slash_name(spec, prefix)}" if spec else match.group(0)

    return _USAGE_HEAD.sub(rename, usage, count=1)
