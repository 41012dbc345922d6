"""Per-user cooldowns on commands that post in a channel, so one member cannot flood it.

A sliding window per (platform, workspace, channel, user): at most ``LIMIT`` public
replies in ``WINDOW`` seconds. Kept in memory: a restart forgets it, which is harmless.
The console is exempt: it is a private terminal with no channel to flood.

Members are kept in the order of their latest counted reply, so those whose window has
passed are all at the front: each call forgets at most ``_FORGET_PER_CALL`` of them. That
makes every call O(1) however many members are live (pruning the whole table once it
grew past a size made calls cost milliseconds at 10,000 members), and the table still
shrinks back, since a call adds at most one member and forgets up to two.
"""

from __future__ import annotations

from collections import OrderedDict, deque

from bot.clock import Clock
from bot.invocation import Invocation

LIMIT = 6
WINDOW = 60.0
EXEMPT_PLATFORMS = frozenset({"console"})
_FORGET_PER_CALL = 2


class Cooldowns:
    def __init__(self, clock: Clock, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        # key -> instants (POSIX seconds) of the counted replies still in the window;
        # ordered by the latest of them, oldest first.
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def __len__(self) -> int:
        """How many members are remembered (live ones, plus a few not yet forgotten)."""
        return len(self._hits)

    def wait(self, inv: Invocation) -> float:
        """Seconds before ``inv.user`` may post here again; 0 means go (and counts it)."""
        if inv.platform in EXEMPT_PLATFORMS:
            return 0.0
        now = self.clock.now().timestamp()
        self._forget_some(now)
        key = f"{inv.channel_key}:{inv.user}"
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
        """Drop up to ``_FORGET_PER_CALL`` members whose latest reply left the window."""
        for _ in range(_FORGET_PER_CALL):
            if not self._hits:
                return
            key, hits = next(iter(self._hits.items()))
            if hits and now - hits[-1] < self.window:
                return
            del self._hits[key]
