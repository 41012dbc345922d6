"""The two storage backends for tests: a SQLite file, or a fresh PostgreSQL database.

PostgreSQL is found through ``REVIEWBOT_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``, the server every machine of this project
runs). Each test gets its own database, created from a template that holds the default
corpus (ingested once per session, like the SQLite template file), and dropped after.
With no server reachable, the PostgreSQL half of the suite skips with one reason; under
``CI=true`` that is a failure instead, so a broken CI machine cannot pass by skipping.

A test module runs on both backends by importing ``both_backends as backend``; a test
directory by doing so in its ``conftest.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from bot.app import ReviewBot
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.dialect import to_postgresql
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import SqliteDatabase

BACKENDS = ("sqlite", "postgresql")
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
_PREFIX = "reviewbot_test_"
_numbers = itertools.count()


def admin_url() -> str:
    return os.environ.get("REVIEWBOT_TEST_POSTGRES") or DEFAULT_URL


def database_url(name: str) -> str:
    """The admin URL pointing at the database ``name`` instead."""
    return urlunsplit(urlsplit(admin_url())._replace(path=f"/{name}"))


@pytest.fixture(params=BACKENDS)
def both_backends(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _admin_async(sql: str) -> None:
    conn = await asyncpg.connect(admin_url(), timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _drop_stale() -> None:
    """Drop databases a killed test run left behind (their process is gone)."""
    conn = await asyncpg.connect(admin_url(), timeout=5)
    try:
        rows = await conn.fetch(
            "SELECT datname FROM pg_database WHERE datname LIKE $1", f"{_PREFIX}%")
        for row in rows:
            pid = row[0][len(_PREFIX):].split("_", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                await conn.execute(f'DROP DATABASE IF EXISTS "{row[0]}" WITH (FORCE)')
    finally:
        await conn.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_database(template: str | None = None) -> str:
    """A new empty database (or a copy of ``template``); its name."""
    name = f"{_PREFIX}{os.getpid()}_{next(_numbers)}"
    clause = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin_async(f'CREATE DATABASE "{name}"{clause}'))
    return name


def drop_database(name: str) -> None:
    asyncio.run(_admin_async(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> str:
    """The admin URL, once the server answered; skips (fails under CI) otherwise."""
    try:
        asyncio.run(_drop_stale())
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        reason = f"PostgreSQL is not reachable at {admin_url()} ({exc or type(exc).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(f"{reason}: set REVIEWBOT_TEST_POSTGRES to run these tests on it")
    return admin_url()


@pytest.fixture
def postgres_database(postgres: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test: its URL."""
    name = create_database()
    yield database_url(name)
    drop_database(name)


async def execute(db: Database, sql: str, params: Sequence[Any] = ()) -> None:
    """One statement in its own transaction, on either backend (a test's setup)."""
    async with db.transaction() as conn:
        await conn.execute(sql, params)


@asynccontextmanager
async def read_only(db: Database) -> AsyncIterator[None]:
    """Writes fail from here to the end of the block, as on a database that turned
    read-only under a running bot: SQLite's ``query_only``; on PostgreSQL, the database's
    default for new sessions, with the pool's connections replaced so they take it."""
    if isinstance(db, SqliteDatabase):
        await db.conn.execute("PRAGMA query_only=1")
        try:
            yield
        finally:
            await db.conn.execute("PRAGMA query_only=0")
        return
    assert isinstance(db, PostgresDatabase)
    name = urlsplit(db.url).path.lstrip("/")
    await _admin_async(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    await db.pool.expire_connections()
    try:
        yield
    finally:
        await _admin_async(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
        await db.pool.expire_connections()


def only_on_sqlite(backend: str, why: str) -> None:
    """Skip the PostgreSQL run of a test about SQLite's own file (``why`` says what)."""
    if backend != "sqlite":
        pytest.skip(f"SQLite only: {why}")


@pytest.fixture(scope="session")
def template_postgres(postgres: str) -> Iterator[str]:
    """A PostgreSQL database with the default corpus, made once per session; each test
    copies it (``CREATE DATABASE … TEMPLATE``), as SQLite tests copy a template file."""
    name = create_database()

    async def build() -> None:
        await (await ReviewBot.open(Settings(database_url=database_url(name)))).close()

    asyncio.run(build())
    yield name
    drop_database(name)


@pytest.fixture
def postgres_copy(template_postgres: str) -> Iterator[str]:
    """A test's own copy of the template: its URL, dropped after the test."""
    name = create_database(template=template_postgres)
    yield database_url(name)
    drop_database(name)


@pytest.fixture
def empty_target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Path | str:
    """Where a test's own new database goes: a SQLite path, or a fresh PostgreSQL URL."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_database"))
    return tmp_path / "reviewbot.sqlite3"


def settings_for(target: Path | str) -> Settings:
    return Settings(database_url=target) if isinstance(target, str) else Settings(db_path=target)


def query(target: Path | str, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Rows of one statement (committed), from outside the bot: the way a test looks at
    a database a ``reviewbot`` process wrote, on either backend."""
    if isinstance(target, Path):
        with closing(sqlite3.connect(target)) as conn, conn:
            return conn.execute(sql, params).fetchall()

    async def fetch() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(target, timeout=5)
        try:
            return [tuple(r) for r in await conn.fetch(to_postgresql(sql), *params)]
        finally:
            await conn.close()

    return asyncio.run(fetch())
