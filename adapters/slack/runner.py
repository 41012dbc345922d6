"""``run_slack``: what the CLI calls when Slack tokens are configured.

Socket Mode (``SLACK_APP_TOKEN`` + ``SLACK_BOT_TOKEN``) needs no public URL, so it wins
when both modes are configured; HTTP mode (``SLACK_SIGNING_SECRET`` + ``SLACK_BOT_TOKEN``
+ ``SLACK_PORT``, on ``SLACK_HOST``) serves ``/slack/events``. Either way the daily-quote
poster is registered with the core's scheduler, the connection with ``/healthz``
(``metrics.platform``: HTTP mode is up while it listens, Socket Mode while its websocket is
open), and everything is closed when ``stop`` is set. Replicas on one database serve each
request once: ``ReviewBot.seen`` holds what was delivered.

A token Slack refuses, or an address the server cannot listen on, is a configuration
mistake rather than a bug: it ends the start with ``StartupRefused``, whose one line names
the variable to fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.app import build_app
from adapters.slack.errors import describe, is_busy
from adapters.slack.http import EVENTS_PATH, build_web_app
from adapters.slack.poster import SlackPoster
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot import metrics
from bot.app import ReviewBot
from bot.errors import StartupRefused
from bot.settings import Settings
from bot.storage.seen import SeenOnce

_log = logging.getLogger(__name__)


async def run_slack(
    core: ReviewBot,
    settings: Settings,
    stop: asyncio.Event,
    *,
    verifier: SignatureVerifier | None = None,
    ping_interval: float = 10.0,
) -> None:
    """Serve Slack until ``stop`` is set. ``verifier`` is for tests (a pinned clock).

    Raises ``bot.errors.StartupRefused`` at once when a token is refused or the HTTP
    server cannot listen.
    """
    if not settings.slack_enabled:
        raise ValueError("Slack needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET")
    app = build_app(core, settings)
    me = await _checked(app.client.auth_test(), "SLACK_BOT_TOKEN")
    _log.info("Slack: signed in to %s as %s", me.get("team"), me.get("user"))
    opened = None
    if settings.slack_socket_mode:
        assert settings.slack_app_token is not None
        # The client retries a refused app token forever; ask once here so it fails fast,
        # and hand the client the URL so it does not ask again.
        opened = await _checked(
            app.client.apps_connections_open(app_token=settings.slack_app_token),
            "SLACK_APP_TOKEN",
        )
    core.scheduler.register(
        SlackPoster(
            app.client,
            prefix=settings.slack_command_prefix,
            bot_name=me.get("user") or "reviewbot",
        )
    )
    if opened is not None:
        assert settings.slack_app_token is not None
        await _socket_mode(
            app, settings.slack_app_token, core.seen, opened["url"], stop, ping_interval
        )
    else:
        assert settings.slack_signing_secret is not None and settings.slack_port is not None
        verifier = verifier or SignatureVerifier(settings.slack_signing_secret)
        web_app = build_web_app(app, verifier, core.seen)
        await _http_mode(web_app, settings.slack_host, settings.slack_port, stop)


async def _checked(call: Awaitable[AsyncSlackResponse], variable: str) -> AsyncSlackResponse:
    """``call``'s answer, or ``StartupRefused`` naming ``variable`` when Slack says no."""
    try:
        return await call
    except SlackApiError as e:
        if is_busy(e):
            raise StartupRefused(
                f"Slack could not check {variable} just now ({describe(e)}); try again later"
            ) from None
        raise StartupRefused(f"{variable} was refused by Slack: {describe(e)}") from None
    except (aiohttp.ClientError, TimeoutError) as e:
        raise StartupRefused(
            f"cannot reach Slack to check {variable}: {e or type(e).__name__}"
        ) from None


async def _socket_mode(
    app: AsyncApp, app_token: str, seen: SeenOnce, url: str, stop: asyncio.Event,
    ping_interval: float,
) -> None:
    handler = DedupingSocketModeHandler(app, app_token, seen, ping_interval=ping_interval)
    handler.client.wss_uri = url
    metrics.platform("slack", handler.connected)
    # connect() retries until it succeeds; run it beside ``stop`` so stopping never waits.
    connecting = asyncio.ensure_future(handler.connect_async())  # type: ignore[no-untyped-call]
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        connecting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await connecting
        _log.info("Slack: Socket Mode closed")


async def _http_mode(web_app: web.Application, host: str, port: int, stop: asyncio.Event) -> None:
    runner = web.AppRunner(web_app)
    await runner.setup()
    metrics.platform("slack", lambda: bool(runner.sites))  # a started site, until cleanup
    try:
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as e:
            raise StartupRefused(
                f"cannot listen on SLACK_HOST={host} SLACK_PORT={port}: {e.strerror or e}"
            ) from None
        _log.info("Slack: listening on http://%s:%d%s", host, port, EVENTS_PATH)
        await stop.wait()
    finally:
        await runner.cleanup()
        _log.info("Slack: HTTP server closed")
