"""Answering an interaction with a core reply, inside Discord's 3-second window.

The core call runs as a task; if it has not finished after ``DEFER_AFTER`` seconds the
interaction is deferred (the "thinking…" state, good for 15 minutes) and the reply
replaces it when ready. Fast replies go out as one ordinary response.

A /review button is answered by editing the review it sits on (``update_review``), so the
manager sees the item done where they pressed; anything else it gets back (an error, an
out-of-date button) is a private message of its own, leaving the review as it was.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.embeds import CONTENT_LIMIT, clip, error_text, mark_done, render_embed
from adapters.discord.film_views import film_view
from adapters.discord.views import done_view, quote_view, review_row, review_view
from bot.invocation import Invocation
from bot.replies import (
    CorrectionReply,
    ErrorReply,
    FilmRemovalReply,
    FilmsReply,
    QuoteReply,
    Reply,
    ReviewReply,
)

_log = logging.getLogger(__name__)

PLATFORM = "discord"
DEFER_AFTER = 2.0  # seconds; Discord kills the interaction token at 3
ALREADY_ACKNOWLEDGED = 40060  # Discord's code for a second first response


@dataclass(frozen=True)
class OutgoingMessage:
    """What one reply becomes on Discord; ``kwargs`` fits every send/edit method."""

    content: str | None = None
    embed: discord.Embed | None = None
    view: discord.ui.View | None = None
    ephemeral: bool = False

    def kwargs(self) -> dict[str, Any]:
        # Leave absent parts out: discord.py treats an explicit None as "remove it".
        parts = {"content": self.content, "embed": self.embed, "view": self.view}
        return {name: value for name, value in parts.items() if value is not None}


def outgoing(reply: Reply) -> OutgoingMessage:
    if isinstance(reply, ErrorReply):
        return OutgoingMessage(content=error_text(reply), ephemeral=True)
    if isinstance(reply, CorrectionReply):
        # One sentence for the person who chose: no structure worth an embed.
        return OutgoingMessage(content=clip(reply.message, CONTENT_LIMIT),
                               ephemeral=reply.ephemeral)
    view: discord.ui.View | None = None
    if isinstance(reply, QuoteReply):
        view = quote_view(reply)
    elif isinstance(reply, ReviewReply) and reply.items:
        view = review_view(reply.items)
    elif isinstance(reply, (FilmRemovalReply, FilmsReply)):
        view = film_view(reply)
    return OutgoingMessage(embed=render_embed(reply), view=view, ephemeral=reply.ephemeral)


def invocation_for(interaction: discord.Interaction[Any]) -> Invocation:
    """The platform facts the core needs: ids as strings, Manage Server as ``can_manage``."""
    in_guild = interaction.guild_id is not None
    perms = interaction.permissions
    return Invocation(
        platform=PLATFORM,
        channel=str(interaction.channel_id),
        user=str(interaction.user.id),
        workspace=str(interaction.guild_id) if in_guild else None,
        user_name=interaction.user.display_name,
        can_manage=in_guild and (perms.manage_guild or perms.administrator),
        in_guild=in_guild,
    )


async def respond(
    interaction: discord.Interaction[Any], pending: Awaitable[Reply], *, private: bool = False
) -> None:
    """Send ``pending``'s reply as the interaction's response, deferring if it is slow.

    ``private``: every answer is for the person who asked alone (a "Wrong mood?" choice),
    so a slow one's "thinking…" placeholder is private too: no report shows in the channel,
    not even for a moment.
    """
    task = asyncio.ensure_future(pending)
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER)
    except TimeoutError:
        _log.info(
            "core slower than %.1fs for interaction %s: deferring", DEFER_AFTER, interaction.id
        )
        with _first_response(interaction):
            await interaction.response.defer(thinking=True, ephemeral=private)
        message = outgoing(await task)
        if private:
            await interaction.edit_original_response(**message.kwargs())
        else:
            await _replace_thinking(interaction, message)
        return
    await send_now(interaction, reply)


async def send_now(interaction: discord.Interaction[Any], reply: Reply) -> None:
    """Answer with ``reply`` as the interaction's first (and only) response."""
    message = outgoing(reply)
    with _first_response(interaction):
        await interaction.response.send_message(**message.kwargs(), ephemeral=message.ephemeral)


async def update_review(interaction: discord.Interaction[Any], pending: Awaitable[Reply]) -> None:
    """Answer a /review button: the review edited to show the item done, when the core
    answered with a correction; otherwise ``pending``'s reply on its own, privately.

    The review is rebuilt from the message pressed (its embed and rows), not from memory,
    so a button pressed after a restart marks its item just the same.
    """
    custom_id = str(dict(interaction.data or {}).get("custom_id", ""))
    message = interaction.message
    row = review_row(message, custom_id) if message is not None else None
    task = asyncio.ensure_future(pending)
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER)
    except TimeoutError:
        _log.info("core slower than %.1fs for review press %s: deferring", DEFER_AFTER,
                  interaction.id)
        with _first_response(interaction):
            await interaction.response.defer()  # on a component: "update the message later"
        reply = await task
        if message is None or row is None or not isinstance(reply, CorrectionReply):
            await interaction.followup.send(**outgoing(reply).kwargs(), ephemeral=True)
            return
        await interaction.edit_original_response(**_review_done(message, row, custom_id, reply))
        return
    if message is None or row is None or not isinstance(reply, CorrectionReply):
        await send_now(interaction, reply)
        return
    with _first_response(interaction):
        await interaction.response.edit_message(**_review_done(message, row, custom_id, reply))


def _review_done(
    message: discord.Message, row: int, custom_id: str, reply: CorrectionReply
) -> dict[str, Any]:
    embeds = [mark_done(e, row, reply.message) if i == 0 else e
              for i, e in enumerate(message.embeds)]
    return {"embeds": embeds, "view": done_view(message, row, custom_id)}


@contextlib.contextmanager
def _first_response(interaction: discord.Interaction[Any]) -> Iterator[None]:
    """Accept Discord's "already acknowledged" for a first response as success.

    discord.py resends an interaction response after a 5xx; when Discord had taken the
    first one before failing, the resend is refused with 40060, and the member already
    has the answer: not an error to log with a traceback.
    """
    try:
        yield
    except discord.HTTPException as exc:
        if exc.code != ALREADY_ACKNOWLEDGED:
            raise
        _log.info("interaction %s was answered before Discord's server error", interaction.id)


async def _replace_thinking(
    interaction: discord.Interaction[Any], message: OutgoingMessage
) -> None:
    """Put ``message`` where the public "thinking…" placeholder is.

    A deferral fixes the placeholder's visibility; an ephemeral reply (an error) cannot
    become one, so the placeholder is deleted and the reply sent as an ephemeral followup.
    """
    if not message.ephemeral:
        await interaction.edit_original_response(**message.kwargs())
        return
    await interaction.delete_original_response()
    await interaction.followup.send(**message.kwargs(), ephemeral=True)
