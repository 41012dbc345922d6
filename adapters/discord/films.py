"""/film add's attachment and progress on Discord, and the film buttons' answers.

An attached file becomes an ``Upload``: its name and size as Discord reports them (the
core refuses one over the cap before a byte is fetched) and a download from the
attachment's URL with a timeout and a cap read as the body streams. The job's progress
edits the command's own response (``edit_original_response``, good for the interaction
token's 15 minutes), at most once a second as the core throttles it; after that, the
summary is posted in the channel.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import aiohttp
import discord

from adapters.discord.responses import DEFER_AFTER, outgoing, send_now
from bot.app import ReviewBot
from bot.film_jobs import DownloadFailed, Upload
from bot.replies import ErrorReply, FilmAddReply, JobState, Reply

_log = logging.getLogger(__name__)

DOWNLOAD_TIMEOUT = 60.0  # seconds for a whole attachment
_CHUNK = 64 * 1024


def upload_for(attachment: discord.Attachment, max_bytes: int) -> Upload:
    """The core's view of ``attachment``: name, size, and a capped download."""

    async def save(target: Path) -> None:
        await download(attachment.url, target, max_bytes)

    return Upload(attachment.filename, attachment.size, save)


async def download(url: str, target: Path, max_bytes: int,
                   timeout: float = DOWNLOAD_TIMEOUT) -> None:
    """Fetch ``url`` into ``target``, never more than ``max_bytes``; ``DownloadFailed``
    says why in words (the size Discord reported can be wrong; the stream is counted)."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise DownloadFailed(f"Discord answered HTTP {response.status}")
            size = 0
            with target.open("wb") as out:
                async for chunk in response.content.iter_chunked(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadFailed(f"it is larger than {max_bytes:,} bytes")
                    out.write(chunk)
    except TimeoutError:
        raise DownloadFailed(f"no complete answer within {timeout:.0f} s") from None
    except aiohttp.ClientError as exc:
        raise DownloadFailed(f"the connection failed ({type(exc).__name__})") from None


def follow_job(core: ReviewBot, interaction: discord.Interaction[Any], reply: Reply) -> None:
    """When ``reply`` started a /film add, edit the response with each later state."""
    if isinstance(reply, FilmAddReply):
        core.film_jobs.follow(reply.job_id, _JobMessage(interaction).show)


class _JobMessage:
    """A job's progress in the command's response. The interaction token that edits it
    lasts 15 minutes: once an edit is refused, progress stops and the summary is posted
    in the channel instead, so a long job's outcome is not lost."""

    def __init__(self, interaction: discord.Interaction[Any]) -> None:
        self._interaction = interaction
        self._editable = True

    async def show(self, state: FilmAddReply) -> None:
        message = outgoing(state).kwargs()
        if self._editable:
            try:
                await self._interaction.edit_original_response(**message)
                return
            except discord.HTTPException as exc:
                _log.info("film job %s: the response can no longer be edited (%s)",
                          state.job_id, exc.status)
                self._editable = False
        channel = self._interaction.channel
        if state.state is not JobState.RUNNING and isinstance(channel, discord.abc.Messageable):
            await channel.send(**message)


async def replace_message(
    interaction: discord.Interaction[Any], pending: Awaitable[Reply]
) -> None:
    """Answer a film button by editing the message it is on (the next page, the removal
    done); an error goes to the presser alone, leaving the message as it was."""
    task = asyncio.ensure_future(pending)
    try:
        reply = await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER)
    except TimeoutError:
        await interaction.response.defer()  # on a component: "update the message later"
        reply = await task
        if isinstance(reply, ErrorReply):
            await interaction.followup.send(**outgoing(reply).kwargs(), ephemeral=True)
        else:
            await interaction.edit_original_response(**_replacing(reply))
        return
    if isinstance(reply, ErrorReply):
        await send_now(interaction, reply)
        return
    await interaction.response.edit_message(**_replacing(reply))


def _replacing(reply: Reply) -> dict[str, Any]:
    """Edit arguments that also clear what the new reply lacks (buttons, text)."""
    message = outgoing(reply)
    return {"content": message.content, "embed": message.embed, "view": message.view}
