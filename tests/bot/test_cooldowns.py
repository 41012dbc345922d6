"""Per-user cooldowns on public commands, held by the database, on the fake clock.

Every test runs on SQLite and on PostgreSQL. Two ``ReviewBot``s (or two ``Database``s,
or two processes) on one database stand for two replicas of the bot.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.cooldowns import LIMIT, WINDOW, Cooldowns
from bot.invocation import Invocation
from bot.replies import ErrorReply, QuoteReply, Reply, ScheduleReply
from bot.settings import Settings
from bot.storage.cooldowns import CooldownStore
from bot.storage.database import Database
from tests.backends import both_backends as backend  # noqa: F401
from tests.fakes.clock import FakeClock

REPO = Path(__file__).resolve().parents[2]
ALICE = Invocation("discord", "C1", "alice", workspace="G1", can_manage=True)
BOB = Invocation("discord", "C1", "bob", workspace="G1")


async def test_a_member_is_slowed_down_after_the_limit(core: ReviewBot, clock: FakeClock) -> None:
    replies = [await core.handle_text(ALICE, "/quote") for _ in range(LIMIT)]
    assert all(isinstance(r, QuoteReply) for r in replies)
    refused = await core.handle_text(ALICE, "/verdict")
    assert isinstance(refused, ErrorReply) and refused.ephemeral and refused.usage
    assert f"Try again in {int(WINDOW)} s" in refused.message
    assert isinstance(replies[0], QuoteReply)
    assert isinstance(await core.another(ALICE, replies[0].another_value), ErrorReply)
    # Others, private answers and schedule changes are not held back.
    assert isinstance(await core.handle_text(BOB, "/quote"), QuoteReply)
    assert isinstance(await core.handle_text(ALICE, "/daily set 09:00"), ScheduleReply)
    clock.advance(seconds=WINDOW)
    assert isinstance(await core.handle_text(ALICE, "/quote"), QuoteReply)


async def test_the_window_slides(core: ReviewBot, clock: FakeClock) -> None:
    for _ in range(LIMIT):
        await core.handle_text(ALICE, "/mood")
        clock.advance(seconds=WINDOW / LIMIT)
    # The first call has just left the window: exactly one more is allowed.
    assert not isinstance(await core.handle_text(ALICE, "/mood"), ErrorReply)
    assert isinstance(await core.handle_text(ALICE, "/mood"), ErrorReply)


async def test_the_console_is_exempt(core: ReviewBot, admin: Invocation) -> None:
    assert admin.platform == "console"
    for _ in range(LIMIT * 3):
        assert isinstance(await core.handle_text(admin, "/quote"), QuoteReply)
    assert await _rows(core.db) == 0, "the console's commands never touch the table"


async def test_two_replicas_share_one_limit(settings: Settings, clock: FakeClock) -> None:
    """Issue 13: a member whose commands alternate between two processes gets LIMIT
    posts a window in all, not LIMIT on each."""
    first = await ReviewBot.open(settings, clock=clock)
    second = await ReviewBot.open(settings, clock=clock)
    try:
        replicas = (first, second)
        for i in range(LIMIT):
            assert isinstance(await replicas[i % 2].handle_text(ALICE, "/quote"), QuoteReply)
            clock.advance(seconds=1)
        # The first reply (at 0 s) leaves the window at WINDOW s; it is now LIMIT s.
        for bot in replicas:
            _assert_refused(await bot.handle_text(ALICE, "/quote"), WINDOW - LIMIT)
        clock.advance(seconds=WINDOW - LIMIT)
        assert isinstance(await second.handle_text(ALICE, "/quote"), QuoteReply)
        _assert_refused(await first.handle_text(ALICE, "/quote"), 1)  # the one at 1 s
        clock.advance(seconds=1)
        assert isinstance(await first.handle_text(ALICE, "/quote"), QuoteReply)
    finally:
        await first.close()
        await second.close()


def _assert_refused(reply: Reply, wait: float) -> None:
    assert isinstance(reply, ErrorReply) and reply.usage, reply
    assert f"Try again in {wait:.0f} s." in reply.message


@pytest.fixture
async def db(empty_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(empty_target)
    yield database
    await database.close()


@pytest.fixture
def cooldowns(db: Database, clock: FakeClock) -> Cooldowns:
    return Cooldowns(CooldownStore(db), clock)


async def _rows(db: Database) -> int:
    row = await db.fetchone("SELECT COUNT(*) FROM cooldowns")
    assert row is not None
    return int(row[0])


def _member(i: int, channel: str = "C1") -> Invocation:
    return Invocation("slack", channel, f"U{i}", workspace="T1")


async def test_the_limit_is_per_member_per_channel(
    cooldowns: Cooldowns, clock: FakeClock
) -> None:
    assert [await cooldowns.wait(_member(1)) for _ in range(LIMIT)] == [0.0] * LIMIT
    assert await cooldowns.wait(_member(1)) == WINDOW
    assert await cooldowns.wait(_member(1, "C2")) == 0.0
    assert await cooldowns.wait(_member(2)) == 0.0
    clock.advance(seconds=WINDOW / 4)
    # A refusal is not counted: the wait shrinks as the first reply ages.
    assert await cooldowns.wait(_member(1)) == WINDOW * 3 / 4


async def test_members_whose_window_passed_are_forgotten(
    cooldowns: Cooldowns, db: Database, clock: FakeClock
) -> None:
    for i in range(300):
        await cooldowns.wait(_member(i))
    assert await _rows(db) == 300
    clock.advance(seconds=WINDOW)
    for i in range(300, 500):
        await cooldowns.wait(_member(i))
    # Every 8th new member forgets up to 16 old ones: two for each one added.
    assert await _rows(db) == 200
    assert await cooldowns.wait(_member(0)) == 0.0, "a forgotten member starts afresh"


async def test_a_member_still_in_the_window_is_not_forgotten(
    cooldowns: Cooldowns, clock: FakeClock
) -> None:
    for _ in range(LIMIT):
        await cooldowns.wait(_member(1))
    clock.advance(seconds=WINDOW / 2)
    for i in range(2, 50):
        await cooldowns.wait(_member(i))
    clock.advance(seconds=WINDOW / 2)
    # The others are now older than the window, member 1's replies exactly WINDOW old.
    for i in range(50, 150):
        await cooldowns.wait(_member(i))
    assert await cooldowns.wait(_member(1)) == 0.0, "its window has just passed"
    clock.advance(seconds=WINDOW / 2 - 1)
    for i in range(150, 250):
        await cooldowns.wait(_member(i))
    assert await cooldowns.wait(_member(1)) == 0.0, "one reply counted, five more allowed"
    for _ in range(LIMIT - 2):
        assert await cooldowns.wait(_member(1)) == 0.0
    assert await cooldowns.wait(_member(1)) > 0


async def test_concurrent_checks_on_two_connections_count_each_reply_once(
    db: Database, empty_target: Path | str, clock: FakeClock
) -> None:
    """The read-then-write of one member is serialised by its lock across processes: two
    pools firing at once let exactly LIMIT replies through."""
    other = await Database.open(empty_target)
    try:
        replicas = [Cooldowns(CooldownStore(d), clock) for d in (db, other)]
        waits = await asyncio.gather(*(replicas[i % 2].wait(ALICE) for i in range(4 * LIMIT)))
    finally:
        await other.close()
    assert sorted(waits) == [0.0] * LIMIT + [WINDOW] * (3 * LIMIT)


async def test_members_coming_back_at_once_do_not_deadlock_forgetting_each_other(
    db: Database, empty_target: Path | str, clock: FakeClock
) -> None:
    """Every check forgets the oldest expired rows; when those members return at the same
    moment, each check's forgetting reaches for rows others are writing (PostgreSQL's
    deadlock detector would fail one a second later without ``SKIP LOCKED``)."""
    members = [_member(i) for i in range(40)]
    cooldowns = Cooldowns(CooldownStore(db), clock)
    for inv in members:
        await cooldowns.wait(inv)
        clock.advance(seconds=1)
    clock.advance(seconds=WINDOW)
    other = await Database.open(empty_target)
    try:
        replicas = [Cooldowns(CooldownStore(d), clock) for d in (db, other)]
        waits = await asyncio.wait_for(asyncio.gather(
            *(replicas[i % 2].wait(inv) for i, inv in enumerate(members))), 30)
    finally:
        await other.close()
    assert waits == [0.0] * len(members)
    assert await _rows(db) == len(members), "each came back: none may be forgotten"


_PROCESS = """
import asyncio, sys
from datetime import datetime
from bot.cooldowns import Cooldowns
from bot.invocation import Invocation
from bot.storage.cooldowns import CooldownStore
from bot.storage.database import Database
from tests.fakes.clock import FakeClock

async def main(target, at, calls):
    db = await Database.open(target)
    cooldowns = Cooldowns(CooldownStore(db), FakeClock(datetime.fromisoformat(at)))
    inv = Invocation("slack", "C1", "U1", workspace="T1")
    print(",".join([str(await cooldowns.wait(inv)) for _ in range(calls)]))
    await db.close()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_two_processes_share_one_limit(
    db: Database, empty_target: Path | str, clock: FakeClock
) -> None:
    """Two OS processes on one database (``db`` migrated it), each trying twice the
    limit at the same instant."""
    at = clock.now().isoformat()
    runs = [subprocess.Popen([sys.executable, "-c", _PROCESS, str(empty_target), at,
                              str(2 * LIMIT)], stdout=subprocess.PIPE, text=True, cwd=REPO)
            for _ in range(2)]
    outputs = [await asyncio.to_thread(run.communicate, timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    waits = [float(w) for out, _ in outputs for w in out.strip().split(",")]
    assert sorted(waits) == [0.0] * LIMIT + [WINDOW] * (3 * LIMIT)
