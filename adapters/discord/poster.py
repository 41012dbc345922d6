"""Daily quotes over REST, with Discord's failures sorted into the scheduler's kinds.

The scheduler owns exactly-once and pausing; this class sends one message per call and
must never turn one post into two. Discord may have posted whenever the request reached
it, even if the answer was a 5xx or never came, so only a failure that certainly did not
post is "transient" (try again later): a connection that never opened, a refusal before
posting (Cloudflare's 429). Anything else that went out is "uncertain": the scheduler
gives up the day rather than risk a second post. 429s with Discord's rate-limit body never
reach this class (discord.py's limiter waits and retries), and discord.py retries
500/502/504/524 itself with the same payload.

discord.py reacts to a global 429 but does not keep under the global limit (50 requests
a second) by itself, and every 429 counts toward the invalid-request ban: each request
here first takes a slot from a ``RateWindow`` a little under that limit, which is what paces
a busy daily minute (the scheduler keeps enough posts under way to fill it). While
discord.py waits out a global 429 no slot is taken: requests queued inside discord.py
would all leave together when its wait ends and draw the next 429.

Every post carries the claim's nonce with ``enforce_nonce``, so those library retries, and
any other resend of the same day's post within Discord's window (a few minutes), return
the message already created instead of a second one.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord

from adapters.discord.attempts import counting_requests
from adapters.discord.client import ReviewBotClient
from adapters.discord.responses import PLATFORM, outgoing
from bot.delivery import (
    Claim,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.models import Schedule
from bot.pacing import RateWindow
from bot.replies import QuoteReply

_log = logging.getLogger(__name__)

# Discord JSON error codes that mean "this channel cannot take posts from this bot", in
# words for the pause notice; False when no fix can bring the channel back.
PERMANENT_CODES: dict[int, tuple[str, bool]] = {
    10003: ("the channel was deleted", False),
    50001: ("I no longer have access to the channel (View Channel)", True),
    50013: (
        "I lack a permission in the channel: View Channel, Send Messages and Embed Links "
        "are needed",
        True,
    ),
    50083: ("the thread is archived", True),
}
TOKEN_REVOKED = (
    "Discord no longer accepts the bot's token: whoever runs the bot must set a new "
    "DISCORD_TOKEN"
)
# A 429 without Discord's rate-limit body comes from Cloudflare's ban on too many invalid
# requests, which lasts far longer than discord.py would wait; look again after this.
BANNED_RETRY_AFTER = 15 * 60.0  # seconds

# Discord's global limit is 50 requests a second; two less here absorb the jitter
# between leaving here and arriving there (interactions are outside that limit).
GLOBAL_REQUESTS = 48  # per second

NetworkError = aiohttp.ClientError | TimeoutError | OSError


class DiscordPoster:
    """A ``bot.delivery.Poster`` that posts to a channel id with the client's HTTP session.

    A ``ReviewBotClient``, whose session traces requests: without that trace a failure to
    connect on a retry could not be told from one on the first try.
    """

    platform = PLATFORM

    def __init__(self, client: ReviewBotClient, per_second: int = GLOBAL_REQUESTS) -> None:
        self._client = client
        self._pacer = RateWindow(per_second, 1.0)

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        if self._client.is_closed():
            raise TransientDeliveryError("the Discord client is closed")
        channel = self._client.get_partial_messageable(int(schedule.channel))
        message = outgoing(reply)
        await self._slot()
        with counting_requests() as went_out:
            try:
                # discord.py sends ``enforce_nonce: true`` with every nonce it is given.
                sent = await channel.send(**message.kwargs(), **role_mention(schedule),
                                          nonce=claim.nonce)
            except discord.HTTPException as exc:
                # The request that got this answer went out; any other was an earlier try.
                raise classify(exc, earlier_tries=len(went_out) - 1) from exc
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                raise network_failure(exc, earlier_tries=len(went_out)) from exc
        return str(sent.id)

    async def _slot(self) -> None:
        """A place under the global limit, outside any global wait of discord.py (whose
        requests wait on ``HTTPClient._global_over``; a slot taken during that wait is
        dropped and another taken after it)."""
        global_over = getattr(self._client.http, "_global_over", None)
        while True:
            if isinstance(global_over, asyncio.Event):
                await global_over.wait()
            await self._pacer.wait()
            if not isinstance(global_over, asyncio.Event) or global_over.is_set():
                return

    async def notify(self, schedule: Schedule, message: str) -> None:
        """DM whoever set the schedule; a member who blocks DMs simply is not told."""
        text = f"About the daily quote in <#{schedule.channel}>: {message}"
        try:
            await self._slot()
            dm = await self._client.create_dm(discord.Object(int(schedule.created_by)))
            await self._slot()
            await dm.send(text)
        except (discord.HTTPException, aiohttp.ClientError, OSError, ValueError) as exc:
            _log.warning(
                "could not tell user %s about schedule %s: %r",
                schedule.created_by,
                schedule.id,
                exc,
            )


def role_mention(schedule: Schedule) -> dict[str, Any]:
    """The opt-in mention of a schedule's role: the bot writes ``<@&ID>`` as the message
    content (the quote stays in the embed, which never pings) and allows that one role
    and nothing else, so not even a mention that slipped into a quote could ping."""
    if schedule.role is None or not schedule.role.isdigit():
        return {}
    return {
        "content": f"<@&{schedule.role}>",
        "allowed_mentions": discord.AllowedMentions(
            everyone=False, users=False, roles=[discord.Object(int(schedule.role))],
            replied_user=False,
        ),
    }


def classify(exc: discord.HTTPException, earlier_tries: int = 0) -> DeliveryError:
    """What Discord's answer means for the day's post, after ``earlier_tries`` requests
    of the same ``send`` that went out before this one.

    5xx: uncertain (Discord may have posted before failing, and discord.py has already
    resent what it could). 429 here is Cloudflare's refusal: transient, unless an earlier
    try may have posted. A known channel error or any other 4xx: permanent, since resending
    the same request cannot help and repeated 401/403s count toward Cloudflare's
    invalid-request ban.
    """
    if exc.status >= 500:
        return UncertainDeliveryError(
            f"Discord answered {exc.status} to the post; it may have been posted"
        )
    if exc.status == 429 and earlier_tries:
        return UncertainDeliveryError("Discord refused a retry of the post (429) after an error")
    if exc.status == 429:
        return TransientDeliveryError(
            "Discord's edge refused the request (429)", retry_after=BANNED_RETRY_AFTER
        )
    if exc.status == 401:
        return PermanentDeliveryError(f"{TOKEN_REVOKED} (HTTP 401)")
    if exc.code in PERMANENT_CODES:
        words, resumable = PERMANENT_CODES[exc.code]
        return PermanentDeliveryError(f"{words} (Discord error {exc.code})", resumable=resumable)
    said = exc.text.splitlines()[0] if exc.text else ""
    detail = f"HTTP {exc.status}, Discord error {exc.code}"
    return PermanentDeliveryError(
        f"Discord refused the post: {said} ({detail})" if said else
        f"Discord refused the post ({detail})"
    )


def network_failure(exc: NetworkError, earlier_tries: int = 0) -> DeliveryError:
    """Transient only when the connection never opened and no earlier try of the same
    send went out (nothing was sent); any failure after that, a reset, a disconnect or a
    read timeout, may have followed the post."""
    never_opened = isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    if never_opened and not earlier_tries:
        return TransientDeliveryError(f"cannot reach Discord: {exc}")
    return UncertainDeliveryError(
        f"no clear answer from Discord ({type(exc).__name__}); it may have been posted"
    )
