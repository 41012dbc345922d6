"""Who may change a channel's daily quote, and whether the bot can post there.

Slack has no per-command permission gate, so the app decides: workspace admins and
owners (``users.info``), plus the people named in ``SLACK_ADMIN_USERS``. The core makes
the final call from ``Invocation.can_manage``; this module only answers the question.

A refusal must be true: when Slack cannot answer ``users.info`` (rate limited, down),
the lookup is retried while the command's time budget allows, and otherwise reported as
``LookupFailed`` so the user is told to try again rather than that they may not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Set

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import describe, is_busy, retry_after
from bot.commands.definitions import CommandSpec

_log = logging.getLogger(__name__)

# Subcommands after which the bot will post in the channel: it must be a member first.
_POSTING_SUBCOMMANDS = frozenset({"set", "resume"})
# Seconds a permission lookup may take, retries included: the answer still has to reach
# the user through response_url, which Slack keeps open well beyond the 3 s ack.
LOOKUP_BUDGET = 2.5
_BUSY_BACKOFF = 0.25  # when a 429 or 5xx carries no Retry-After

Sleep = Callable[[float], Awaitable[None]]


class LookupFailed(Exception):
    """Slack did not say whether the user is an admin; ``str()`` is the reason."""


def managed_subcommand(spec: CommandSpec, text: str) -> CommandSpec | None:
    """The admin subcommand ``text`` asks for (``"set 09:00"`` -> set), if any."""
    first = text.split(maxsplit=1)[0].lower() if text.strip() else ""
    sub = spec.subcommand(first)
    if sub is not None and sub.admin:
        return sub
    return spec if spec.admin else None


def needs_membership(sub: CommandSpec) -> bool:
    return sub.name in _POSTING_SUBCOMMANDS


async def can_manage(
    client: AsyncWebClient,
    user: str,
    allow_list: Set[str],
    *,
    budget: float = LOOKUP_BUDGET,
    sleep: Sleep = asyncio.sleep,
) -> bool:
    """True for allow-listed users and workspace admins/owners, False for everyone else.

    Raises ``LookupFailed`` when Slack gave no answer within ``budget`` seconds.
    """
    if user in allow_list:
        return True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    while True:
        try:
            async with asyncio.timeout_at(deadline):
                response = await client.users_info(user=user)
        except SlackApiError as e:
            reason = describe(e)
            if not is_busy(e):
                # user_not_found, invalid_auth, missing_scope ...: asking again cannot help.
                _log.warning("users.info failed for %s: %s", user, reason)
                if reason == "user_not_found":
                    return False
                raise LookupFailed(reason) from None
            wait = retry_after(e, _BUSY_BACKOFF)
            if loop.time() + wait >= deadline:
                _log.warning("users.info for %s: %s, no time left to retry", user, reason)
                raise LookupFailed(reason) from None
            _log.info("users.info for %s: %s; asking again in %.2fs", user, reason, wait)
            await sleep(wait)
            continue
        except (aiohttp.ClientError, TimeoutError) as e:
            _log.warning("users.info for %s: no answer (%s)", user, type(e).__name__)
            raise LookupFailed("no answer from Slack") from None
        info = response.get("user") or {}
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


async def bot_is_member(client: AsyncWebClient, channel: str) -> bool:
    """Whether the bot is in ``channel``; a private channel it is not in looks missing."""
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as e:
        _log.info("conversations.info failed for %s: %s", channel, describe(e))
        return False
    info = response.get("channel") or {}
    return bool(info.get("is_member") or info.get("is_im"))
