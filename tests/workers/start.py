"""What every worker process shares: opening the bot, the start barrier, record lines.

A worker says it is ready (its database open, its first query answered) by creating its
``ready`` file, then waits for the test to create the ``go`` file, so that the processes
of one test start their work together rather than one after the other as they open.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bot.app import ReviewBot
from tests.backends import settings_for

POLL = 0.005  # seconds between looks at the go file: far below a worker's start-up


def target_of(arg: str) -> Path | str:
    """A database argument: a PostgreSQL URL stays a string, anything else is a file."""
    return arg if arg.startswith("postgresql://") else Path(arg)


async def open_when_told(target: Path | str, ready: Path, go: Path) -> ReviewBot:
    """The bot on ``target`` (no default corpus: the test wrote its own), once ``go`` exists."""
    bot = await ReviewBot.open(settings_for(target), ingest_default_corpus=False)
    ready.touch()
    while not go.exists():
        await asyncio.sleep(POLL)
    return bot


def append_line(fd: int, line: str) -> None:
    """One line in one ``write`` on an ``O_APPEND`` descriptor: lines from several
    processes never interleave, and a line written is in the kernel before this returns,
    so a SIGKILL a moment later cannot lose it."""
    data = f"{line}\n".encode()
    assert os.write(fd, data) == len(data)


def open_record(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
