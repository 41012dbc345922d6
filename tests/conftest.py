"""Fixtures every test folder shares: a real SQLite file and a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.settings import Settings
from tests.fakes.clock import FakeClock


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "reviewbot.sqlite3")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
async def core(settings: Settings, clock: FakeClock) -> AsyncIterator[ReviewBot]:
    bot = await ReviewBot.open(settings, clock=clock)
    yield bot
    await bot.close()


@pytest.fixture
def admin() -> Invocation:
    return Invocation("console", "general", "U1", workspace="W1", can_manage=True)


@pytest.fixture
def member() -> Invocation:
    return Invocation("console", "general", "U2", workspace="W1", can_manage=False)
