"""Fixtures: a fake Slack, a real core on SQLite, and the real bolt app in both modes.

``slack`` is parametrized over Socket Mode and HTTP mode: a test written against it runs
through the real ``SocketModeClient`` over a websocket and through a signed HTTP POST.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.blocks import ANOTHER_ACTION_ID
from adapters.slack.http import EVENTS_PATH, build_web_app
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.app import ReviewBot
from bot.settings import Settings
from tests.fakes.clock import FakeClock
from tests.fakes.slack_payloads import (
    SIGNING_SECRET,
    block_action,
    form_body,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday, 08:00 UTC
WAIT = 5.0  # every wait in these tests is bounded by this


class SecondsClock(Clock):
    """slack_sdk's verifier clock (``now() -> float``), pinned to a test's instant."""

    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    fake.add_user("U1")
    fake.add_user("UADMIN", admin=True)
    fake.add_user("UOWNER", owner=True)
    fake.add_user("UALLOW")
    fake.add_channel("C1")
    fake.add_channel("COUT", member=False)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def settings(settings: Settings, fake: FakeSlack) -> Settings:
    return replace(
        settings,
        slack_api_url=fake.base_url,
        slack_bot_token=BOT_TOKEN,
        slack_app_token=APP_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_admin_users=frozenset({"UALLOW"}),
    )


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=fake.base_url)


@pytest.fixture
def bolt_app(core: ReviewBot, settings: Settings) -> AsyncApp:
    return build_app(core, settings)


class Driver:
    """Sends what Slack would send, in one mode, and returns what the user would see."""

    mode: str

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        self._keys = 0

    def _key(self) -> str:
        self._keys += 1
        return f"{self.mode}-{self._keys}"

    async def command(
        self, command: str, text: str = "", *, user: str = "U1", channel: str = "C1"
    ) -> dict[str, Any]:
        """The message a slash command produced: from the ack, else from response_url."""
        key = self._key()
        payload = slash_command(
            command, text, response_url=self.fake.response_url(key), user=user, channel=channel
        )
        acked = await self.deliver(payload)
        if acked:
            return acked
        responses = await self.fake.wait_for(lambda: self.fake.responses(key), WAIT)
        return dict(responses[0])

    async def click(
        self,
        value: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        action_id: str = ANOTHER_ACTION_ID,
        element: str = "button",
    ) -> dict[str, Any]:
        """The message a button ("Another" by default) or a select option produced
        (always through response_url)."""
        key = self._key()
        payload = block_action(
            action_id,
            value,
            response_url=self.fake.response_url(key),
            user=user,
            channel=channel,
            element=element,
        )
        assert await self.deliver(payload) == {}, "a button is acked empty"
        responses = await self.fake.wait_for(lambda: self.fake.responses(key), WAIT)
        return dict(responses[0])

    async def deliver(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class SocketDriver(Driver):
    mode = "socket"

    async def deliver(self, payload: dict[str, Any]) -> dict[str, Any]:
        kind = "interactive" if payload.get("type") == "block_actions" else "slash_commands"
        envelope_id = await self.fake.send_envelope(kind, payload)
        ack = await self.fake.wait_ack(envelope_id, WAIT)
        return dict(ack.get("payload") or {})


class HttpDriver(Driver):
    mode = "http"

    def __init__(self, fake: FakeSlack, url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(fake)
        self.url = url
        self.session = session

    async def post(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()

    async def deliver(self, payload: dict[str, Any]) -> dict[str, Any]:
        body = form_body(payload)
        status, text = await self.post(body, signed_headers(body, int(time.time())))
        assert status == 200, (status, text)
        return dict(json.loads(text)) if text else {}


@pytest.fixture
async def socket_driver(
    fake: FakeSlack, bolt_app: AsyncApp, core: ReviewBot
) -> AsyncIterator[SocketDriver]:
    handler = DedupingSocketModeHandler(bolt_app, APP_TOKEN, core.seen)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await fake.wait_connected(1, WAIT)
    yield SocketDriver(fake)
    await handler.close_async()  # type: ignore[no-untyped-call]


@pytest.fixture
def verifier() -> SignatureVerifier:
    return SignatureVerifier(SIGNING_SECRET)


@pytest.fixture
async def http_driver(
    fake: FakeSlack, bolt_app: AsyncApp, verifier: SignatureVerifier, core: ReviewBot
) -> AsyncIterator[HttpDriver]:
    runner = web.AppRunner(build_web_app(bolt_app, verifier, core.seen), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        yield HttpDriver(fake, f"http://127.0.0.1:{port}{EVENTS_PATH}", session)
    await runner.cleanup()


@pytest.fixture(params=["socket", "http"])
def slack(request: pytest.FixtureRequest) -> Driver:
    driver: Driver = request.getfixturevalue(f"{request.param}_driver")
    return driver
