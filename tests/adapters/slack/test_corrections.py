"""Corrections by people on Slack: "Wrong mood?" under every quote, and /review.

Through the real bolt app in both modes and the real core: a member's choice is a private
report, an admin's moves the quote in every channel's pool, /review stays within Block
Kit's limits with five buttons per item, and no quote can notify anyone.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import REVIEW_ACTION_PREFIX, WRONG_MOOD_ACTION_ID, render
from adapters.slack.poster import SlackPoster
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction, Label, LabelSource, Quote, QuoteKind
from bot.replies import (
    REVIEW_CHOICES,
    WRONG_MOOD_CHOICES,
    CorrectionReply,
    QuoteReply,
    ReviewItem,
    ReviewReply,
    correction_value,
)
from tests.adapters.slack.conftest import START, Driver
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import block_texts
from tests.fakes.slack_server import TEAM_ID, FakeSlack

SELECT = "static_select"


def wrong_mood(message: dict[str, Any]) -> dict[str, Any]:
    """The "Wrong mood?" menu of a quote message."""
    [menu] = [
        e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == WRONG_MOOD_ACTION_ID
    ]
    assert menu["type"] == SELECT and menu["placeholder"]["text"] == "Wrong mood?"
    return menu


def quote_id(message: dict[str, Any]) -> int:
    values = [o["value"] for o in wrong_mood(message)["options"]]
    found = int(values[0].rpartition(":")[2])
    assert values == [correction_value(found, c) for c in WRONG_MOOD_CHOICES]
    return found


async def choose(slack: Driver, message: dict[str, Any], to: Correction, user: str
                 ) -> dict[str, Any]:
    value = correction_value(quote_id(message), to)
    return await slack.click(value, user=user, action_id=WRONG_MOOD_ACTION_ID, element=SELECT)


async def test_every_posted_quote_has_a_wrong_mood_menu(
    slack: Driver, core: ReviewBot, fake: FakeSlack, clock: FakeClock, client: AsyncWebClient
) -> None:
    command = await slack.command("/quote")
    another = await slack.click(command["blocks"][-1]["elements"][0]["value"])
    core.scheduler.register(SlackPoster(client))
    await slack.command("/daily", "set 09:00", user="UADMIN")
    clock.set(START.replace(hour=9))
    assert await core.scheduler.run_due() == 1
    [daily] = fake.calls("chat.postMessage")

    for message in (command, another, daily):
        menu = wrong_mood(message)
        assert [o["text"]["text"] for o in menu["options"]] == [
            "Positive", "Negative", "Mixed", "Hide"
        ]
        quote_id(message)


async def test_a_members_choice_is_a_private_report(slack: Driver, fake: FakeSlack) -> None:
    posted = await slack.command("/quote", "negative")

    answer = await choose(slack, posted, Correction.POSITIVE, "U1")

    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False  # the quote stays as posted
    assert "/review" in answer["text"]
    assert not fake.calls("chat.postMessage")  # nothing public


async def test_an_admins_choice_moves_the_quote_for_every_channel(
    slack: Driver, core: ReviewBot, clock: FakeClock
) -> None:
    oracle = Invocation("slack", "oracle", "someone", TEAM_ID)

    async def negative_pool() -> int:
        reply = await core.handle_text(oracle, "/quote negative")
        assert isinstance(reply, QuoteReply)
        clock.advance(minutes=1)
        return reply.pool_size

    before = await negative_pool()
    posted = await slack.command("/quote", "negative")
    hidden = posted["blocks"][0]["text"]["text"]

    answer = await choose(slack, posted, Correction.HIDE, "UADMIN")

    assert answer["response_type"] == "ephemeral"
    assert "Hidden from every channel" in answer["text"]
    after = await negative_pool()
    assert after == before - 1
    seen = set()
    for draw in range(after):  # a full round in another channel
        if draw % 6 == 5:
            clock.advance(minutes=1)
        other = await slack.command("/quote", "negative", channel="C2")
        seen.add(other["blocks"][0]["text"]["text"])
    assert len(seen) == after and hidden not in seen

    verdict = await slack.command("/verdict")
    assert "1 checked by people" in block_texts(verdict)


async def test_review_has_five_buttons_per_item_and_a_press_acts(
    slack: Driver, fake: FakeSlack
) -> None:
    posted = await slack.command("/quote", "negative")
    reported = quote_id(posted)
    await choose(slack, posted, Correction.MIXED, "U1")

    review = await slack.command("/review", user="UADMIN")

    assert review["response_type"] == "ephemeral"
    rows = [b for b in review["blocks"] if b["type"] == "actions"]
    assert 1 <= len(rows) <= 5 and len(review["blocks"]) <= 50
    for row in rows:
        assert [e["text"]["text"] for e in row["elements"]] == [
            c.value.capitalize() for c in REVIEW_CHOICES
        ]
        assert all(e["action_id"].startswith(REVIEW_ACTION_PREFIX) for e in row["elements"])
    assert rows[0]["elements"][1]["value"] == correction_value(reported, Correction.POSITIVE)
    assert f"#{reported}" in block_texts(review)

    first = rows[0]["elements"][1]
    answer = await slack.click(first["value"], user="UADMIN", action_id=first["action_id"])

    assert answer["response_type"] == "ephemeral"
    assert "Moved to positive" in answer["text"]
    assert not fake.calls("chat.postMessage")


async def test_review_is_for_admins(slack: Driver) -> None:
    refused = await slack.command("/review", user="U1")
    assert refused["response_type"] == "ephemeral"
    assert "manage" in refused["text"]


def _item(number: int, text: str) -> ReviewItem:
    quote = Quote(
        id=number, text=text, film="Her (2013)", kind=QuoteKind.CRITIC, label=Label.NEGATIVE,
        polarity=-0.4, confidence=0.7, author=None, outlet=None, published=None,
        source="seed", label_source=LabelSource.SCORER,
    )
    return ReviewItem(quote, reports=2, suggested=Correction.POSITIVE, reason="reported")


def test_a_long_review_stays_within_block_kit_limits() -> None:
    items = tuple(_item(n, "Long and dull. " * 400) for n in range(1, 41))
    reply = ReviewReply(film="Her (2013)", items=items, open_reports=80, checked_by_people=3,
                        ephemeral=True)

    message = render(reply, "")

    assert len(message.blocks) <= 50
    for block in message.blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "actions":
            assert len(block["elements"]) == 5
            assert all(len(e["value"]) <= 2000 for e in block["elements"])
            assert len({e["action_id"] for e in block["elements"]}) == 5  # unique per block
    assert len(message.text) <= 4000


def test_quotes_in_a_review_ping_nobody_and_keep_their_words() -> None:
    reply = ReviewReply(
        film="Her (2013)", items=(_item(7, "<!channel> use /help & /quote, it's dull"),),
        open_reports=1, checked_by_people=0, ephemeral=True,
    )

    message = render(reply, "rb-")
    shown = json.dumps(message.blocks) + message.text

    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert "/help &amp; /quote" in shown  # a quote is never rewritten, even with a prefix
    assert "/rb-" not in shown


def test_a_correction_names_the_workspaces_commands() -> None:
    reply = CorrectionReply(message="Thanks — a manager will see it in /review.", quote_id=3,
                            to=Correction.MIXED, applied=False, ephemeral=True)

    message = render(reply, "rb-")

    assert "/rb-review" in message.text and "/rb-review" in block_texts(
        {"blocks": message.blocks}
    )
    assert message.ephemeral


async def test_when_slack_cannot_say_who_manages_the_choice_waits(
    slack: Driver, fake: FakeSlack
) -> None:
    posted = await slack.command("/quote", "negative")
    fake.fail_next("users.info", error="fatal_error", times=10)

    answer = await choose(slack, posted, Correction.HIDE, "UADMIN")

    assert answer["response_type"] == "ephemeral"
    assert "Try again in a moment" in answer["text"]
