"""Command latency while the corpus changes: does an ingest or a pool rebuild stall ``/quote``?

One film of ``--quotes`` quotes (``benchmarks/corpus.py``'s ``<size>-1film`` database,
copied so the cached one stays as built). A caller sends ``/quote`` and ``/verdict`` in
turn through ``ReviewBot.handle`` (parse to reply) for the whole run, one at a time, and
each command's time is filed under what was running when it started:

- ``idle``: nothing else (the baseline, taken in the same run, first and last);
- ``ingest``: ``--files`` ingests of a ``--file-quotes``-quote excerpt file into the film,
  one after another (each a new document: its quotes join the pools);
- ``rebuild``: a full rebuild of the film's pools (``CorpusStore.rebuild_pool``), the
  rare case: the film's voice changed, or too many quotes were removed;
- ``daily``: the daily minute, ``--due`` schedules due at once posted by ``run_due`` to a
  platform answering each post after ``LATENCY`` seconds (claims, draws and outcomes
  written while the commands run).

Before issue 16 every ingest renumbered the film's pools under the write lock (5.2 s at
1M quotes, every command waiting behind it). The target: no command waits more than
50 ms while a file is ingested into a 1M-quote film. ``max vs idle`` is the ratio of a
phase's worst command to the idle phase's.

Run: ``.venv/bin/python -m benchmarks.bench_stall --quotes 1M --due 2k``
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import corpus
from benchmarks.common import (
    add_due_schedules,
    data_dir,
    parse_size,
    percentile,
    print_table,
    progress,
)
from bot.app import ReviewBot
from bot.delivery import Claim
from bot.invocation import Invocation
from bot.models import Film, Mood, Schedule
from bot.replies import QuoteReply
from bot.settings import Settings

COMMANDS = ("quote", "verdict")
PHASES = ("idle", "ingest", "rebuild", "daily")
PLATFORM = "bench"
LATENCY = 0.05  # seconds a platform takes to answer a post


class Caller:
    """Sends commands back to back and files each time under the phase it started in."""

    def __init__(self, core: ReviewBot, film: str) -> None:
        self.core = core
        self.film = film
        self.phase = "idle"
        self.times: dict[tuple[str, str], list[float]] = {
            (p, c): [] for p in PHASES for c in COMMANDS}
        self.stopped = False
        self.started: set[tuple[str, str]] = set()  # (phase, command) of commands sent

    async def enter(self, phase: str) -> None:
        """Start ``phase`` once a command of each kind is on its way in it, so that even
        a phase shorter than one command (a tiny film's rebuild) has them all."""
        self.phase = phase
        while not all((phase, command) in self.started for command in COMMANDS):
            await asyncio.sleep(0)

    async def run(self) -> None:
        n = 0
        while not self.stopped:
            command = COMMANDS[n % len(COMMANDS)]
            inv = Invocation("bench", f"c{n % 50}", f"u{n}")  # many users: no cooldowns
            phase = self.phase
            self.started.add((phase, command))
            start = time.perf_counter()
            await self.core.handle(inv, command, {"film": self.film})
            self.times[phase, command].append(time.perf_counter() - start)
            n += 1
            await asyncio.sleep(0.001)  # a command per millisecond or so, not a busy loop

    def count(self, phase: str) -> int:
        return sum(len(self.times[phase, c]) for c in COMMANDS)


class SlowPoster:
    """A platform that answers each post after ``LATENCY`` and remembers how many."""

    platform = PLATFORM

    def __init__(self) -> None:
        self.posts = 0

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        await asyncio.sleep(LATENCY)
        self.posts += 1
        return f"m{self.posts}"

    async def notify(self, schedule: Schedule, message: str) -> None:
        raise AssertionError(f"schedule {schedule.id} failed: {message}")


async def due_now(core: ReviewBot, film: Film, due: int) -> None:
    """``due`` schedules of the film, each in a channel of its own, due this minute."""
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    await add_due_schedules(core.db, PLATFORM, [f"daily{i}" for i in range(due)], now,
                            (film.id,), moods=(Mood.ANY,))


def excerpt_file(folder: Path, number: int, quotes: int) -> Path:
    """A small excerpt file of new text (a new document each time)."""
    path = folder / f"stall-{number:03d}.txt"
    lines = [f"Number {number}.{i}: a tender, wonderful and moving film, truly."
             for i in range(quotes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def measure(
    key: str, files: int, file_quotes: int, idle: int, due: int
) -> list[list[object]]:
    source = await corpus.database(key)
    work = data_dir() / f"stall-{key}.sqlite3"
    for stale in work.parent.glob(work.name + "*"):
        stale.unlink()
    shutil.copyfile(source, work)
    folder = data_dir() / "stall-files"
    folder.mkdir(exist_ok=True)
    core = await ReviewBot.open(Settings(db_path=work), ingest_default_corpus=False)
    try:
        film = (await core.corpus.films())[0]
        caller = Caller(core, film.name)
        task = asyncio.ensure_future(caller.run())

        async def idle_phase() -> None:
            await caller.enter("idle")
            target = caller.count("idle") + idle
            while caller.count("idle") < target:
                await asyncio.sleep(0.01)

        await idle_phase()
        await caller.enter("ingest")
        ingest_s = []
        for number in range(files):
            path = excerpt_file(folder, number, file_quotes)
            start = time.perf_counter()
            await core.ingest([path], film.name)
            ingest_s.append(time.perf_counter() - start)
        await idle_phase()
        await caller.enter("rebuild")
        start = time.perf_counter()
        await core.corpus.rebuild_pool(film.id)
        rebuild_s = time.perf_counter() - start
        await idle_phase()
        await due_now(core, film, due)
        poster = SlowPoster()
        core.scheduler.register(poster)
        await caller.enter("daily")
        start = time.perf_counter()
        posted = await core.scheduler.run_due()
        daily_s = time.perf_counter() - start
        assert posted == poster.posts == due, (posted, poster.posts, due)
        await idle_phase()
        caller.stopped = True
        await task
    finally:
        await core.close()
    rows: list[list[object]] = []
    for command in COMMANDS:
        base = max(caller.times["idle", command])
        for phase in PHASES:
            t = caller.times[phase, command]
            took = {"idle": "", "ingest": f"{percentile(ingest_s, 50) * 1000:.0f} ms per file",
                    "rebuild": f"{rebuild_s:.1f} s",
                    "daily": f"{due:,} posts in {daily_s:.1f} s"}[phase]
            rows.append([
                key, f"/{command}", phase, len(t), percentile(t, 50) * 1000,
                percentile(t, 99) * 1000, max(t) * 1000, f"{max(t) / base:.1f}x", took,
            ])
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quotes", default="1M", help="quotes in the one film (1k, 100k, 1M)")
    parser.add_argument("--files", type=int, default=100, help="files ingested one by one")
    parser.add_argument("--file-quotes", type=int, default=5, help="quotes per file")
    parser.add_argument("--idle", type=int, default=400,
                        help="commands in each idle phase (four: first, between, last)")
    parser.add_argument("--due", default="2k",
                        help="schedules due at once in the daily phase")
    args = parser.parse_args(argv)
    key = f"{args.quotes}{corpus.SINGLE_FILM_SUFFIX}"
    parse_size(args.quotes)  # a clear error before minutes of building
    progress(f"stall benchmark on {key}")
    rows = asyncio.run(measure(key, args.files, args.file_quotes, args.idle,
                               parse_size(args.due)))
    print_table(
        f"Command latency during ingest, a pool rebuild and the daily minute ({key}; ms)",
        ["corpus", "command", "while", "n", "p50", "p99", "max", "max vs idle", "took"],
        rows,
    )


if __name__ == "__main__":
    main()
