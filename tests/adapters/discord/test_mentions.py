"""A quote that would ping everyone goes out as plain text: allowed_mentions parse = []."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import ReviewBot
from tests.adapters.discord.conftest import RunningBot
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, OWNER, FakeDiscord

PINGS = "@everyone <@&123> <@456>"
FILM = "Mentions (2020)"


async def ingest_pinging_quotes(core: ReviewBot, tmp_path: Path) -> None:
    excerpts = tmp_path / "mentions.txt"
    excerpts.write_text(
        f"{PINGS} a brilliant, joyful, wonderful film.\n"
        f"{PINGS} a dull, lifeless, terrible film.\n"
        "@highlight\n"
        f"{PINGS} the critics could not agree.\n",
        encoding="utf-8",
    )
    report = await core.ingest([excerpts], FILM)
    assert report.quotes_added == 2


async def test_a_quote_with_mentions_pings_nobody(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, tmp_path: Path
) -> None:
    await ingest_pinging_quotes(core, tmp_path)

    exchange = await fake.invoke("quote", {"film": FILM})

    [embed] = exchange.data["embeds"]
    assert PINGS in embed["description"]
    assert exchange.data["allowed_mentions"] == {"parse": []}

    verdict = await fake.invoke("verdict", {"film": FILM})
    assert PINGS in verdict.data["embeds"][0]["description"]
    assert verdict.data["allowed_mentions"] == {"parse": []}

    mood = await fake.invoke("mood", {"text": PINGS})
    assert mood.data["allowed_mentions"] == {"parse": []}


async def test_a_daily_post_with_mentions_pings_nobody(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, clock: FakeClock, tmp_path: Path
) -> None:
    await ingest_pinging_quotes(core, tmp_path)
    await fake.invoke("daily", {"time": "09:00", "film": FILM}, subcommand="set", user=OWNER)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    assert await core.scheduler.run_due() == 1

    [post] = fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")
    assert PINGS in post.json["embeds"][0]["description"]
    assert post.json["allowed_mentions"] == {"parse": []}
