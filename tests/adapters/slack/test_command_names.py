"""Every command name the Slack adapter shows is one the user can type in that workspace.

The core writes hints with its own names ("/daily resume", "/help"); with
``SLACK_COMMAND_PREFIX=rb-`` the user can only type ``/rb-daily``, and without a prefix
help is ``/reviewbot-help`` (``/help`` is Slack's). Checked in the fallback ``text`` and
in every block, in both modes.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest

from adapters.slack.blocks import render
from adapters.slack.commands import slack_text
from bot.commands.help_text import help_reply
from bot.settings import Settings
from tests.adapters.slack.conftest import Driver
from tests.fakes.slack_payloads import block_texts

# A core command name as a word of its own: "/daily", not "/rb-daily" or "Europe/Paris".
_CORE_NAME = re.compile(r"(?<![\w/-])/(quote|mood|verdict|daily|review|help)(?![\w-])")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, slack_command_prefix="rb-")


def _everything(message: dict[str, Any]) -> str:
    """The fallback text and all text in the blocks."""
    return f"{message.get('text') or ''}\n{block_texts(message)}"


def _assert_only_prefixed(message: dict[str, Any]) -> str:
    text = _everything(message)
    assert not _CORE_NAME.search(text), text
    return text


@pytest.mark.parametrize(
    ("command", "text", "user", "expected"),
    [
        ("/rb-daily", "pause", "UADMIN", "/rb-daily resume"),
        ("/rb-daily", "show", "U1", "/rb-daily set 09:00"),
        ("/rb-daily", "set 09:00", "U1", "/rb-daily show works for everyone"),
        ("/rb-daily", "", "U1", "/rb-daily needs one of"),
        ("/rb-daily", "sideways", "U1", "/rb-daily 'sideways' is not a thing"),
        ("/rb-help", "", "U1", "/rb-help"),
    ],
)
async def test_prefixed_hints_name_prefixed_commands(
    slack: Driver, command: str, text: str, user: str, expected: str
) -> None:
    if text == "pause":
        await slack.command("/rb-daily", "set 09:00", user="UADMIN")
    message = await slack.command(command, text, user=user)
    shown = _assert_only_prefixed(message)
    assert expected in shown, shown


async def test_prefixed_help_fallback_text_lists_every_prefixed_command(slack: Driver) -> None:
    message = await slack.command("/rb-help")
    fallback = message["text"]
    for name in ("quote", "mood", "verdict", "daily", "help"):
        assert f"/rb-{name}" in fallback, fallback
    _assert_only_prefixed(message)


def test_unprefixed_help_names_reviewbot_help_everywhere() -> None:
    """Without a prefix ``/help`` is Slack's own: never offered, in blocks or fallback."""
    message = render(help_reply(), "")
    text = _everything({"text": message.text, "blocks": message.blocks})
    assert "/reviewbot-help" in text and "/quote" in text
    assert not re.search(r"(?<![\w-])/help(?![\w-])", text), text


async def test_unknown_command_error_lists_typable_names(slack: Driver) -> None:
    """A core error listing commands ("Commands: /quote, ... /help") is rewritten too."""
    message = await slack.command("/rb-mood", "x" * 2001)
    _assert_only_prefixed(message)
    assert "/rb-mood" in _everything(message)


@pytest.mark.parametrize(
    ("core", "prefix", "slack"),
    [
        ("Use /daily resume.", "rb-", "Use /rb-daily resume."),
        ("(/help)", "", "(/reviewbot-help)"),
        ("`/help` and /help.", "x-", "`/x-help` and /x-help."),
        ("/quote, /mood, /verdict", "", "/quote, /mood, /verdict"),
        ("Europe/Paris and/or https://x.org/quote /quotes /quote-x", "rb-",
         "Europe/Paris and/or https://x.org/quote /quotes /quote-x"),
        ("/rb-daily stays", "rb-", "/rb-daily stays"),
        ("/reviewbot-help stays", "", "/reviewbot-help stays"),
        ("*/daily*", "rb-", "*/rb-daily*"),
    ],
)
def test_slack_text(core: str, prefix: str, slack: str) -> None:
    assert slack_text(core, prefix) == slack
    assert slack_text(slack_text(core, prefix), prefix) == slack, "idempotent"


async def test_button_values_and_action_ids_are_never_rewritten(slack: Driver) -> None:
    message = await slack.command("/rb-quote")
    raw = json.dumps(message["blocks"])
    assert '"action_id": "reviewbot_another"' in raw


def test_quotes_are_shown_as_written_even_when_they_name_a_command() -> None:
    """The rewrite is for the bot's own hints; a critic who wrote "/help" is not edited."""
    from tests.adapters.slack.test_blocks import _quote

    text = "Typing /help into life itself, /quote by /quote, is what this film does."
    message = render(_quote(text), "rb-")
    assert "/help into life" in message.text and "/rb-" not in message.text
    assert "/rb-" not in json.dumps(message.blocks)
