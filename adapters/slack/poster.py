"""Daily quotes through ``chat.postMessage``, with Slack's failures sorted for the scheduler.

The scheduler owns exactly-once; this poster must never turn one post into two. So it
uses its own Web API client without slack_sdk's connection retry (which resends after a
dropped connection, when Slack may already have posted) and retries only what certainly
did not post: a 429, a 5xx, a connection that never opened.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import escape, render
from adapters.slack.errors import error_name
from bot.delivery import (
    Claim,
    PermanentDeliveryError,
    TransientDeliveryError,
    UncertainDeliveryError,
)
from bot.models import Schedule
from bot.replies import QuoteReply

_log = logging.getLogger(__name__)

# Slack says the operation may have partly happened: resending could post twice.
UNCERTAIN_ERRORS = frozenset({"fatal_error", "internal_error"})
TRANSIENT_ERRORS = frozenset({"service_unavailable", "ratelimited"})

Sleep = Callable[[float], Awaitable[None]]


class SlackPoster:
    """The ``bot.delivery.Poster`` for Slack."""

    platform = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        prefix: str = "",
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
        self._attempts = attempts
        self._max_wait = max_wait
        self._backoff = backoff
        self._sleep = sleep

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        message = render(reply, self._prefix)
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
            except aiohttp.ClientConnectorError as e:
                # The connection never opened, so nothing was sent.
                if attempt == self._attempts:
                    raise TransientDeliveryError(f"cannot reach Slack: {e.os_error}") from None
                wait = self._backoff * attempt
            except (aiohttp.ClientError, TimeoutError) as e:
                # Sent, then lost: Slack may have posted.
                raise UncertainDeliveryError(f"no answer from Slack: {type(e).__name__}") from None
            _log.info("chat.postMessage to %s: retrying in %.1fs", schedule.channel, wait)
            await self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _classify(self, e: SlackApiError, attempt: int) -> float:
        """Raise the delivery error for ``e``, or return how long to wait before retrying."""
        status = e.response.status_code
        error = error_name(e)
        if error in UNCERTAIN_ERRORS:
            raise UncertainDeliveryError(error) from None
        if status == 429:
            wait = _retry_after(e.response.headers)
            if attempt == self._attempts or wait > self._max_wait:
                raise TransientDeliveryError("ratelimited", retry_after=wait) from None
            return wait
        if status >= 500 or error in TRANSIENT_ERRORS:
            if attempt == self._attempts:
                raise TransientDeliveryError(error or f"HTTP {status}") from None
            return self._backoff * attempt
        # A refusal that will not fix itself: channel_not_found, not_in_channel, is_archived,
        # invalid_auth, account_inactive, token_revoked, missing_scope ... The scheduler
        # pauses the schedule with this reason and tells whoever set it.
        raise PermanentDeliveryError(error or f"HTTP {status}") from None

    async def notify(self, schedule: Schedule, message: str) -> None:
        """DM whoever set the schedule; failures are logged, never raised."""
        try:
            opened = await self._client.conversations_open(users=schedule.created_by)
            dm = opened["channel"]["id"]
            await self._client.chat_postMessage(channel=dm, text=escape(message))
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as e:
            _log.warning(
                "Could not tell %s about schedule %s: %s", schedule.created_by, schedule.id, e
            )


def _retry_after(headers: Mapping[str, str]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return 1.0
