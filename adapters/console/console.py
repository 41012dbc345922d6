"""The console adapter: every command at a terminal prompt, no token needed.

It is a platform like the others: an Invocation per line, replies rendered by the core's
plain-text renderer, and a poster that prints daily quotes to the terminal. Where the
chat platforms put buttons, the console takes words: ``another`` after a quote, ``wrong
<mood>`` to correct its mood, ``fix <id> <choice>`` on a /review item (the person at the
terminal manages it, so a correction applies at once).

At a terminal the prompt is prompt_toolkit's: line editing, history kept across sessions,
Tab completion, Ctrl-C to clear the line; daily posts are drawn above the line being
typed. Piped input gets a plain line reader. Either way each line is answered as soon as
it is entered. Everything printed goes through ``strip_controls``: quotes come from
ingested files, and an escape sequence in one must not retitle the window or move the
cursor.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import re
import sys
import threading
import uuid
from typing import Protocol, TextIO

from bot.app import ReviewBot
from bot.delivery import Claim
from bot.invocation import Invocation
from bot.models import Correction, Schedule
from bot.render import render_text
from bot.replies import (
    REVIEW_CHOICES,
    WRONG_MOOD_CHOICES,
    ErrorReply,
    FilmAddReply,
    FilmRemovalReply,
    FilmsReply,
    HelpReply,
    JobState,
    QuoteReply,
    Reply,
    ReviewReply,
    correction_value,
)
from bot.safe_text import strip_controls

_log = logging.getLogger(__name__)

PLATFORM = "console"
PROMPT = "reviewbot> "
ANOTHER_WORD, QUIT_WORD = "another", "quit"  # the spellings Tab offers
ANOTHER = {ANOTHER_WORD, "a", "more"}
QUIT = {QUIT_WORD, "exit", "q"}
WRONG_WORD, FIX_WORD = "wrong", "fix"
WRONG_CHOICES = tuple(c.value for c in WRONG_MOOD_CHOICES)
FIX_CHOICES = tuple(c.value for c in REVIEW_CHOICES)
# The console's own words, with what Tab offers after each, position by position.
CONSOLE_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    ANOTHER_WORD: (),
    WRONG_WORD: (WRONG_CHOICES,),
    FIX_WORD: ((), FIX_CHOICES),  # a quote id, then the choice
    QUIT_WORD: (),
}
WRONG_USAGE = f"{WRONG_WORD} {'|'.join(WRONG_CHOICES)}"
FIX_USAGE = f"{FIX_WORD} <quote id> {'|'.join(FIX_CHOICES)}"
QUOTE_HINT = f"(type '{ANOTHER_WORD}' for another one, '{WRONG_USAGE}' if its mood is wrong)"
REVIEW_HINT = f"(type '{FIX_USAGE}' to act on one; the id follows #)"
HELP_HINT = (
    f"At this console: '{ANOTHER_WORD}' after a quote, '{WRONG_USAGE}' to correct its "
    f"mood, '{FIX_USAGE}' after /review, '{QUIT_WORD}' to leave."
)


def invocation() -> Invocation:
    """The terminal is one channel whose only member manages it."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "you"
    return Invocation(PLATFORM, "terminal", user, user_name=user, can_manage=True)


def printable(reply: Reply) -> str:
    """The reply as text that cannot drive the terminal (see ``strip_controls``)."""
    return strip_controls(render_text(reply))


def show(reply: Reply, out: TextIO) -> None:
    """The reply, then what the console lets you type about it (its words, not a command's)."""
    out.write(printable(reply) + "\n")
    if isinstance(reply, QuoteReply):
        out.write(QUOTE_HINT + "\n")
    elif isinstance(reply, ReviewReply) and reply.items:
        out.write(REVIEW_HINT + "\n")
    elif isinstance(reply, HelpReply):
        out.write(HELP_HINT + "\n")
    elif isinstance(reply, FilmRemovalReply) and reply.removed is None:
        out.write(strip_controls(f'(type /film remove "{reply.film}" confirm:yes to remove it)')
                  + "\n")
    elif isinstance(reply, FilmsReply) and reply.pages > 1:
        out.write(f"(type /films page:N for another page, 1–{reply.pages})\n")
    out.flush()


async def finished(core: ReviewBot, reply: Reply, progress: TextIO | None) -> Reply:
    """``reply``, or for a ``/film add`` its job's summary once it is done: a terminal
    has no message to edit, so the job's progress is printed to ``progress`` line by
    line (throttled by the job) and the command ends with the summary."""
    if not isinstance(reply, FilmAddReply):
        return reply
    if progress is not None:
        out = progress

        async def print_progress(state: FilmAddReply) -> None:
            if state.state is JobState.RUNNING:
                out.write(printable(state).splitlines()[0] + "\n")
                out.flush()

        core.film_jobs.follow(reply.job_id, print_progress)
    return await core.film_jobs.wait(reply.job_id) or reply


class ConsolePoster:
    """Daily posts printed to the terminal, framed so they stand out from replies."""

    platform = PLATFORM

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        self.out.write(
            strip_controls(f"\n[daily quote for #{schedule.channel}]\n{render_text(reply)}\n")
        )
        self.out.flush()
        return uuid.uuid4().hex

    async def notify(self, schedule: Schedule, message: str) -> None:
        self.out.write(strip_controls(f"\n[notice] {message}\n"))
        self.out.flush()


# What json.dumps(ensure_ascii=False) leaves raw but a terminal acts on: DEL and the C1
# controls (U+009B is a CSI on some terminals), bidi controls, line separators.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def terminal_safe_json(value: object) -> str:
    """JSON with readable non-ASCII text, and every character a terminal would act on
    written as a ``\\uXXXX`` escape: the data stays exact, the terminal stays inert."""
    text = json.dumps(value, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


async def ask(core: ReviewBot, line: str, as_json: bool, out: TextIO) -> int:
    """One command for scripts: 0 on success, 2 on a usage error, 1 on an internal one."""
    reply = await finished(core, await core.handle_text(invocation(), line), None)
    if as_json:
        out.write(terminal_safe_json(reply.to_json()) + "\n")
    else:
        out.write(printable(reply) + "\n")
    if isinstance(reply, ErrorReply):
        return 2 if reply.usage else 1
    return 0


class _Lines(Protocol):
    async def read(self) -> str | None:
        """The next line typed, or None at end of input."""


class _PipedLines:
    """Standard input that is not a terminal (a pipe, a file), one line at a time.

    Read by a daemon thread, not ``asyncio.to_thread``: a read blocked in the default
    executor keeps ``asyncio.run`` from returning, so SIGTERM would never finish. Each
    line is handed over as soon as it is read, so a script talking to the bot over a
    pipe gets each answer before it sends the next line.
    """

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(loop,), name="console-stdin", daemon=True).start()

    def _read(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            line = sys.stdin.readline() or None  # "" is end of input
            try:
                loop.call_soon_threadsafe(self._lines.put_nowait, line)
            except RuntimeError:  # the loop has closed: the bot is gone
                return
            if line is None:
                return

    async def read(self) -> str | None:
        self._out.write(PROMPT)
        self._out.flush()
        return await self._lines.get()


async def run_console(core: ReviewBot, stop: asyncio.Event) -> None:
    """Read commands until end of input, ``quit`` or ``stop``.

    The prompt needs a terminal on both sides; with stdin or stdout redirected the
    console reads plain lines, as a script expects.

    Replies are printed straight to the terminal: the prompt is not open then. Daily posts
    may come while it is, so they go through ``patch_stdout``'s proxy, which draws them
    above the line being typed.
    """
    out = sys.stdout
    if sys.stdin.isatty() and out.isatty():
        # Imported here: prompt_toolkit adds ~90 ms to every start, and `reviewbot ask`,
        # scripts and the platforms never open a prompt.
        from prompt_toolkit.patch_stdout import patch_stdout

        from adapters.console.prompt import TerminalLines

        with patch_stdout():
            await _converse(core, stop, out, TerminalLines(core), posts=sys.stdout)
    else:
        await _converse(core, stop, out, _PipedLines(out), posts=out)


async def _converse(
    core: ReviewBot, stop: asyncio.Event, out: TextIO, lines: _Lines, posts: TextIO
) -> None:
    core.scheduler.register(ConsolePoster(posts))
    inv = invocation()
    last: QuoteReply | None = None
    out.write("Type /help for the commands, 'quit' to leave.\n")
    out.flush()
    while not stop.is_set():
        line = await _next_line(lines, stop)
        if line is None or line.strip().casefold() in QUIT:
            break
        line = line.strip()
        if not line:
            continue
        words = line.casefold().split()
        if line.casefold() in ANOTHER or words[0] == WRONG_WORD:
            if last is None:
                out.write("Ask for a /quote first.\n")
                out.flush()
                continue
            if words[0] == WRONG_WORD:
                reply = await _wrong(core, inv, last, words[1:])
            else:
                reply = await core.another(inv, last.another_value)
        elif words[0] == FIX_WORD:
            reply = await _fix(core, inv, words[1:])
        else:
            reply = await finished(core, await core.handle_text(inv, line), out)
        if isinstance(reply, QuoteReply):
            last = reply
        show(reply, out)
    stop.set()


async def _wrong(core: ReviewBot, inv: Invocation, last: QuoteReply, args: list[str]) -> Reply:
    """``wrong <mood>``: the last quote's mood corrected."""
    if len(args) != 1 or args[0] not in WRONG_CHOICES:
        return ErrorReply(f"Type {WRONG_USAGE}.", ephemeral=True)
    return await core.correct(inv, last.correction_value(Correction(args[0])))


async def _fix(core: ReviewBot, inv: Invocation, args: list[str]) -> Reply:
    """``fix <quote id> <choice>``: a /review item acted on; ``#12`` as /review prints it."""
    quote_id = args[0].lstrip("#") if args else ""
    if len(args) != 2 or not (quote_id.isascii() and quote_id.isdigit()) or \
            args[1] not in FIX_CHOICES:
        return ErrorReply(f"Type {FIX_USAGE}, with an id /review shows.", ephemeral=True)
    return await core.correct(inv, correction_value(int(quote_id), Correction(args[1])))


async def _next_line(lines: _Lines, stop: asyncio.Event) -> str | None:
    """The next line, or None at end of input or once the bot is stopping."""
    reading = asyncio.ensure_future(lines.read())
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if not reading.done():
        reading.cancel()
        await asyncio.wait({reading})  # the prompt restores the terminal as it unwinds
        return None
    return reading.result()
