"""The pacers the posters use to stay under a platform's limit, judged on the loop's
clock at each release (what a platform counting arrivals would see), never on speed."""

from __future__ import annotations

import asyncio
import itertools
import time

from bot.pacing import Pacer, RateWindow


async def test_a_rate_window_never_releases_more_than_its_count_in_any_window() -> None:
    window = RateWindow(5, 0.2)
    loop = asyncio.get_running_loop()
    released: list[float] = []

    async def one() -> None:
        await window.wait()
        released.append(loop.time())

    await asyncio.gather(*(one() for _ in range(17)))
    assert len(released) == 17
    for i, start in enumerate(released):
        assert sum(1 for t in released[i:] if t < start + 0.2) <= 5


async def test_a_rate_window_after_a_stalled_loop_does_not_burst() -> None:
    window = RateWindow(4, 0.2)
    loop = asyncio.get_running_loop()
    released: list[float] = []

    async def one() -> None:
        await window.wait()
        released.append(loop.time())

    tasks = [asyncio.create_task(one()) for _ in range(9)]
    await asyncio.sleep(0)
    loop.call_soon(time.sleep, 0.15)  # the loop stalls with waiters queued
    await asyncio.gather(*tasks)
    gaps = [b - a for a, b in itertools.pairwise(released)]
    assert min(gaps) >= 0.2 / 4 * 3 / 4 - 0.001


async def test_a_pacer_spaces_one_key_and_leaves_the_others_alone() -> None:
    pacer = Pacer(0.05)
    loop = asyncio.get_running_loop()
    released: list[tuple[str, float]] = []

    async def one(key: str) -> None:
        await pacer.wait(key)
        released.append((key, loop.time()))

    await asyncio.gather(*(one(k) for k in ("a", "b", "a", "c", "a")))
    a_times = [t for k, t in released if k == "a"]
    assert [k for k, _ in released[:3]] == ["a", "b", "c"]  # only "a" waited
    assert all(b - a >= 0.05 - 0.001 for a, b in itertools.pairwise(a_times))


async def test_a_pacer_forgets_spent_keys() -> None:
    pacer = Pacer(0.0)
    for i in range(5000):
        await pacer.wait(i)
    assert len(pacer._next) < 2100
