"""The health and metrics endpoint, scraped over 127.0.0.1 while the core answers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.app import ReviewBot
from bot.errors import StartupRefused
from bot.invocation import Invocation
from bot.metrics_server import serving
from bot.replies import ScheduleReply
from tests.fakes.clock import FakeClock
from tests.fakes.poster import RecordingPoster


@pytest.fixture
async def base(core: ReviewBot) -> AsyncIterator[str]:
    async with serving(core.db, "127.0.0.1", 0) as port:
        yield f"http://127.0.0.1:{port}"


async def scrape(base: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    async with aiohttp.ClientSession() as http, http.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = await response.text()
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_commands_are_counted_by_name_and_outcome_with_latency(
    core: ReviewBot, base: str, member: Invocation
) -> None:
    before = await scrape(base)
    for line in ("/quote", "/quote", "/help", "/quote mood:nonsense", "/nosuchcommand"):
        await core.handle_text(member, line)
    after = await scrape(base)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("reviewbot_commands_total", command="quote", outcome="ok") == 2
    assert grew("reviewbot_commands_total", command="help", outcome="ok") == 1
    assert grew("reviewbot_commands_total", command="quote", outcome="usage") == 1
    assert grew("reviewbot_commands_total", command="unknown", outcome="usage") == 1
    assert grew("reviewbot_command_seconds_count", command="quote") == 3
    assert grew("reviewbot_command_seconds_bucket", command="quote", le="+Inf") == 3
    assert value(after, "reviewbot_command_seconds_sum", command="quote") > 0


async def test_a_daily_post_on_the_fake_clock_is_counted_as_sent(
    core: ReviewBot, clock: FakeClock, admin: Invocation, base: str
) -> None:
    clock.set(datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc))
    poster = RecordingPoster()
    core.scheduler.register(poster)
    assert isinstance(await core.handle_text(admin, "/daily set 09:00 UTC"), ScheduleReply)
    before = await scrape(base)
    clock.advance(seconds=timedelta(hours=1, minutes=1).total_seconds())
    assert await core.scheduler.run_due() == 1
    after = await scrape(base)
    assert len(poster.posts) == 1
    sent = ("reviewbot_daily_posts_total", frozenset({("outcome", "sent")}))
    assert after[sent] - before.get(sent, 0.0) == 1


async def test_healthz_is_200_then_503_once_the_database_is_unusable(
    core: ReviewBot, base: str
) -> None:
    metrics.platform("console-test", lambda: True)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as ok:
            assert ok.status == 200
            body = await ok.json()
            assert body["database"] == "ok"
            assert body["platforms"]["console-test"] is True
        await core.db.close()
        async with http.get(f"{base}/healthz") as failed:
            assert failed.status == 503
            assert (await failed.json())["database"] == "unreachable"
    core.db = await type(core.db).open(core.db.path)  # for the fixture's close


async def test_a_taken_port_is_one_line_naming_the_variable(core: ReviewBot) -> None:
    async with serving(core.db, "127.0.0.1", 0) as port:
        with pytest.raises(StartupRefused) as refused:
            async with serving(core.db, "127.0.0.1", port):
                pass
    message = str(refused.value)
    assert "REVIEWBOT_METRICS_PORT" in message and "\n" not in message


async def test_records_logged_at_error_are_counted_by_logger(base: str) -> None:
    before = await scrape(base)
    logging.getLogger("bot.scheduler").error("a daily post failed")
    logging.getLogger("bot.scheduler").warning("only a warning")
    after = await scrape(base)
    errors = ("reviewbot_errors_total", frozenset({("logger", "bot.scheduler")}))
    assert after[errors] - before.get(errors, 0.0) == 1
