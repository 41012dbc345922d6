"""The PostgreSQL backend: an asyncpg pool, advisory locks, the schema version table.

Chosen by ``REVIEWBOT_DB=postgresql://user@host/db``, so that several processes (Discord
shards, Slack replicas) share one deployment. Each transaction takes one connection from
the pool and, in the same round trip as its ``BEGIN``, a transaction-scoped advisory lock:
the writers' lock that stands for SQLite's ``BEGIN IMMEDIATE`` (every write transaction
is serialised against the others, across processes, so the storage modules' read-then-
write logic means the same on both engines), or the key the caller named (a channel's
deck, a member's cooldown), serialised only against its own kind. Reads take no lock.

PostgreSQL's text cannot hold the character U+0000, which SQLite stores and a member can
type: each such character in a parameter becomes U+FFFD (the replacement character), so
a name containing it matches nothing, as on SQLite, instead of failing the command.

Sessions commit with ``synchronous_commit = off``, the counterpart of SQLite's
``synchronous=NORMAL``: a crash of the server may lose its last fraction of a second of
commits (a deck position), never corrupt anything. A ``durable`` transaction (a daily
post's claim and outcome) turns it back on and waits for the disk.
"""

from __future__ import annotations

import hashlib
import logging
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from bot.storage.connection import Connection, Row
from bot.storage.database import Database, redacted_target
from bot.storage.dialect import Dialect, to_postgresql
from bot.storage.errors import StorageError

_log = logging.getLogger(__name__)

POOL_SIZE = 10  # connections per process: commands wait for one beyond that
_CONNECT_TIMEOUT = 10.0
_STATEMENT_CACHE = 1024  # prepared statements per connection (asyncpg's default is 100)
_WRITERS = "reviewbot:writes"  # the lock every write transaction without its own key takes
_STATUS_COUNT = re.compile(r"\s(\d+)$")
# A statement that fails with these was never sent: asyncpg found the connection closed,
# or mid-way through what the server's closing of it left behind.
_UNSENT: tuple[type[Exception], ...] = (asyncpg.InterfaceError, asyncpg.InternalClientError)
# The connection is gone; whether the statement ran is not known.
_LOST: tuple[type[Exception], ...] = (*_UNSENT, asyncpg.PostgresConnectionError)
# What a read, or a BEGIN, is tried again after: running it twice changes nothing.
_RECONNECT: tuple[type[Exception], ...] = (*_LOST, OSError)
_GONE: tuple[type[Exception], ...] = (*_RECONNECT, TimeoutError)

__all__ = ["PostgresConnection", "PostgresDatabase"]


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock`` (Python's ``hash`` differs
    between processes, which would defeat the lock)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


_WRITERS_KEY = lock_key(_WRITERS)


def _clean(params: Sequence[Any]) -> Sequence[Any]:
    """``params`` with every U+0000 in a string replaced (see the module's docstring)."""
    if not any(type(p) is str and "\x00" in p for p in params):
        return params
    return [p.replace("\x00", "\ufffd") if type(p) is str else p for p in params]


class PostgresConnection:
    """``Connection`` over one asyncpg connection: each call is one round trip, each
    statement prepared once per connection (asyncpg's statement cache)."""

    dialect = Dialect.POSTGRESQL
    # A value the server refuses (SQLSTATE class 22), a broken constraint (class 23), a
    # value asyncpg cannot send as the column's type (a ValueError).
    refusals: tuple[type[Exception], ...] = (
        asyncpg.DataError, asyncpg.IntegrityConstraintViolationError, ValueError)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        status = await self._conn.execute(to_postgresql(sql), *_clean(params))
        counted = _STATUS_COUNT.search(status)  # "UPDATE 3", "INSERT 0 3"
        return int(counted.group(1)) if counted else -1

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(to_postgresql(sql), map(_clean, rows))

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        return list(await self._conn.fetch(to_postgresql(sql), *_clean(params)))

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Pool reset: nothing. asyncpg's default resets every connection on release (one
    more round trip per command); no session state is ever set here, and a transaction
    is always committed or rolled back before its connection goes back."""


class PostgresDatabase(Database):
    dialect = Dialect.POSTGRESQL

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self.pool = pool
        self.url = url

    @property
    def name(self) -> str:
        return redacted_target(self.url)

    @classmethod
    async def open_url(cls, url: str, *, migrate_to: int | None = None) -> PostgresDatabase:
        """Connect a pool to ``url`` and migrate. Raises ``StorageError`` with a sentence
        (server unreachable, no such database or role, refused password…)."""
        try:
            pool = await asyncpg.create_pool(
                url, min_size=1, max_size=POOL_SIZE, timeout=_CONNECT_TIMEOUT,
                statement_cache_size=_STATEMENT_CACHE, reset=_keep_session,
                server_settings={"synchronous_commit": "off"},
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError,
                ssl.SSLError, ValueError) as exc:
            raise _connect_error(exc, url) from exc
        db = cls(pool, url)
        try:
            with db._translate():
                async with pool.acquire() as conn:
                    await conn.execute(
                        f"BEGIN; SELECT pg_advisory_xact_lock({_WRITERS_KEY});"
                        " CREATE TABLE IF NOT EXISTS reviewbot_schema (version BIGINT NOT NULL);"
                        " INSERT INTO reviewbot_schema SELECT 0"
                        " WHERE NOT EXISTS (SELECT 1 FROM reviewbot_schema); COMMIT"
                    )
            await db.migrate(migrate_to)
        except BaseException:
            await pool.close()
            raise
        return db

    async def close(self) -> None:
        with suppress(OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
            await self.pool.close()

    @contextmanager
    def _translate(self) -> Iterator[None]:
        """Re-raise a failure of the server or the connection as a ``StorageError``;
        an error in our SQL (a constraint, a syntax error) keeps its traceback."""
        try:
            yield
        except _GONE as exc:
            raise StorageError(
                f"lost the connection to the database {self.name} ({exc}): check that the "
                "server runs, then try again", "connection"
            ) from exc
        except asyncpg.PostgresError as exc:
            error = _server_error(exc, self.name)
            if error is None:
                raise
            raise error from exc

    @asynccontextmanager
    async def transaction(
        self, durable: bool = False, lock: str | None = None
    ) -> AsyncIterator[Connection]:
        key = _WRITERS_KEY if lock is None else lock_key(lock)
        sync = " SET LOCAL synchronous_commit = on;" if durable else ""
        begin = f"BEGIN;{sync} SELECT pg_advisory_xact_lock({key})"
        with self._translate():
            # Nothing of the caller's has run when BEGIN fails: a lost connection is
            # simply replaced (its transaction, if any, ended with it).
            conn = await self._connection(lambda c: c.execute(begin), _RECONNECT)
            try:
                try:
                    yield PostgresConnection(conn)
                    await conn.execute("COMMIT")
                except BaseException:
                    await _rollback(conn)
                    raise
            finally:
                await self.pool.release(conn)

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """A read, tried again on a fresh connection when the first one was lost."""
        return await self._statement(sql, params, _RECONNECT)

    async def write(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Tried again only when it certainly never reached the server."""
        return await self._statement(sql, params, _UNSENT)

    async def _statement(self, sql: str, params: Sequence[Any],
                         retry: tuple[type[Exception], ...]) -> list[Row]:
        with self._translate():
            rows: list[Row] = []

            async def run(conn: asyncpg.Connection) -> None:
                rows.extend(await conn.fetch(to_postgresql(sql), *_clean(params)))

            await self.pool.release(await self._connection(run, retry))
            return rows

    async def _connection(
        self, first: Callable[[asyncpg.Connection], Awaitable[object]],
        retry: tuple[type[Exception], ...],
    ) -> asyncpg.Connection:
        """A pooled connection on which ``first`` succeeded. A connection the server
        closed while it sat in the pool (a restart, a terminated backend, an idle
        timeout) fails its next statement; ``first`` is then run once more on a fresh
        one, if ``retry`` names the failure."""
        try:
            return await self._started(first)
        except retry as exc:
            _log.info("database connection lost (%s): trying a fresh one", exc)
        return await self._started(first)

    async def _started(
        self, first: Callable[[asyncpg.Connection], Awaitable[object]]
    ) -> asyncpg.Connection:
        conn = await self.pool.acquire()
        try:
            await first(conn)
        except BaseException:
            await self.pool.release(conn)
            raise
        return conn

    async def schema_version(self) -> int:
        row = await self.fetchone("SELECT version FROM reviewbot_schema")
        return int(row[0]) if row else 0

    async def _read_version(self, conn: Connection) -> int:
        row = await conn.fetchone("SELECT version FROM reviewbot_schema")
        return int(row[0]) if row else 0

    async def _write_version(self, conn: Connection, version: int) -> None:
        await conn.execute("UPDATE reviewbot_schema SET version = ?", (version,))

    async def integrity_ok(self) -> bool:
        """Whether the server answers: PostgreSQL checks its pages as it reads them
        (and with data checksums, when the cluster has them); there is no whole-database
        check to run from here."""
        row = await self.fetchone("SELECT 1")
        return row is not None


async def _rollback(conn: asyncpg.Connection) -> None:
    """Roll back; a connection that cannot (it broke mid-transaction) is closed rather
    than handed to the next command with a transaction open."""
    try:
        await conn.execute("ROLLBACK")
    except (OSError, asyncpg.InterfaceError, asyncpg.PostgresError):
        _log.warning("rollback failed: closing the connection", exc_info=True)
        conn.terminate()


def _connect_error(exc: BaseException, url: str) -> StorageError:
    name = redacted_target(url)
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2] or "localhost"
    where = host if ":" in host else f"{host}:5432"
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        database = parts.path.lstrip("/") or parts.username or "?"
        return StorageError(
            f"the database {database!r} does not exist on the PostgreSQL server at {where}: "
            f"create it (createdb {database}), or fix REVIEWBOT_DB", "no-database"
        )
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError
                  | asyncpg.InvalidPasswordError):
        return StorageError(
            f"the PostgreSQL server at {where} refused {name} ({exc}): check the role and "
            "password in REVIEWBOT_DB", "refused"
        )
    if isinstance(exc, ValueError):
        return StorageError(f"{name} is not a valid PostgreSQL URL ({exc}): write it as "
                            "postgresql://user[:password]@host[:port]/database", "url")
    if isinstance(exc, asyncpg.PostgresError):
        error = _server_error(exc, name)
        if error is not None:
            return error
    return StorageError(
        f"cannot reach the PostgreSQL server at {where} ({exc or type(exc).__name__}): "
        "check that it runs and that REVIEWBOT_DB names it", "unreachable"
    )


def _server_error(exc: asyncpg.PostgresError, name: str) -> StorageError | None:
    """The sentence for a server-side failure that is not a bug in our SQL, or ``None``."""
    if isinstance(exc, asyncpg.DiskFullError):
        return StorageError(f"the database server's disk is full writing {name}: "
                            "free some space and try again", "full")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return StorageError(f"the role in {name} may not do this ({exc}): grant it "
                            "ownership of the database (see README, Running at scale)",
                            "permission")
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        return StorageError(f"the database {name} is read-only (a standby?): point "
                            "REVIEWBOT_DB at the primary", "read-only")
    if isinstance(exc, asyncpg.TooManyConnectionsError | asyncpg.CannotConnectNowError
                  | asyncpg.AdminShutdownError | asyncpg.CrashShutdownError):
        return StorageError(f"the database server for {name} is unavailable ({exc}): "
                            "try again in a moment", "unavailable")
    return None
