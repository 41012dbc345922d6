"""The one database connection, its pragmas, its write lock and its migrations.

The bot keeps a single aiosqlite connection (SQLite allows one writer anyway). Every
write goes through ``transaction()``, which holds an asyncio lock so that two coroutines
never interleave statements inside one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import MIGRATIONS

_log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """The database cannot be opened or used; ``str()`` says which file and why."""


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path, *, migrate_to: int | None = None) -> Database:
        """Open (creating folders and file as needed) and migrate to ``migrate_to`` (latest).

        Raises ``StorageError`` with a sentence for the user; a half-opened connection is
        closed first, or its thread would keep the process alive.
        """
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"cannot open the database {path}: {exc}") from exc
        try:
            return await cls._prepare(conn, path, migrate_to)
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StorageError(f"cannot use the database {path}: {exc}") from exc
            raise

    @classmethod
    async def _prepare(cls, conn: aiosqlite.Connection, path: Path, migrate_to: int | None
                       ) -> Database:
        conn.row_factory = aiosqlite.Row
        # NORMAL in WAL mode survives any application crash; only a power cut can lose the
        # last commits. Transactions whose loss would mean a duplicate post ask for FULL.
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "synchronous=NORMAL",
            "foreign_keys=ON",
        ):
            await conn.execute(f"PRAGMA {pragma}")
        db = cls(conn, path)
        await db.migrate(migrate_to)
        return db

    async def close(self) -> None:
        async with self._write_lock:
            await self.conn.close()

    @asynccontextmanager
    async def transaction(self, durable: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

        ``durable`` commits with ``synchronous=FULL`` (an fsync), for the writes that must
        survive a power cut: a daily post's claim and its outcome.
        """
        async with self._write_lock:
            if durable:
                await self.conn.execute("PRAGMA synchronous=FULL")
            try:
                await self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self.conn
                except BaseException:
                    await self.conn.execute("ROLLBACK")
                    raise
                await self.conn.execute("COMMIT")
            finally:
                if durable:
                    await self.conn.execute("PRAGMA synchronous=NORMAL")

    @asynccontextmanager
    async def serialized(self) -> AsyncIterator[aiosqlite.Connection]:
        """The write lock without a transaction: reads then one autocommit write that no
        other coroutine can interleave with (cheaper than BEGIN … COMMIT)."""
        async with self._write_lock:
            yield self.conn

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        """One row in one thread hop (a cursor's execute + fetch takes three)."""
        rows = list(await self.conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self.conn.execute_fetchall(sql, params))

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> None:
        """Apply each pending migration in its own transaction, bumping ``user_version``."""
        target = len(MIGRATIONS) if target is None else target
        current = await self.schema_version()
        if current > len(MIGRATIONS):
            raise StorageError(
                f"{self.path} has schema version {current}, newer than this reviewbot "
                f"({len(MIGRATIONS)}): upgrade reviewbot"
            )
        for version in range(current + 1, target + 1):
            _log.info("migrating %s to schema version %d", self.path, version)
            async with self.transaction() as conn:
                await MIGRATIONS[version - 1](conn)
                await conn.execute(f"PRAGMA user_version={version}")

    async def integrity_ok(self) -> bool:
        row = await self.fetchone("PRAGMA integrity_check")
        return row is not None and row[0] == "ok"
