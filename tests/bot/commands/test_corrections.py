"""Corrections by people through the ReviewBot facade: a manager's correction, a member's
report, /review, the audit, and the counts /verdict shows."""

from __future__ import annotations

import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction, Label, LabelSource, Mood
from bot.render import render_text
from bot.replies import (
    CorrectionReply,
    ErrorReply,
    QuoteReply,
    ReviewReply,
    VerdictReply,
    correction_value,
)
from tests.fakes.clock import FakeClock

OTHER = Invocation("console", "elsewhere", "U9", workspace="W1")  # no cooldown


async def whole_pool(core: ReviewBot, inv: Invocation, mood: str) -> set[int]:
    """Every quote id of a pool, drawn through ``/quote`` and "Another" in one channel."""
    first = await core.handle_text(inv, f"/quote {mood}")
    assert isinstance(first, QuoteReply)
    ids = {first.quote.id}
    for _ in range(first.remaining):
        reply = await core.another(inv, first.another_value)
        assert isinstance(reply, QuoteReply)
        ids.add(reply.quote.id)
    assert len(ids) == first.pool_size
    return ids


async def a_quote(core: ReviewBot, inv: Invocation, mood: str) -> QuoteReply:
    reply = await core.handle_text(inv, f"/quote {mood}")
    assert isinstance(reply, QuoteReply)
    return reply


async def test_a_managers_correction_moves_the_quote_for_every_channel(
    core: ReviewBot, admin: Invocation
) -> None:
    shown = await a_quote(core, admin, "positive")
    before = await whole_pool(core, OTHER, "negative")
    assert shown.quote.id not in before
    reply = await core.correct(admin, shown.correction_value(Correction.NEGATIVE))
    assert isinstance(reply, CorrectionReply) and reply.applied and reply.ephemeral
    assert reply.message == ("Moved to negative for every channel; 1 quote of Her (2013) is "
                             "now checked by people.")
    after = await whole_pool(core, OTHER, "negative")
    assert after == before | {shown.quote.id}
    assert shown.quote.id not in await whole_pool(core, OTHER, "positive")
    drawn = await core.corpus.quotes(shown.film_id)
    moved = next(q for q in drawn if q.id == shown.quote.id)
    assert (moved.label, moved.label_source) == (Label.NEGATIVE, LabelSource.PEOPLE)


async def test_hide_takes_a_quote_out_of_every_pool(core: ReviewBot, admin: Invocation) -> None:
    shown = await a_quote(core, admin, "negative")
    reply = await core.correct(admin, correction_value(shown.quote.id, Correction.HIDE))
    assert isinstance(reply, CorrectionReply) and reply.applied
    assert reply.message.startswith("Hidden from every channel;")
    for mood in ("negative", "any"):
        assert shown.quote.id not in await whole_pool(core, OTHER, mood)
    mood_reply = await core.handle_text(admin, "/mood")
    assert getattr(mood_reply, "total", None) == 250  # the critics' distribution lost it


async def test_verdict_counts_follow_corrections(core: ReviewBot, admin: Invocation) -> None:
    before = await core.handle_text(admin, "/verdict")
    assert isinstance(before, VerdictReply) and before.checked_by_people == 0
    negative = await a_quote(core, admin, "negative")
    positive = await a_quote(core, admin, "positive")
    await core.correct(admin, negative.correction_value(Correction.POSITIVE))
    await core.correct(admin, positive.correction_value(Correction.MIXED))
    keep = await a_quote(core, admin, "positive")
    await core.correct(admin, correction_value(keep.quote.id, Correction.KEEP))
    after = await core.handle_text(admin, "/verdict")
    assert isinstance(after, VerdictReply)
    assert (after.critics.positive, after.critics.negative) == (
        before.critics.positive, before.critics.negative - 1
    )  # one negative became positive, one positive became mixed
    assert after.critics.count == before.critics.count
    assert after.checked_by_people == 3 and after.from_source == 0
    assert "3 checked by people" in render_text(after)
    assert "from the source" not in render_text(after)


async def test_a_members_report_goes_through_review_to_a_manager(
    core: ReviewBot, admin: Invocation, member: Invocation
) -> None:
    shown = await a_quote(core, member, "negative")
    value = shown.correction_value(Correction.POSITIVE)
    reported = await core.correct(member, value)
    assert isinstance(reported, CorrectionReply) and not reported.applied
    assert reported.ephemeral and reported.message == "Thanks — a manager will see it in /review."
    assert shown.quote.id in await whole_pool(core, OTHER, "negative")  # nothing moved yet
    again = await core.correct(member, value)
    assert isinstance(again, CorrectionReply) and "already reported" in again.message
    third = Invocation("console", "general", "U3", workspace="W1")
    await core.correct(third, shown.correction_value(Correction.MIXED))

    review = await core.handle_text(admin, "/review")
    assert isinstance(review, ReviewReply) and review.ephemeral
    assert review.open_reports == 2  # two members, not three clicks
    top = review.items[0]
    assert (top.quote.id, top.reports, top.reason) == (shown.quote.id, 2, "reported")
    assert top.suggested in (Correction.POSITIVE, Correction.MIXED)
    assert f"#{shown.quote.id} " in render_text(review) and "reported 2×" in render_text(review)

    done = await core.correct(admin, top.action_value(Correction.POSITIVE))
    assert isinstance(done, CorrectionReply) and done.applied
    after = await core.handle_text(admin, "/review")
    assert isinstance(after, ReviewReply) and after.open_reports == 0
    assert shown.quote.id not in {i.quote.id for i in after.items}
    assert shown.quote.id in await whole_pool(core, OTHER, "positive")


async def test_review_fills_up_with_the_least_certain_unchecked_quotes(
    core: ReviewBot, admin: Invocation
) -> None:
    review = await core.handle_text(admin, "/review Her (2013)")
    assert isinstance(review, ReviewReply) and len(review.items) == 5
    assert all(i.reason == "uncertain" and i.reports == 0 for i in review.items)
    labels = [i.quote.label for i in review.items]
    assert labels[:2] == [Label.NEGATIVE, Label.POSITIVE]  # taken from each pool in turn
    negatives = [i.quote.confidence for i in review.items if i.quote.label is Label.NEGATIVE]
    assert negatives == sorted(negatives)
    checked = review.items[0].quote.id
    await core.correct(admin, review.items[0].action_value(Correction.KEEP))
    again = await core.handle_text(admin, "/review")
    assert isinstance(again, ReviewReply) and checked not in {i.quote.id for i in again.items}
    assert again.checked_by_people == 1


async def test_review_is_for_managers_only(core: ReviewBot, member: Invocation) -> None:
    reply = await core.handle_text(member, "/review")
    assert isinstance(reply, ErrorReply) and reply.ephemeral
    assert reply.message.startswith(
        "Only people who manage this server or workspace can use /review"
    )
    help_text = render_text(await core.handle_text(member, "/help"))
    assert "/review [film]" in help_text


async def test_a_member_cannot_apply_or_confirm(
    core: ReviewBot, member: Invocation
) -> None:
    shown = await a_quote(core, member, "negative")
    keep = await core.correct(member, shown.correction_value(Correction.KEEP))
    assert isinstance(keep, ErrorReply) and keep.usage
    same = await core.correct(member, shown.correction_value(Correction.NEGATIVE))
    assert isinstance(same, CorrectionReply) and "already negative" in same.message
    assert await core.corrections.open_reports(shown.film_id) == 0


@pytest.mark.parametrize("value", [
    "", "positive", "positive:", ":1", "sad:1", "positive:abc", "positive:0", "positive:-1",
    "positive:²", "positive:99999999999999999999", "POSITIVE:1", "positive:1:2", "x" * 5000,
])
async def test_doctored_values_are_an_out_of_date_button(
    core: ReviewBot, admin: Invocation, value: str
) -> None:
    reply = await core.correct(admin, value)
    assert isinstance(reply, ErrorReply) and reply.message == "That button is out of date."


async def test_a_quote_that_is_gone(core: ReviewBot, admin: Invocation, member: Invocation
                                    ) -> None:
    for inv in (admin, member):
        reply = await core.correct(inv, correction_value(10**12, Correction.HIDE))
        assert isinstance(reply, ErrorReply) and reply.message == "That quote is no longer here."


async def test_corrections_share_the_channel_cooldown(
    core: ReviewBot, clock: FakeClock
) -> None:
    inv = Invocation("discord", "c", "U5", workspace="G")
    shown = await a_quote(core, inv, "negative")  # one post
    replies = [await core.correct(inv, shown.correction_value(Correction.POSITIVE))
               for _ in range(6)]
    assert all(isinstance(r, CorrectionReply) for r in replies[:5])
    assert isinstance(replies[5], ErrorReply) and "Try again in" in replies[5].message
    clock.advance(seconds=61)
    assert isinstance(await core.correct(inv, shown.correction_value(Correction.POSITIVE)),
                      CorrectionReply)


async def test_the_audit_names_who_when_from_and_to(
    core: ReviewBot, clock: FakeClock
) -> None:
    boss = Invocation("slack", "C1", "U7", workspace="T1", user_name="Ada", can_manage=True)
    shown = await a_quote(core, boss, "negative")
    await core.correct(boss, shown.correction_value(Correction.MIXED))
    clock.advance(hours=1)
    await core.correct(boss, shown.correction_value(Correction.HIDE))
    rows = await core.corrections.audit(shown.film_id)
    assert [(r.quote_id, r.before, r.after) for r in rows] == [
        (shown.quote.id, "negative", "mixed"), (shown.quote.id, "mixed", "hidden")
    ]
    assert {(r.by_user, r.platform, r.channel) for r in rows} == {
        ("Ada (U7)", "slack", "slack:T1:C1")
    }
    assert [r.at for r in rows] == ["2026-03-01T12:00:00+00:00", "2026-03-01T13:00:00+00:00"]


async def test_few_confident_quotes_are_explained(core: ReviewBot, admin: Invocation) -> None:
    negative = await a_quote(core, admin, "negative")
    assert negative.note is not None
    assert negative.note.startswith(
        f"Her (2013) has only {negative.pool_size} confident negative critic quotes: "
        "critics loved it ("
    )
    assert "% positive)." in negative.note and negative.note in render_text(negative)
    positive = await a_quote(core, admin, "positive")
    assert positive.note is None and (await a_quote(core, admin, "any")).note is None


async def test_no_confident_quote_left_says_why(core: ReviewBot, admin: Invocation) -> None:
    film = await core.ctx.film(None)
    for quote_id in sorted(await whole_pool(core, admin, "negative")):
        await core.correct(admin, correction_value(quote_id, Correction.HIDE))
    reply = await core.handle_text(admin, "/quote negative")
    assert isinstance(reply, ErrorReply)
    assert reply.message.startswith(
        f"No quote of {film.name} is confidently negative: critics loved it ("
    )
    assert (await core.handle_text(admin, f"/quote {Mood.POSITIVE.value}")).to_json()["type"] == (
        "quote"
    )
