"""Scale-out (issue 13): PostgreSQL beside SQLite, and several bot processes on one database.

One command per figure, every figure beside its baseline from the same run:

- ``--quote``: ``ReviewBot.handle(inv, "quote", …)`` for a random film in one of 50
  channels, on the cached 1M corpora (``benchmarks/corpus.py``) of both backends opened
  side by side, alternating in blocks of ``--block`` calls (equal samples on both);
  ``draw`` is ``CorpusStore.draw`` alone. Baseline: SQLite, the embedded default.
- ``--processes``: 1, 2 and 4 OS processes (``spawn``), each running the core
  (``ReviewBot.open``) with ``--concurrency`` callers sending ``--mix`` commands for
  random films, channels and members (a new member per command: no cooldowns) as fast
  as they are answered, for ``--seconds`` after a start barrier; ``--rounds`` repeats
  the counts, every other round reversed. Beside commands/s, the CPU each side used
  (bot processes, PostgreSQL's backends for the database, the whole host): on a small
  host the server shares the cores with the bots. Baseline: 1 process on the same
  backend, same round; the target is 2 processes ≥ 1.5x one on PostgreSQL.
- ``--daily``: ``Scheduler.run_due`` at 09:00:30 with ``--due`` schedules due at 09:00
  (one per channel, in a copy of the 1k corpus), run by 1 and 2 processes at once
  against a platform that answers each post after ``--latency`` ms (the recording
  poster of ``bench_scheduler``, slowed). Time from the start barrier until the last
  process is done; every run checks that each schedule was posted exactly once (no
  duplicate across processes, one ``sent`` claim each). Baseline: 1 process.

PostgreSQL is the server of ``REVIEWBOT_BENCH_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/test``); its corpora are cached as databases
named after the corpus, as the SQLite files are in ``benchmarks/.data``.

Run: ``.venv/bin/python -m benchmarks.bench_scale --quote`` (``--processes``, ``--daily``)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from benchmarks import corpus
from benchmarks.bench_scheduler import BUSY, PLATFORM, RecordingPoster
from benchmarks.common import (
    add_due_schedules,
    host_cpu_ticks,
    load_average,
    parse_size,
    percentile,
    print_table,
    process_cpu_seconds,
    summary_ms,
    timed,
)
from bot.app import ReviewBot
from bot.delivery import Claim
from bot.invocation import Invocation
from bot.models import Film, Mood, Schedule
from bot.replies import ErrorReply, QuoteReply
from bot.settings import Settings
from bot.storage import Database
from bot.storage.postgres import PostgresDatabase
from tests.fakes.clock import FakeClock

BACKENDS = ("postgresql", "sqlite")
BASELINE = "sqlite"
QUOTE_CHANNELS = 50  # as bench_quote
CHANNELS = 1000  # --processes: decks spread over many channels, some shared by processes
COMMANDS = ("quote", "verdict", "mood")
_BARRIER_TIMEOUT = 300.0  # seconds for every process to open the core (a cold cache)


def settings_for(target: Path | str) -> Settings:
    """Settings opening ``target``: a SQLite path, or a PostgreSQL URL."""
    return Settings(database_url=target) if isinstance(target, str) else Settings(db_path=target)


async def open_core(target: Path | str) -> ReviewBot:
    return await ReviewBot.open(settings_for(target), ingest_default_corpus=False)


async def forget_decks(target: Path | str) -> None:
    """Every run starts with fresh decks, whatever ran on the cached corpus before."""
    db = await Database.open(target)
    try:
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM decks")
    finally:
        await db.close()


async def command(core: ReviewBot, inv: Invocation, name: str, film: Film, text: str) -> bool:
    """One command as an adapter sends it; whether it was answered (not an error)."""
    if name == "quote":
        reply = await core.handle(inv, "quote", {"mood": Mood.ANY.value, "film": film.name})
    elif name == "verdict":
        reply = await core.handle(inv, "verdict", {"film": film.name})
    else:
        reply = await core.handle(inv, "mood", {"text": text})
    return not isinstance(reply, ErrorReply)


def in_processes(work: Callable[..., None], loads: Sequence[tuple[object, ...]],
                 timeout: float) -> list[Any]:
    """Run ``work(*load, ready, out)`` in a new OS process (``spawn``) per load, all
    passing the barrier ``ready`` together; what each put in ``out``, in the order
    they finished. A process's exception is raised here, the others killed."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(len(loads))
    out: Queue[Any] = context.Queue()
    workers = [context.Process(target=work, args=(*load, ready, out), daemon=True)
               for load in loads]
    for worker in workers:
        worker.start()
    failed = True
    try:
        results = [out.get(timeout=timeout) for _ in workers]
        for result in results:
            if isinstance(result, BaseException):
                raise result
        failed = False
        return results
    finally:
        for worker in workers:
            if not failed:
                worker.join(30)
            if worker.is_alive():
                worker.kill()


def report(out: Queue[Any], work: Coroutine[Any, Any, object]) -> None:
    """In a worker process: run ``work`` and put its result, or its exception, in ``out``."""
    try:
        out.put(asyncio.run(work))
    except Exception as exc:
        out.put(exc)
        raise


# -- --quote -------------------------------------------------------------------------------


async def quote_latency(key: str, iterations: int, block: int) -> list[list[object]]:
    """Rows of ``/quote`` and draw latency per mood and backend for the corpus ``key``."""
    cores: dict[str, ReviewBot] = {}
    try:
        for backend in BACKENDS:
            target = await corpus.target(key, backend)
            await forget_decks(target)
            cores[backend] = await open_core(target)
        films = await cores[BASELINE].corpus.films()
        rng = random.Random(key)
        rows: list[list[object]] = []
        for mood in Mood:
            picks = [(rng.choice(films), f"c{rng.randrange(QUOTE_CHANNELS)}")
                     for _ in range(iterations)]
            quote_t: dict[str, list[float]] = {b: [] for b in BACKENDS}
            draw_t: dict[str, list[float]] = {b: [] for b in BACKENDS}
            for number, first in enumerate(range(0, iterations, block)):
                order = BACKENDS if number % 2 == 0 else BACKENDS[::-1]
                for backend in order:
                    core = cores[backend]
                    for i in range(first, min(first + block, iterations)):
                        film, channel = picks[i]
                        inv = Invocation("bench", channel, f"u{i}")
                        quote_t[backend].append(await timed(_quote(core, inv, film, mood)))
                        draw_t[backend].append(await timed(core.corpus.draw(
                            inv.channel_key + "/draw", film.id, mood, rng)))
            _, _, base99 = summary_ms(quote_t[BASELINE])
            base50 = percentile(quote_t[BASELINE], 50) * 1000
            for backend in BACKENDS:
                q50, q95, q99 = summary_ms(quote_t[backend])
                d50, _, d99 = summary_ms(draw_t[backend])
                rows.append([key, f"{len(films):,}", mood.value, backend, len(quote_t[backend]),
                             q50, q95, q99, max(quote_t[backend]) * 1000, d50, d99,
                             f"{q50 / base50:.2f}x", f"{q99 / base99:.2f}x"])
        return rows
    finally:
        for core in cores.values():
            await core.close()


async def _quote(core: ReviewBot, inv: Invocation, film: Film, mood: Mood) -> None:
    reply = await core.handle(inv, "quote", {"mood": mood.value, "film": film.name})
    if not isinstance(reply, QuoteReply):
        raise RuntimeError(f"/quote failed on {core.db.name}: {reply}")


def run_quote(args: argparse.Namespace) -> None:
    rows: list[list[object]] = []
    for key in args.sizes.split(","):
        rows += asyncio.run(quote_latency(key.strip(), args.iterations, args.block))
    print_table(
        f"/quote latency, ms, PostgreSQL beside SQLite ({args.iterations} calls per mood and"
        f" backend, backends alternating in blocks of {args.block}); vs sqlite = this"
        f" backend / SQLite; {load_average()}",
        ["corpus", "films", "mood", "backend", "calls", "p50", "p95", "p99", "max",
         "draw p50", "draw p99", "p50 vs sqlite", "p99 vs sqlite"],
        rows,
    )


# -- --processes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What one process is asked to serve."""

    target: Path | str
    index: int
    mix: tuple[str, ...]
    seconds: float
    concurrency: int


@dataclass(frozen=True)
class Served:
    """What one process served after the barrier."""

    commands: int
    errors: int
    seconds: float
    cpu: float  # this process's CPU seconds (user and system, all threads) meanwhile
    host_busy: float  # the share of the whole host's CPU time busy meanwhile (1.0: all)
    server_cpu: float | None  # CPU seconds of the PostgreSQL server's backends on this
    # database meanwhile, measured by the first process only (None: the others, SQLite)
    latencies: list[float]


def serve(load: Load, ready: Barrier, out: Queue[Any]) -> None:
    """A bot process: open the core, wait for the others, serve commands."""
    report(out, _serve(load, ready))


async def _serve(load: Load, ready: Barrier) -> Served:
    core = await open_core(load.target)
    try:
        films = await core.corpus.films()
        texts = [s.text for s in corpus.sentences()]
        rng = random.Random(f"serve:{load.index}")
        numbers = itertools.count()
        latencies: list[float] = []
        errors = 0

        async def caller() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                n = next(numbers)
                inv = Invocation("bench", f"c{rng.randrange(CHANNELS)}", f"p{load.index}u{n}")
                start = time.perf_counter()
                ok = await command(core, inv, load.mix[n % len(load.mix)], rng.choice(films),
                                   rng.choice(texts))
                latencies.append(time.perf_counter() - start)
                errors += not ok

        for name in COMMANDS:  # warm: statements prepared, caches read, before the clock
            await command(core, Invocation("bench", "warm", f"p{load.index}w{name}"), name,
                          films[0], texts[0])
        await asyncio.to_thread(ready.wait, _BARRIER_TIMEOUT)
        watch = isinstance(core.db, PostgresDatabase) and load.index == 0
        server = process_cpu_seconds(await _backends(core.db)) if watch else {}
        start, cpu, (busy, total) = time.perf_counter(), time.process_time(), host_cpu_ticks()
        deadline = start + load.seconds
        await asyncio.gather(*(caller() for _ in range(load.concurrency)))
        busy_after, total_after = host_cpu_ticks()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        # The server is measured once every process is done and before any leaves (its
        # connections' backends end with it).
        await asyncio.to_thread(ready.wait, _BARRIER_TIMEOUT)
        server_cpu = None
        if watch:
            after = process_cpu_seconds(await _backends(core.db))
            server_cpu = sum(t - server.get(pid, 0.0) for pid, t in after.items())
        await asyncio.to_thread(ready.wait, _BARRIER_TIMEOUT)
        return Served(len(latencies), errors, elapsed, cpu,
                      (busy_after - busy) / max(1, total_after - total), server_cpu, latencies)
    finally:
        await core.close()


def _per_command(bot_cores: float, server_cores: float | None, rate: float) -> str:
    """CPU milliseconds a command cost the bot (+ the server): what bounds commands/s
    on a host whose cores both share."""
    bot = f"{bot_cores / rate * 1000:.2f}"
    return bot if server_cores is None else f"{bot}+{server_cores / rate * 1000:.2f}"


async def _backends(db: Database) -> list[int]:
    """The server processes serving this database (every bot process's connections)."""
    rows = await db.fetchall(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    return [int(r[0]) for r in rows]


def serve_together(target: Path | str, processes: int, mix: tuple[str, ...], seconds: float,
                   concurrency: int) -> list[Served]:
    """Run ``processes`` bot processes at once; what each served."""
    loads = [(Load(target, i, mix, seconds, concurrency),) for i in range(processes)]
    return in_processes(serve, loads, _BARRIER_TIMEOUT + seconds * 4)


async def _prepare(key: str, backend: str) -> Path | str:
    target = await corpus.target(key, backend)
    await forget_decks(target)
    return target


def run_processes(args: argparse.Namespace) -> None:
    """Each round runs the counts in turn, every other round in reverse (the host's load
    drifts); ratios are to the first count's rate in the same round."""
    counts = [int(c) for c in args.counts.split(",")]
    mix = tuple(args.mix.split(","))
    rows: list[list[object]] = []
    for backend in args.backends.split(","):
        for round_ in range(1, args.rounds + 1):
            runs = {n: serve_together(asyncio.run(_prepare(args.size, backend)), n, mix,
                                      args.seconds, args.concurrency)
                    for n in (counts if round_ % 2 else counts[::-1])}
            rates = {n: sum(s.commands / s.seconds for s in served)
                     for n, served in runs.items()}
            for n, served in runs.items():
                latencies = [t for s in served for t in s.latencies]
                bot_cores = sum(s.cpu / s.seconds for s in served)
                host_cores = statistics.mean(s.host_busy for s in served) * (os.cpu_count() or 1)
                server = [s.server_cpu / s.seconds for s in served if s.server_cpu is not None]
                rows.append([backend, round_, n, sum(s.commands for s in served), rates[n],
                             rates[n] / n, f"{rates[n] / rates[counts[0]]:.2f}x",
                             percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000,
                             sum(s.errors for s in served), f"{bot_cores:.2f}",
                             f"{server[0]:.2f}" if server else "-", f"{host_cores:.2f}",
                             _per_command(bot_cores, server[0] if server else None, rates[n])])
    print_table(
        f"Commands/s with several bot processes on one database ({args.size} corpus; mix"
        f" {'/'.join(mix)}; {args.concurrency} callers per process, {args.seconds:g} s after"
        f" a start barrier); vs 1 = commands/s / the first count's in the same round;"
        f" CPU used, in cores: bot = the bot processes, server = PostgreSQL's backends for"
        f" this database, host = the whole host (other jobs included) of its {os.cpu_count()};"
        f" CPU ms/command = bot + server CPU per command;"
        f" {load_average()}",
        ["backend", "round", "processes", "commands", "commands/s", "per process", "vs 1",
         "p50 ms", "p99 ms", "errors", "bot cores", "server cores", "host cores",
         "CPU ms/command"],
        rows,
    )


# -- --daily -------------------------------------------------------------------------------


class SlowPoster(RecordingPoster):
    """``bench_scheduler``'s recording platform, answering each post after ``latency``."""

    def __init__(self, latency: float) -> None:
        super().__init__()
        self.latency = latency

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        await asyncio.sleep(self.latency)
        return await super().post(schedule, reply, claim)


@dataclass(frozen=True)
class Posted:
    """One scheduler process's share of the minute."""

    schedule_ids: list[int]
    started: float  # time.time() at the barrier's release
    ended: float


def post_due(target: Path | str, latency: float, ready: Barrier, out: Queue[Any]) -> None:
    """A scheduler process: ``run_due`` at 09:00:30 after the start barrier."""
    report(out, _post_due(target, latency, ready))


async def _post_due(target: Path | str, latency: float, ready: Barrier) -> Posted:
    core = await ReviewBot.open(settings_for(target), clock=FakeClock(BUSY + timedelta(seconds=30)),
                                ingest_default_corpus=False)
    try:
        poster = SlowPoster(latency)
        core.scheduler.register(poster)
        await asyncio.to_thread(ready.wait, _BARRIER_TIMEOUT)
        started = time.time()
        posted = await core.scheduler.run_due()
        ended = time.time()
        if posted != len(poster.posts):
            raise RuntimeError(f"run_due said {posted}, the poster got {len(poster.posts)}")
        return Posted([schedule_id for schedule_id, _ in poster.posts], started, ended)
    finally:
        await core.close()


async def due_copy(backend: str, due: int) -> Path | str:
    """A fresh copy of the 1k corpus with ``due`` schedules at 09:00 UTC, one per channel."""
    target = await corpus.copy("1k", backend, f"bench_scale_daily_{os.getpid()}")
    db = await Database.open(target)
    try:
        await add_due_schedules(db, PLATFORM, [f"ch{i}" for i in range(due)], BUSY, (1, 2))
    finally:
        await db.close()
    return target


async def sent_claims(target: Path | str) -> int:
    """How many claims are recorded as ``sent``."""
    db = await Database.open(target)
    try:
        row = await db.fetchone("SELECT COUNT(*) FROM posts WHERE outcome = 'sent'")
        assert row is not None
        return int(row[0])
    finally:
        await db.close()


@dataclass(frozen=True)
class Minute:
    """``processes`` schedulers' run through one busy minute, checked."""

    backend: str
    processes: int
    due: int
    seconds: float  # from the start barrier until the last process was done
    split: list[int]  # posts by each process
    sent: int  # claims recorded as sent


def daily_minute(backend: str, processes: int, due: int, latency: float) -> Minute:
    """``processes`` schedulers sharing ``due`` schedules; raises on a lost or doubled
    post (a schedule never posted, or posted twice, by one process or two) or an outcome
    not recorded (a process that lost a claim once overwrote the winner's "sent")."""
    target = asyncio.run(due_copy(backend, due))
    try:
        shares: list[Posted] = in_processes(post_due, [(target, latency)] * processes,
                                            _BARRIER_TIMEOUT + due)
        sent = asyncio.run(sent_claims(target))
    finally:
        asyncio.run(corpus.discard(target))
    ids = [i for s in shares for i in s.schedule_ids]
    if len(ids) != due or len(set(ids)) != due or sent != due:
        raise RuntimeError(
            f"{backend}, {processes} processes: {due} due, {len(ids)} posts of"
            f" {len(set(ids))} schedules, {sent} claims recorded as sent")
    seconds = max(s.ended for s in shares) - min(s.started for s in shares)
    return Minute(backend, processes, due, seconds, [len(s.schedule_ids) for s in shares],
                  sent)


def run_daily(args: argparse.Namespace) -> None:
    due = parse_size(args.due)
    counts = [int(c) for c in args.counts.split(",")]
    rows: list[list[object]] = []
    for backend in args.backends.split(","):
        first: Minute | None = None
        for processes in counts:
            run = daily_minute(backend, processes, due, args.latency / 1000)
            first = first or run
            rows.append([backend, processes, due, run.seconds, due / run.seconds,
                         "/".join(f"{n:,}" for n in run.split), 0, run.sent,
                         f"{first.seconds / run.seconds:.2f}x"])
    print_table(
        f"The daily minute: {due:,} schedules due at 09:00 shared by several scheduler"
        f" processes, platform latency {args.latency:g} ms; every schedule posted exactly"
        f" once and recorded as sent (checked);"
        f" speed-up = the first count's time / this time; {load_average()}",
        ["backend", "processes", "due", "seconds", "posts/s", "posts per process",
         "duplicates", "outcome sent", "speed-up"],
        rows,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--quote", action="store_true", help="/quote p50/p99 on both backends")
    what.add_argument("--processes", action="store_true",
                      help="commands/s with several bot processes")
    what.add_argument("--daily", action="store_true",
                      help="the daily minute shared by several scheduler processes")
    parser.add_argument("--sizes", default="1M,1M-1film", help="--quote: corpus keys")
    parser.add_argument("--iterations", type=int, default=1000,
                        help="--quote: calls per mood and backend")
    parser.add_argument("--block", type=int, default=100,
                        help="--quote: calls per backend in turn")
    parser.add_argument("--size", default="1M", help="--processes: corpus key")
    parser.add_argument("--counts", help="process counts (default 1,2,4; --daily 1,2)")
    parser.add_argument("--backends", default=",".join(BACKENDS),
                        help="--processes, --daily: postgresql, sqlite or both")
    parser.add_argument("--mix", default="quote",
                        help=f"--processes: commands sent in turn, of {', '.join(COMMANDS)}")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="--processes: how long each process serves")
    parser.add_argument("--rounds", type=int, default=1,
                        help="--processes: the counts again, every other round reversed")
    parser.add_argument("--concurrency", type=int, default=8,
                        help="--processes: callers per process")
    parser.add_argument("--due", default="10k", help="--daily: schedules due at 09:00")
    parser.add_argument("--latency", type=float, default=50.0,
                        help="--daily: the platform's answer time per post, ms")
    args = parser.parse_args(argv)
    if args.counts is None:
        args.counts = "1,2" if args.daily else "1,2,4"
    unknown = set(args.mix.split(",")) - set(COMMANDS)
    if unknown:
        parser.error(f"--mix takes {', '.join(COMMANDS)}, not {', '.join(sorted(unknown))}")
    if args.quote:
        run_quote(args)
    elif args.processes:
        run_processes(args)
    else:
        run_daily(args)


if __name__ == "__main__":
    main()
