"""Counting the HTTP requests one discord.py call really sent.

discord.py retries inside a single ``send`` (after a 5xx, a 429, a reset connection), so
the exception it finally raises describes only the last attempt: a connection refused on
the third try says nothing about the 500 the first try got after Discord may have posted.
An aiohttp trace on the client's session records every request whose headers went out,
into a list the calling task holds in a context variable (aiohttp calls the trace in the
task that made the request); code outside ``counting_requests`` is not counted.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from types import SimpleNamespace

import aiohttp

_SENT: ContextVar[list[str] | None] = ContextVar("reviewbot_discord_requests_sent", default=None)


def request_trace() -> aiohttp.TraceConfig:
    """The trace to give ``discord.Client(http_trace=...)``."""
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_headers_sent)
    return trace


@contextlib.contextmanager
def counting_requests() -> Iterator[list[str]]:
    """Within the block, the list receives "METHOD URL" for each request that went out."""
    sent: list[str] = []
    token = _SENT.set(sent)
    try:
        yield sent
    finally:
        _SENT.reset(token)


async def _headers_sent(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    sent = _SENT.get()
    if sent is not None:
        sent.append(f"{params.method} {params.url}")
