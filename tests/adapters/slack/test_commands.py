"""Every command and the "Another" button, in Socket Mode and in HTTP mode."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.adapters.slack.conftest import Driver
from tests.fakes.slack_payloads import block_texts
from tests.fakes.slack_server import FakeSlack


def _button(message: dict[str, Any]) -> dict[str, Any]:
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert len(actions) == 1, message["blocks"]
    button: dict[str, Any] = actions[0]["elements"][0]
    return button


async def test_quote_is_posted_in_channel_with_attribution_and_button(slack: Driver) -> None:
    message = await slack.command("/quote")
    assert message["response_type"] == "in_channel"
    assert message["text"]
    blocks = message["blocks"]
    assert blocks[0]["type"] == "section" and blocks[0]["text"]["text"].startswith(">")
    assert blocks[1]["type"] == "context" and "—" in blocks[1]["elements"][0]["text"]
    button = _button(message)
    assert button["action_id"] == "reviewbot_another"
    assert button["value"].startswith("any:")


async def test_quote_with_mood_option(slack: Driver) -> None:
    message = await slack.command("/quote", "negative")
    assert message["response_type"] == "in_channel"
    assert "negative" in message["blocks"][1]["elements"][0]["text"]
    assert _button(message)["value"].startswith("negative:")


async def test_another_button_posts_a_new_quote(slack: Driver, fake: FakeSlack) -> None:
    first = await slack.command("/quote", "positive")
    second = await slack.click(_button(first)["value"])
    assert second["response_type"] == "in_channel"
    assert second["replace_original"] is False
    assert _button(second)["value"] == _button(first)["value"]
    assert second["blocks"][0]["text"]["text"] != first["blocks"][0]["text"]["text"]


async def test_mood_of_a_text(slack: Driver) -> None:
    message = await slack.command("/mood", "what a wonderful, moving, beautiful film")
    text = block_texts(message)
    assert "*Mood:* positive" in text
    assert "wonderful" in text


async def test_mood_of_the_critics(slack: Driver) -> None:
    message = await slack.command("/mood")
    text = block_texts(message)
    assert "critics' mood" in text
    assert "Average polarity" in text


async def test_verdict(slack: Driver) -> None:
    message = await slack.command("/verdict")
    header = message["blocks"][0]
    assert header["type"] == "header"
    assert "Critics' score" in block_texts(message)


async def test_help_uses_the_slack_names(slack: Driver) -> None:
    message = await slack.command("/reviewbot-help")
    text = block_texts(message)
    assert "`/quote" in text and "`/daily" in text
    assert "`/reviewbot-help" in text


async def test_a_wrong_argument_is_an_ephemeral_error(slack: Driver) -> None:
    message = await slack.command("/quote", "furious")
    assert message["response_type"] == "ephemeral"
    assert message["blocks"][0]["text"]["text"].startswith(":warning:")


async def test_daily_set_show_pause_resume_off_by_an_admin(slack: Driver) -> None:
    message = await slack.command("/daily", "set 09:00 Europe/Paris positive", user="UADMIN")
    assert "09:00 Europe/Paris" in block_texts(message)
    show = await slack.command("/daily", "show")
    assert show["response_type"] == "ephemeral"
    assert "Status: active" in block_texts(show)
    paused = await slack.command("/daily", "pause", user="UADMIN")
    assert "Status: paused" in block_texts(paused)
    resumed = await slack.command("/daily", "resume", user="UADMIN")
    assert "Status: active" in block_texts(resumed)
    off = await slack.command("/daily", "off", user="UADMIN")
    assert "deleted" in block_texts(off)
    after = await slack.command("/daily", "show")
    assert "Status:" not in block_texts(after)


async def test_non_admin_cannot_set_a_schedule(slack: Driver, fake: FakeSlack) -> None:
    denied = await slack.command("/daily", "set 09:00", user="U1")
    assert denied["response_type"] == "ephemeral"
    assert denied["blocks"][0]["text"]["text"].startswith(":warning:")
    assert fake.calls("users.info")[-1]["user"] == "U1"
    show = await slack.command("/daily", "show")
    assert "Status:" not in block_texts(show)


async def test_owner_and_allow_listed_user_may_set(slack: Driver, fake: FakeSlack) -> None:
    owner = await slack.command("/daily", "set 10:00", user="UOWNER")
    assert "Status: active" in block_texts(owner)
    before = len(fake.calls("users.info"))
    allowed = await slack.command("/daily", "set 11:00", user="UALLOW")
    assert "11:00" in block_texts(allowed)
    assert len(fake.calls("users.info")) == before, "the allow-list needs no API call"


async def test_bot_must_be_in_the_channel(slack: Driver) -> None:
    message = await slack.command("/daily", "set 09:00", user="UADMIN", channel="COUT")
    assert message["response_type"] == "ephemeral"
    assert "/invite @reviewbot" in block_texts(message)
    show = await slack.command("/daily", "show", channel="COUT")
    assert "Status:" not in block_texts(show)


async def test_daily_show_needs_no_permission_lookup(slack: Driver, fake: FakeSlack) -> None:
    await slack.command("/daily", "show")
    await slack.command("/quote")
    assert fake.calls("users.info") == []
    assert fake.calls("conversations.info") == []


@pytest.mark.parametrize(
    "value",
    [
        "positive:" + "9" * 3000,  # past SQLite's 64-bit integers
        "positive:9223372036854775808",  # 2**63: one past the largest row id
        "positive:²",  # a digit to str.isdigit(), not to int()
        "positive:١",
        "positive:-1",
        "positive:0",
        "positive:",
        "positive",
        "furious:1",
        "",
    ],
)
async def test_a_doctored_another_button_is_out_of_date(
    slack: Driver, caplog: pytest.LogCaptureFixture, value: str
) -> None:
    message = await slack.click(value)
    assert message["response_type"] == "ephemeral"
    assert "That button is out of date" in block_texts(message), block_texts(message)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


async def test_another_for_a_film_that_is_gone(slack: Driver) -> None:
    message = await slack.click("positive:9223372036854775807")
    assert "That film is no longer here" in block_texts(message)
