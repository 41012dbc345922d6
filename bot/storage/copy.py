"""Copy a whole deployment from one database to another (``reviewbot copy SRC DST``).

A deployment moves from its SQLite file to PostgreSQL when it outgrows one process, and
back (a test copy, leaving a server). Everything moves: ``TABLES`` is every table of the
schema, in an order where each row's parent comes first (foreign keys are checked as the
rows arrive), and ``tests/bot/storage/test_copy.py`` fails when a migration adds a table
that is not in it. Ids are kept as they are: buttons on posted messages, decks and the
corrections audit refer to them.

- Both databases are at the same schema version (``Database.open`` migrated both), so
  their tables have the same columns, read from the source's catalogue.
- The target must hold nothing (no row in any table, which a database only opened or
  migrated satisfies; ``ReviewBot.open`` fills it with the default corpus): a copy never
  merges into a deployment or overwrites one.
- The whole copy is one write transaction on the target: a failure anywhere (a refused
  row, a lost connection, Ctrl-C) leaves the target empty, and a second copy into the
  same target at the same time waits and is then refused. The source is read inside one
  of its own write transactions, so no other writer changes it meanwhile (on SQLite the
  reads are also one snapshot; PostgreSQL's deck and cooldown writers, which take their
  own locks, may still move a deck's position). The bot should be stopped anyway: what
  it writes after the copy is not in the target.
- Rows go in chunks of ``CHUNK_ROWS`` read in key order from where the last chunk ended
  (keyset pagination, an index range on both engines), so memory stays bounded at a
  million quotes.
- Each numbered table (keyed by an engine-numbered ``id``) carries on its counter: the
  target's next id follows the highest id the source ever gave, deleted rows included
  (SQLite's ``sqlite_sequence`` for its ``AUTOINCREMENT`` quotes, a PostgreSQL identity
  column's sequence), so a quote id on an old message never names a new quote.

The statements that are one engine's own (catalogue, counters, ``ANALYZE``) are the
small branches on ``Connection.dialect`` below.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.connection import Connection, Row
from bot.storage.database import Database
from bot.storage.dialect import Dialect
from bot.storage.errors import StorageError
from bot.storage.migrations import MIGRATIONS

_log = logging.getLogger(__name__)

CHUNK_ROWS = 5000

# (table, rows copied so far in all tables, rows to copy in all): after each chunk.
OnProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]  # its primary key: the order rows are read in

    @property
    def numbered(self) -> bool:
        """Whether the engine numbers its rows (an ``INTEGER PRIMARY KEY id``: SQLite's
        rowid, a PostgreSQL identity column), so its counter must be carried over."""
        return self.key == ("id",)


TABLES: tuple[Table, ...] = (
    Table("films", ("id",)),
    Table("film_grams", ("gram", "title", "film_id")),
    Table("gram_sizes", ("gram",)),
    Table("documents", ("id",)),
    Table("quotes", ("id",)),
    Table("film_stats", ("film_id", "kind", "label")),
    Table("pool", ("film_id", "version", "mood", "rank")),
    Table("pool_sizes", ("film_id", "version", "mood")),
    Table("decks", ("channel_key", "film_id", "mood")),
    Table("schedules", ("id",)),
    Table("posts", ("schedule_id", "local_date")),
    Table("schedule_skips", ("schedule_id", "local_date")),
    Table("corrections", ("film_id", "text_key")),
    Table("correction_log", ("id",)),
    Table("reports", ("id",)),
    Table("meta", ("key",)),
    Table("cooldowns", ("member",)),
    Table("seen_once", ("key",)),
)


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    rows: dict[str, int]  # rows copied per table, in ``TABLES`` order
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


async def copy_between(
    src: Path | str, dst: Path | str, progress: OnProgress | None = None
) -> CopyReport:
    """Open ``src`` and ``dst`` (paths or URLs, migrated), copy, and close both."""
    async with AsyncExitStack() as opened:
        source = await Database.open(src)
        opened.push_async_callback(source.close)
        target = await Database.open(dst)
        opened.push_async_callback(target.close)
        return await copy_database(source, target, progress)


async def copy_database(
    src: Database, dst: Database, progress: OnProgress | None = None
) -> CopyReport:
    """Copy every row of ``src`` into the empty ``dst`` (see the module's docstring).

    Raises ``StorageError`` with one sentence when ``dst`` holds anything, when the two
    are not at this reviewbot's schema version, or when ``dst`` refuses a row; ``dst``
    is then left as it was.
    """
    if src.name == dst.name:
        raise StorageError(f"{src.name} is both the source and the target: copy into "
                           "another database", "same")
    await _check_versions(src, dst)
    started = time.perf_counter()
    rows: dict[str, int] = {}
    async with dst.transaction(durable=True) as writing, src.transaction() as reading:
        await _refuse_held(writing, dst.name)
        total, done = sum([await _count(reading, table) for table in TABLES]), 0
        for table in TABLES:
            rows[table.name] = 0
            columns = await _columns(reading, table)
            async for chunk in _chunks(reading, table, columns):
                await _insert(writing, table, columns, chunk, dst.name)
                rows[table.name] += len(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(table.name, done, total)
            if table.numbered:
                await _set_last_id(writing, table, await _last_id(reading, table))
        if writing.dialect is Dialect.POSTGRESQL:
            # Statistics now, not at autovacuum's next round: the bot's first queries on
            # a million fresh rows would be planned blind.
            await writing.execute("ANALYZE " + ", ".join(t.name for t in TABLES))
    report = CopyReport(src.name, dst.name, rows, time.perf_counter() - started)
    _log.info("copied %d rows from %s to %s in %.1f s", report.total, src.name, dst.name,
              report.seconds)
    return report


async def _check_versions(src: Database, dst: Database) -> None:
    latest = len(MIGRATIONS)
    for db in (src, dst):
        version = await db.schema_version()
        if version != latest:
            raise StorageError(
                f"{db.name} has schema version {version}, not {latest}: open it with "
                "Database.open (or run reviewbot migrate --db on it) before copying",
                "version",
            )


async def _refuse_held(conn: Connection, name: str) -> None:
    held = [t.name for t in TABLES if await conn.fetchone(f"SELECT 1 FROM {t.name} LIMIT 1")]
    if held:
        raise StorageError(
            f"{name} is not empty (it holds {', '.join(held)}): copy into a new, empty "
            "database (a new file, or a new PostgreSQL database: createdb NAME); "
            "nothing was copied", "not-empty",
        )


async def _count(conn: Connection, table: Table) -> int:
    row = await conn.fetchone(f"SELECT COUNT(*) FROM {table.name}")
    return int(row[0]) if row else 0


async def _columns(conn: Connection, table: Table) -> list[str]:
    """The table's columns in order, from the engine's catalogue."""
    if conn.dialect is Dialect.SQLITE:
        sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
    else:
        sql = ("SELECT column_name FROM information_schema.columns WHERE table_schema ="
               " current_schema() AND table_name = ? ORDER BY ordinal_position")
    return [str(r[0]) for r in await conn.fetchall(sql, (table.name,))]


async def _chunks(
    conn: Connection, table: Table, columns: list[str]
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The table's rows, ``CHUNK_ROWS`` at a time in key order: each read starts after
    the last key of the one before (``(a, b) > (?, ?)``), never at an offset."""
    select = f"SELECT {', '.join(columns)} FROM {table.name}"
    order = f" ORDER BY {', '.join(table.key)} LIMIT {CHUNK_ROWS}"
    after = (f" WHERE ({', '.join(table.key)}) > ({', '.join('?' * len(table.key))})"
             f"{order}")
    rows: Sequence[Row] = await conn.fetchall(select + order)
    while rows:
        yield [tuple(r) for r in rows]
        if len(rows) < CHUNK_ROWS:
            return
        last = rows[-1]
        rows = await conn.fetchall(select + after, [last[k] for k in table.key])


async def _insert(conn: Connection, table: Table, columns: list[str],
                  rows: list[tuple[Any, ...]], target: str) -> None:
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)})"
           f" VALUES ({', '.join('?' * len(columns))})")
    try:
        await conn.executemany(sql, rows)
    except conn.refusals as exc:
        first = dict(zip(columns, rows[0], strict=True))
        where = ", ".join(f"{k} {first[k]!r}" for k in table.key)
        reason = " ".join(str(exc).split())
        raise StorageError(
            f"{target} refused a row of {table.name} (from {where} on: {reason}); "
            f"nothing was copied, {target} is still empty", "refused-row",
        ) from exc


async def _last_id(conn: Connection, table: Table) -> int:
    """The highest id ``table`` ever gave: its highest row, or higher when the rows at
    the top were deleted and the engine remembers them (an ``AUTOINCREMENT`` table's
    ``sqlite_sequence`` row, an identity column's sequence)."""
    row = await conn.fetchone(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}")
    highest = int(row[0]) if row else 0
    if conn.dialect is Dialect.SQLITE:
        seq = await conn.fetchone("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                  (table.name,))
    else:
        seq = await conn.fetchone(
            f"SELECT last_value - CASE WHEN is_called THEN 0 ELSE 1 END"
            f" FROM {await _sequence(conn, table)}"
        )
    return max(highest, int(seq[0])) if seq else highest


async def _set_last_id(conn: Connection, table: Table, last: int) -> None:
    """Make ``last`` the highest id ``table`` gave, so its next new row gets ``last + 1``.

    SQLite numbers a table without ``AUTOINCREMENT`` from its highest row, as it always
    does; an ``AUTOINCREMENT`` one (quotes) from its ``sqlite_sequence`` row, set here.
    """
    if conn.dialect is Dialect.POSTGRESQL:
        await conn.execute("SELECT setval(pg_get_serial_sequence(?, 'id'), ?, false)",
                           (table.name, last + 1))
        return
    counted = await conn.fetchone(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        " AND sql LIKE '%AUTOINCREMENT%'", (table.name,),
    )
    if counted:
        await conn.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table.name,))
        await conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                           (table.name, last))


async def _sequence(conn: Connection, table: Table) -> str:
    """The sequence behind a PostgreSQL identity column, as a quoted qualified name."""
    [(name,)] = await conn.fetchall("SELECT pg_get_serial_sequence(?, 'id')", (table.name,))
    return str(name)
