"""A clock the tests move by hand: the scheduler never sleeps in a test."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
        self._moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        assert when.tzinfo is not None, "FakeClock takes aware datetimes"
        self._now = when.astimezone(timezone.utc)
        self._moved.set()

    def advance(self, **delta: float) -> None:
        self.set(self._now + timedelta(**delta))

    async def sleep_until(self, when: datetime) -> None:
        """Wait until the test moves the clock (to ``when`` or anywhere else)."""
        if self._now >= when:
            await asyncio.sleep(0)
            return
        self._moved.clear()
        await self._moved.wait()
