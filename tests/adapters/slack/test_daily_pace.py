"""A busy daily minute through the real slack_sdk against a fake enforcing Slack's one
message a second per channel: every schedule posted once, none refused, a channel with
several schedules in the minute included."""

from __future__ import annotations

from collections import Counter

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.poster import SlackPoster
from bot.app import ReviewBot
from bot.models import Mood
from bot.storage.schedules import ScheduleSpec
from tests.adapters.slack.conftest import START
from tests.fakes.clock import FakeClock
from tests.fakes.slack_server import TEAM_ID, FakeSlack

NINE = START.replace(hour=9)


async def test_a_busy_minute_posts_once_each_within_the_channel_limit(
    core: ReviewBot, client: AsyncWebClient, fake: FakeSlack, clock: FakeClock
) -> None:
    core.scheduler.register(SlackPoster(client))
    fake.latency = 0.02
    fake.post_interval = 1.0
    wanted = [(f"C{i:04d}", "1") for i in range(120)] + [("CBUSY", n) for n in "abc"]
    for channel, name in wanted:
        spec = ScheduleSpec("slack", TEAM_ID, channel, "UADMIN", 9, 0, "UTC", Mood.ANY, None,
                            name=name)
        assert await core.schedules.upsert(spec, NINE) is not None
    clock.set(NINE)

    assert await core.scheduler.run_due() == len(wanted)

    assert fake.rate_limited == 0
    posts = Counter(c["channel"] for c in fake.calls("chat.postMessage"))
    assert posts == Counter(channel for channel, _ in wanted)
    rows = await core.db.fetchall(
        "SELECT COUNT(DISTINCT schedule_id), COUNT(message_id) FROM posts"
        " WHERE outcome = 'sent'")
    assert tuple(rows[0]) == (len(wanted), len(wanted))
    assert await core.scheduler.run_due() == 0
