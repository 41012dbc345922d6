"""Fixtures every test folder shares: a real SQLite file and a fake clock."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.settings import Settings
from tests.fakes.clock import FakeClock

pytest_plugins = ["tests.backends"]


@pytest.fixture
def backend() -> str:
    """The storage backend a test runs on: SQLite unless its module or folder asks for
    both (``tests.backends.both_backends``)."""
    return "sqlite"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database with the default corpus, ingested once for the whole session:
    scoring the seed files takes about a second, too long to repeat for every test."""
    path = tmp_path_factory.mktemp("template") / "reviewbot.sqlite3"

    async def build() -> None:
        await (await ReviewBot.open(Settings(db_path=path))).close()

    asyncio.run(build())
    return path


@pytest.fixture
def settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """A test's own database holding the default corpus: a file copied from the SQLite
    template with SQLite's backup API, or a PostgreSQL database copied from its template."""
    db_path = tmp_path / "reviewbot.sqlite3"
    if backend == "postgresql":
        yield Settings(db_path=db_path, database_url=request.getfixturevalue("postgres_copy"))
        return
    template_db = request.getfixturevalue("template_db")
    with closing(sqlite3.connect(template_db)) as src, closing(sqlite3.connect(db_path)) as dst:
        src.backup(dst)
    yield Settings(db_path=db_path)


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
