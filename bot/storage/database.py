"""What every backend offers the storage modules: transactions, reads, migrations.

``Database.open`` picks the backend from the target: a ``postgresql://`` URL opens
PostgreSQL (``bot/storage/postgres.py``: several processes share one deployment), anything
else is a SQLite file (``bot/storage/sqlite.py``: the embedded default). The storage
modules see only ``Database`` and ``Connection`` and write SQLite's SQL;
``bot/storage/dialect.py`` rewrites it for PostgreSQL.

Every invariant that several processes must keep is held by the database, never by a
lock in one process: a write ``transaction()`` is serialised against every other one
(SQLite's ``BEGIN IMMEDIATE``; a transaction-scoped advisory lock on PostgreSQL), except
one given its own ``lock`` key, serialised only against transactions holding that key;
and what one atomic statement can do (a deck's next position, a member's cooldown) is
one ``write()``, which needs no lock beyond the rows it changes.
"""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from bot.safe_text import safe_path
from bot.storage.connection import Connection, Row
from bot.storage.dialect import Dialect
from bot.storage.errors import StorageError
from bot.storage.migrations import MIGRATIONS

_log = logging.getLogger(__name__)

_ROW_ID = re.compile(r"[0-9]{1,19}")  # ASCII digits: str.isdigit() also takes "²"
_MAX_ROW_ID = 2**63 - 1  # both engines' integers are signed 64-bit
POSTGRESQL_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "Connection", "Database", "Row", "StorageError", "is_postgresql", "is_row_id",
    "redacted_target",
]


def is_row_id(text: str) -> bool:
    """Whether ``text`` is a positive integer that fits a row id: ids come back from
    buttons and command lines, and a bigger one overflows either engine."""
    return bool(_ROW_ID.fullmatch(text)) and 0 < int(text) <= _MAX_ROW_ID


def is_postgresql(target: Path | str) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRESQL_SCHEMES)


def redacted_target(target: Path | str) -> str:
    """A database target for messages: a path as it is, a URL without its password."""
    if not is_postgresql(target):
        return safe_path(Path(target))
    parts = urlsplit(str(target))
    if parts.password is None:
        return str(target)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


class Database(abc.ABC):
    dialect: ClassVar[Dialect]

    @staticmethod
    async def open(target: Path | str, *, migrate_to: int | None = None) -> Database:
        """Open ``target`` (a SQLite path, or a ``postgresql://`` URL) and migrate it to
        ``migrate_to`` (the latest by default). Raises ``StorageError`` with a sentence."""
        if is_postgresql(target):
            from bot.storage.postgres import PostgresDatabase

            return await PostgresDatabase.open_url(str(target), migrate_to=migrate_to)
        from bot.storage.sqlite import SqliteDatabase

        return await SqliteDatabase.open_file(Path(target), migrate_to=migrate_to)

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The database as a person reads it in a message (a path, or a URL without its
        password)."""

    @abc.abstractmethod
    def transaction(
        self, durable: bool = False, lock: str | None = None
    ) -> AbstractAsyncContextManager[Connection]:
        """A write transaction, rolled back on any exception.

        ``durable`` commits so that a power cut cannot lose it (a daily post's claim and
        its outcome). ``lock`` names what the transaction must own alone (a channel's
        deck): it is then serialised only against others holding the same name, not
        against every writer.
        """

    @abc.abstractmethod
    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of one read, outside any transaction."""

    @abc.abstractmethod
    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """One statement that commits by itself, and the rows it returns (``RETURNING``):
        a single atomic change needs no ``BEGIN``/``COMMIT``, two round trips fewer."""

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    async def integrity_ok(self) -> bool:
        """Whether the engine finds the stored data sound."""

    @abc.abstractmethod
    async def schema_version(self) -> int: ...

    @abc.abstractmethod
    async def _read_version(self, conn: Connection) -> int:
        """The schema version, read inside ``conn``'s write transaction."""

    @abc.abstractmethod
    async def _write_version(self, conn: Connection, version: int) -> None: ...

    async def migrate(self, target: int | None = None) -> None:
        """Apply each pending migration in its own transaction, bumping the version.

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
                    f"{self.name} has schema version {current}, newer than "
                    f"this reviewbot ({len(MIGRATIONS)}): upgrade reviewbot"
                )
            if current >= target:
                return
            async with self.transaction() as conn:
                current = await self._read_version(conn)
                if current < min(target, len(MIGRATIONS)):
                    current += 1
                    _log.info("migrating %s to schema version %d", self.name, current)
                    await MIGRATIONS[current - 1](conn)
                    await self._write_version(conn, current)
