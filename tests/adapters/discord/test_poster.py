"""Daily posts through the core scheduler: exactly once, and Discord's failures sorted."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import ReviewBot
from bot.models import ScheduleStatus
from tests.adapters.discord.conftest import RunningBot
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, OWNER, FakeDiscord

CHANNEL_MESSAGES = rf"/channels/{CHANNEL_ID}/messages"
DUE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def scheduled(fake: FakeDiscord, bot: RunningBot, clock: FakeClock) -> None:
    """A daily quote at 09:00 UTC in the fake's channel, set by the owner at 08:00."""
    exchange = await fake.invoke("daily", {"time": "09:00"}, subcommand="set", user=OWNER)
    assert not exchange.ephemeral, exchange.data
    clock.set(DUE)


async def status(core: ReviewBot) -> tuple[ScheduleStatus, str | None]:
    schedule = await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert schedule is not None
    return schedule.status, schedule.pause_reason


@pytest.mark.usefixtures("scheduled")
async def test_a_due_quote_is_posted_exactly_once(fake: FakeDiscord, core: ReviewBot) -> None:
    assert await core.scheduler.run_due() == 1
    assert await core.scheduler.run_due() == 0

    [post] = fake.find("POST", CHANNEL_MESSAGES)
    [embed] = post.json["embeds"]
    assert embed["title"] == "Her (2013)"
    [row] = post.json["components"]
    assert row["components"][0]["custom_id"].startswith("reviewbot:another:any:")
    assert post.json["allowed_mentions"] == {"parse": []}
    assert await status(core) == (ScheduleStatus.ACTIVE, None)


@pytest.mark.usefixtures("scheduled")
async def test_a_rate_limit_is_waited_out_then_posted_once(
    fake: FakeDiscord, core: ReviewBot
) -> None:
    fake.force_rate_limit("POST", CHANNEL_MESSAGES, retry_after=0.2)

    assert await core.scheduler.run_due() == 1

    attempts = fake.find("POST", CHANNEL_MESSAGES)
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.2


@pytest.mark.usefixtures("scheduled")
async def test_a_server_error_is_retried_then_posted_once(
    fake: FakeDiscord, core: ReviewBot
) -> None:
    fake.force("POST", CHANNEL_MESSAGES, 500, {"message": "500: Internal Server Error", "code": 0})

    assert await core.scheduler.run_due() == 1

    assert [r.status for r in fake.find("POST", CHANNEL_MESSAGES)] == [500, 200]
    assert await status(core) == (ScheduleStatus.ACTIVE, None)


@pytest.mark.usefixtures("scheduled")
@pytest.mark.parametrize(
    ("status_code", "code", "reason"),
    [
        (403, 50013, "lack a permission"),
        (403, 50001, "no longer have access"),
        (404, 10003, "no longer exists"),
    ],
)
async def test_a_permanent_error_pauses_after_one_request_and_tells_the_owner(
    fake: FakeDiscord, core: ReviewBot, status_code: int, code: int, reason: str
) -> None:
    fake.force_error("POST", CHANNEL_MESSAGES, status_code, code, "Missing something")

    assert await core.scheduler.run_due() == 0
    assert await core.scheduler.run_due() == 0

    assert len(fake.find("POST", CHANNEL_MESSAGES)) == 1
    paused, why = await status(core)
    assert paused is ScheduleStatus.PAUSED
    assert why is not None and reason in why and str(code) in why
    [dm] = fake.find("POST", r"/users/@me/channels")
    assert dm.json == {"recipient_id": OWNER.id}
    [told] = [r for r in fake.find("POST", r"/channels/\d+/messages") if r.path != CHANNEL_MESSAGES]
    assert reason in told.json["content"]
    assert f"<#{CHANNEL_ID}>" in told.json["content"]
    assert told.json["allowed_mentions"] == {"parse": []}

    shown = await fake.invoke("daily", subcommand="show", user=OWNER)
    fields = {f["name"]: f["value"] for f in shown.data["embeds"][0]["fields"]}
    assert reason in fields["Paused because"]


@pytest.mark.usefixtures("scheduled")
async def test_a_server_error_that_persists_is_transient(
    fake: FakeDiscord, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)  # discord.py backs off 1+3+5+7+9 s
    fake.force("POST", CHANNEL_MESSAGES, 502, {"message": "Bad Gateway", "code": 0}, times=5)

    assert await core.scheduler.run_due() == 0

    assert len(fake.find("POST", CHANNEL_MESSAGES)) == 5
    assert await status(core) == (ScheduleStatus.ACTIVE, None)  # not paused: tried later


_real_sleep = asyncio.sleep


async def _no_sleep(delay: float, result: object = None) -> object:
    return await _real_sleep(0, result)
