"""The connection a transaction hands the storage modules, the same on both engines.

Four calls, each one statement (or one statement over many rows): the storage modules
never touch a driver, so ``aiosqlite`` and ``asyncpg`` stay inside their backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from bot.storage.dialect import Dialect


class Row(Protocol):
    """A result row: by column position or name, and unpacked like a tuple
    (``sqlite3.Row`` and ``asyncpg.Record`` both are)."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    @property
    def dialect(self) -> Dialect: ...

    @property
    def refusals(self) -> tuple[type[Exception], ...]:
        """What a statement raises when the engine refuses a row's values (a broken
        constraint, a value the column cannot hold), as opposed to a failure of the
        database itself."""

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> Row | None: ...
