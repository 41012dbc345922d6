"""Durable writes that arrive together share one transaction and one fsync.

A daily post's claim must be on disk (``synchronous=FULL``) before the post is sent,
and its outcome after. One fsync each capped a busy minute at a few hundred posts a
second whatever the platform did. Here the first write commits at once; writes that
arrive while that commit runs wait for it and then commit together, so under load
each fsync carries many claims and outcomes and a lone write costs what it did. Every
caller still returns only after its own write is durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.storage.connection import Connection
from bot.storage.database import Database

T = TypeVar("T")
Write = Callable[[Connection], Awaitable[T]]


class GroupCommit:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._waiting: list[tuple[Write[Any], asyncio.Future[Any]]] = []
        self._committer: asyncio.Task[None] | None = None

    async def run(self, write: Write[T]) -> T:
        """Run ``write`` inside the next durable transaction; return its result once
        committed. If the transaction fails, every write in it fails with that error
        (none of them committed)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, future))
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_waiting())
        return await future

    async def _commit_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                async with self._db.transaction(durable=True) as conn:
                    results = [await write(conn) for write, _ in group]
            except asyncio.CancelledError:
                # The loop is shutting down: nobody will commit what waits either.
                for _, future in group + self._waiting:
                    future.cancel()
                self._waiting = []
                raise
            except Exception as exc:
                for _, future in group:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(group, results, strict=True):
                if not future.done():
                    future.set_result(result)
