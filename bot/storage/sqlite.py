"""The SQLite backend: one aiosqlite connection, WAL, the write lock, ``user_version``.

The bot keeps a single aiosqlite connection (SQLite allows one writer anyway), and a
second one in the checkpointer's thread that only checkpoints the WAL. Every write goes
through ``transaction()``: ``BEGIN IMMEDIATE`` takes SQLite's write lock, which holds
across processes sharing the file, and an asyncio lock keeps two coroutines of this
process from interleaving statements inside one transaction.

Every SQLite error about the file itself (disk full, read-only, damaged, locked…) leaves
this class as a ``StorageError`` with one sentence (``bot.storage.errors``), so callers
catch one exception type and a user never reads a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any

import aiosqlite

from bot.safe_text import safe_path
from bot.storage.checkpointer import JOURNAL_SIZE_LIMIT, Checkpointer
from bot.storage.connection import Connection, Row
from bot.storage.database import Database
from bot.storage.dialect import Dialect
from bot.storage.errors import StorageError, folder_error, storage_error

_log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000

__all__ = ["BUSY_TIMEOUT_MS", "SqliteConnection", "SqliteDatabase"]


class SqliteConnection:
    """``Connection`` over aiosqlite: each call is one hop to the connection's thread."""

    dialect = Dialect.SQLITE
    refusals: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return (await self._conn.execute(sql, params)).rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


class SqliteDatabase(Database):
    dialect = Dialect.SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self.checkpointer: Checkpointer | None = None
        self._connection = SqliteConnection(conn)

    @property
    def name(self) -> str:
        return safe_path(self.path)

    @classmethod
    async def open_file(cls, path: Path, *, migrate_to: int | None = None) -> SqliteDatabase:
        """Open (creating folders and file as needed) and migrate to ``migrate_to`` (latest).

        Raises ``StorageError`` with a sentence for the user; a half-opened connection is
        closed first, or its thread would keep the process alive.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_error(exc, path) from exc
        connecting = aiosqlite.connect(path, isolation_level=None)
        try:
            conn = await connecting
        except sqlite3.Error as exc:
            # aiosqlite stops its worker thread after a failed connect without waiting;
            # if asyncio.run() closed the loop first, the thread would die printing
            # "Event loop is closed". Wait for it while the loop still runs.
            await asyncio.to_thread(connecting._thread.join)
            _raise_translated(exc, path)
            raise StorageError(f"cannot open the database {safe_path(path)}: {exc}") from exc
        try:
            db = await cls._prepare(conn, path, migrate_to)
        except BaseException as exc:
            with suppress(sqlite3.Error):
                await conn.close()
            if isinstance(exc, sqlite3.Error):
                _raise_translated(exc, path)
                raise StorageError(f"cannot use the database {safe_path(path)}: {exc}") from exc
            raise
        db.start_checkpointer()
        return db

    @classmethod
    async def _prepare(cls, conn: aiosqlite.Connection, path: Path, migrate_to: int | None
                       ) -> SqliteDatabase:
        conn.row_factory = aiosqlite.Row
        # busy_timeout first: switching a brand-new file to WAL takes a lock that another
        # process opening the same file at the same moment may hold.
        # NORMAL in WAL mode survives any application crash; only a power cut can lose the
        # last commits. Transactions whose loss would mean a duplicate post ask for FULL.
        # Checkpoints (each an fsync) run in the checkpointer's thread, never in a
        # command's commit; the WAL file is trimmed back to a bound when it restarts.
        for pragma in (
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "wal_autocheckpoint=0",
            f"journal_size_limit={JOURNAL_SIZE_LIMIT}",
        ):
            await conn.execute(f"PRAGMA {pragma}")
        db = cls(conn, path)
        await db.migrate(migrate_to)
        return db

    def start_checkpointer(self) -> None:
        """Checkpoint the WAL in a thread from now on (``open`` does it)."""
        if self.checkpointer is None:
            self.checkpointer = Checkpointer(self.path)
            self.checkpointer.start()

    async def stop_checkpointer(self) -> None:
        """Stop checkpointing, waiting for a checkpoint under way (off the event loop)."""
        checkpointer, self.checkpointer = self.checkpointer, None
        if checkpointer is not None:
            await asyncio.to_thread(checkpointer.stop)

    async def close(self) -> None:
        await self.stop_checkpointer()
        async with self._write_lock:
            with self._translate():
                await self.conn.close()

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Re-raise an SQLite error about the file as a ``StorageError``."""
        try:
            yield
        except sqlite3.Error as exc:
            _raise_translated(exc, self.path)
            raise

    @asynccontextmanager
    async def transaction(
        self, durable: bool = False, lock: str | None = None
    ) -> AsyncIterator[Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (a failed
        ``COMMIT`` included: a full disk can refuse it and leave the transaction open).

        ``durable`` commits with ``synchronous=FULL`` (an fsync), for the writes that must
        survive a power cut: a daily post's claim and its outcome. ``lock`` changes
        nothing here: SQLite has one write lock, and every transaction takes it.
        """
        async with self._write_lock:
            with self._translate():
                if durable:
                    await self.conn.execute("PRAGMA synchronous=FULL")
                try:
                    await self.conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield self._connection
                        await self.conn.execute("COMMIT")
                    except BaseException:
                        await self._rollback()
                        raise
                finally:
                    if durable:
                        with suppress(sqlite3.Error):
                            await self.conn.execute("PRAGMA synchronous=NORMAL")

    async def _rollback(self) -> None:
        """Roll back if a transaction is still open: SQLite rolls back by itself after
        some errors (a full disk, an I/O error), and a second ROLLBACK would raise and
        hide the error that matters."""
        if self.conn.in_transaction:
            try:
                await self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                _log.warning("rollback failed on %s", self.path, exc_info=True)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self._translate():
            return list(await self.conn.execute_fetchall(sql, params))

    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Under the write lock, so it never lands inside another coroutine's open
        transaction on this shared connection."""
        async with self._write_lock:
            with self._translate():
                return list(await self.conn.execute_fetchall(sql, params))

    async def schema_version(self) -> int:
        return await self._read_version(self._connection)

    async def _read_version(self, conn: Connection) -> int:
        row = await conn.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _write_version(self, conn: Connection, version: int) -> None:
        await conn.execute(f"PRAGMA user_version={int(version)}")

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"


def _raise_translated(exc: sqlite3.Error, path: Path) -> None:
    """Raise ``exc`` as a ``StorageError`` when it is about the file; return when it is
    not (a bug in our SQL), for the caller to re-raise it unchanged."""
    error = storage_error(exc, path)
    if error is not None:
        raise error from exc
