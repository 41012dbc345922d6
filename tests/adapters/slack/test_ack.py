"""The acknowledgement leaves when a listener calls ``ack()``, in both modes: a button's
work after its ack, and a listener that never acks, do not hold the answer back."""

from __future__ import annotations

import asyncio
import logging

import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from adapters.slack.ack import AnsweringApp
from adapters.slack.app import build_app
from adapters.slack.blocks import ANOTHER_ACTION_ID
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import Reply
from bot.settings import Settings
from tests.adapters.slack.conftest import WAIT, Driver
from tests.fakes.slack_payloads import block_action, slash_command
from tests.fakes.slack_server import FakeSlack

GUARD = 0.2


class _GatedCore:
    """The real core, whose "Another" waits until the test opens the gate."""

    def __init__(self, core: ReviewBot) -> None:
        self._core = core
        self.gate = asyncio.Event()

    async def handle_text(self, inv: Invocation, line: str) -> Reply:
        return await self._core.handle_text(inv, line)

    async def another(self, inv: Invocation, value: str) -> Reply:
        await self.gate.wait()
        return await self._core.another(inv, value)


@pytest.fixture
def gated(core: ReviewBot) -> _GatedCore:
    return _GatedCore(core)


@pytest.fixture
def bolt_app(gated: _GatedCore, settings: Settings) -> AsyncApp:
    app = build_app(gated, settings)  # type: ignore[arg-type]
    assert isinstance(app, AnsweringApp)
    app.guard = GUARD
    never = asyncio.Event()

    @app.command("/stuck")
    async def stuck(ack: AsyncAck) -> None:
        await never.wait()  # a listener that never gets to its ack
        await ack("too late")

    @app.command("/boom")
    async def boom(ack: AsyncAck) -> None:
        await ack(text="on my way", response_type="ephemeral")
        raise RuntimeError("broke after acknowledging")

    return app


async def test_a_fast_reply_is_in_the_ack(slack: Driver) -> None:
    payload = slash_command("/quote", response_url=slack.fake.response_url("fast"))
    acked = await slack.deliver(payload)
    assert acked["response_type"] == "in_channel"
    assert acked["blocks"][0]["text"]["text"].startswith(">")


async def test_a_button_is_acked_before_its_work_is_done(
    slack: Driver, fake: FakeSlack, gated: _GatedCore
) -> None:
    quote = await slack.command("/quote")
    value = quote["blocks"][-1]["elements"][0]["value"]
    payload = block_action(ANOTHER_ACTION_ID, value, response_url=fake.response_url("gated"))
    # The work waits at the gate: an ack that waited for it would never come.
    assert await asyncio.wait_for(slack.deliver(payload), WAIT) == {}
    assert not fake.responses("gated")
    gated.gate.set()
    answers = await fake.wait_for(lambda: fake.responses("gated"), WAIT)
    assert answers[0]["response_type"] == "in_channel"
    assert answers[0]["blocks"][0]["text"]["text"].startswith(">")


async def test_a_listener_that_never_acks_is_acked_empty_at_the_guard(slack: Driver) -> None:
    payload = slash_command("/stuck", response_url=slack.fake.response_url("stuck"))
    assert await asyncio.wait_for(slack.deliver(payload), WAIT) == {}


async def test_a_failure_after_the_ack_is_logged(
    slack: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    payload = slash_command("/boom", response_url=slack.fake.response_url("boom"))
    with caplog.at_level(logging.ERROR):
        acked = await slack.deliver(payload)
        assert acked["text"] == "on my way"
        await slack.fake.wait_for(lambda: "after acknowledging" in caplog.text, WAIT)
    assert "broke after acknowledging" in caplog.text
