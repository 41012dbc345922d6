"""Fixtures: a fake Discord on loopback, a real core on SQLite, the real client between."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from adapters.discord.runner import run_discord
from bot.app import ReviewBot
from bot.settings import Settings
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import GUILD_ID, FakeDiscord

STOP_TIMEOUT = 10.0


@dataclass
class RunningBot:
    """``run_discord`` as the CLI runs it, in a task; ``stop()`` is the CLI's SIGTERM."""

    task: asyncio.Task[None]
    stop_event: asyncio.Event

    async def stop(self) -> None:
        self.stop_event.set()
        await asyncio.wait_for(self.task, STOP_TIMEOUT)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> AsyncIterator[FakeDiscord]:
    # The nonce window runs on the test's clock: "a resend ten minutes later" is one.
    server = FakeDiscord(now=lambda: clock.now().timestamp())
    await server.start()
    server.redirect(monkeypatch)
    yield server
    await server.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))


@pytest.fixture
def settings(settings: Settings, fake: FakeDiscord) -> Settings:
    return replace(settings, discord_token=fake.token, discord_guild_id=GUILD_ID)


@contextlib.asynccontextmanager
async def running(
    core: ReviewBot, settings: Settings, fake: FakeDiscord
) -> AsyncIterator[RunningBot]:
    """Start the client and wait for its gateway session; stop it cleanly on exit."""
    stop = asyncio.Event()
    task = asyncio.create_task(run_discord(core, settings, stop))
    bot = RunningBot(task, stop)
    try:
        ready = asyncio.create_task(fake.wait_ready())
        await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()  # raise what ended the client
        await ready
        yield bot
    finally:
        if not task.done():
            await bot.stop()


@pytest.fixture
async def bot(core: ReviewBot, settings: Settings, fake: FakeDiscord) -> AsyncIterator[RunningBot]:
    async with running(core, settings, fake) as running_bot:
        yield running_bot
