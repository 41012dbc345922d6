"""Daily quotes over REST, with Discord's failures sorted into the scheduler's kinds.

The scheduler owns exactly-once and pausing; this class sends one message per call and
says whether a failure is permanent (pause and tell whoever set the schedule) or
transient (try again later). 429s never reach it: discord.py's rate limiter waits and
retries, and it also retries 500/502/504 before giving up with ``DiscordServerError``.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from adapters.discord.responses import PLATFORM, outgoing
from bot.delivery import Claim, PermanentDeliveryError, TransientDeliveryError
from bot.models import Schedule
from bot.replies import QuoteReply

_log = logging.getLogger(__name__)

# Discord JSON error codes that mean "this channel cannot take posts from this bot".
PERMANENT_CODES: dict[int, str] = {
    10003: "the channel no longer exists",
    50001: "I no longer have access to the channel",
    50013: "I lack a permission there (View Channel, Send Messages and Embed Links are needed)",
}


class DiscordPoster:
    """A ``bot.delivery.Poster`` that posts to a channel id with the client's HTTP session."""

    platform = PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        if self._client.is_closed():
            raise TransientDeliveryError("the Discord client is closed")
        channel = self._client.get_partial_messageable(int(schedule.channel))
        message = outgoing(reply)
        try:
            sent = await channel.send(**message.kwargs())
        except discord.HTTPException as exc:
            raise classify(exc) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientDeliveryError(f"network error talking to Discord: {exc!r}") from exc
        return str(sent.id)

    async def notify(self, schedule: Schedule, message: str) -> None:
        """DM whoever set the schedule; a member who blocks DMs simply is not told."""
        text = f"About the daily quote in <#{schedule.channel}>: {message}"
        try:
            dm = await self._client.create_dm(discord.Object(int(schedule.created_by)))
            await dm.send(text)
        except (discord.HTTPException, aiohttp.ClientError, OSError, ValueError) as exc:
            _log.warning(
                "could not tell user %s about schedule %s: %r",
                schedule.created_by,
                schedule.id,
                exc,
            )


def classify(exc: discord.HTTPException) -> PermanentDeliveryError | TransientDeliveryError:
    """Permanent for a known channel error or any other 4xx (resending the same request
    cannot help, and repeated 401/403s count toward Cloudflare's invalid-request ban);
    transient for 5xx, which discord.py has already retried."""
    if exc.code in PERMANENT_CODES:
        return PermanentDeliveryError(f"{PERMANENT_CODES[exc.code]} (Discord error {exc.code})")
    if exc.status == 401:
        return PermanentDeliveryError("Discord rejected the bot's token (401)")
    if exc.status >= 500:
        return TransientDeliveryError(f"Discord server error {exc.status}")
    return PermanentDeliveryError(f"Discord refused the post ({exc.status}, error {exc.code})")
