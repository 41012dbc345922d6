"""The persistent components under the bot's messages: "Another", "Wrong mood?", /review.

Each component's state (what to give the core) lives in its ``custom_id`` or its option
values, so a click still works after a restart: discord.py matches the id against a
``DynamicItem`` template for any message, not just the ones this process sent. No
component calls the core itself; each dispatches an event to the client, which owns the
core (this keeps the module free of an import cycle with the client).
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from adapters.corrections import WRONG_MOOD_PROMPT, choice_label
from bot.replies import REVIEW_CHOICES, WRONG_MOOD_CHOICES, QuoteReply, ReviewItem

CUSTOM_ID_PREFIX = "reviewbot:another:"
# One menu per message, so its id needs no state: the chosen option's value carries it.
WRONG_MOOD_CUSTOM_ID = "reviewbot:wrong-mood"
REVIEW_CUSTOM_ID_PREFIX = "reviewbot:review:"
CUSTOM_ID_LIMIT = 100
ANOTHER_EVENT = "reviewbot_another"
WRONG_MOOD_EVENT = "reviewbot_wrong_mood"
REVIEW_EVENT = "reviewbot_review"
# Discord allows five action rows per message: one per /review item.
ROW_LIMIT = 5


def _checked(custom_id: str) -> str:
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise ValueError(f"custom_id longer than {CUSTOM_ID_LIMIT} characters: {custom_id!r}")
    return custom_id


class AnotherButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(CUSTOM_ID_PREFIX) + r"(?P<value>.+)"),
):
    """Carries ``QuoteReply.another_value`` verbatim: its format is the core's business."""

    def __init__(self, value: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Another",
                style=discord.ButtonStyle.secondary,
                custom_id=_checked(CUSTOM_ID_PREFIX + value),
            )
        )
        self.value = value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        return cls(match["value"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(ANOTHER_EVENT, interaction, self.value)


class WrongMoodSelect(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]],
    template=re.compile(re.escape(WRONG_MOOD_CUSTOM_ID)),
):
    """"Wrong mood?" under a quote: each option's value is ``QuoteReply.correction_value``.

    Rebuilt after a restart from the message's own options (``from_custom_id`` gets the
    select as Discord sent it), so the values chosen are the ones the member saw.
    """

    def __init__(self, options: list[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=WRONG_MOOD_CUSTOM_ID,
                placeholder=WRONG_MOOD_PROMPT,
                options=options,
                min_values=1,
                max_values=1,
            )
        )

    @classmethod
    def for_quote(cls, reply: QuoteReply) -> Self:
        return cls([
            discord.SelectOption(label=choice_label(c), value=reply.correction_value(c))
            for c in WRONG_MOOD_CHOICES
        ])

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(list(options))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        for value in self.item.values[:1]:
            interaction.client.dispatch(WRONG_MOOD_EVENT, interaction, value)


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(REVIEW_CUSTOM_ID_PREFIX) + r"(?P<value>.+)"),
):
    """One of an item's /review buttons; carries ``ReviewItem.action_value`` verbatim."""

    def __init__(self, label: str, value: str, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=_checked(REVIEW_CUSTOM_ID_PREFIX + value),
            ),
            row=row,
        )
        self.value = value

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(label or "", match["value"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(REVIEW_EVENT, interaction, self.value)


def quote_view(reply: QuoteReply) -> discord.ui.View:
    """"Another" on the first row, "Wrong mood?" below it; ``timeout=None``: persistent."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnotherButton(reply.another_value))
    view.add_item(WrongMoodSelect.for_quote(reply))  # a select takes a row of its own
    return view


def review_view(items: tuple[ReviewItem, ...]) -> discord.ui.View:
    """A row of ``REVIEW_CHOICES`` buttons per item, in the items' order."""
    view = discord.ui.View(timeout=None)
    for row, item in enumerate(items[:ROW_LIMIT]):
        for choice in REVIEW_CHOICES:
            view.add_item(ReviewButton(choice_label(choice), item.action_value(choice), row))
    return view


def review_row(message: discord.Message, custom_id: str) -> int | None:
    """Which action row of ``message`` holds the component ``custom_id`` (None: none)."""
    for index, row in enumerate(message.components):
        children = getattr(row, "children", ())
        if any(getattr(child, "custom_id", None) == custom_id for child in children):
            return index
    return None


def done_view(message: discord.Message, done_row: int, pressed: str) -> discord.ui.View:
    """``message``'s /review buttons with row ``done_row`` finished: its buttons disabled,
    the one pressed (``pressed``, a custom_id) highlighted so the manager sees the choice.

    Rows keep their places, so row N still belongs to the embed's field N; rows finished
    earlier keep their look, read back from the message.
    """
    view = discord.ui.View(timeout=None)
    for index, row in enumerate(message.components):
        for child in getattr(row, "children", ()):
            custom_id = getattr(child, "custom_id", None) or ""
            if not isinstance(child, discord.Button) or not custom_id.startswith(
                REVIEW_CUSTOM_ID_PREFIX
            ):
                continue
            button = ReviewButton(
                child.label or "", custom_id.removeprefix(REVIEW_CUSTOM_ID_PREFIX), index
            )
            button.item.disabled = child.disabled or index == done_row
            button.item.style = (
                discord.ButtonStyle.success if custom_id == pressed else child.style
            )
            view.add_item(button)
    return view
