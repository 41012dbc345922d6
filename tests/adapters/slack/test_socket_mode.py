"""Socket Mode specifics: redelivery runs once, ``disconnect`` reconnects, slow work."""

from __future__ import annotations

import asyncio

from tests.adapters.slack.conftest import WAIT, SocketDriver
from tests.fakes.slack_payloads import slash_command
from tests.fakes.slack_server import FakeSlack


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
