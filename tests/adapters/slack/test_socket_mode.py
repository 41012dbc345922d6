"""Socket Mode specifics: redelivery runs once, ``disconnect`` reconnects, slow work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import build_app
from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import Reply
from bot.settings import Settings
from tests.adapters.slack.conftest import WAIT, SocketDriver
from tests.fakes.slack_payloads import slash_command
from tests.fakes.slack_server import APP_TOKEN, FakeSlack


async def test_redelivered_envelope_runs_once(socket_driver: SocketDriver, fake: FakeSlack) -> None:
    payload = slash_command("/quote", response_url=fake.response_url("r"))
    envelope_id = await fake.send_envelope("slash_commands", payload)
    first = await fake.wait_ack(envelope_id, WAIT)
    assert first["payload"]["response_type"] == "in_channel"
    await fake.send_envelope("slash_commands", payload, envelope_id=envelope_id)
    acks = await fake.wait_for(lambda: len(fake.acks_for(envelope_id)) == 2, WAIT)
    assert acks
    second = fake.acks_for(envelope_id)[1]
    assert "payload" not in second, "the repeat is acknowledged, not answered again"
    await asyncio.sleep(0.1)
    assert fake.responses("r") == []


async def test_disconnect_then_reconnect(socket_driver: SocketDriver, fake: FakeSlack) -> None:
    assert fake.connections_opened == 1
    await fake.send_disconnect()
    await fake.wait_connected(2, WAIT)
    assert len(fake.calls("apps.connections.open")) == 2
    message = await socket_driver.command("/quote")
    assert message["response_type"] == "in_channel"


class _SlowCore:
    """The real core, answering ``handle_text`` only after ``delay`` seconds."""

    def __init__(self, core: ReviewBot, delay: float) -> None:
        self._core = core
        self._delay = delay

    async def handle_text(self, inv: Invocation, line: str) -> Reply:
        await asyncio.sleep(self._delay)
        return await self._core.handle_text(inv, line)


@pytest.fixture
async def slow_driver(
    fake: FakeSlack, core: ReviewBot, settings: Settings, client: AsyncWebClient
) -> AsyncIterator[SocketDriver]:
    app = build_app(_SlowCore(core, 0.5), settings, client, ack_budget=0.1)  # type: ignore[arg-type]
    handler = DedupingSocketModeHandler(app, APP_TOKEN, web_client=client)
    await handler.connect_async()
    await fake.wait_connected(1, WAIT)
    yield SocketDriver(fake)
    await handler.close_async()


async def test_slow_work_is_acked_empty_then_answered_by_response_url(
    slow_driver: SocketDriver, fake: FakeSlack
) -> None:
    payload = slash_command("/quote", response_url=fake.response_url("slow"))
    loop = asyncio.get_running_loop()
    sent = loop.time()
    envelope_id = await fake.send_envelope("slash_commands", payload)
    ack = await fake.wait_ack(envelope_id, WAIT)
    acked_after = loop.time() - sent
    assert "payload" not in ack
    assert acked_after < 0.45, f"acked after {acked_after:.2f}s, before the core answered"
    responses: list[dict[str, Any]] = await fake.wait_for(lambda: fake.responses("slow"), WAIT)
    assert responses[0]["response_type"] == "in_channel"
    assert responses[0]["replace_original"] is False
