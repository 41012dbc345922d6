"""``Cooldowns.wait`` held by the database (SQLite, PostgreSQL), against the in-memory table.

Since issue 13 the counted replies live in the ``cooldowns`` table
(``bot/storage/cooldowns.py``), one write transaction per call, so that every process of
a deployment enforces one limit. The baseline (``InMemory``) is the table it replaced, a
copy of the previous ``bot.cooldowns.Cooldowns`` (issue 16's target, p99 ≤ 20 µs at 100k
live members, was set for it): one process's memory, so it cannot hold a limit across
replicas. What the database costs per public command is the difference.

Each store gets the same ``live`` members filled at one instant, so that every one is
live (inside its window): the baseline through ``wait``, the databases by writing the
rows in bulk in the store's format, checked by one refused call. Then the same sequence
of calls on random members, the stores taking turns in blocks of ``BLOCK`` calls so that
noise hits them alike, after an untimed block each; the clock moves a microsecond per
call. Calls are one at a time (each is awaited before the next starts): the figure is
one command's latency, not a throughput.

PostgreSQL is the server at ``REVIEWBOT_BENCH_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``); the benchmark creates its own database
there and drops it after. Run:
``.venv/bin/python -m benchmarks.bench_cooldowns --sizes 100k --backends sqlite,postgresql``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import (
    load_average,
    parse_size,
    postgres_admin,
    postgres_url,
    print_table,
    progress,
    summary_ms,
)
from bot.clock import Clock
from bot.cooldowns import LIMIT, WINDOW, Cooldowns, member_key
from bot.invocation import Invocation
from bot.storage.cooldowns import CooldownStore
from bot.storage.database import Database
from tests.fakes.clock import FakeClock

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
BLOCK = 200  # calls per store in turn
BASELINE = "in memory"
_FORGET_PER_CALL = 2


class InMemory:
    """The previous algorithm, kept here only as the baseline: a sliding window per
    member in one process's memory, members ordered by their latest counted reply so
    that each call forgets at most two whose window passed."""

    def __init__(self, clock: Clock, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, inv: Invocation) -> float:
        now = self.clock.now().timestamp()
        self._forget_some(now)
        key = member_key(inv)
        hits = self._hits.get(key)
        if hits is None:
            self._hits[key] = deque((now,))
            return 0.0
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return self.window - (now - hits[0])
        hits.append(now)
        self._hits.move_to_end(key)
        return 0.0

    def _forget_some(self, now: float) -> None:
        for _ in range(_FORGET_PER_CALL):
            if not self._hits:
                return
            key, hits = next(iter(self._hits.items()))
            if hits and now - hits[-1] < self.window:
                return
            del self._hits[key]


@asynccontextmanager
async def opened(backend: str) -> AsyncIterator[Database]:
    """A new, empty database of ``backend``, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = await Database.open(Path(folder) / "cooldowns.sqlite3")
            try:
                yield db
            finally:
                await db.close()
        return
    name = f"reviewbot_bench_cooldowns_{os.getpid()}"
    await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                         f'CREATE DATABASE "{name}"')
    try:
        db = await Database.open(postgres_url(name))
        try:
            yield db
        finally:
            await db.close()
    finally:
        await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def fill(db: Database, members: Sequence[Invocation], now: float) -> None:
    """One reply each at ``now``, written as ``CooldownStore`` writes a member's first
    reply (a hundred thousand calls would take a minute), then statistics for the
    planner, as a deployment's table would have."""
    now_ms = round(now * 1000)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO cooldowns (member, hits, expires) VALUES (?, ?, ?)",
            [(member_key(inv), str(now_ms), (now_ms + WINDOW * 1000) / 1000)
             for inv in members])
        await conn.execute("ANALYZE cooldowns")
    refused = await CooldownStore(db).take(member_key(members[0]), now, 1, WINDOW)
    assert refused == WINDOW, f"the filled rows are not what the store reads ({refused})"


async def measure(live: int, calls: int, backends: Sequence[str]) -> list[list[object]]:
    """Rows of the table for ``live`` members: the baseline, then each backend."""
    clock = FakeClock(START)
    members = [Invocation("slack", f"C{i % 50}", f"U{i}", workspace="T1") for i in range(live)]
    baseline = InMemory(clock)
    for inv in members:
        baseline.wait(inv)
    times: dict[str, list[float]] = {BASELINE: [], **{b: [] for b in backends}}
    async with AsyncExitStack() as stack:
        dbs = {b: await stack.enter_async_context(opened(b)) for b in backends}
        for backend, db in dbs.items():
            progress(f"{live:,} members: filling {backend}")
            await fill(db, members, clock.now().timestamp())
        stores = {b: Cooldowns(CooldownStore(db), clock) for b, db in dbs.items()}
        rng = random.Random(live)
        for cooldowns in stores.values():  # untimed: statements prepared, pages cached
            for inv in rng.sample(members, min(BLOCK, live)):
                await cooldowns.wait(inv)
        for _ in range(0, calls, BLOCK):
            block = [rng.choice(members) for _ in range(BLOCK)]
            at = clock.now()
            for inv in block:
                clock.advance(microseconds=1)
                start = time.perf_counter()
                baseline.wait(inv)
                times[BASELINE].append(time.perf_counter() - start)
            for backend, cooldowns in stores.items():
                clock.set(at)
                for inv in block:
                    clock.advance(microseconds=1)
                    start = time.perf_counter()
                    await cooldowns.wait(inv)
                    times[backend].append(time.perf_counter() - start)
    b50, _, b99 = summary_ms(times[BASELINE])
    rows: list[list[object]] = []
    for store, samples in times.items():
        p50, _, p99 = summary_ms(samples)
        rows.append([f"{live:,}", store, len(samples), p50 * 1000, p99 * 1000,
                     max(samples) * 1e6, f"{p50 / b50:.0f}x", f"{p99 / b99:.0f}x"])
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k", help="live members, e.g. 10k,100k")
    parser.add_argument("--calls", type=int, default=2000, help="calls timed per store")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="databases to hold the table (sqlite, postgresql)")
    args = parser.parse_args(argv)
    backends = args.backends.split(",")
    rows = [row for size in args.sizes.split(",")
            for row in asyncio.run(measure(parse_size(size), args.calls, backends))]
    print_table(
        f"Cooldowns.wait latency, µs ({args.calls} calls per store, one at a time, taking "
        f"turns in blocks of {BLOCK}); baseline = the in-memory table, one process only; "
        f"{load_average()}",
        ["live members", "store", "calls", "p50", "p99", "max", "x p50", "x p99"],
        rows,
    )


if __name__ == "__main__":
    main()
