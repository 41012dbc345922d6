"""What every fake platform shares: an aiohttp server on 127.0.0.1 at a free port, and a
way for tests to wait (bounded) until the fake's recorded state says what they expect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web


class Loopback:
    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    async def start(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def changed(self) -> None:
        """Call after recording anything: wakes every ``wait_for``."""
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        """Until ``predicate()`` is truthy (at most ``timeout`` seconds); return its value."""

        async def check() -> Any:
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(check(), timeout)
