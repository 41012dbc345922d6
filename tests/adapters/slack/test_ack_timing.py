"""The 3 s rule: slow work is acknowledged empty at once and answered by response_url."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_app
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import Reply
from bot.settings import Settings
from tests.adapters.slack.conftest import WAIT, Driver
from tests.fakes.slack_payloads import slash_command
from tests.fakes.slack_server import FakeSlack

CORE_DELAY = 1.0
ACK_BUDGET = 0.1


class _SlowCore:
    """The real core, answering ``handle_text`` only after ``CORE_DELAY`` seconds."""

    def __init__(self, core: ReviewBot) -> None:
        self._core = core

    async def handle_text(self, inv: Invocation, line: str) -> Reply:
        await asyncio.sleep(CORE_DELAY)
        return await self._core.handle_text(inv, line)


@pytest.fixture
def bolt_app(core: ReviewBot, settings: Settings) -> AsyncApp:
    slow = _SlowCore(core)
    return build_app(slow, settings, ack_budget=ACK_BUDGET)  # type: ignore[arg-type]


async def test_slow_work_is_acked_empty_then_answered(slack: Driver, fake: FakeSlack) -> None:
    payload = slash_command("/quote", response_url=fake.response_url("slow"))
    loop = asyncio.get_running_loop()
    sent = loop.time()
    acked = await slack.deliver(payload)
    acked_after = loop.time() - sent
    assert acked == {}, "nothing to say yet"
    assert acked_after < CORE_DELAY - 0.1, f"acked after {acked_after:.2f}s"
    responses: list[dict[str, Any]] = await fake.wait_for(lambda: fake.responses("slow"), WAIT)
    assert loop.time() - sent >= CORE_DELAY
    assert responses[0]["response_type"] == "in_channel"
    assert responses[0]["replace_original"] is False
    assert responses[0]["blocks"][0]["text"]["text"].startswith(">")
