"""A busy daily minute through the real discord.py against a fake enforcing Discord's
global limit: every schedule posted once, the poster's pace never over the limit, and
global 429s, when Discord sends them, waited out by discord.py without losing a post."""

from __future__ import annotations

import pytest

from bot.app import ReviewBot
from bot.models import Mood
from bot.storage.schedules import ScheduleSpec
from tests.adapters.discord.test_poster import DUE
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, OWNER, FakeDiscord

DISCORD_GLOBAL = 50  # requests per second
CHANNELS = r"/channels/\d+/messages"


async def due_in_channels(core: ReviewBot, clock: FakeClock, n: int) -> list[str]:
    """``n`` schedules at 09:00 UTC, one per channel; the clock set to 09:00."""
    channels = [str(CHANNEL_ID + i) for i in range(n)]
    for channel in channels:
        spec = ScheduleSpec("discord", str(GUILD_ID), channel, str(OWNER.id), 9, 0, "UTC",
                            Mood.ANY, None)
        assert await core.schedules.upsert(spec, DUE) is not None
    clock.set(DUE)
    return channels


async def posted_once_each(core: ReviewBot, fake: FakeDiscord, channels: list[str]) -> None:
    assert sorted(m["channel_id"] for m in fake.messages) == sorted(channels)
    rows = await core.db.fetchall(
        "SELECT COUNT(DISTINCT schedule_id), COUNT(*), COUNT(message_id) FROM posts"
        " WHERE outcome = 'sent'")
    assert tuple(rows[0]) == (len(channels),) * 3
    assert await core.scheduler.run_due() == 0


@pytest.mark.usefixtures("bot")
async def test_a_busy_minute_stays_under_the_global_limit(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock
) -> None:
    channels = await due_in_channels(core, clock, 150)  # three seconds at the limit
    fake.latency = 0.03
    fake.global_limit = DISCORD_GLOBAL

    assert await core.scheduler.run_due() == 150

    assert fake.global_violations == 0
    assert all(r.status == 200 for r in fake.find("POST", CHANNELS))
    await posted_once_each(core, fake, channels)


@pytest.mark.usefixtures("bot")
async def test_global_429s_are_waited_out_without_losing_or_doubling_a_post(
    fake: FakeDiscord, core: ReviewBot, clock: FakeClock
) -> None:
    channels = await due_in_channels(core, clock, 60)
    fake.global_limit = DISCORD_GLOBAL
    for _ in range(3):  # Discord says the bot is over the limit, three times over
        fake.force_rate_limit("POST", CHANNELS, retry_after=0.1, is_global=True)

    assert await core.scheduler.run_due() == 60

    # discord.py holds every request during a global wait and lets them go together, so
    # the limit may refuse a few more after it: each is waited out and sent again.
    refused = [r.status for r in fake.find("POST", CHANNELS)].count(429)
    assert refused == 3 + fake.global_violations
    await posted_once_each(core, fake, channels)
