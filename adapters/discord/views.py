"""The persistent "Another" button under every quote.

The button's state (what to ask the core for) lives in its ``custom_id``, so a click
still works after a restart: discord.py matches the id against ``AnotherButton``'s
template for any message, not just the ones this process sent. The button does not call
the core itself; it dispatches ``reviewbot_another`` to the client, which owns the core
(this keeps the module free of an import cycle with the client).
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

CUSTOM_ID_PREFIX = "reviewbot:another:"
CUSTOM_ID_LIMIT = 100
ANOTHER_EVENT = "reviewbot_another"


class AnotherButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(CUSTOM_ID_PREFIX) + r"(?P<value>.+)"),
):
    """Carries ``QuoteReply.another_value`` verbatim: its format is the core's business."""

    def __init__(self, value: str) -> None:
        custom_id = CUSTOM_ID_PREFIX + value
        if len(custom_id) > CUSTOM_ID_LIMIT:
            raise ValueError(f"custom_id longer than {CUSTOM_ID_LIMIT} characters: {custom_id!r}")
        super().__init__(
            discord.ui.Button(
                label="Another", style=discord.ButtonStyle.secondary, custom_id=custom_id
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


def another_view(value: str) -> discord.ui.View:
    """A view holding only the button; ``timeout=None`` makes it persistent."""
    view = discord.ui.View(timeout=None)
    view.add_item(AnotherButton(value))
    return view
