"""The console adapter: every command at a terminal prompt, no token needed.

It is a platform like the others: an Invocation per line, replies rendered by the core's
plain-text renderer, and a poster that prints daily quotes to the terminal.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import sys
import threading
import uuid
from typing import TextIO

from bot.app import ReviewBot
from bot.delivery import Claim
from bot.invocation import Invocation
from bot.models import Schedule
from bot.render import render_text
from bot.replies import ErrorReply, QuoteReply, Reply

PLATFORM = "console"
PROMPT = "reviewbot> "
ANOTHER = {"another", "a", "more"}
QUIT = {"quit", "exit", "q"}


def invocation() -> Invocation:
    """The terminal is one channel whose only member manages it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "you"
    return Invocation(PLATFORM, "terminal", user, user_name=user, can_manage=True)


def show(reply: Reply, out: TextIO) -> None:
    out.write(render_text(reply) + "\n")
    if isinstance(reply, QuoteReply):
        out.write("(type 'another' for another one)\n")
    out.flush()


class ConsolePoster:
    """Daily posts printed to the terminal, framed so they stand out from replies."""

    platform = PLATFORM

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        self.out.write(f"\n[daily quote for #{schedule.channel}]\n{render_text(reply)}\n")
        self.out.flush()
        return uuid.uuid4().hex

    async def notify(self, schedule: Schedule, message: str) -> None:
        self.out.write(f"\n[notice] {message}\n")
        self.out.flush()


async def ask(core: ReviewBot, line: str, as_json: bool, out: TextIO) -> int:
    """One command for scripts: 0 on success, 2 on a usage error, 1 on an internal one."""
    reply = await core.handle_text(invocation(), line)
    if as_json:
        out.write(json.dumps(reply.to_json(), ensure_ascii=False) + "\n")
    else:
        out.write(render_text(reply) + "\n")
    if isinstance(reply, ErrorReply):
        return 2 if reply.usage else 1
    return 0


def _stdin_lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str]:
    """Lines of stdin, read by a daemon thread ("" at end of input).

    Not ``asyncio.to_thread``: a read blocked in the default executor keeps
    ``asyncio.run`` from returning, so SIGTERM at the prompt would never finish.
    """
    lines: asyncio.Queue[str] = asyncio.Queue()

    def read() -> None:
        for line in [*iter(sys.stdin.readline, ""), ""]:
            try:
                loop.call_soon_threadsafe(lines.put_nowait, line)
            except RuntimeError:  # the loop has closed: the bot is gone
                return

    threading.Thread(target=read, name="console-stdin", daemon=True).start()
    return lines


async def run_console(core: ReviewBot, stop: asyncio.Event, out: TextIO = sys.stdout) -> None:
    """Read commands until end of input, ``quit`` or ``stop``."""
    core.scheduler.register(ConsolePoster(out))
    inv = invocation()
    last: QuoteReply | None = None
    lines = _stdin_lines(asyncio.get_running_loop())
    out.write("Type /help for the commands, 'quit' to leave.\n")
    while not stop.is_set():
        out.write(PROMPT)
        out.flush()
        reading = asyncio.ensure_future(lines.get())
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not reading.done():
            reading.cancel()
            break
        line = reading.result()
        if not line or line.strip().casefold() in QUIT:
            break
        line = line.strip()
        if not line:
            continue
        if line.casefold() in ANOTHER:
            if last is None:
                out.write("Ask for a /quote first.\n")
                continue
            reply = await core.another(inv, last.another_value)
        else:
            reply = await core.handle_text(inv, line)
        if isinstance(reply, QuoteReply):
            last = reply
        show(reply, out)
    stop.set()
