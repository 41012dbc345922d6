"""``Cooldowns.wait`` at 9k, 10,001 and 100k live members, against the algorithm it replaced.

The baseline (``FullPrune``) is the previous ``bot.cooldowns.Cooldowns``: past 10,000
members it pruned the whole table on every call. Both get the same members, filled at
one instant so that every one is live (inside its window), then the same sequence of
calls on random members, alternating in blocks of 200 so noise hits them alike; the clock
moves a microsecond per call.

Run: ``.venv/bin/python -m benchmarks.bench_cooldowns --sizes 9k,10001,100k``
"""

from __future__ import annotations

import argparse
import random
import time
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from benchmarks.common import parse_size, print_table, summary_ms
from bot.clock import Clock
from bot.cooldowns import LIMIT, WINDOW, Cooldowns
from bot.invocation import Invocation
from tests.fakes.clock import FakeClock

START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
_PRUNE_AT = 10_000
BLOCK = 200  # calls per algorithm in turn: the baseline's copies of the table evict the
# caches, so alternating call by call would charge its cost to the next call measured


class FullPrune:
    """The previous algorithm, kept here only as the baseline."""

    def __init__(self, clock: Clock, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[datetime]] = {}

    def wait(self, inv: Invocation) -> float:
        now = self.clock.now()
        if len(self._hits) > _PRUNE_AT:
            self._hits = {
                key: hits for key, hits in self._hits.items()
                if hits and (now - hits[-1]).total_seconds() < self.window
            }
        hits = self._hits.setdefault(f"{inv.channel_key}:{inv.user}", deque())
        while hits and (now - hits[0]).total_seconds() >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return self.window - (now - hits[0]).total_seconds()
        hits.append(now)
        return 0.0

    def fill(self, members: Sequence[Invocation]) -> None:
        """One reply each, now, without the per-call prune (quadratic past 10,000)."""
        now = self.clock.now()
        for inv in members:
            self._hits[f"{inv.channel_key}:{inv.user}"] = deque((now,))


def measure(live: int, calls: int) -> list[object]:
    """One table row: p50/p99 of both algorithms over ``calls`` calls each."""
    clock = FakeClock(START)
    members = [Invocation("slack", f"C{i % 50}", f"U{i}", workspace="T1") for i in range(live)]
    new, old = Cooldowns(clock), FullPrune(clock)
    for inv in members:
        new.wait(inv)
    old.fill(members)
    rng = random.Random(live)
    new_t: list[float] = []
    old_t: list[float] = []
    for _ in range(0, calls, BLOCK):
        block = [rng.choice(members) for _ in range(BLOCK)]
        at = clock.now()
        for algorithm, times in ((new, new_t), (old, old_t)):
            clock.set(at)
            for inv in block:
                clock.advance(microseconds=1)
                start = time.perf_counter()
                algorithm.wait(inv)
                times.append(time.perf_counter() - start)
    n50, _, n99 = (v * 1000 for v in summary_ms(new_t))  # microseconds
    o50, _, o99 = (v * 1000 for v in summary_ms(old_t))
    return [f"{live:,}", calls, n50, n99, max(new_t) * 1e6, o50, o99,
            f"{o50 / n50:.1f}x", f"{o99 / n99:.1f}x"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="9k,10001,100k", help="live members, e.g. 9k,100k")
    parser.add_argument("--calls", type=int, default=2000,
                        help="calls timed per algorithm (the baseline costs ms each at 100k)")
    args = parser.parse_args(argv)
    rows = [measure(parse_size(size), args.calls) for size in args.sizes.split(",")]
    print_table(
        f"Cooldowns.wait latency, µs ({args.calls} calls each, alternating in blocks of "
        f"{BLOCK}); "
        "baseline = whole-table prune past 10,000",
        ["live members", "calls", "p50", "p99", "max", "baseline p50", "baseline p99",
         "x p50", "x p99"],
        rows,
    )


if __name__ == "__main__":
    main()
