"""Who may change a channel's daily quote, and whether the bot can post there.

Slack has no per-command permission gate, so the app decides: workspace admins and
owners (``users.info``), plus the people named in ``SLACK_ADMIN_USERS``. The core makes
the final call from ``Invocation.can_manage``; this module only answers the question.
"""

from __future__ import annotations

import logging
from collections.abc import Set

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import error_name
from bot.commands.definitions import CommandSpec

_log = logging.getLogger(__name__)

# Subcommands after which the bot will post in the channel: it must be a member first.
_POSTING_SUBCOMMANDS = frozenset({"set", "resume"})


def managed_subcommand(spec: CommandSpec, text: str) -> CommandSpec | None:
    """The admin subcommand ``text`` asks for (``"set 09:00"`` -> set), if any."""
    first = text.split(maxsplit=1)[0].lower() if text.strip() else ""
    sub = spec.subcommand(first)
    if sub is not None and sub.admin:
        return sub
    return spec if spec.admin else None


def needs_membership(sub: CommandSpec) -> bool:
    return sub.name in _POSTING_SUBCOMMANDS


async def can_manage(client: AsyncWebClient, user: str, allow_list: Set[str]) -> bool:
    """True for allow-listed users and workspace admins/owners; False when unsure."""
    if user in allow_list:
        return True
    try:
        response = await client.users_info(user=user)
    except SlackApiError as e:
        _log.warning("users.info failed for %s: %s", user, error_name(e))
        return False
    info = response.get("user") or {}
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


async def bot_is_member(client: AsyncWebClient, channel: str) -> bool:
    """Whether the bot is in ``channel``; a private channel it is not in looks missing."""
    try:
        response = await client.conversations_info(channel=channel)
    except SlackApiError as e:
        _log.info("conversations.info failed for %s: %s", channel, error_name(e))
        return False
    info = response.get("channel") or {}
    return bool(info.get("is_member") or info.get("is_im"))
