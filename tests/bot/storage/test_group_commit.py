"""Claims and outcomes made together share one durable commit; each still waits for it."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime, timezone

import pytest

from bot.app import ReviewBot
from bot.models import Mood
from bot.storage.connection import Connection
from bot.storage.errors import StorageError
from bot.storage.group_commit import GroupCommit
from bot.storage.schedules import ScheduleSpec
from tests.backends import execute, read_only

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def commits(core: ReviewBot, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``durable`` flag of every transaction the database opens from now on."""
    seen: list[bool] = []
    real = core.db.transaction

    def counting(durable: bool = False) -> AbstractAsyncContextManager[Connection]:
        seen.append(durable)
        return real(durable)

    monkeypatch.setattr(core.db, "transaction", counting)
    return seen


async def schedules(core: ReviewBot, n: int) -> list[int]:
    ids = []
    for i in range(n):
        spec = ScheduleSpec("console", "W1", f"c{i}", "U1", 9, 0, "UTC", Mood.ANY, None)
        made = await core.schedules.upsert(spec, NOW)
        assert made is not None
        ids.append(made.id)
    return ids


async def test_concurrent_claims_share_durable_commits(core: ReviewBot,
                                                       commits: list[bool]) -> None:
    ids = await schedules(core, 40)
    commits.clear()
    won = await asyncio.gather(*(core.schedules.claim(i, DAY, NOW) for i in ids))
    assert won == [True] * 40
    assert 1 <= len(commits) < 40 and all(commits)
    again = await asyncio.gather(*(core.schedules.claim(i, DAY, NOW) for i in ids))
    assert again == [False] * 40
    rows = await core.db.fetchall("SELECT COUNT(*) FROM posts WHERE outcome = 'claimed'")
    assert rows[0][0] == 40


async def test_a_failed_group_fails_each_of_its_writes_and_not_the_next(
    core: ReviewBot,
) -> None:
    group = GroupCommit(core.db)

    async def insert(conn: Connection, value: int) -> int:
        await conn.execute("INSERT INTO probe VALUES (?)", (value,))
        return value

    async def broken(conn: Connection) -> int:
        await conn.execute("INSERT INTO no_such_table VALUES (1)")
        return 0

    await execute(core.db, "CREATE TABLE probe (x INTEGER)")
    assert await group.run(lambda c: insert(c, 1)) == 1
    # Both start before the committer runs: one group, one transaction.
    second = asyncio.ensure_future(group.run(lambda c: insert(c, 2)))
    third = asyncio.ensure_future(group.run(broken))
    for failed in (second, third):
        with pytest.raises(Exception, match="no_such_table"):
            await failed
    assert await group.run(lambda c: insert(c, 4)) == 4
    rows = await core.db.fetchall("SELECT x FROM probe ORDER BY x")
    assert [r[0] for r in rows] == [1, 4]  # the failed group rolled back as a whole


async def test_a_storage_failure_reaches_every_waiting_claim(core: ReviewBot) -> None:
    ids = await schedules(core, 5)
    async with read_only(core.db):
        results = await asyncio.gather(*(core.schedules.claim(i, DAY, NOW) for i in ids),
                                       return_exceptions=True)
    assert all(isinstance(r, StorageError) for r in results)
    assert await core.schedules.claim(ids[0], DAY, NOW)
