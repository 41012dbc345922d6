"""Spacing requests so that the bot itself never exceeds a platform's rate limit.

A platform client's own limiter reacts to what the platform says (discord.py waits out a
bucket once its headers say it is empty, and a 429), but nothing in it keeps a burst of
daily posts under a limit the platform only enforces: Discord's global 50 requests/s,
Slack's one message per second in a channel. Every 429 also counts toward Discord's
invalid-request ban, so the posters space their requests with a ``Pacer`` and let the
scheduler keep many posts under way: the pacer, not a small concurrency bound, sets the
daily minute's speed.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Hashable

_FORGET_FROM = 1024  # keys kept before the spent ones are dropped


class Pacer:
    """Hands out slots at least ``interval`` seconds apart, per key (Slack's channels).

    A caller reserves its slot when it asks, so waiters keep their order and a cancelled
    waiter only leaves a gap. A slot is never before the moment it is asked for: an idle
    key does not bank a burst. For a key that is busy for long, see ``RateWindow``.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next: dict[Hashable, float] = {}
        self._forget_at = _FORGET_FROM

    async def wait(self, key: Hashable = None) -> None:
        now = asyncio.get_running_loop().time()
        self._forget_spent(now)
        slot = max(self._next.get(key, now), now)
        self._next[key] = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def _forget_spent(self, now: float) -> None:
        """Drop keys whose next slot has come (they would get ``now`` anyway), once the
        table has doubled since the last sweep: amortised O(1) per call, no cliff."""
        if len(self._next) < self._forget_at:
            return
        self._next = {k: t for k, t in self._next.items() if t > now}
        self._forget_at = max(_FORGET_FROM, 2 * len(self._next))


class RateWindow:
    """At most ``count`` releases in any ``per`` seconds, counted when each is released
    (after the wait, so a stalled event loop cannot turn reserved slots into a burst),
    and spaced at least three quarters of an even share apart: a late release can be
    caught up, so the average stays ``count / per``, but never all at once.
    """

    def __init__(self, count: int, per: float) -> None:
        self.count = count
        self.per = per
        self._gap = per / count * 3 / 4
        self._released: collections.deque[float] = collections.deque(maxlen=count)
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                start = now
                if self._released:
                    start = max(start, self._released[-1] + self._gap)
                if len(self._released) == self.count:
                    start = max(start, self._released[0] + self.per)
                if start <= now:
                    break
                await asyncio.sleep(start - now)
            self._released.append(now)
