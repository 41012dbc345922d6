"""Corrections by people on Discord: "Wrong mood?" under every quote, and /review.

Everything goes through the real client and the real core: a member's choice is a private
report, a manager's moves the quote in every channel's pool, /review lists what to check
with a row of buttons per item, and nothing the bot sends can ping anyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.discord.embeds import DONE
from adapters.discord.views import REVIEW_CUSTOM_ID_PREFIX, WRONG_MOOD_CUSTOM_ID
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction
from bot.replies import (
    REVIEW_CHOICES,
    WRONG_MOOD_CHOICES,
    QuoteReply,
    Reply,
    correction_value,
)
from tests.adapters.discord.components import another_id, components, wrong_mood_values
from tests.adapters.discord.conftest import RunningBot
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, OWNER, Exchange, FakeDiscord, FakeUser

NO_MENTIONS = {"parse": []}
OTHER_CHANNEL = CHANNEL_ID + 1
UPDATE_MESSAGE = 7


def quote_id(message: Mapping[str, Any]) -> int:
    """The quote a message's "Wrong mood?" menu is about (every option names it)."""
    values = wrong_mood_values(message)
    found = int(values[0].rpartition(":")[2])
    assert values == [correction_value(found, c) for c in WRONG_MOOD_CHOICES]
    return found


async def choose(
    fake: FakeDiscord, message: Mapping[str, Any], to: Correction, user: FakeUser
) -> Exchange:
    return await fake.choose(
        WRONG_MOOD_CUSTOM_ID, correction_value(quote_id(message), to), message, user=user
    )


async def test_every_posted_quote_has_a_wrong_mood_menu(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, clock: FakeClock
) -> None:
    command = await fake.invoke("quote")
    another = await fake.click(another_id(command.data), command.data)
    await fake.invoke("daily", {"time": "09:00"}, subcommand="set", user=OWNER)
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert await core.scheduler.run_due() == 1
    [daily] = fake.channel_messages()

    for message in (command.data, another.data, daily):
        [select] = [c for c in components(message) if c["type"] == 3]
        options = select["options"]
        assert [o["label"] for o in options] == ["Positive", "Negative", "Mixed", "Hide"]
        quote_id(message)
    assert quote_id(command.data) != quote_id(another.data)


async def test_a_members_choice_is_a_private_report(fake: FakeDiscord, bot: RunningBot) -> None:
    posted = await fake.invoke("quote", {"mood": "negative"})

    chosen = await choose(fake, posted.data, Correction.POSITIVE, FakeUser())

    assert chosen.response_type == 4 and chosen.ephemeral
    assert "/review" in chosen.data["content"]  # a manager will see it there
    assert chosen.data["allowed_mentions"] == NO_MENTIONS
    assert not fake.channel_messages()  # nothing public
    assert not chosen.webhook_requests()


async def test_a_managers_choice_moves_the_quote_for_every_channel(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, clock: FakeClock
) -> None:
    oracle = Invocation("discord", "oracle", "someone", workspace="w")

    async def negative_pool() -> int:
        reply = await core.handle_text(oracle, "/quote negative")
        assert isinstance(reply, QuoteReply)
        clock.advance(minutes=1)  # the oracle's own cooldown
        return reply.pool_size

    before = await negative_pool()
    posted = await fake.invoke("quote", {"mood": "negative"})
    moved = posted.data["embeds"][0]["description"]

    chosen = await choose(fake, posted.data, Correction.POSITIVE, OWNER)

    assert chosen.ephemeral and "Moved to positive" in chosen.data["content"]
    assert chosen.data["allowed_mentions"] == NO_MENTIONS
    after = await negative_pool()
    assert after == before - 1
    seen = set()
    for draw in range(after):  # one full round of another channel's negative pool
        if draw % 6 == 5:
            clock.advance(minutes=1)  # 6 posts a minute per member and channel
        other = await fake.invoke("quote", {"mood": "negative"}, channel_id=OTHER_CHANNEL)
        seen.add(other.data["embeds"][0]["description"])
    assert len(seen) == after and moved not in seen

    verdict = await fake.invoke("verdict")
    assert "1 checked by people" in verdict.data["embeds"][0]["footer"]["text"]


def review_rows(message: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    return [row["components"] for row in message["components"]]


async def test_review_lists_items_with_five_buttons_each_and_a_press_acts(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    posted = await fake.invoke("quote", {"mood": "negative"})
    reported = quote_id(posted.data)
    await choose(fake, posted.data, Correction.MIXED, FakeUser())

    review = await fake.invoke("review", user=OWNER)

    assert review.ephemeral and review.data["allowed_mentions"] == NO_MENTIONS
    [embed] = review.data["embeds"]
    rows = review_rows(review.data)
    assert 1 <= len(rows) <= 5 and len(embed["fields"]) == len(rows)
    for row in rows:
        assert [b["label"] for b in row] == [c.value.capitalize() for c in REVIEW_CHOICES]
        assert all(b["custom_id"].startswith(REVIEW_CUSTOM_ID_PREFIX) for b in row)
    first = rows[0]  # the reported quote comes first
    assert first[0]["custom_id"] == REVIEW_CUSTOM_ID_PREFIX + correction_value(
        reported, Correction.KEEP
    )
    assert f"#{reported}" in embed["fields"][0]["value"]

    hide = first[-1]["custom_id"]
    pressed = await fake.click(hide, review.data, user=OWNER)

    assert pressed.response_type == UPDATE_MESSAGE  # the review itself shows it done
    assert pressed.data["allowed_mentions"] == NO_MENTIONS
    [done] = pressed.data["embeds"]
    assert done["fields"][0]["name"].endswith(DONE)
    assert "Hidden from every channel" in done["fields"][0]["value"]
    assert not any(f["name"].endswith(DONE) for f in done["fields"][1:])
    after = review_rows(pressed.data)
    assert all(b["disabled"] for b in after[0])
    assert [b["style"] for b in after[0]].count(3) == 1 and after[0][-1]["style"] == 3
    assert not any(b.get("disabled") for row in after[1:] for b in row)

    # A second item on the same (edited) review, as the manager's client now shows it.
    second = after[1][1]["custom_id"]  # "Positive"
    again = await fake.click(second, pressed.data, user=OWNER)
    assert again.response_type == UPDATE_MESSAGE
    fields = again.data["embeds"][0]["fields"]
    assert fields[0]["name"].endswith(DONE) and fields[1]["name"].endswith(DONE)
    assert all(b["disabled"] for b in review_rows(again.data)[0])


async def test_review_is_for_managers(fake: FakeDiscord, bot: RunningBot) -> None:
    review = await fake.invoke("review")
    assert review.ephemeral
    assert "manage" in review.data["content"]


async def test_a_review_button_a_member_cannot_use_is_answered_apart(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    review = await fake.invoke("review", user=OWNER)
    keep = review_rows(review.data)[0][0]["custom_id"]

    pressed = await fake.click(keep, review.data)  # a member, after losing Manage Server

    assert pressed.response_type == 4 and pressed.ephemeral  # not an edit of the review
    assert pressed.data["content"]


async def test_an_out_of_date_menu_is_answered_privately(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    chosen = await fake.choose(WRONG_MOOD_CUSTOM_ID, "sideways:12", user=OWNER)
    assert chosen.ephemeral and "out of date" in chosen.data["content"]


def slow_corrections(core: ReviewBot, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make every ``core.correct`` take ``seconds`` longer, past the adapter's deferral."""
    correct = core.correct

    async def slow_correct(inv: Invocation, value: str) -> Reply:
        await asyncio.sleep(seconds)
        return await correct(inv, value)

    monkeypatch.setattr(core, "correct", slow_correct)


async def test_a_slow_report_is_deferred_privately(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    posted = await fake.invoke("quote", {"mood": "negative"})
    slow_corrections(core, monkeypatch, seconds=2.2)

    chosen = await choose(fake, posted.data, Correction.MIXED, FakeUser())

    assert chosen.response_type == 5 and chosen.ephemeral  # "thinking…", for them alone
    edit = await chosen.followup()
    assert edit.method == "PATCH" and "/review" in edit.json["content"]
    assert not fake.channel_messages()


async def test_a_slow_review_press_edits_the_review_when_ready(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    review = await fake.invoke("review", user=OWNER)
    slow_corrections(core, monkeypatch, seconds=2.2)

    pressed = await fake.click(review_rows(review.data)[0][0]["custom_id"], review.data,
                               user=OWNER)

    assert pressed.response_type == 6  # "update the message later"
    edit = await pressed.followup()
    assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
    assert edit.json["embeds"][0]["fields"][0]["name"].endswith(DONE)
    assert "Kept as" in edit.json["embeds"][0]["fields"][0]["value"]
