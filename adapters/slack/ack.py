"""Listeners that return as soon as they acknowledge, so a reply leaves at once.

slack-bolt's default (``process_before_response=False``) runs a listener in the
background and polls every 10 ms for its ``ack()``: a reply ready in a millisecond still
left after 10 (Slack round trip p50 12 ms against Discord's 1 ms). With
``process_before_response=True`` bolt answers the moment the listener returns, but then
a listener's slow work after ``ack()`` (a ``response_url`` post, a film's removal) would
hold the acknowledgement back past Slack's 3 s.

``AnsweringApp`` gets both: every listener it registers runs in a task, and bolt's call
returns when the listener has acknowledged (with its reply body, if any), or has
finished, or ``GUARD`` seconds have passed (then it acknowledges empty itself); whatever
the listener does after that goes on in the background. An event listener, which does not
call ``ack()``, is acknowledged when it finishes or at the guard. A listener's failure
after it returned is logged, as bolt's runner would have.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse

_log = logging.getLogger(__name__)

GUARD = 2.5  # seconds: acknowledge empty by then whatever the listener is doing

Listener = Callable[..., Awaitable[BoltResponse | None]]


class AnsweringApp(AsyncApp):
    """An ``AsyncApp`` in ``process_before_response`` mode whose listeners return at
    ``ack()`` (see the module's docstring)."""

    def __init__(self, *, guard: float = GUARD, **kwargs: Any) -> None:
        self.guard = guard
        self._running: set[asyncio.Future[BoltResponse | None]] = set()
        super().__init__(process_before_response=True, **kwargs)

    def _register_listener(
        self, functions: Sequence[Listener], *args: Any, **kwargs: Any
    ) -> Listener | None:
        """bolt's one registration point for commands, actions, events and views."""
        functions = list(functions)
        if functions:
            functions[0] = self._returning_at_ack(functions[0])
        return super()._register_listener(functions, *args, **kwargs)

    def _returning_at_ack(self, listener: Listener) -> Listener:
        @functools.wraps(listener)  # bolt passes the arguments the listener names
        async def run(**kwargs: Any) -> BoltResponse | None:
            # One future and one timer: this runs for every command and button press.
            loop = asyncio.get_running_loop()
            ready: asyncio.Future[None] = loop.create_future()

            def wake(_: object = None) -> None:
                if not ready.done():
                    ready.set_result(None)

            ack = kwargs.get("ack")
            acked = False
            if isinstance(ack, AsyncAck):
                async def signalling_ack(*args: Any, **ack_kwargs: Any) -> BoltResponse:
                    nonlocal acked
                    try:
                        return await ack(*args, **ack_kwargs)
                    finally:
                        acked = True
                        wake()

                kwargs["ack"] = signalling_ack
            work = asyncio.ensure_future(listener(**kwargs))
            self._running.add(work)  # the loop keeps only a weak reference to a task
            work.add_done_callback(self._running.discard)
            work.add_done_callback(wake)
            guard = loop.call_later(self.guard, wake)
            try:
                await ready
            finally:
                guard.cancel()
            if work.done() and not acked:
                return work.result()  # finished (or failed) without ack: bolt's usual path
            if isinstance(ack, AsyncAck) and not acked:
                await ack()  # the guard: an empty acknowledgement, the work goes on
            if work.done():
                _log_failure(work)
            else:
                work.add_done_callback(_log_failure)
            return ack.response if isinstance(ack, AsyncAck) else None

        return run



def _log_failure(work: asyncio.Future[BoltResponse | None]) -> None:
    """What bolt's runner would have done with a failure after the acknowledgement."""
    if not work.cancelled() and work.exception() is not None:
        _log.error("A Slack listener failed after acknowledging", exc_info=work.exception())
