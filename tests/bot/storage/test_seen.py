"""``SeenOnce``: the first delivery of a key wins, across connections standing for
processes, until the key expires; expired keys are forgotten a bounded number at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.errors import StorageError
from bot.storage.seen import SeenOnce
from tests.backends import execute, read_only

NOW = 1_767_225_600.0  # 2026-01-01 00:00 UTC


@pytest.fixture
async def dbs(empty_target: Path | str) -> AsyncIterator[tuple[Database, Database]]:
    """Two connections to one database, as two replicas hold."""
    first = await Database.open(empty_target)
    second = await Database.open(empty_target)
    yield first, second
    await second.close()
    await first.close()


async def keys(db: Database) -> list[str]:
    return [row[0] for row in await db.fetchall("SELECT key FROM seen_once ORDER BY key")]


async def test_only_the_first_delivery_counts_in_any_process(
    dbs: tuple[Database, Database],
) -> None:
    here, there = SeenOnce(dbs[0]), SeenOnce(dbs[1])
    assert await here.first("slack-envelope:e1", NOW + 60, NOW)
    assert not await here.first("slack-envelope:e1", NOW + 60, NOW + 1)
    assert not await there.first("slack-envelope:e1", NOW + 60, NOW + 2)
    assert await there.first("slack-envelope:e2", NOW + 60, NOW + 2), "another key is new"


async def test_racing_processes_serve_a_key_exactly_once(
    dbs: tuple[Database, Database],
) -> None:
    stores = [SeenOnce(db) for db in dbs]
    for n in range(10):
        key = f"slack-sig:{n}"
        wins = await asyncio.gather(*(stores[i % 2].first(key, NOW + 300, NOW)
                                      for i in range(8)))
        assert wins.count(True) == 1, (key, wins)


async def test_a_key_past_its_time_is_new_again(dbs: tuple[Database, Database]) -> None:
    seen = SeenOnce(dbs[0], sweep=0)  # nothing swept: the expired row is taken over
    assert await seen.first("k", NOW + 10, NOW)
    assert not await seen.first("k", NOW + 10, NOW + 10), "still remembered at its time"
    assert await seen.first("k", NOW + 20, NOW + 11)
    assert not await seen.first("k", NOW + 20, NOW + 12), "remembered until its new time"


async def test_each_call_forgets_a_bounded_number_of_expired_keys_oldest_first(
    dbs: tuple[Database, Database],
) -> None:
    db = dbs[0]
    for n in range(10):
        await execute(db, "INSERT INTO seen_once (key, expires) VALUES (?, ?)",
                      (f"old{n}", NOW - 100 + n))
    await execute(db, "INSERT INTO seen_once (key, expires) VALUES (?, ?)", ("fresh", NOW + 5))
    seen = SeenOnce(db, sweep=4)
    assert await seen.first("new1", NOW + 60, NOW)
    assert await keys(db) == ["fresh", "new1"] + [f"old{n}" for n in range(4, 10)]
    assert await seen.first("new2", NOW + 60, NOW)
    assert await seen.first("new3", NOW + 60, NOW)
    assert await keys(db) == ["fresh", "new1", "new2", "new3"]


async def test_a_database_that_refuses_writes_raises_storage_error(
    dbs: tuple[Database, Database],
) -> None:
    async with read_only(dbs[0]):
        with pytest.raises(StorageError):
            await SeenOnce(dbs[0]).first("k", NOW + 60, NOW)
    assert await keys(dbs[0]) == []
