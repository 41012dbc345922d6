"""Daily posts through the core scheduler: exactly once, and Discord's failures sorted."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import aiohttp
import discord
import pytest

from adapters.discord.poster import network_failure
from bot.app import ReviewBot
from bot.delivery import Claim, DeliveryError, TransientDeliveryError, UncertainDeliveryError
from bot.models import ScheduleStatus
from bot.replies import WRONG_MOOD_CHOICES
from tests.adapters.discord.components import another_id, wrong_mood_values
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
    assert another_id(post.json).startswith("reviewbot:another:any:")
    assert len(wrong_mood_values(post.json)) == len(WRONG_MOOD_CHOICES)
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
    ("status_code", "code", "reason", "resumable"),
    [
        (403, 50013, "I lack a permission", True),
        (403, 50001, "I no longer have access", True),
        (404, 10003, "the channel was deleted", False),
        (400, 50083, "the thread is archived", True),
        (400, 50035, "Discord refused the post: Missing something", True),
    ],
)
async def test_a_permanent_error_pauses_after_one_request_and_tells_the_owner(
    fake: FakeDiscord,
    core: ReviewBot,
    status_code: int,
    code: int,
    reason: str,
    resumable: bool,
) -> None:
    fake.force_error("POST", CHANNEL_MESSAGES, status_code, code, "Missing something")

    assert await core.scheduler.run_due() == 0
    assert await core.scheduler.run_due() == 0

    assert len(fake.find("POST", CHANNEL_MESSAGES)) == 1
    paused, why = await status(core)
    assert paused is ScheduleStatus.PAUSED
    # Words first; the code only as a detail after them, for whoever reads the log.
    assert why is not None and why.startswith(reason) and why.endswith(f"error {code})")
    [dm] = fake.find("POST", r"/users/@me/channels")
    assert dm.json == {"recipient_id": OWNER.id}
    [told] = [r for r in fake.find("POST", r"/channels/\d+/messages") if r.path != CHANNEL_MESSAGES]
    assert reason in told.json["content"]
    assert f"<#{CHANNEL_ID}>" in told.json["content"]
    assert ("/daily resume" in told.json["content"]) is resumable
    assert told.json["allowed_mentions"] == {"parse": []}

    shown = await fake.invoke("daily", subcommand="show", user=OWNER)
    [field] = shown.data["embeds"][0]["fields"]
    assert field["value"].startswith(f"Status: paused: {reason}")


@pytest.mark.usefixtures("scheduled")
async def test_a_revoked_token_pauses_in_words(fake: FakeDiscord, core: ReviewBot) -> None:
    fake.force_error("POST", CHANNEL_MESSAGES, 401, 0, "401: Unauthorized")

    assert await core.scheduler.run_due() == 0

    paused, why = await status(core)
    assert paused is ScheduleStatus.PAUSED
    assert why is not None and "DISCORD_TOKEN" in why and not why[0].isdigit()


@pytest.mark.usefixtures("scheduled")
async def test_the_post_carries_the_claims_nonce_enforced(
    fake: FakeDiscord, core: ReviewBot
) -> None:
    assert await core.scheduler.run_due() == 1

    [post] = fake.find("POST", CHANNEL_MESSAGES)
    schedule = await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert schedule is not None
    assert post.json["nonce"] == Claim(schedule.id, DUE.date()).nonce
    assert post.json["enforce_nonce"] is True


@pytest.mark.usefixtures("scheduled")
async def test_the_librarys_retry_after_a_committed_500_is_deduplicated(
    fake: FakeDiscord, core: ReviewBot
) -> None:
    # Discord posted, then failed to answer; discord.py resends the same payload.
    fake.force("POST", CHANNEL_MESSAGES, 500, {"message": "500", "code": 0}, committed=True)

    assert await core.scheduler.run_due() == 1

    first, retry = fake.find("POST", CHANNEL_MESSAGES)
    assert first.json["nonce"] == retry.json["nonce"]
    assert len(fake.channel_messages()) == 1


async def run_today_and_ten_minutes_later(core: ReviewBot, clock: FakeClock) -> int:
    """What the scheduler posts for the day now and on a later look the same day."""
    posted = await core.scheduler.run_due()
    clock.advance(minutes=10)  # past RETRY_AFTER and past Discord's nonce window
    return posted + await core.scheduler.run_due()


@pytest.mark.usefixtures("scheduled")
@pytest.mark.parametrize("status_code", [500, 502, 503, 504, 524])
async def test_a_server_error_after_posting_is_never_resent(
    fake: FakeDiscord,
    core: ReviewBot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    status_code: int,
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _no_sleep)  # discord.py backs off 1+3+5+7 s
    body = {"message": f"{status_code}: Server Error", "code": 0}
    fake.force("POST", CHANNEL_MESSAGES, status_code, body, times=5, committed=True)

    await run_today_and_ten_minutes_later(core, clock)

    assert len(fake.channel_messages()) == 1  # posted once, whatever Discord answered
    library_tries = 5 if status_code in (500, 502, 504, 524) else 1
    assert len(fake.find("POST", CHANNEL_MESSAGES)) == library_tries  # and never resent
    assert await status(core) == (ScheduleStatus.ACTIVE, None)  # not paused: tomorrow is fine
    schedule = await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert schedule is not None and schedule.last_local_date == DUE.date()


@pytest.mark.usefixtures("scheduled")
async def test_a_connection_lost_after_posting_is_never_resent(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock
) -> None:
    fake.force_disconnect("POST", CHANNEL_MESSAGES, committed=True)

    await run_today_and_ten_minutes_later(core, clock)

    assert len(fake.channel_messages()) == 1
    assert len(fake.find("POST", CHANNEL_MESSAGES)) == 1
    assert await status(core) == (ScheduleStatus.ACTIVE, None)


@pytest.mark.usefixtures("scheduled")
async def test_a_rate_limit_past_the_library_is_tried_again_later(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock
) -> None:
    # A 429 without Via is Cloudflare's, which discord.py does not wait out: refused,
    # so certainly not posted, and safe to try again later.
    fake.force("POST", CHANNEL_MESSAGES, 429, {"message": "banned"})

    assert await core.scheduler.run_due() == 0
    clock.advance(minutes=15)
    assert await core.scheduler.run_due() == 1

    assert len(fake.channel_messages()) == 1
    assert await status(core) == (ScheduleStatus.ACTIVE, None)


@pytest.mark.usefixtures("scheduled")
async def test_a_connection_that_never_opened_is_tried_again_later(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:  # a port nobody listens on: connection refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with monkeypatch.context() as m:
        m.setattr(discord.http.Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
        assert await core.scheduler.run_due() == 0
    assert not fake.find("POST", CHANNEL_MESSAGES)

    clock.advance(minutes=10)
    assert await core.scheduler.run_due() == 1

    assert len(fake.channel_messages()) == 1


_real_sleep = asyncio.sleep


async def _no_sleep(delay: float, result: object = None) -> object:
    return await _real_sleep(0, result)


@pytest.mark.usefixtures("scheduled")
async def test_a_refused_connection_after_a_server_error_is_never_resent(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Discord posts and answers 500; by discord.py's retry a second later, Discord cannot
    # be reached at all. The last error is "connection refused", yet the day was posted.
    closing = {"Connection": "close"}  # so the retry needs a new connection
    fake.force("POST", CHANNEL_MESSAGES, 500, {"code": 0}, headers=closing, committed=True)

    async def unreachable_after_backoff(delay: float, result: object = None) -> object:
        await fake.refuse_connections()
        return await _real_sleep(0, result)

    with monkeypatch.context() as m:
        m.setattr(asyncio, "sleep", unreachable_after_backoff)
        assert await core.scheduler.run_due() == 0
    assert len(fake.channel_messages()) == 1
    clock.advance(minutes=10)

    assert await core.scheduler.run_due() == 0  # settled as uncertain: not even tried
    schedule = await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert schedule is not None and schedule.last_local_date == DUE.date()


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectionResetError(104, "reset"), UncertainDeliveryError),
        (TimeoutError(), UncertainDeliveryError),  # aiohttp's total timeout, mid-request
        (aiohttp.ServerTimeoutError("read timeout"), UncertainDeliveryError),
        (aiohttp.ServerDisconnectedError(), UncertainDeliveryError),
        (aiohttp.ClientPayloadError("truncated"), UncertainDeliveryError),
        (aiohttp.ConnectionTimeoutError("connect timeout"), TransientDeliveryError),
    ],
)
def test_only_a_connection_that_never_opened_is_transient(
    error: aiohttp.ClientError | OSError, kind: type[DeliveryError]
) -> None:
    """Refused connections are covered end to end above; these are hard to provoke."""
    assert type(network_failure(error)) is kind
