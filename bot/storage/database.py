"""The one database connection, its pragmas, its write lock and its migrations.

The bot keeps a single aiosqlite connection (SQLite allows one writer anyway), and a
second one in the checkpointer's thread that only checkpoints the WAL. Every
write goes through ``transaction()``, which holds an asyncio lock so that two coroutines
never interleave statements inside one transaction.

Every SQLite error about the file itself (disk full, read-only, damaged, locked…) leaves
this class as a ``StorageError`` with one sentence (``bot.storage.errors``), so callers
catch one exception type and a user never reads a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from pathlib import Path
from typing import Any

import aiosqlite

from bot.safe_text import safe_path
from bot.storage.checkpointer import JOURNAL_SIZE_LIMIT, Checkpointer
from bot.storage.errors import StorageError, folder_error, storage_error
from bot.storage.migrations import MIGRATIONS

_log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_ROW_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits: str.isdigit() also takes "²"
_MAX_ROW_ID = 2**63 - 1  # SQLite integers are signed 64-bit


def is_row_id(text: str) -> bool:
    """Whether ``text`` is a positive integer that fits a SQLite row id: ids come back
    from buttons and command lines, and a bigger one is an OverflowError in sqlite3."""
    return bool(_ROW_ID.fullmatch(text)) and 0 < int(text) <= _MAX_ROW_ID

__all__ = ["BUSY_TIMEOUT_MS", "Database", "StorageError", "is_row_id"]


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()
        self.checkpointer: Checkpointer | None = None

    @classmethod
    async def open(cls, path: Path, *, migrate_to: int | None = None) -> Database:
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
                       ) -> Database:
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
    async def transaction(self, durable: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception (a failed
        ``COMMIT`` included: a full disk can refuse it and leave the transaction open).

        ``durable`` commits with ``synchronous=FULL`` (an fsync), for the writes that must
        survive a power cut: a daily post's claim and its outcome.
        """
        async with self._write_lock:
            with self._translate():
                if durable:
                    await self.conn.execute("PRAGMA synchronous=FULL")
                try:
                    await self.conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield self.conn
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

    @asynccontextmanager
    async def serialized(self) -> AsyncIterator[aiosqlite.Connection]:
        """The write lock without a transaction: reads then one autocommit write that no
        other coroutine can interleave with (cheaper than BEGIN … COMMIT)."""
        async with self._write_lock:
            with self._translate():
                yield self.conn

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """One row in one thread hop (a cursor's execute + fetch takes three)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        with self._translate():
            return list(await self.conn.execute_fetchall(sql, params))

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> None:
        """Apply each pending migration in its own transaction, bumping ``user_version``.

        The version is read again inside each write transaction: several processes
        opening one new database at once all see version 0 before any has written, and
        only the first to hold the write lock may apply a step; the others then see it
        done ("table films already exists" otherwise).
        """
        target = len(MIGRATIONS) if target is None else target
        current = await self.schema_version()
        while True:
            if current > len(MIGRATIONS):
                raise StorageError(
                    f"{safe_path(self.path)} has schema version {current}, newer than "
                    f"this reviewbot ({len(MIGRATIONS)}): upgrade reviewbot"
                )
            if current >= target:
                return
            async with self.transaction() as conn:
                rows = list(await conn.execute_fetchall("PRAGMA user_version"))
                current = int(rows[0][0])
                if current < min(target, len(MIGRATIONS)):
                    current += 1
                    _log.info("migrating %s to schema version %d", self.path, current)
                    await MIGRATIONS[current - 1](conn)
                    await conn.execute(f"PRAGMA user_version={current}")

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"


def _raise_translated(exc: sqlite3.Error, path: Path) -> None:
    """Raise ``exc`` as a ``StorageError`` when it is about the file; return when it is
    not (a bug in our SQL), for the caller to re-raise it unchanged."""
    error = storage_error(exc, path)
    if error is not None:
        raise error from exc
