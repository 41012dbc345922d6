"""/film add, /film remove and /films on Discord: their embeds and buttons.

The buttons keep their state in the ``custom_id`` (the film id of a removal, the page
to show), so they work after a restart like the other components; each dispatches an
event the client answers by editing the message pressed.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from adapters.discord.embeds import (
    DESCRIPTION_LIMIT,
    FIELD_VALUE_LIMIT,
    INFO_COLOUR,
    LABEL_COLOURS,
    TITLE_LIMIT,
    clip,
    render_embed,
)
from bot.models import Label
from bot.render import (
    film_add_headline,
    film_add_lines,
    film_entry_line,
    films_footer,
    render_text,
)
from bot.replies import FilmAddReply, FilmRemovalReply, FilmsReply, JobState

FILM_REMOVAL_PREFIX = "reviewbot:film-remove:"
FILMS_PAGE_PREFIX = "reviewbot:films-page:"
FILM_REMOVAL_EVENT = "reviewbot_film_removal"
FILMS_PAGE_EVENT = "reviewbot_films_page"


class FilmRemovalButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(FILM_REMOVAL_PREFIX) + r"(?P<value>(?:yes|no):\d+)"),
):
    """Remove or Cancel under a /film remove question; carries the reply's value."""

    def __init__(self, value: str) -> None:
        yes = value.startswith("yes:")
        super().__init__(
            discord.ui.Button(
                label="Remove" if yes else "Cancel",
                style=discord.ButtonStyle.danger if yes else discord.ButtonStyle.secondary,
                custom_id=FILM_REMOVAL_PREFIX + value,
            )
        )
        self.value = value

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> Self:
        return cls(match["value"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(FILM_REMOVAL_EVENT, interaction, self.value)


class FilmsPageButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=re.compile(re.escape(FILMS_PAGE_PREFIX) + r"(?P<page>\d{1,6}):(?P<label>\w+)"),
):
    """Previous or Next under /films; carries the page it shows."""

    def __init__(self, page: str, label: str, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, style=discord.ButtonStyle.secondary, disabled=disabled,
                custom_id=f"{FILMS_PAGE_PREFIX}{page}:{label}",
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
        match: re.Match[str], /,
    ) -> Self:
        return cls(match["page"], match["label"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        interaction.client.dispatch(FILMS_PAGE_EVENT, interaction, self.page)


def film_view(reply: FilmRemovalReply | FilmsReply) -> discord.ui.View | None:
    """The question's Remove/Cancel, a page's Previous/Next; None once nothing is left
    to press (a removal done or cancelled, a single page)."""
    view = discord.ui.View(timeout=None)
    if isinstance(reply, FilmRemovalReply):
        if reply.removed is not None:
            return None
        view.add_item(FilmRemovalButton(reply.confirm_value))
        view.add_item(FilmRemovalButton(reply.cancel_value))
        return view
    if reply.pages <= 1:
        return None
    view.add_item(FilmsPageButton(reply.page_value(max(1, reply.page - 1)), "Previous",
                                  disabled=reply.page <= 1))
    view.add_item(FilmsPageButton(reply.page_value(min(reply.pages, reply.page + 1)), "Next",
                                  disabled=reply.page >= reply.pages))
    return view


@render_embed.register
def _film_add(reply: FilmAddReply) -> discord.Embed:
    colours = {
        JobState.RUNNING: INFO_COLOUR,
        JobState.DONE: LABEL_COLOURS[Label.POSITIVE],
        JobState.FAILED: LABEL_COLOURS[Label.NEGATIVE],
    }
    embed = discord.Embed(
        title=clip(film_add_headline(reply), TITLE_LIMIT),
        # File names and links are the manager's text, not markdown.
        description=clip(discord.utils.escape_markdown("\n".join(film_add_lines(reply))),
                         DESCRIPTION_LIMIT) or None,
        colour=colours[reply.state],
    )
    embed.set_footer(text=clip("Sources: " + ", ".join(reply.sources), FIELD_VALUE_LIMIT))
    return embed


@render_embed.register
def _film_removal(reply: FilmRemovalReply) -> discord.Embed:
    return discord.Embed(
        title=clip(f"Remove {reply.film}?" if reply.removed is None else reply.film, TITLE_LIMIT),
        description=clip(discord.utils.escape_markdown(render_text(reply)), DESCRIPTION_LIMIT),
        colour=LABEL_COLOURS[Label.NEGATIVE] if reply.removed is not False else INFO_COLOUR,
    )


@render_embed.register
def _films(reply: FilmsReply) -> discord.Embed:
    lines = [discord.utils.escape_markdown(film_entry_line(e)) for e in reply.entries]
    embed = discord.Embed(
        title="Films",
        description=clip("\n".join(lines) if lines else render_text(reply), DESCRIPTION_LIMIT),
        colour=INFO_COLOUR,
    )
    embed.set_footer(text=films_footer(reply))
    return embed
