"""Per-user cooldowns on commands that post in a channel, so one member cannot flood it.

A sliding window per (platform, workspace, channel, user): at most ``LIMIT`` public
replies in ``WINDOW`` seconds. Kept in memory: a restart forgets it, which is harmless.
The console is exempt: it is a private terminal with no channel to flood.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from bot.clock import Clock
from bot.invocation import Invocation

LIMIT = 6
WINDOW = 60.0
EXEMPT_PLATFORMS = frozenset({"console"})
_PRUNE_AT = 10_000  # keys; beyond this, forget everyone whose window has passed


class Cooldowns:
    def __init__(self, clock: Clock, limit: int = LIMIT, window: float = WINDOW) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self._hits: dict[str, deque[datetime]] = {}

    def wait(self, inv: Invocation) -> float:
        """Seconds before ``inv.user`` may post here again; 0 means go (and counts it)."""
        if inv.platform in EXEMPT_PLATFORMS:
            return 0.0
        now = self.clock.now()
        if len(self._hits) > _PRUNE_AT:
            self._prune(now)
        hits = self._hits.setdefault(f"{inv.channel_key}:{inv.user}", deque())
        while hits and (now - hits[0]).total_seconds() >= self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return self.window - (now - hits[0]).total_seconds()
        hits.append(now)
        return 0.0

    def _prune(self, now: datetime) -> None:
        self._hits = {
            key: hits for key, hits in self._hits.items()
            if hits and (now - hits[-1]).total_seconds() < self.window
        }
