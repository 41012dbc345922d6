"""Daily posts: chat.postMessage driven by the fake clock, and how failures are sorted."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.poster import SlackPoster
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import ScheduleReply
from tests.adapters.slack.conftest import START, Driver
from tests.fakes.clock import FakeClock
from tests.fakes.slack_server import TEAM_ID, FakeSlack

ADMIN = Invocation("slack", "C1", "UADMIN", TEAM_ID, can_manage=True)
NINE = START.replace(hour=9)

# Slack's mention syntax in review text. ``<!channel>``-style ones are refused by ingest
# as markup (bot.ingest.markup) and their escaping is covered in test_blocks; user and
# channel mentions do reach quotes, so they are what a corpus can carry to Slack.
MENTIONS = """\
This film is a triumph & a joy, says <@U1>, for <#C1> and everyone.
A dazzling, wonderful, beautiful film <@U1> adored.
@highlight
Critics agree with <@U1>: it is fine.
"""

class Waits:
    """A poster's ``sleep``: records how long it was asked to wait, never waits."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def poster(core: ReviewBot, client: AsyncWebClient, waits: Waits) -> SlackPoster:
    poster = SlackPoster(client, sleep=waits)
    core.scheduler.register(poster)
    return poster


async def _set_daily(core: ReviewBot, line: str = "/daily set 09:00 UTC") -> None:
    reply = await core.handle_text(ADMIN, line)
    assert isinstance(reply, ScheduleReply) and reply.active, reply


async def _show(core: ReviewBot) -> ScheduleReply:
    reply = await core.handle_text(ADMIN, "/daily show")
    assert isinstance(reply, ScheduleReply), reply
    return reply


async def test_daily_post_arrives_exactly_once(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock
) -> None:
    await _set_daily(core)
    assert await core.scheduler.run_due() == 0
    clock.set(NINE)
    assert await core.scheduler.run_due() == 1
    assert await core.scheduler.run_due() == 0
    clock.advance(minutes=30)
    assert await core.scheduler.run_due() == 0
    posts = fake.calls("chat.postMessage")
    assert len(posts) == 1
    post = posts[0]
    assert post["channel"] == "C1"
    assert post["blocks"][2]["elements"][0]["action_id"] == "reviewbot_another"
    assert "link_names" not in post and "parse" not in post
    clock.set(NINE + timedelta(days=1))
    assert await core.scheduler.run_due() == 1
    assert len(fake.calls("chat.postMessage")) == 2


async def test_429_waits_for_retry_after_then_posts(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock, waits: Waits
) -> None:
    await _set_daily(core)
    fake.fail_next("chat.postMessage", status=429, retry_after=7)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 1
    assert len(fake.calls("chat.postMessage")) == 2
    assert waits.asked == [7.0]


async def test_long_429_is_left_to_the_scheduler(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock, waits: Waits
) -> None:
    await _set_daily(core)
    fake.fail_next("chat.postMessage", status=429, retry_after=600)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    assert len(fake.calls("chat.postMessage")) == 1
    assert waits.asked == []
    assert (await _show(core)).active is True
    clock.advance(minutes=11)
    assert await core.scheduler.run_due() == 1


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("not_in_channel", "I'm not a member of the channel: /invite @reviewbot there"),
        ("channel_not_found", "the channel no longer exists or I can't see it"),
        ("is_archived", "the channel is archived"),
        ("invalid_auth", "Slack no longer accepts my token"),
        ("token_revoked", "my token was revoked"),
        ("account_inactive", "my Slack account was deactivated"),
        ("missing_scope", "the app lacks a permission"),
        ("msg_blocks_too_long", "Slack refused the post"),
    ],
)
async def test_permanent_error_pauses_after_one_request(
    core: ReviewBot,
    poster: SlackPoster,
    fake: FakeSlack,
    clock: FakeClock,
    error: str,
    words: str,
) -> None:
    await _set_daily(core)
    fake.fail_next("chat.postMessage", error=error)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    posts = fake.calls("chat.postMessage")
    assert [p["channel"] for p in posts] == ["C1", "DADMIN"], "one try, then the DM"
    assert fake.calls("conversations.open") == [{"users": "UADMIN"}]
    dm = posts[1]["text"]
    assert dm.startswith(f"About the daily quote in <#C1>: The daily quote is paused: {words}")
    assert f"(Slack: {error})" in dm and "this channel" not in dm
    assert dm.endswith("then use /daily resume."), dm
    shown = await _show(core)
    assert shown.active is False
    assert shown.pause_reason is not None and shown.pause_reason.startswith(words)
    clock.set(NINE + timedelta(days=1))
    assert await core.scheduler.run_due() == 0
    assert len(fake.calls("chat.postMessage")) == 2


async def test_pause_notice_uses_the_prefixed_command(
    core: ReviewBot, client: AsyncWebClient, fake: FakeSlack, clock: FakeClock
) -> None:
    core.scheduler.register(SlackPoster(client, prefix="rb-", bot_name="quotes"))
    await _set_daily(core)
    fake.fail_next("chat.postMessage", error="not_in_channel")
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    dm = fake.calls("chat.postMessage")[1]["text"]
    assert "/invite @quotes" in dm
    assert dm.endswith("then use /rb-daily resume."), dm
    assert "/daily" not in dm.replace("/rb-daily", "")


async def test_fatal_error_is_never_resent(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock
) -> None:
    await _set_daily(core)
    fake.fail_next("chat.postMessage", error="fatal_error")
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    clock.advance(minutes=20)
    assert await core.scheduler.run_due() == 0
    assert len(fake.calls("chat.postMessage")) == 1
    assert (await _show(core)).active is True
    clock.set(NINE + timedelta(days=1))
    assert await core.scheduler.run_due() == 1


@pytest.mark.parametrize("failure", [{"status": 500}, {"status": 503},
                                     {"error": "service_unavailable"}])
async def test_a_server_error_is_never_resent(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock, waits: Waits,
    failure: dict[str, Any],
) -> None:
    """Slack may have posted before answering 5xx: the day is skipped, never posted twice,
    and the schedule stays active for the next day."""
    await _set_daily(core)
    fake.fail_next("chat.postMessage", **failure)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    assert len(fake.calls("chat.postMessage")) == 1 and waits.asked == []
    assert (await _show(core)).active is True, "a 5xx does not pause the schedule"
    clock.advance(minutes=5)
    assert await core.scheduler.run_due() == 0, "not resent later the same day"
    assert len(fake.calls("chat.postMessage")) == 1
    clock.advance(days=1)
    assert await core.scheduler.run_due() == 1


async def test_notify_failure_is_swallowed(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock
) -> None:
    await _set_daily(core)
    fake.fail_next("chat.postMessage", error="not_in_channel")
    fake.fail_next("conversations.open", error="user_not_found")
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    assert (await _show(core)).active is False


@pytest.fixture
async def mentions_film(core: ReviewBot, tmp_path: Path) -> str:
    path = tmp_path / "mentions.txt"
    path.write_text(MENTIONS, encoding="utf-8")
    report = await core.ingest([path], "Mentions (2024)")
    assert report.quotes_added == 2, report
    return "Mentions"


def _assert_disarmed(body: Any) -> None:
    raw = json.dumps(body)
    for live in ("<@U1>", "<#C1>"):
        assert live not in raw, live
    assert "&lt;@U1&gt;" in raw
    assert "link_names" not in body and "parse" not in body


async def test_quote_with_mentions_is_escaped_in_commands(
    slack: Driver, mentions_film: str
) -> None:
    quote = await slack.command("/quote", f"film:{mentions_film}")
    _assert_disarmed(quote)
    assert "triumph &amp; a joy" in json.dumps(quote) or "dazzling" in json.dumps(quote)
    verdict = await slack.command("/verdict", f"film:{mentions_film}")
    assert "agree with &lt;@U1&gt;" in json.dumps(verdict)
    assert "<@U1>" not in json.dumps(verdict)


async def test_quote_with_mentions_is_escaped_in_daily_posts(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock, mentions_film: str
) -> None:
    await _set_daily(core, f"/daily set 09:00 UTC any film:{mentions_film}")
    clock.set(NINE)
    assert await core.scheduler.run_due() == 1
    _assert_disarmed(fake.calls("chat.postMessage")[0])


async def test_connection_lost_after_sending_is_never_resent(
    core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock, waits: Waits
) -> None:
    """slack_sdk's default retry would resend here; the poster's client must not."""
    await _set_daily(core)
    fake.fail_next("chat.postMessage", disconnect=True)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    clock.advance(minutes=20)
    assert await core.scheduler.run_due() == 0
    assert len(fake.calls("chat.postMessage")) == 1
    assert waits.asked == []


async def test_connection_refused_is_retried_then_transient(
    core: ReviewBot, fake: FakeSlack, clock: FakeClock, waits: Waits
) -> None:
    """Nothing listens on the port: nothing was sent, so retrying is safe."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/api/"
    core.scheduler.register(SlackPoster(AsyncWebClient(token="x", base_url=dead), sleep=waits))
    await _set_daily(core)
    clock.set(NINE)
    assert await core.scheduler.run_due() == 0
    assert len(waits.asked) == 2
    assert (await _show(core)).active is True


# -- the opt-in user group of a schedule (issue 14) ------------------------------------

GROUP = "<!subteam^S0CRIT>"


async def test_only_the_schedules_user_group_is_mentioned(
    slack: Driver, core: ReviewBot, poster: SlackPoster, fake: FakeSlack, clock: FakeClock,
    mentions_film: str,
) -> None:
    # Slack (should_escape) writes a group picked in the message box as <!subteam^ID|@name>.
    for line in (f"set 09:00 UTC id:crit film:{mentions_film} role:<!subteam^S0CRIT|@critics>",
                 f"set 09:00 UTC id:plain film:{mentions_film}"):
        reply = await slack.command("/daily", line, user="UADMIN")
        assert reply["response_type"] == "in_channel", reply
        # The reply names the group and does not ping it.
        assert "<!subteam" not in json.dumps(reply)
    saved = {s.name: s.role for s in await core.schedules.in_channel("slack", TEAM_ID, "C1")}
    assert saved == {"crit": "S0CRIT", "plain": None}

    clock.set(START.replace(hour=9))
    assert await core.scheduler.run_due() == 2
    bodies = fake.calls("chat.postMessage")
    [with_group] = [b for b in bodies if GROUP in json.dumps(b)]
    [without] = [b for b in bodies if b is not with_group]
    assert with_group["text"].startswith(f"{GROUP} ")
    assert with_group["blocks"][0]["text"]["text"] == GROUP
    for body in (with_group, without):
        raw = json.dumps(body)
        assert raw.count("<!subteam") == (2 if body is with_group else 0)
        assert "<@U1>" not in raw and "&lt;@U1&gt;" in raw  # the quote's mention is inert
        assert "link_names" not in body and "parse" not in body


async def test_a_role_that_is_not_a_user_group_is_refused(slack: Driver) -> None:
    reply = await slack.command("/daily", "set 09:00 role:@everyone", user="UADMIN")
    assert reply["response_type"] == "ephemeral"
    assert "role must be a role (Discord) or a user group" in json.dumps(reply)


async def test_a_discord_role_id_is_refused_on_slack(slack: Driver) -> None:
    reply = await slack.command("/daily", "set 09:00 role:123456789012345678", user="UADMIN")
    assert reply["response_type"] == "ephemeral"
    assert "user group such as @team" in json.dumps(reply)
