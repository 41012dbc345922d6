"""Per-user cooldowns on commands that post in a channel, so one member cannot flood it.

A sliding window per (platform, workspace, channel, user): at most ``LIMIT`` public
replies in ``WINDOW`` seconds. This module is the policy (the limit, the window, who is
exempt); the replies counted are held by the database (``bot/storage/cooldowns.py``), so
that every process serving a channel enforces one limit (issue 13): a member whose
commands land on two replicas still gets ``LIMIT`` posts a window, not twice that.
The console is exempt, without touching the database: it is a private terminal with no
channel to flood.
"""

from __future__ import annotations

from bot.clock import Clock
from bot.invocation import Invocation
from bot.storage.cooldowns import CooldownStore

LIMIT = 6
WINDOW = 60.0
EXEMPT_PLATFORMS = frozenset({"console"})


def member_key(inv: Invocation) -> str:
    """Whose replies are counted together: one user in one channel."""
    return f"{inv.channel_key}:{inv.user}"


class Cooldowns:
    def __init__(self, store: CooldownStore, clock: Clock, limit: int = LIMIT,
                 window: float = WINDOW) -> None:
        self.store = store
        self.clock = clock
        self.limit = limit
        self.window = window

    async def wait(self, inv: Invocation) -> float:
        """Seconds before ``inv.user`` may post here again; 0 means go (and counts it)."""
        if inv.platform in EXEMPT_PLATFORMS:
            return 0.0
        return await self.store.take(member_key(inv), self.clock.now().timestamp(),
                                     self.limit, self.window)
