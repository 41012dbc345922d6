"""``run_slack``: what the CLI calls when Slack tokens are configured.

Socket Mode (``SLACK_APP_TOKEN`` + ``SLACK_BOT_TOKEN``) needs no public URL, so it wins
when both modes are configured; HTTP mode (``SLACK_SIGNING_SECRET`` + ``SLACK_BOT_TOKEN``
+ ``SLACK_PORT``) serves ``/slack/events``. Either way the daily-quote poster is
registered with the core's scheduler, and everything is closed when ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.http import EVENTS_PATH, build_web_app
from adapters.slack.poster import SlackPoster
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.app import ReviewBot
from bot.settings import Settings

_log = logging.getLogger(__name__)


async def run_slack(
    core: ReviewBot,
    settings: Settings,
    stop: asyncio.Event,
    *,
    client: AsyncWebClient | None = None,
    verifier: SignatureVerifier | None = None,
    host: str = "0.0.0.0",
    ping_interval: float = 10.0,
) -> None:
    """Serve Slack until ``stop`` is set. ``client``/``verifier`` are for tests and proxies.

    Raises ``slack_sdk.errors.SlackApiError`` at once when a token is refused.
    """
    if not settings.slack_enabled:
        raise ValueError("Slack needs SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET")
    client = client or AsyncWebClient(token=settings.slack_bot_token)
    me = await client.auth_test()
    _log.info("Slack: signed in to %s as %s", me.get("team"), me.get("user"))
    app = build_app(core, settings, client)
    core.scheduler.register(SlackPoster(client, prefix=settings.slack_command_prefix))
    if settings.slack_socket_mode:
        assert settings.slack_app_token is not None
        await _socket_mode(app, settings.slack_app_token, client, stop, ping_interval)
    else:
        assert settings.slack_signing_secret is not None and settings.slack_port is not None
        verifier = verifier or SignatureVerifier(settings.slack_signing_secret)
        await _http_mode(app, verifier, host, settings.slack_port, stop)


async def _socket_mode(
    app: AsyncApp,
    app_token: str,
    client: AsyncWebClient,
    stop: asyncio.Event,
    ping_interval: float,
) -> None:
    # The client retries a refused app token forever; ask once here so it fails fast,
    # and hand the client the URL so it does not ask again.
    opened = await client.apps_connections_open(app_token=app_token)
    handler = DedupingSocketModeHandler(
        app, app_token, web_client=client, ping_interval=ping_interval
    )
    handler.client.wss_uri = opened["url"]
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


async def _http_mode(
    app: AsyncApp, verifier: SignatureVerifier, host: str, port: int, stop: asyncio.Event
) -> None:
    runner = web.AppRunner(build_web_app(app, verifier))
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        _log.info("Slack: listening on http://%s:%d%s", host, port, EVENTS_PATH)
        await stop.wait()
    finally:
        await runner.cleanup()
        _log.info("Slack: HTTP server closed")
