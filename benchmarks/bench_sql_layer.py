"""Our thin SQL layer against SQLAlchemy Core, measured on ``/quote``'s draw (issue 13).

Issue 13 asked to choose between SQLAlchemy Core and "a thin interface of your own" by
measuring ``/quote`` p99 on both backends. The thin layer is what the bot runs
(``bot/storage/connection.py``, ``dialect.py``, ``sqlite.py``, ``postgres.py``); this
script runs ``/quote``'s storage part, ``CorpusStore.draw`` (``bot/storage/corpus.py``),
unchanged through both, whatever statements it makes (today: the deck's claim, an
``UPDATE … RETURNING`` committing by itself, then the quote's ``SELECT``; when a round
starts, the pool's state and the round's upsert):

- ``ours``: the bot's ``Database`` as shipped (SQLite: one aiosqlite connection;
  PostgreSQL: the asyncpg pool with its statement cache; a transaction's ``BEGIN``,
  ``synchronous_commit = off`` and lock in one round trip);
- ``sqlalchemy``: two ``AsyncEngine`` objects (``sqlite+aiosqlite``, ``postgresql+asyncpg``) and
  a connection from the engine per statement (autocommit, as ours) or per transaction
  (``engine.begin()``), each statement a cached ``text()`` with bound parameters, rows
  read by position and by name. Set up to do what ours does: the same pragmas and
  ``BEGIN IMMEDIATE`` on SQLite (SQLAlchemy's documented recipe),
  ``synchronous_commit = off`` and the same advisory lock on PostgreSQL.

Same films, moods and channels for both (each layer its own decks), on the cached 1M
corpus of each backend, the layers alternating in blocks of ``--block`` draws.
SQLAlchemy is not a dependency of the bot: install it into the venv to run this.

Run: ``.venv/bin/python -m benchmarks.bench_sql_layer --size 1M``
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import re
import sys
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from benchmarks import corpus
from benchmarks.bench_scale import BACKENDS, forget_decks
from benchmarks.common import load_average, print_table, summary_ms, timed
from bot.models import Mood
from bot.storage import Database
from bot.storage.connection import Connection, Row
from bot.storage.corpus import CorpusStore
from bot.storage.dialect import Dialect
from bot.storage.postgres import lock_key
from bot.storage.sqlite import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    import sqlalchemy
    from sqlalchemy import TextClause
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

CHANNELS = 50
LAYERS = ("ours", "sqlalchemy")
MISSING = "pip install 'sqlalchemy[asyncio]' to run this comparison"
_PLACEHOLDER = re.compile(r"'(?:[^']|'')*'|\?")  # a quoted literal, or a placeholder


@lru_cache(maxsize=256)
def statement(sql: str) -> TextClause:
    """The storage layer's SQL (``?`` placeholders, which ``CorpusStore`` writes) as a
    ``text()`` with named parameters ``:p1``, ``:p2``…, built once per statement."""
    from sqlalchemy import text

    numbers = iter(range(1, sql.count("?") + 1))
    return text(_PLACEHOLDER.sub(
        lambda m: m.group() if m.group().startswith("'") else f":p{next(numbers)}", sql))


def bound(params: Sequence[Any]) -> dict[str, Any]:
    return {f"p{i}": value for i, value in enumerate(params, start=1)}


class AlchemyRow:
    """A SQLAlchemy row read as the storage modules read rows: ``r[0]`` and ``r["col"]``."""

    __slots__ = ("_row",)

    def __init__(self, row: sqlalchemy.Row[Any]) -> None:
        self._row = row

    def __getitem__(self, key: Any) -> Any:
        return self._row._mapping[key] if isinstance(key, str) else self._row[key]

    def __len__(self) -> int:
        return len(self._row)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._row)


class AlchemyConnection:
    """The storage layer's ``Connection`` over a SQLAlchemy ``AsyncConnection``."""

    def __init__(self, conn: AsyncConnection, dialect: Dialect) -> None:
        self._conn = conn
        self.dialect = dialect

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        result = await self._conn.execute(statement(sql), bound(params))
        return int(result.rowcount)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.execute(statement(sql), [bound(r) for r in rows])

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        result = await self._conn.execute(statement(sql), bound(params))
        return [AlchemyRow(r) for r in result] if result.returns_rows else []

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class AlchemyDatabase:
    """What ``CorpusStore.draw`` uses of a ``Database`` (one-statement reads and writes,
    transactions) through SQLAlchemy Core. As the bot's backends do, a statement on its
    own runs in autocommit (an engine with ``isolation_level="AUTOCOMMIT"``: no
    ``BEGIN``/``COMMIT``), and a transaction takes a connection from a second engine
    that begins one (``engine.begin()``) and commits it at the end."""

    def __init__(self, statements: AsyncEngine, transactions: AsyncEngine,
                 dialect: Dialect) -> None:
        self.statements = statements
        self.transactions = transactions
        self.dialect = dialect

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        async with self.statements.connect() as conn:
            return await AlchemyConnection(conn, self.dialect).fetchall(sql, params)

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return await self.fetchall(sql, params)

    @asynccontextmanager
    async def transaction(self, durable: bool = False, lock: str | None = None
                          ) -> AsyncIterator[Connection]:
        async with self.transactions.begin() as conn:
            if self.dialect is Dialect.POSTGRESQL:
                await conn.execute(statement("SELECT pg_advisory_xact_lock(?)"),
                                   bound([lock_key(lock or "reviewbot:writes")]))
            yield AlchemyConnection(conn, self.dialect)

    async def dispose(self) -> None:
        await self.statements.dispose()
        await self.transactions.dispose()


def engines_for(target: Path | str) -> AlchemyDatabase:
    """SQLAlchemy engines on the same database, set up as the bot's backend sets its own."""
    if isinstance(target, str):
        url = target.replace("postgresql://", "postgresql+asyncpg://", 1)
        return AlchemyDatabase(_postgres_engine(url, "AUTOCOMMIT"),
                               _postgres_engine(url, "READ COMMITTED"), Dialect.POSTGRESQL)
    return AlchemyDatabase(_sqlite_engine(target, "AUTOCOMMIT"),
                           _sqlite_engine(target, "SERIALIZABLE"), Dialect.SQLITE)


def _postgres_engine(url: str, isolation: str) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    return create_async_engine(
        url, isolation_level=isolation,
        connect_args={"server_settings": {"synchronous_commit": "off"}},
    )


def _sqlite_engine(path: Path, isolation: str) -> AsyncEngine:
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", isolation_level=isolation)

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy's recipe for SQLite transactions it controls: no implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (f"busy_timeout={BUSY_TIMEOUT_MS}", "synchronous=NORMAL",
                       "foreign_keys=ON", "wal_autocheckpoint=0"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    if isolation != "AUTOCOMMIT":
        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, as the bot takes it

    return engine


async def compare(backend: str, key: str, draws: int, block: int) -> list[list[object]]:
    """Rows of draw latency per layer on ``backend``."""
    target = await corpus.target(key, backend)
    await forget_decks(target)
    ours = await Database.open(target)
    theirs = engines_for(target)
    try:
        # CorpusStore.draw uses only fetchall, fetchone, write and transaction (and
        # rebuilds pools never built, which the cached corpora do not have): the
        # SQLAlchemy database stands in for ours.
        stores = {"ours": CorpusStore(ours),
                  "sqlalchemy": CorpusStore(cast(Database, theirs))}
        films = await stores["ours"].films()
        rng = random.Random(f"{key}:{backend}")
        picks = [(rng.choice(films).id, rng.choice(list(Mood)), f"c{rng.randrange(CHANNELS)}")
                 for _ in range(draws)]
        times: dict[str, list[float]] = {layer: [] for layer in LAYERS}
        for layer in LAYERS:  # warm: connections open, statements prepared
            for film_id, mood, channel in picks[:20]:
                await stores[layer].draw(f"warm:{layer}:{channel}", film_id, mood, rng)
        for number, first in enumerate(range(0, draws, block)):
            for layer in LAYERS if number % 2 == 0 else LAYERS[::-1]:
                for film_id, mood, channel in picks[first:first + block]:
                    times[layer].append(await timed(_draw(
                        stores[layer], f"{layer}:{channel}", film_id, mood, rng)))
    finally:
        await ours.close()
        await theirs.dispose()
    base50, _, base99 = summary_ms(times["ours"])
    rows: list[list[object]] = []
    for layer in LAYERS:
        p50, p95, p99 = summary_ms(times[layer])
        rows.append([backend, layer, len(times[layer]), p50, p95, p99,
                     max(times[layer]) * 1000, f"{p50 / base50:.2f}x", f"{p99 / base99:.2f}x"])
    return rows


async def _draw(store: CorpusStore, channel_key: str, film_id: int, mood: Mood,
                rng: random.Random) -> None:
    if await store.draw(channel_key, film_id, mood, rng) is None:
        raise RuntimeError(f"no quote drawn for film {film_id} {mood.value}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", help="corpus key: 1k, 100k, 1M, N-1film")
    parser.add_argument("--draws", type=int, default=2000, help="draws per layer and backend")
    parser.add_argument("--block", type=int, default=100, help="draws per layer in turn")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    args = parser.parse_args(argv)
    if not all(importlib.util.find_spec(m) for m in ("sqlalchemy", "greenlet")):
        sys.exit(MISSING)
    rows: list[list[object]] = []
    for backend in args.backends.split(","):
        rows += asyncio.run(compare(backend, args.size, args.draws, args.block))
    print_table(
        f"CorpusStore.draw (/quote's storage part), ms, through our layer"
        f" and through SQLAlchemy Core ({args.size} corpus; {args.draws} draws per layer,"
        f" alternating in blocks of {args.block}); vs ours = this layer / ours;"
        f" {load_average()}",
        ["backend", "layer", "draws", "p50", "p95", "p99", "max", "p50 vs ours",
         "p99 vs ours"],
        rows,
    )


if __name__ == "__main__":
    main()
