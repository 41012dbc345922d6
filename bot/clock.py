"""Time as a dependency, so the scheduler is tested with a fake clock and never sleeps."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""

    async def sleep_until(self, when: datetime) -> None:
        """Return at ``when`` or soon after; may return early when woken."""


class SystemClock:
    """Wall-clock time. Sleeps in short steps so a suspended host catches up quickly."""

    max_step = 30.0

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep_until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        if delay > 0:
            await asyncio.sleep(min(delay, self.max_step))
