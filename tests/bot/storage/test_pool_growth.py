"""Pools that grow and shrink with their film (issue 16): a document's quotes join the
pools in its own transaction, removed quotes leave holes, and a full rebuild is rare,
runs once per film, and lets commands through between its short transactions."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timezone

import pytest

from bot.app import ReviewBot
from bot.models import Correction, DocumentKind, Label, Mood, QuoteKind
from bot.storage import pools as pools_module
from bot.storage.corpus import NewDocument, NewQuote
from bot.storage.corrections import Actor
from tests.backends import execute

FILM = "Growing (2020)"
MOODS = (Mood.ANY, Mood.POSITIVE, Mood.NEGATIVE)


def document(name: str, texts: list[str], kind: QuoteKind = QuoteKind.CRITIC) -> tuple[
        NewDocument, list[NewQuote]]:
    doc = NewDocument(f"/corpus/{name}.txt", f"sha-{name}-{len(texts)}-{texts[:1]}",
                      DocumentKind.EXCERPTS)
    quotes = [NewQuote(text, kind, None, i, Label.POSITIVE if i % 2 else Label.NEGATIVE,
                       0.5 if i % 2 else -0.5, 0.9) for i, text in enumerate(texts)]
    return doc, quotes


async def store(core: ReviewBot, name: str, texts: list[str],
                kind: QuoteKind = QuoteKind.CRITIC) -> str:
    doc, quotes = document(name, texts, kind)
    return await core.corpus.store_document(FILM, doc, quotes, None)


async def film_id(core: ReviewBot) -> int:
    films = await core.corpus.films_named(FILM)
    return films[0].id


async def pools_match_the_quotes(core: ReviewBot, film: int) -> None:
    """The pools the draws read hold exactly the film's visible quotes of its voice, per
    mood, each once, at distinct ranks below the pool's size; ``live`` counts them."""
    version = (await core.db.fetchall("SELECT pool_version FROM films WHERE id = ?",
                                      (film,)))[0][0]
    kinds = await core.db.fetchall(
        "SELECT DISTINCT kind FROM quotes WHERE film_id = ? AND hidden = 0", (film,))
    voice = next(k for k in QuoteKind if k.value in {r[0] for r in kinds})
    for mood in MOODS:
        label = "" if mood is Mood.ANY else f"AND label = '{mood.value}'"
        expected = sorted(r[0] for r in await core.db.fetchall(
            f"SELECT id FROM quotes WHERE film_id = ? AND kind = ? AND hidden = 0 {label}",
            (film, voice.value)))
        ranks = await core.db.fetchall(
            "SELECT rank, quote_id FROM pool WHERE film_id = ? AND version = ? AND mood = ?",
            (film, version, mood.value))
        size, live = (await core.db.fetchall(
            "SELECT size, live FROM pool_sizes WHERE film_id = ? AND version = ? AND mood = ?",
            (film, version, mood.value)))[0]
        assert sorted(r[1] for r in ranks) == expected
        assert live == len(ranks) and all(0 <= r[0] < size for r in ranks)


def texts(prefix: str, n: int) -> list[str]:
    return [f"{prefix} quote number {i}, a film of some kind." for i in range(n)]


async def test_a_round_never_repeats_while_documents_come_and_go(core: ReviewBot) -> None:
    await store(core, "a", texts("First", 8))
    await store(core, "c", texts("Other", 50))
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    rng = random.Random(7)
    passes = core.corpus.pools.passes
    seen: Counter[int] = Counter()
    removed: set[int] = set()
    for n in range(30):
        draw = await core.corpus.draw("chan", film, Mood.ANY, rng)
        assert draw is not None and draw.quote.id not in removed
        seen[draw.quote.id] += 1
        if n == 5:
            assert await store(core, "b", texts("Second", 10)) == "added"
        if n == 10:  # the first document changes: its 8 quotes leave, 12 come
            removed |= {q.id for q in await core.corpus.quotes(film)
                        if q.source == "/corpus/a.txt"}
            assert await store(core, "a", texts("Replaced", 12)) == "replaced"
        if n == 15:
            hidden = next(q for q in await core.corpus.quotes(film) if q.id not in seen)
            await core.corrections.apply(hidden.id, Correction.HIDE, Actor("u", "console"),
                                         datetime.now(timezone.utc))
            removed.add(hidden.id)
        await pools_match_the_quotes(core, film)
    assert max(seen.values()) == 1  # still the first round: nothing twice
    assert core.corpus.pools.passes == passes  # and nothing was renumbered (holes: 9 of 70)


async def test_a_round_that_ends_takes_the_quotes_added_during_it(core: ReviewBot) -> None:
    await store(core, "a", texts("First", 6))
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    rng = random.Random(3)
    first = [await core.corpus.draw("c", film, Mood.ANY, rng) for _ in range(2)]
    await store(core, "b", texts("Later", 4))
    rest = [await core.corpus.draw("c", film, Mood.ANY, rng) for _ in range(4)]
    round_one = {d.quote.id for d in [*first, *rest] if d is not None}
    assert len(round_one) == 6 and all("Later" not in d.quote.text for d in rest if d)
    assert rest[-1] is not None and rest[-1].remaining == 0
    round_two = [await core.corpus.draw("c", film, Mood.ANY, rng) for _ in range(10)]
    assert len({d.quote.id for d in round_two if d is not None}) == 10


async def test_relabelled_quotes_move_between_mood_pools(core: ReviewBot) -> None:
    await store(core, "a", texts("Mood", 8))
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    negative = next(q for q in await core.corpus.quotes(film) if q.label is Label.NEGATIVE)
    await core.corrections.apply(negative.id, Correction.POSITIVE, Actor("u", "console"),
                                 datetime.now(timezone.utc))
    await pools_match_the_quotes(core, film)
    drawn = {d.quote.id for d in [await core.corpus.draw("c", film, Mood.NEGATIVE,
                                                         random.Random(1)) for _ in range(3)] if d}
    assert negative.id not in drawn and len(drawn) == 3


async def test_a_new_voice_rebuilds_once_and_old_pools_serve_meanwhile(
    core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review sentences, then critic excerpts: the voice changes, so the pools are
    rebuilt, in several transactions (a tiny ``CHUNK_IDS``) with draws between them, and
    once however many draws arrive while the film is marked."""
    monkeypatch.setattr(pools_module, "CHUNK_IDS", 4)
    await store(core, "r", texts("Review", 30), QuoteKind.REVIEW)
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    await store(core, "c", texts("Critic", 30))
    passes = core.corpus.pools.passes
    draws = [await core.corpus.draw(f"c{i}", film, Mood.ANY, random.Random(i))
             for i in range(5)]
    assert core.corpus.pools.passes == passes  # served from the old pools, no rebuild
    assert all(d is not None and "Review" in d.quote.text for d in draws)
    during: list[int | None] = []

    async def draw_while_rebuilding() -> None:
        while not rebuild.done():
            row = await core.db.fetchone("SELECT pool_cursor FROM films WHERE id = ?", (film,))
            if row is not None and row[0] is not None:
                drawn = await core.corpus.draw("mid", film, Mood.ANY, random.Random(0))
                during.append(drawn.quote.id if drawn else None)
            await asyncio.sleep(0)

    rebuild = asyncio.ensure_future(core.corpus.rebuild_dirty_pools())
    await asyncio.gather(rebuild, draw_while_rebuilding(),
                         core.corpus.rebuild_pool(film), core.corpus.rebuild_pool(film))
    assert core.corpus.pools.passes == passes + 1  # three callers, one rebuild
    assert during and None not in during  # commands ran between its transactions
    await pools_match_the_quotes(core, film)
    drawn = await core.corpus.draw("after", film, Mood.ANY, random.Random(2))
    assert drawn is not None and "Critic" in drawn.quote.text
    leftovers = await core.db.fetchall(
        "SELECT COUNT(*) FROM pool p JOIN films f ON f.id = p.film_id"
        " WHERE p.version <> f.pool_version")
    assert leftovers[0][0] == 0


async def test_draws_on_a_film_without_pools_share_one_rebuild(core: ReviewBot) -> None:
    await store(core, "a", texts("Fresh", 12))
    film = await film_id(core)
    passes = core.corpus.pools.passes
    draws = await asyncio.gather(*(core.corpus.draw(f"c{i}", film, Mood.ANY, random.Random(i))
                                   for i in range(5)))
    assert all(d is not None for d in draws)
    assert core.corpus.pools.passes == passes + 1


async def test_a_rebuild_resumes_after_a_crash_and_takes_changes_behind_it(
    core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild stopped half-way (the process died) leaves its cursor; quotes stored
    meanwhile behind the cursor go into the version it writes; the next start resumes."""
    monkeypatch.setattr(pools_module, "CHUNK_IDS", 4)
    await store(core, "a", texts("Start", 30))
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    builder = core.corpus.pools
    await execute(core.db, "UPDATE films SET pool_dirty = 1 WHERE id = ?", (film,))
    assert await builder._start(film)
    for _ in range(3):
        assert not await builder._chunk(film)
    cursor = (await core.db.fetchall("SELECT pool_cursor FROM films WHERE id = ?",
                                     (film,)))[0][0]
    assert cursor is not None
    await store(core, "b", texts("Meanwhile", 5))  # ids past the cursor: read later
    quote = next(q for q in await core.corpus.quotes(film) if q.id <= cursor)
    await core.corrections.apply(quote.id, Correction.HIDE, Actor("u", "console"),
                                 datetime.now(timezone.utc))
    await core.corrections.apply(quote.id, Correction.POSITIVE, Actor("u", "console"),
                                 datetime.now(timezone.utc))  # shown again, behind it
    await core.corpus.rebuild_dirty_pools()
    await pools_match_the_quotes(core, film)


async def test_many_holes_ask_for_one_rebuild_that_closes_them(core: ReviewBot) -> None:
    await store(core, "a", texts("Old", 40))
    await core.corpus.rebuild_dirty_pools()
    film = await film_id(core)
    passes = core.corpus.pools.passes
    await store(core, "a", texts("New", 40))  # 40 holes in 80 ranks
    assert await core.corpus.pools.wanted(film)
    await core.corpus.rebuild_dirty_pools()
    assert core.corpus.pools.passes == passes + 1 and not await core.corpus.pools.wanted(film)
    sizes = await core.db.fetchall(
        "SELECT s.size, s.live FROM pool_sizes s JOIN films f ON f.id = s.film_id"
        " AND f.pool_version = s.version WHERE s.mood = 'any' AND f.id = ?", (film,))
    assert [tuple(r) for r in sizes] == [(40, 40)]
    await pools_match_the_quotes(core, film)
