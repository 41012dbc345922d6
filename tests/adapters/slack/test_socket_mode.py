"""Socket Mode specifics: redelivery runs once (on this connection or another one on the
same database), ``disconnect`` reconnects, slow work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.socket_mode import DedupingSocketModeHandler
from bot.app import ReviewBot
from tests.adapters.slack.conftest import WAIT, SocketDriver
from tests.backends import read_only
from tests.fakes.slack_payloads import slash_command
from tests.fakes.slack_server import APP_TOKEN, FakeSlack


@pytest.fixture
def ran(bolt_app: AsyncApp) -> list[str]:
    """Every run of ``/collect`` (a command of this test's own), by its response_url."""
    ran: list[str] = []

    @bolt_app.command("/collect")
    async def collect(ack: Any, command: dict[str, Any]) -> None:
        ran.append(command["response_url"])
        await ack("collected")

    return ran


@pytest.fixture
async def second_connection(
    socket_driver: SocketDriver, fake: FakeSlack, bolt_app: AsyncApp, core: ReviewBot
) -> AsyncIterator[DedupingSocketModeHandler]:
    """Another replica's connection: its own handler and memory, the same database."""
    handler = DedupingSocketModeHandler(bolt_app, APP_TOKEN, core.seen)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await fake.wait_for(lambda: fake.live_connections() == 2, WAIT)
    yield handler
    await handler.close_async()  # type: ignore[no-untyped-call]


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


async def test_an_answer_whose_ack_was_lost_is_not_run_again_on_another_connection(
    second_connection: DedupingSocketModeHandler, fake: FakeSlack, ran: list[str]
) -> None:
    fake.lose_acks(1)
    payload = slash_command("/collect", response_url=fake.response_url("r"))
    envelope_id = await fake.send_envelope("slash_commands", payload)
    lost = await fake.wait_for(lambda: fake.lost_acks, WAIT)
    assert lost[0]["payload"] == {"text": "collected"}
    assert await fake.redeliver_unacked() == [envelope_id]
    ack = await fake.wait_ack(envelope_id, WAIT)
    assert fake.delivered_on[envelope_id] == [1, 2] and fake.acked_on[envelope_id] == [2]
    assert "payload" not in ack, "the other connection acknowledges it, not answered again"
    assert ran == [payload["response_url"]]


async def test_redelivery_is_caught_here_when_the_database_fails(
    socket_driver: SocketDriver, fake: FakeSlack, ran: list[str], core: ReviewBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    payload = slash_command("/collect", response_url=fake.response_url("r"))
    async with read_only(core.db):
        envelope_id = await fake.send_envelope("slash_commands", payload)
        assert (await fake.wait_ack(envelope_id, WAIT))["payload"] == {"text": "collected"}
        await fake.send_envelope("slash_commands", payload, envelope_id=envelope_id)
        await fake.wait_for(lambda: len(fake.acks_for(envelope_id)) == 2, WAIT)
    assert "payload" not in fake.acks_for(envelope_id)[1]
    assert ran == [payload["response_url"]]
    assert "checked by this replica alone" in caplog.text
