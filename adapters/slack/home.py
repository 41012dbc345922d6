"""Slack's Home tab: a person's daily quotes and films, with buttons to act on them.

``app_home_opened`` publishes the view (``views.publish``) for whoever opened the tab:
the schedules of the workspace's channels when they manage it (the same test as the
commands, ``adapters.slack.permissions``), each with pause or resume and skip-next
buttons, then the films with their verdicts. Every figure and every change goes through
the core's own commands (``/daily show``, ``/daily pause``, ``/films`` …), so the tab
says and does exactly what typing them would.

Slack refuses a view of more than 100 blocks: a page holds ``CHANNELS_PER_PAGE``
channels (at most ``PER_CHANNEL`` schedules each, two blocks per schedule) and one page
of films, and "More" buttons turn the pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

# The blocks module's own section/context builders (entity-safe clipping) and command
# renaming, so the tab's blocks follow the same limits and names as every message.
from adapters.slack.blocks import (
    SlackMessage,
    _context,
    _section,
    _with_slack_names,
    escape,
    schedule_mrkdwn,
)
from adapters.slack.permissions import LookupFailed, can_manage
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.render import film_entry_line, films_footer
from bot.replies import ErrorReply, FilmsReply, ScheduleReply
from bot.settings import Settings
from bot.storage.schedules import PER_CHANNEL

_log = logging.getLogger(__name__)

ACTION_PREFIX = "home_"
PAUSE = "home_pause"
RESUME = "home_resume"
SKIP_NEXT = "home_skip_next"
MORE = "home_more"
MAX_BLOCKS = 100
CHANNELS_PER_PAGE = 5  # 5 x (1 + 2 x PER_CHANNEL) = 55 blocks at most
_SUBCOMMANDS = {PAUSE: "pause", RESUME: "resume", SKIP_NEXT: "skip"}

Block = dict[str, Any]


@dataclass(frozen=True)
class Page:
    """Where the tab is: the first channel shown and the page of films (from 1)."""

    channels: int = 0
    films: int = 1

    @property
    def value(self) -> str:
        return f"{self.channels}:{self.films}"

    @classmethod
    def parse(cls, value: str) -> Page:
        channels, _, films = value.partition(":")
        if channels.isdigit() and films.isdigit():
            return cls(int(channels), max(1, int(films)))
        return cls()


class HomeTab:
    def __init__(self, core: ReviewBot, settings: Settings, client: AsyncWebClient) -> None:
        self._core = core
        self._client = client
        self._admins = settings.slack_admin_users
        self._prefix = settings.slack_command_prefix

    def register(self, app: AsyncApp) -> None:
        app.event("app_home_opened")(self.opened)
        app.action(re.compile("^" + re.escape(ACTION_PREFIX)))(self.clicked)

    async def opened(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return  # the Messages tab
        await self.publish(str(event["user"]), _team(body), Page())

    async def clicked(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A button of the tab: do it through the core as the command would, then show
        the tab again (with the outcome on top when it is a refusal)."""
        await ack()
        action = body["actions"][0]
        user, team = str(body["user"]["id"]), _team(body)
        value = str(action.get("value", ""))
        if action.get("action_id") == MORE:
            await self.publish(user, team, Page.parse(value))
            return
        channel, name, page = _target(value)
        sub = _SUBCOMMANDS.get(str(action.get("action_id")))
        notice = None
        if sub is None or not channel:
            notice = "That button is out of date."
        else:
            options = {"id": name, **({"date": "next"} if sub == "skip" else {})}
            inv = Invocation("slack", channel, user, team, can_manage=await self._manages(user))
            reply = await self._core.handle(inv, "daily", options, sub)
            if isinstance(reply, ErrorReply):
                notice = reply.message
        await self.publish(user, team, page, notice)

    async def publish(
        self, user: str, team: str | None, page: Page, notice: str | None = None
    ) -> None:
        blocks = await self.blocks(user, team, page, notice)
        try:
            await self._client.views_publish(user_id=user, view={"type": "home", "blocks": blocks})
        except SlackApiError as e:
            _log.warning("views.publish for %s failed: %s", user, e.response.get("error"))

    async def blocks(
        self, user: str, team: str | None, page: Page, notice: str | None = None
    ) -> list[Block]:
        """The view's blocks, never more than ``MAX_BLOCKS``."""
        blocks: list[Block] = [_header("Daily quotes")]
        if notice:
            blocks.append(_context(f":warning: {escape(notice)}"))
        if await self._manages(user):
            blocks += await self._schedules(user, team, page)
        else:
            blocks.append(_context("Workspace managers see and change daily quotes here."))
        blocks += [{"type": "divider"}, _header("Films")]
        blocks += await self._films(user, team, page)
        blocks = _with_slack_names(SlackMessage("", blocks, False), self._prefix).blocks
        assert len(blocks) <= MAX_BLOCKS, len(blocks)
        return blocks

    async def _manages(self, user: str) -> bool:
        try:
            return await can_manage(self._client, user, self._admins)
        except LookupFailed as e:
            _log.info("home tab for %s: %s; showing it without the schedules", user, e)
            return False

    async def _schedules(self, user: str, team: str | None, page: Page) -> list[Block]:
        channels = await self._core.schedules.channels(
            "slack", team, CHANNELS_PER_PAGE + 1, page.channels
        )
        if not channels:
            return [_context("No daily quotes yet: use /daily set in a channel.")]
        blocks: list[Block] = []
        for channel in channels[:CHANNELS_PER_PAGE]:
            inv = Invocation("slack", channel, user, team)
            reply = await self._core.handle(inv, "daily", None, "show")
            if not isinstance(reply, ScheduleReply):
                continue
            blocks.append(_context(f"<#{channel}>"))
            for view in reply.schedules[:PER_CHANNEL]:
                blocks.append(_section(schedule_mrkdwn(view)))
                blocks.append(_buttons(channel, view.name, view.active, page))
        if len(channels) > CHANNELS_PER_PAGE:
            later = Page(page.channels + CHANNELS_PER_PAGE, page.films)
            blocks.append(_more("More channels", later))
        elif page.channels:
            blocks.append(_more("Back to the first channels", Page(0, page.films)))
        return blocks

    async def _films(self, user: str, team: str | None, page: Page) -> list[Block]:
        inv = Invocation("slack", "", user, team)
        reply = await self._core.handle(inv, "films", {"page": str(page.films)})
        if not isinstance(reply, FilmsReply) or not reply.entries:
            return [_context("No films yet.")]
        blocks = [_section(escape(film_entry_line(e))) for e in reply.entries]
        blocks.append(_context(escape(films_footer(reply))))
        if reply.page < reply.pages:
            blocks.append(_more("More films", Page(page.channels, reply.page + 1)))
        elif reply.page > 1:
            blocks.append(_more("Back to the first films", Page(page.channels, 1)))
        return blocks


def register_home(app: AsyncApp, core: ReviewBot, settings: Settings) -> None:
    """Answer ``app_home_opened`` and the tab's buttons (called by ``build_app``)."""
    HomeTab(core, settings, app.client).register(app)


def _team(body: Mapping[str, Any]) -> str | None:
    """The workspace: ``team_id`` of an event, ``team.id`` of a button press."""
    team = (body.get("team_id") or (body.get("team") or {}).get("id")
            or (body.get("user") or {}).get("team_id"))
    return str(team) if team else None


def _target(value: str) -> tuple[str, str, Page]:
    """A schedule button's value: ``channel name channels:films``."""
    parts = value.split(" ")
    if len(parts) != 3:
        return "", "", Page()
    return parts[0], parts[1], Page.parse(parts[2])


def _buttons(channel: str, name: str, active: bool, page: Page) -> Block:
    value = f"{channel} {name} {page.value}"
    toggle = (_button("Pause", PAUSE, value) if active
              else _button("Resume", RESUME, value, style="primary"))
    elements = [toggle]
    if active:
        elements.append(_button("Skip next", SKIP_NEXT, value))
    return {"type": "actions", "elements": elements}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {"type": "button", "text": {"type": "plain_text", "text": text},
                     "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _more(text: str, page: Page) -> Block:
    return {"type": "actions", "elements": [_button(text, MORE, page.value)]}


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}
