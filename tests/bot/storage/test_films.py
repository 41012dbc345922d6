"""Removing a film takes everything it holds, pauses the daily posts that used it, and a
removed default corpus stays removed across a restart; /films pages through films."""

from __future__ import annotations

from pathlib import Path

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction, ScheduleStatus
from bot.replies import ErrorReply, FilmRemovalReply, FilmsReply, QuoteReply, correction_value
from bot.settings import Settings
from tests.fakes.clock import FakeClock

DERIVED = ("documents", "quotes", "pool", "pool_sizes", "decks", "film_stats", "corrections",
           "reports")


async def rows(core: ReviewBot, table: str, film_id: int) -> int:
    row = await core.db.fetchone(f"SELECT COUNT(*) FROM {table} WHERE film_id = ?", (film_id,))
    assert row is not None
    return int(row[0])


async def test_removal_takes_everything_and_pauses_the_daily_post(
    core: ReviewBot, admin: Invocation, member: Invocation
) -> None:
    [her] = await core.corpus.films()
    drawn = await core.handle_text(admin, "/quote")
    assert isinstance(drawn, QuoteReply)
    await core.correct(admin, correction_value(drawn.quote.id, Correction.NEGATIVE))
    other = await core.handle_text(admin, "/quote")
    assert isinstance(other, QuoteReply)
    await core.correct(member, correction_value(other.quote.id, Correction.HIDE))
    await core.handle_text(admin, "/daily set 09:00 Europe/Paris")
    assert all([await rows(core, table, her.id) for table in DERIVED])

    asked = await core.handle_text(admin, "/film remove Her")
    assert isinstance(asked, FilmRemovalReply) and asked.removed is None
    assert asked.schedules == 1 and asked.quotes == len(await core.corpus.quotes(her.id))
    done = await core.confirm_film_removal(admin, asked.confirm_value)

    assert isinstance(done, FilmRemovalReply) and done.removed is True
    assert "1 daily post that used it is paused" in done.message
    assert [await rows(core, table, her.id) for table in DERIVED] == [0] * len(DERIVED)
    assert await core.corpus.films() == []
    schedule = await core.schedules.get(admin.platform, admin.workspace, admin.channel)
    assert schedule is not None and schedule.status is ScheduleStatus.PAUSED
    assert schedule.film_id is None and "Her (2013) was removed" in (schedule.pause_reason or "")
    assert len(await core.corrections.audit(her.id)) == 1  # the audit keeps its rows


async def test_cancel_and_members_remove_nothing(
    core: ReviewBot, admin: Invocation, member: Invocation
) -> None:
    asked = await core.handle_text(admin, "/film remove Her")
    assert isinstance(asked, FilmRemovalReply)
    refused = await core.confirm_film_removal(member, asked.confirm_value)
    kept = await core.confirm_film_removal(admin, asked.cancel_value)
    doctored = await core.confirm_film_removal(admin, "yes:DROP TABLE")

    assert isinstance(refused, ErrorReply) and isinstance(doctored, ErrorReply)
    assert isinstance(kept, FilmRemovalReply) and kept.removed is False
    assert len(await core.corpus.films()) == 1


async def test_a_removed_default_corpus_is_not_ingested_again(
    settings: Settings, clock: FakeClock, admin: Invocation
) -> None:
    core = await ReviewBot.open(settings, clock=clock)
    removed = await core.handle_text(admin, "/film remove Her (2013) confirm:yes")
    assert isinstance(removed, FilmRemovalReply) and removed.removed is True
    await core.close()

    again = await ReviewBot.open(settings, clock=clock)
    try:
        assert await again.corpus.films() == []
    finally:
        await again.close()


async def test_films_pages(core: ReviewBot, admin: Invocation, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("A dazzling, tender film that moves you deeply.\n", encoding="utf-8")
    for number in range(20):
        await core.ingest([path], f"Film {number:02d} (2020)")

    first, second, third = [await core.handle_text(admin, f"/films {n}") for n in (1, 2, 3)]
    bad = await core.handle_text(admin, "/films page:-1")

    assert isinstance(first, FilmsReply) and isinstance(third, FilmsReply)
    assert (first.page, first.pages, first.total, len(first.entries)) == (1, 3, 21, 10)
    assert [e.name for e in third.entries] == ["Her (2013)"]
    assert isinstance(second, FilmsReply)
    names = [e.name for r in (first, second) for e in r.entries]
    assert names == [f"Film {n:02d} (2020)" for n in range(20)]
    assert isinstance(bad, ErrorReply) and bad.message.startswith("page must be a number")


async def test_a_new_film_never_takes_a_removed_films_id(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    """A removed film's id may still sit in an "Another" button or the audit log: a film
    added later, even right after the newest film was removed, gets an id of its own."""
    path = tmp_path / "a.txt"
    path.write_text("A dazzling, tender film that moves you deeply.\n", encoding="utf-8")
    await core.ingest([path], "Gone (2020)")
    gone = {f.name: f.id for f in await core.corpus.films()}["Gone (2020)"]
    removed = await core.handle_text(admin, "/film remove Gone (2020) confirm:yes")
    assert isinstance(removed, FilmRemovalReply) and removed.removed

    await core.ingest([path], "Next (2021)")
    fresh = {f.name: f.id for f in await core.corpus.films()}["Next (2021)"]
    assert fresh > gone
