"""Answers to slash commands when Discord rate-limits, fails or the bot lacks permissions.

An interaction's answer needs no channel permission and discord.py retries 429s and 5xx
by itself; what the bot must add is not to treat the library's resend of an answer that
Discord had already taken (400, error 40060) as a failure.
"""

from __future__ import annotations

import logging

import pytest

from bot.app import ReviewBot
from tests.adapters.discord.conftest import RunningBot
from tests.adapters.discord.test_gateway import slow_down
from tests.fakes.discord_server import FakeDiscord

CALLBACK = r"/interactions/\d+/[^/]+/callback"
SERVER_ERROR = {"message": "500: Internal Server Error", "code": 0}


async def test_an_answer_needs_no_channel_permission(fake: FakeDiscord, bot: RunningBot) -> None:
    exchange = await fake.invoke("quote", app_permissions=0)

    assert exchange.response_type == 4
    assert not exchange.ephemeral
    assert exchange.data["embeds"]


async def test_a_server_error_on_the_answer_is_retried_in_time(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    fake.force("POST", CALLBACK, 500, SERVER_ERROR)

    exchange = await fake.invoke("help")

    [failed, answered] = await fake.wait_for_request("POST", CALLBACK, count=2)
    assert (failed.status, answered.status) == (500, 200)
    assert answered.at - exchange.sent_at < 3  # inside the interaction's deadline
    assert answered.json["type"] == 4


async def test_an_answer_taken_before_a_server_error_is_not_an_error(
    fake: FakeDiscord, bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Discord answered the member, then failed; discord.py's resend is refused with 40060.
    fake.force("POST", CALLBACK, 500, SERVER_ERROR, committed=True)

    await fake.invoke("help")

    [_, resent] = await fake.wait_for_request("POST", CALLBACK, count=2)
    assert resent.status == 400
    await fake.invoke("help")  # the handler has finished with the first one
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert fake.answered_interactions() == 2  # the member saw one answer per command


async def test_a_rate_limited_edit_after_a_deferral_still_arrives(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_down(core, monkeypatch, seconds=2.2)
    fake.force_rate_limit("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", retry_after=0.2)

    exchange = await fake.invoke("verdict")

    assert exchange.response_type == 5
    limited = await exchange.followup()
    edited = await exchange.followup()
    assert (limited.status, edited.status) == (429, 200)
    assert edited.json["embeds"][0]["title"].startswith("Verdict")
