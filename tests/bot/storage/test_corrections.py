"""Corrections outlive the quote rows: re-ingest of the same text, a changed file, a
restart. ``film_stats`` stays equal to a fresh count of the visible quotes throughout."""

from __future__ import annotations

from pathlib import Path

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction, Label, LabelSource
from bot.replies import CorrectionReply, QuoteReply, ReviewReply, correction_value
from bot.settings import Settings
from bot.storage.text_keys import text_key
from tests.backends import execute

FILM = "Test (2020)"
LINES = [
    "A dazzling, tender and wonderful film.",
    "A dull, lifeless and tedious bore of a film.",
    "A beautiful, moving and brilliant piece of work.",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n\n@highlight\n\nCritics agree.\n", encoding="utf-8")
    return path


async def quote_id(core: ReviewBot, text: str) -> int:
    film = await core.ctx.film(FILM)
    found = await core.corrections.find(film.id, text)
    assert found is not None
    return found


async def stats_match_the_quotes(core: ReviewBot) -> None:
    stored = await core.db.fetchall(
        "SELECT film_id, kind, label, count FROM film_stats WHERE count != 0"
        " ORDER BY film_id, kind, label"
    )
    fresh = await core.db.fetchall(
        "SELECT film_id, kind, label, COUNT(*) FROM quotes WHERE hidden = 0"
        " GROUP BY film_id, kind, label ORDER BY film_id, kind, label"
    )
    assert [tuple(r) for r in stored] == [tuple(r) for r in fresh]


def test_text_key_ignores_case_spacing_and_punctuation() -> None:
    assert text_key("“Her”  is — a GIFT!\n") == text_key('"her" is a gift') == "her is a gift"
    assert text_key("Her is a gift") != text_key("Her is a gif")


async def test_a_correction_survives_reingest_and_restart(
    core: ReviewBot, admin: Invocation, settings: Settings, tmp_path: Path
) -> None:
    doc = write(tmp_path / "t.txt", LINES)
    await core.ingest([doc], FILM)
    first = await quote_id(core, LINES[0])
    reply = await core.correct(admin, correction_value(first, Correction.NEGATIVE))
    assert isinstance(reply, CorrectionReply) and reply.applied
    hidden = await quote_id(core, LINES[2])
    await core.correct(admin, correction_value(hidden, Correction.HIDE))
    await stats_match_the_quotes(core)

    # The same texts re-saved with other quotes, case and spacing, plus a new line: the
    # document is replaced and every quote scored again, but people's labels stay.
    changed = ["“" + LINES[0].upper().replace(" ", "  ") + "”", LINES[1], LINES[2] + "!",
               "Another lovely, charming film."]
    report = await core.ingest([write(doc, changed)], FILM)
    assert [r.status for r in report.results] == ["replaced"]
    await stats_match_the_quotes(core)
    # A new row, scored again as positive, with the person's label instead:
    stored = await core.corrections.quote(await quote_id(core, LINES[0]))
    assert stored is not None and text_key(stored.quote.text) == text_key(LINES[0])
    assert (stored.quote.label, stored.quote.label_source) == (Label.NEGATIVE, LabelSource.PEOPLE)
    still_hidden = await core.corrections.quote(await quote_id(core, LINES[2]))
    assert still_hidden is not None and still_hidden.hidden
    await core.close()

    reopened = await ReviewBot.open(settings)
    try:
        film = await reopened.ctx.film(FILM)
        seen = set()
        for _ in range(4):
            drawn = await reopened.handle_text(admin, f"/quote negative film:{FILM}")
            assert isinstance(drawn, QuoteReply)
            seen.add(drawn.quote.text)
        assert {text_key(t) for t in seen} == {text_key(LINES[0]), text_key(LINES[1])}
        any_pool = await reopened.handle_text(admin, f"/quote any film:{FILM}")
        assert isinstance(any_pool, QuoteReply) and any_pool.pool_size == 3  # one hidden
        assert (await reopened.corpus.label_sources(film.id))[LabelSource.PEOPLE] == 2
        audit = await reopened.corrections.audit(film.id)
        assert [(a.before, a.after) for a in audit][-1] == ("positive", "hidden")
    finally:
        await reopened.close()


async def test_open_reports_follow_their_quote_through_reingest(
    core: ReviewBot, admin: Invocation, member: Invocation, tmp_path: Path
) -> None:
    doc = write(tmp_path / "t.txt", LINES)
    # A later document holds the highest ids, so the replaced quotes get new ones.
    await core.ingest([doc, write(tmp_path / "u.txt", ["A later, lovely film."])], FILM)
    reported = await quote_id(core, LINES[1])
    await core.correct(member, correction_value(reported, Correction.POSITIVE))
    await core.ingest([write(doc, [*LINES, "One more fine and lovely film."])], FILM)
    review = await core.handle_text(admin, f"/review {FILM}")
    assert isinstance(review, ReviewReply) and review.open_reports == 1
    top = review.items[0]
    assert top.reason == "reported" and top.quote.text == LINES[1]
    assert top.quote.id == await quote_id(core, LINES[1]) != reported


async def test_a_correction_applies_to_every_copy_of_the_text(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    a = write(tmp_path / "a.txt", LINES)
    b = write(tmp_path / "b.txt", [LINES[1], "Yet another wonderful, warm film."])
    await core.ingest([a, b], FILM)
    await core.correct(admin, correction_value(await quote_id(core, LINES[1]), Correction.MIXED))
    film = await core.ctx.film(FILM)
    copies = [q for q in await core.corpus.quotes(film.id) if q.text == LINES[1]]
    assert len(copies) == 2 and {q.label for q in copies} == {Label.NEUTRAL}
    await stats_match_the_quotes(core)


async def test_an_old_menu_never_corrects_another_quote(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    """A changed file's new quotes never take the ids of the quotes they replace: a
    "Wrong mood?" menu on a message posted before the re-ingest then says the quote is
    gone instead of correcting whichever quote got its id."""
    doc = write(tmp_path / "t.txt", LINES)
    await core.ingest([doc], FILM)
    old = await quote_id(core, LINES[2])
    write(doc, [*LINES[:2], "An entirely new and heartfelt closing line."])
    await core.ingest([doc], FILM)
    newest = await quote_id(core, "An entirely new and heartfelt closing line.")
    assert newest > old
    reply = await core.correct(admin, correction_value(old, Correction.NEGATIVE))
    assert not isinstance(reply, CorrectionReply)
    assert "no longer here" in getattr(reply, "message", "")


async def test_a_report_on_text_a_changed_file_dropped_is_closed(
    core: ReviewBot, admin: Invocation, member: Invocation, tmp_path: Path
) -> None:
    """Otherwise /review would count it forever with no item and no button to clear it."""
    doc = write(tmp_path / "t.txt", LINES)
    await core.ingest([doc], FILM)
    reported = await quote_id(core, LINES[1])
    reply = await core.correct(member, correction_value(reported, Correction.POSITIVE))
    assert isinstance(reply, CorrectionReply) and not reply.applied
    write(doc, [LINES[0], LINES[2]])
    await core.ingest([doc], FILM)
    review = await core.handle_text(admin, f"/review {FILM}")
    assert isinstance(review, ReviewReply) and review.open_reports == 0


async def test_keeping_one_copy_moves_the_other_copies_pools_too(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    """Copies of a text differing in case or punctuation share one correction; when the
    clicked copy keeps its label but another copy changes, the pools follow."""
    copy = LINES[0].upper().replace(",", "")
    await core.ingest([write(tmp_path / "t.txt", [*LINES, copy])], FILM)
    film = await core.ctx.film(FILM)
    await execute(core.db,
        "UPDATE quotes SET label = 'neutral' WHERE film_id = ? AND text = ?", (film.id, copy)
    )
    await execute(core.db, "UPDATE films SET pool_dirty = 1 WHERE id = ?", (film.id,))
    await core.corpus.rebuild_dirty_pools()
    first = await core.db.fetchone(
        "SELECT id, label FROM quotes WHERE film_id = ? AND text = ?", (film.id, LINES[0])
    )
    assert first is not None and first[1] == "positive"
    reply = await core.correct(admin, correction_value(int(first[0]), Correction.KEEP))
    assert isinstance(reply, CorrectionReply) and reply.applied
    size = await core.db.fetchone(
        "SELECT live FROM pool_sizes s JOIN films f ON f.id = s.film_id"
        " AND f.pool_version = s.version WHERE s.film_id = ? AND s.mood = 'positive'", (film.id,)
    )
    positives = await core.db.fetchone(
        "SELECT COUNT(*) FROM quotes WHERE film_id = ? AND label = 'positive' AND hidden = 0",
        (film.id,),
    )
    assert size is not None and positives is not None and size[0] == positives[0]


async def test_reports_on_copies_of_one_text_are_one_review_item(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    copy = LINES[1].upper()
    await core.ingest([write(tmp_path / "t.txt", [*LINES, copy])], FILM)
    film = await core.ctx.film(FILM)
    ids = [int(r[0]) for r in await core.db.fetchall(
        "SELECT id FROM quotes WHERE film_id = ? AND text IN (?, ?)", (film.id, LINES[1], copy)
    )]
    assert len(ids) == 2
    for n, quote in enumerate(ids):
        member = Invocation("console", "c", f"member{n}")
        reply = await core.correct(member, correction_value(quote, Correction.POSITIVE))
        assert isinstance(reply, CorrectionReply) and not reply.applied
    review = await core.handle_text(admin, f"/review {FILM}")
    assert isinstance(review, ReviewReply)
    reported = [item for item in review.items if item.reason == "reported"]
    assert len(reported) == 1 and reported[0].reports == 2
