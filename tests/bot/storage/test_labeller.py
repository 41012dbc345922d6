"""Stored labels follow the scorer that ships, and never override people."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction, Label, Mood, Sentiment
from bot.replies import CorrectionReply, QuoteReply, correction_value
from bot.sentiment import default_scorer, fingerprint
from bot.settings import Settings
from bot.storage.labeller import LabellerStore, ScoreMany
from tests.backends import execute
from tests.bot.storage.test_corrections import (
    FILM,
    LINES,
    quote_id,
    stats_match_the_quotes,
    write,
)
from tests.fakes.clock import FakeClock


def every_text_is(label: Label) -> ScoreMany:
    def score_many(texts: Sequence[str]) -> list[Sentiment]:
        return [Sentiment(label, -0.5 if label is Label.NEGATIVE else 0.5, 0.99)
                for _ in texts]

    return score_many


async def labels(core: ReviewBot) -> dict[str, tuple[str, str]]:
    film = await core.ctx.film(FILM)
    rows = await core.db.fetchall(
        "SELECT text, label, label_source FROM quotes WHERE film_id = ?", (film.id,)
    )
    return {r[0]: (r[1], r[2]) for r in rows}


async def test_a_new_scorer_relabels_what_the_scorer_decided_only(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    await core.ingest([write(tmp_path / "t.txt", LINES)], FILM)
    store = LabellerStore(core.db)
    await store.follow("old", every_text_is(Label.POSITIVE))
    assert await store.fingerprint() == "old"
    corrected = await quote_id(core, LINES[0])
    reply = await core.correct(admin, correction_value(corrected, Correction.POSITIVE))
    assert isinstance(reply, CorrectionReply) and reply.applied

    changed = await store.follow("new", every_text_is(Label.NEGATIVE))

    now = await labels(core)
    assert now[LINES[0]] == ("positive", "people")  # a person's label is final
    assert now[LINES[1]] == ("negative", "scorer") and now[LINES[2]] == ("negative", "scorer")
    assert changed >= 2 and await store.fingerprint() == "new"
    await stats_match_the_quotes(core)
    await core.corpus.rebuild_dirty_pools()
    film = await core.ctx.film(FILM)
    drawn = set()
    for _ in range(2):
        draw = await core.corpus.draw("c", film.id, Mood.NEGATIVE, random.Random(1))
        assert draw is not None
        drawn.add(draw.quote.text)
    assert drawn == {LINES[1], LINES[2]}


async def test_the_same_scorer_scores_nothing_again(core: ReviewBot, tmp_path: Path) -> None:
    await core.ingest([write(tmp_path / "t.txt", LINES)], FILM)
    store = LabellerStore(core.db)
    await store.follow("same", every_text_is(Label.POSITIVE))

    def must_not_score(texts: Sequence[str]) -> list[Sentiment]:
        raise AssertionError("scored again with the same scorer")

    assert await store.follow("same", must_not_score) == 0


async def test_a_start_with_another_scorer_relabels_the_stored_quotes(
    settings: Settings, clock: FakeClock
) -> None:
    """What ReviewBot.open does: the database says its labels came from another scorer,
    so the shipped one labels the scorer's quotes again before the first command."""
    core = await ReviewBot.open(settings, clock=clock)
    try:
        quote = await core.handle_text(Invocation("console", "c", "u"), "/quote negative")
        assert isinstance(quote, QuoteReply)
        await execute(core.db, "UPDATE quotes SET label = 'positive' WHERE id = ?",
                                   (quote.quote.id,))
        await core.labeller.record("an older scorer")
    finally:
        await core.close()
    core = await ReviewBot.open(settings, clock=clock)
    try:
        row = await core.db.fetchone("SELECT label FROM quotes WHERE id = ?", (quote.quote.id,))
        assert row is not None and row[0] == "negative"
        assert await core.labeller.fingerprint() == fingerprint(default_scorer())
    finally:
        await core.close()
