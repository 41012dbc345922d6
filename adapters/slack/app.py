"""The slack-bolt ``AsyncApp``: slash commands, "Another", "Wrong mood?" and the /review
buttons, wired to the core.

Slack drops a command or a button press that is not acknowledged within 3 s. Each
handler starts the core's work at once and waits for it for ``ack_budget`` seconds: a
fast answer goes back inside the acknowledgement; a slow one is acknowledged empty and
answered through ``response_url`` when it is ready. The app is an ``AnsweringApp``
(``adapters.slack.ack``): bolt sends the acknowledgement the moment ``ack()`` is called,
instead of finding it on its next 10 ms poll.

Request signatures are checked before bolt sees a request (``adapters.slack.http``), so
bolt's own check is turned off here; Socket Mode needs none.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.ack import AnsweringApp
from adapters.slack.blocks import (
    ANOTHER_ACTION_ID,
    FILM_REMOVAL_ACTION_PREFIX,
    FILMS_PAGE_ACTION_PREFIX,
    REVIEW_ACTION_PREFIX,
    WRONG_MOOD_ACTION_ID,
    SlackMessage,
    render,
    unescape,
)
from adapters.slack.commands import slash_names
from adapters.slack.films import answer_in_place, follow_job
from adapters.slack.home import register_home
from adapters.slack.permissions import (
    LookupFailed,
    bot_is_member,
    can_manage,
    managed_subcommand,
    needs_membership,
)
from bot.app import ReviewBot
from bot.commands.definitions import CommandSpec
from bot.invocation import Invocation
from bot.replies import ErrorReply, Reply
from bot.settings import Settings

_log = logging.getLogger(__name__)

ACK_BUDGET = 2.0  # seconds of the 3 s Slack allows, leaving room for the network

Handler = Callable[..., Awaitable[None]]


def build_app(core: ReviewBot, settings: Settings, *, ack_budget: float = ACK_BUDGET) -> AsyncApp:
    """An ``AsyncApp`` answering every command in ``COMMANDS`` under the configured prefix.

    bolt makes the Web API client from the bot token itself: given a ``client`` it would
    still read ``SLACK_BOT_TOKEN`` from the environment and warn that one of the two is
    unused. ``app.client`` is the client every other part of the adapter shares.
    """
    app = AnsweringApp(
        token=settings.slack_bot_token,
        name="reviewbot",
        request_verification_enabled=False,
        logger=logging.getLogger("adapters.slack.bolt"),
    )
    if settings.slack_api_url:
        # bolt takes no base URL; its client reads this attribute on every call, and the
        # per-request clients bolt makes copy it.
        app.client.base_url = settings.slack_api_url.rstrip("/") + "/"
    handlers = _Handlers(core, settings, app.client, ack_budget)
    for slash, spec in slash_names(settings.slack_command_prefix).items():
        app.command(slash)(handlers.command(spec))
    app.action(ANOTHER_ACTION_ID)(handlers.another)
    app.action(WRONG_MOOD_ACTION_ID)(handlers.correct)
    app.action(re.compile("^" + re.escape(REVIEW_ACTION_PREFIX)))(handlers.correct)
    app.action(re.compile("^" + re.escape(FILM_REMOVAL_ACTION_PREFIX)))(handlers.film_removal)
    app.action(re.compile("^" + re.escape(FILMS_PAGE_ACTION_PREFIX)))(handlers.films_page)
    register_home(app, core, settings)
    return app


class _Handlers:
    def __init__(
        self, core: ReviewBot, settings: Settings, client: AsyncWebClient, ack_budget: float
    ) -> None:
        self._core = core
        self._prefix = settings.slack_command_prefix
        self._admins = settings.slack_admin_users
        self._client = client
        self._ack_budget = ack_budget

    def command(self, spec: CommandSpec) -> Handler:
        async def on_command(
            ack: AsyncAck,
            command: dict[str, Any],
            respond: AsyncRespond,
            context: AsyncBoltContext,
        ) -> None:
            await self._answer(
                lambda: self._run_command(spec, command, context, respond), respond, ack
            )

        return on_command

    async def another(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """The button: acknowledged at once, the next quote posted as a new message."""
        await ack()
        value = str(body["actions"][0].get("value", ""))
        inv = _clicked_by(body)
        await self._answer(lambda: self._render(self._core.another(inv, value)), respond)

    async def correct(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """A "Wrong mood?" choice or a /review button: answered only to whoever chose.

        A new private message either way, never an edit: the quote is the channel's, and
        Slack does not send back the blocks of the ephemeral review to rebuild it from.
        """
        await ack()
        action = body["actions"][0]
        # A select sends the option chosen; a button its own value.
        value = str((action.get("selected_option") or {}).get("value") or action.get("value", ""))
        inv = _clicked_by(body)
        await self._answer(lambda: self._run_correction(inv, value), respond)

    async def film_removal(
        self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """/film remove's Remove or Cancel: the question replaced by what was done."""
        await ack()
        value = str(body["actions"][0].get("value", ""))
        inv = _clicked_by(body)
        allowed = await self._manages(inv)
        if isinstance(allowed, SlackMessage):
            await answer_in_place(respond, allowed, self._prefix)
            return
        reply = await self._core.confirm_film_removal(replace(inv, can_manage=allowed), value)
        await answer_in_place(respond, reply, self._prefix)

    async def films_page(self, ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        """/films' Previous or Next: the list replaced by the page asked for."""
        await ack()
        page = str(body["actions"][0].get("value", ""))
        reply = await self._core.handle(_clicked_by(body), "films", {"page": page})
        await answer_in_place(respond, reply, self._prefix)

    async def _run_correction(self, inv: Invocation, value: str) -> SlackMessage:
        allowed = await self._manages(inv)
        if isinstance(allowed, SlackMessage):
            return allowed
        return await self._render(self._core.correct(replace(inv, can_manage=allowed), value))

    async def _manages(self, inv: Invocation) -> bool | SlackMessage:
        """Whether ``inv.user`` manages the workspace, or the message to send when Slack
        could not say (never a false refusal)."""
        try:
            return await can_manage(self._client, inv.user, self._admins)
        except LookupFailed as e:
            return self._error(
                f"I could not ask Slack whether you manage this workspace ({e}). "
                "Try again in a moment."
            )

    async def _answer(
        self,
        work: Callable[[], Awaitable[SlackMessage]],
        respond: AsyncRespond,
        ack: AsyncAck | None = None,
    ) -> None:
        """Send ``work``'s message in ``ack`` when it is quick enough, else by response_url."""
        task = asyncio.ensure_future(self._safely(work))
        if ack is not None:
            try:
                message = await asyncio.wait_for(asyncio.shield(task), self._ack_budget)
            except TimeoutError:
                await ack()
            else:
                await ack(
                    text=message.text, blocks=message.blocks, response_type=message.response_type
                )
                return
        message = await task
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type=message.response_type,
            replace_original=False,
        )

    async def _run_command(
        self, spec: CommandSpec, command: Mapping[str, Any], context: AsyncBoltContext,
        respond: AsyncRespond,
    ) -> SlackMessage:
        inv = _invocation(
            channel=command["channel_id"],
            user=command["user_id"],
            team=command.get("team_id"),
            user_name=command.get("user_name"),
        )
        text = unescape(str(command.get("text") or "")).strip()
        sub = managed_subcommand(spec, text)
        if sub is not None:
            allowed = await self._manages(inv)
            if isinstance(allowed, SlackMessage):
                return allowed
            if allowed:
                inv = replace(inv, can_manage=True)
                member = not (inv.in_guild and needs_membership(sub)) or await bot_is_member(
                    self._client, inv.channel
                )
                if not member:
                    return self._error(_invite_message(context))
        reply = await self._core.handle_text(inv, f"/{spec.name} {text}".rstrip())
        # A /film add's job reports in the channel; the command's answer is the start.
        reply = follow_job(self._core, self._client, inv.channel, reply, self._prefix, respond)
        return render(reply, self._prefix)

    async def _render(self, reply: Awaitable[Reply]) -> SlackMessage:
        return render(await reply, self._prefix)

    def _error(self, message: str) -> SlackMessage:
        return render(ErrorReply(message, ephemeral=True), self._prefix)

    async def _safely(self, work: Callable[[], Awaitable[SlackMessage]]) -> SlackMessage:
        """The core never raises, but a Slack call or a rendering bug could: show an id."""
        try:
            return await work()
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            _log.exception("Slack handler failed (error id %s)", error_id)
            failure = ErrorReply(
                "Something went wrong.", error_id=error_id, usage=False, ephemeral=True
            )
            return render(failure, self._prefix)


def _clicked_by(body: Mapping[str, Any]) -> Invocation:
    """Who pressed a button or chose an option, where (``can_manage`` not yet known)."""
    return _invocation(
        channel=(body.get("channel") or {}).get("id", ""),
        user=body["user"]["id"],
        team=(body.get("team") or {}).get("id") or body["user"].get("team_id"),
        user_name=body["user"].get("username") or body["user"].get("name"),
    )


def _invocation(channel: str, user: str, team: str | None, user_name: str | None) -> Invocation:
    # Direct-message channel ids start with "D": no channel schedule there.
    return Invocation(
        platform="slack",
        channel=channel,
        user=user,
        workspace=team,
        user_name=user_name,
        in_guild=not channel.startswith("D"),
    )


def _invite_message(context: AsyncBoltContext) -> str:
    result = context.authorize_result
    name = (result.user if result is not None else None) or "reviewbot"
    return f"I'm not a member of this channel. Invite me with /invite @{name} and try again."
