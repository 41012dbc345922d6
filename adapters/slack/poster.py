"""Daily quotes through ``chat.postMessage``, with Slack's failures sorted for the scheduler.

The scheduler owns exactly-once; this poster must never turn one post into two. So it
uses its own Web API client without slack_sdk's connection retry (which resends after a
dropped connection, when Slack may already have posted) and retries only what certainly
did not post: a 429 and a connection that never opened. A 5xx may follow a post.

Slack takes about one message a second in a channel; a channel with several schedules in
one minute gets its posts spaced by a ``Pacer`` instead of drawing 429s. Nothing else
limits the pace: the scheduler keeps many posts under way at once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import SlackMessage, escape, notice, render
from adapters.slack.errors import describe, error_name, is_busy, retry_after
from bot.delivery import (
    Claim,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.models import Schedule
from bot.pacing import Pacer
from bot.replies import QuoteReply

_log = logging.getLogger(__name__)

# Slack says the operation may have partly happened: resending could post twice.
UNCERTAIN_ERRORS = frozenset({"fatal_error", "internal_error"})

# Slack's refusals in words, as the person who set the schedule reads them in the pause
# notice and in /daily show; {bot} is the bot's user name. Every one can be fixed on the
# workspace's side (channel_not_found is also what a private channel the bot was removed
# from says), so every pause is resumable.
_REFUSALS = {
    "channel_not_found": "the channel no longer exists or I can't see it (a private channel "
    "needs me invited back: /invite @{bot})",
    "not_in_channel": "I'm not a member of the channel: /invite @{bot} there",
    "is_archived": "the channel is archived",
    "invalid_auth": "Slack no longer accepts my token: reinstall the app and update "
    "SLACK_BOT_TOKEN",
    "not_authed": "Slack received no token from me: set SLACK_BOT_TOKEN",
    "token_revoked": "my token was revoked (the app was removed): reinstall the app and update "
    "SLACK_BOT_TOKEN",
    "token_expired": "my token expired: reinstall the app and update SLACK_BOT_TOKEN",
    "account_inactive": "my Slack account was deactivated (the app was removed or its owner "
    "left): reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "the app lacks a permission it needs to post: reinstall it from the "
    "manifest",
    "restricted_action": "the workspace's settings don't let me post in that channel",
    "restricted_action_read_only_channel": "only some members may post in the channel",
    "team_access_not_granted": "the app has no access to the workspace of that channel",
    "ekm_access_denied": "the workspace's encryption keys were revoked for the app",
}

# chat.postMessage: about one message a second per channel; the margin absorbs jitter.
CHANNEL_INTERVAL = 1.1  # seconds

Sleep = Callable[[float], Awaitable[None]]


class SlackPoster:
    """The ``bot.delivery.Poster`` for Slack."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        prefix: str = "",
        bot_name: str = "reviewbot",
        attempts: int = 3,
        max_wait: float = 30.0,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._client = AsyncWebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            retry_handlers=[],
        )
        self._prefix = prefix
        self._bot_name = bot_name
        self._attempts = attempts
        self._max_wait = max_wait
        self._backoff = backoff
        self._sleep = sleep
        self._channels = Pacer(CHANNEL_INTERVAL)

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        message = with_group_mention(render(reply, self._prefix), schedule.role)
        await self._channels.wait((schedule.workspace, schedule.channel))
        for attempt in range(1, self._attempts + 1):
            try:
                response = await self._client.chat_postMessage(
                    channel=schedule.channel,
                    text=message.text,
                    blocks=message.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
                return str(response["ts"])
            except SlackApiError as e:
                wait = self._classify(e, attempt)
            except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as e:
                # The connection never opened, so nothing was sent.
                if attempt == self._attempts:
                    raise TransientDeliveryError(f"cannot reach Slack: {e!r}") from None
                wait = self._backoff * attempt
            except (aiohttp.ClientError, TimeoutError) as e:
                # Sent, then lost: Slack may have posted.
                raise UncertainDeliveryError(f"no answer from Slack: {type(e).__name__}") from None
            _log.info("chat.postMessage to %s: retrying in %.1fs", schedule.channel, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _classify(self, e: SlackApiError, attempt: int) -> float:
        """Raise the delivery error for ``e``, or return how long to wait before retrying."""
        error = error_name(e)
        if error in UNCERTAIN_ERRORS:
            raise UncertainDeliveryError(error) from None
        if e.response.status_code == 429:  # refused unread: safe to send again
            wait = retry_after(e)
            if attempt == self._attempts or wait > self._max_wait:
                raise TransientDeliveryError("ratelimited", retry_after=wait) from None
            return wait
        if is_busy(e):
            # A 5xx or service_unavailable may come after the message was posted: resending
            # could post the day twice, and at most once wins.
            raise UncertainDeliveryError(describe(e)) from None
        # A refusal that will not fix itself: the scheduler pauses the schedule with this
        # reason and tells whoever set it; it never retries in a loop.
        raise PermanentDeliveryError(self._reason(e)) from None

    def _reason(self, e: SlackApiError) -> str:
        """Slack's refusal in words, its code kept in parentheses for whoever debugs it."""
        code = describe(e)
        words = _REFUSALS.get(code, "Slack refused the post").format(bot=self._bot_name)
        return f"{words} (Slack: {code})"

    async def notify(self, schedule: Schedule, message: str) -> None:
        """DM whoever set the schedule, naming the channel; failures are logged, never raised."""
        text = f"About the daily quote in <#{schedule.channel}>: {escape(message)}"
        try:
            opened = await self._client.conversations_open(users=schedule.created_by)
            dm = opened["channel"]["id"]
            await self._client.chat_postMessage(
                channel=dm, text=notice(text, self._prefix).text
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as e:
            _log.warning(
                "Could not tell %s about schedule %s: %s", schedule.created_by, schedule.id, e
            )


_GROUP_ID = re.compile(r"^S[A-Z0-9]{1,31}$")


def with_group_mention(message: SlackMessage, group: str | None) -> SlackMessage:
    """``message`` opening with the schedule's user group, ``<!subteam^ID>``, written by
    the bot itself: the only mention a daily post carries. The quote's own text was
    escaped by ``render``, so nothing in it can mention anyone."""
    if group is None or not _GROUP_ID.match(group):
        return message
    mention = f"<!subteam^{group}>"
    return SlackMessage(
        text=f"{mention} {message.text}",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": mention}},
                *message.blocks],
        ephemeral=message.ephemeral,
    )
