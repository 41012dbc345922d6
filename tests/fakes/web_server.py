"""A fake web site on 127.0.0.1 for link ingest: pages the tests write, redirects, slow
and trickling responses, wrong content types and oversize bodies.

Usage::

    async with FakeWeb.running() as web:
        web.page("/her", "<html>…</html>")
        url = web.url("/her")

Every request is recorded (path and headers) so a test can check what the bot sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from tests.fakes.loopback import Loopback


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]


@dataclass(frozen=True)
class _Route:
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    status: int = 200
    location: str | None = None  # a redirect
    delay: float = 0.0  # before the headers
    trickle: float = 0.0  # between chunks of the body
    chunk: int = 1 << 16
    declare_length: bool = True


class FakeWeb:
    def __init__(self) -> None:
        self.loopback = Loopback()
        self.routes: dict[str, _Route] = {}
        self.seen: list[Seen] = []

    @classmethod
    @asynccontextmanager
    async def running(cls) -> AsyncIterator[FakeWeb]:
        """The site, started on 127.0.0.1: a bot fetches from it from chat only with
        ``Settings(allow_local_links=True)``."""
        fake = cls()
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", fake._handle)
        await fake.loopback.start(app)
        try:
            yield fake
        finally:
            await fake.loopback.stop()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.loopback.port}{path}"

    def page(self, path: str, body: str | bytes, content_type: str | None = "text/html; "
             "charset=utf-8", status: int = 200, *, delay: float = 0.0, trickle: float = 0.0,
             chunk: int = 1 << 16, declare_length: bool = True) -> str:
        """Serve ``body`` at ``path``; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = _Route(data, content_type, status, None, delay, trickle, chunk,
                                   declare_length)
        return self.url(path)

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        self.routes[path] = _Route(status=status, location=to, content_type=None)
        return self.url(path)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append(Seen(request.path, dict(request.headers)))
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="Not Found")
        if route.delay:
            await asyncio.sleep(route.delay)
        headers = {"Location": route.location} if route.location else {}
        response = web.StreamResponse(status=route.status, headers=headers)
        if route.content_type:
            response.headers["Content-Type"] = route.content_type
        if route.declare_length:
            response.content_length = len(route.body)
        await response.prepare(request)
        for start in range(0, len(route.body), route.chunk):
            if route.trickle:
                await asyncio.sleep(route.trickle)
            await response.write(route.body[start:start + route.chunk])
        await response.write_eof()
        return response
