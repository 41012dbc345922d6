"""Several real OS processes on one database, on SQLite and on PostgreSQL (issue 13).

The deck: three processes drawing 500 times each for one channel from a pool of 500 see
every quote exactly three times and none twice in a round. The daily claims: three
scheduler processes, 300 schedules due within seconds of each other, 20 SIGKILLs of a
random process at random instants: no (schedule, date) is posted twice, and the only
schedules without a post are claims a killed process made and never sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import ErrorReply
from bot.schedule_times import iso_utc
from bot.scheduler import IN_FLIGHT
from tests.backends import both_backends as backend  # noqa: F401  (runs each test on both)
from tests.backends import query, settings_for

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
POOL = 500
SCHEDULES = 300
KILLS = 20
SPREAD = 6.0  # seconds over which the 300 schedules fall due (all within one minute)
FILM = "Many (2020)"


@dataclass
class Workers:
    """Worker processes of one test: started, told to go together, killed, replaced."""

    module: str
    args: list[str]
    folder: Path
    started: int = 0

    def __post_init__(self) -> None:
        self.go = self.folder / "go"
        self.running: list[subprocess.Popen[bytes]] = []
        self.killed: set[int] = set()
        self.ready: dict[int, Path] = {}  # each worker's ready file, by pid

    def start(self, *extra: str) -> subprocess.Popen[bytes]:
        """One more worker; it waits for ``go`` unless the others already went."""
        self.started += 1
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DISCORD_", "SLACK_", "REVIEWBOT_"))}
        ready = self.folder / f"ready-{self.started}"
        with open(self.folder / f"stderr-{self.started}", "wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", self.module, self.args[0], str(ready), str(self.go),
                 *self.args[1:], *extra],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
            )
        self.running.append(proc)
        self.ready[proc.pid] = ready
        return proc

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until every running worker is ready."""
        deadline = time.monotonic() + timeout
        while not all(self.ready[proc.pid].exists() for proc in self.running):
            assert time.monotonic() < deadline, f"workers not ready: {self.errors()}"
            assert all(p.poll() is None for p in self.running), self.errors()
            time.sleep(0.01)

    def release(self) -> None:
        self.go.touch()

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a random worker and start another in its place."""
        victim = rng.choice(self.running)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.running.remove(victim)
        self.killed.add(victim.pid)
        self.start()

    def finish(self, sig: signal.Signals | None = None, timeout: float = 60.0) -> None:
        """Wait for every worker to exit 0 (after sending ``sig``, when given, to workers
        all ready: each handles the signal from then on)."""
        if sig is not None:
            self.wait_ready()
        for proc in self.running:
            if sig is not None:
                proc.send_signal(sig)
        for proc in self.running:
            assert proc.wait(timeout) == 0, self.errors()

    def errors(self) -> str:
        return "\n".join(f"{p.name}: {p.read_text()[-2000:]}"
                         for p in sorted(self.folder.glob("stderr-*")) if p.stat().st_size)

    def stop_all(self) -> None:
        for proc in self.running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def write_excerpts(path: Path, count: int) -> Path:
    """``count`` distinct critic excerpts, one per line (the excerpts format)."""
    path.write_text("".join(f"Excerpt number {i} of the film is a fine one.\n"
                            for i in range(count)))
    return path


async def ingest(target: Path | str, excerpts: Path | None, *, pools: bool = True) -> None:
    """Open ``target`` (creating its schema) and ingest ``excerpts``, if given, as ``FILM``;
    without ``pools``, leave the film as an ingest killed before building its pools
    leaves it: quotes committed, no pools, marked for a rebuild."""
    bot = await ReviewBot.open(settings_for(target), ingest_default_corpus=False)
    try:
        if excerpts is not None:
            report = await bot.ingest([excerpts], FILM)
            assert report.quotes_added == excerpts.read_text().count("\n")
        if not pools:
            async with bot.db.transaction() as conn:
                await conn.execute("DELETE FROM pool")
                await conn.execute("DELETE FROM pool_sizes")
                await conn.execute("UPDATE films SET pool_dirty = 1")
    finally:
        await bot.close()


def test_three_processes_drawing_for_one_channel_share_its_deck(
    empty_target: Path | str, tmp_path: Path
) -> None:
    """The film is added while the workers are up, without its pools, so their first
    draws all find it unbuilt and ask for its rebuild at the same moment."""
    asyncio.run(ingest(empty_target, None))
    outs = [tmp_path / f"draws-{n}.jsonl" for n in range(PROCESSES)]
    workers = Workers("tests.workers.draws", [str(empty_target)], tmp_path)
    try:
        for out in outs:
            workers.start(str(out), str(POOL))
        workers.wait_ready()
        asyncio.run(ingest(empty_target, write_excerpts(tmp_path / "many.txt", POOL),
                           pools=False))
        workers.release()
        workers.finish()
    finally:
        workers.stop_all()
    draws = [json.loads(line) for out in outs for line in out.read_text().splitlines()]
    assert len(draws) == PROCESSES * POOL
    assert {d["pool_size"] for d in draws} == {POOL}
    pool = {r[0] for r in query(
        empty_target, "SELECT p.quote_id FROM pool p JOIN films f ON f.id = p.film_id"
        " AND p.version = f.pool_version WHERE p.mood = 'any'")}
    assert len(pool) == POOL
    # Built once by the ingest, then once more for the three processes, not once each.
    assert query(empty_target, "SELECT pool_version FROM films") == [(2,)]
    counts = Counter(d["quote"] for d in draws)
    assert set(counts) == pool
    assert set(counts.values()) == {PROCESSES}, "a quote drawn other than once a round"
    # With no holes, a draw's position in its round is what ``remaining`` says; each
    # position comes up once a round, rounds seconds apart: the k-th in time is round k.
    by_position: dict[int, list[dict[str, int]]] = defaultdict(list)
    for d in draws:
        by_position[POOL - 1 - d["remaining"]].append(d)
    assert sorted(by_position) == list(range(POOL))
    repeats = {p: len(ds) for p, ds in by_position.items() if len(ds) != PROCESSES}
    assert not repeats, f"deck positions drawn other than once a round: {repeats}"
    rounds: list[dict[int, int]] = [{} for _ in range(PROCESSES)]
    for position, same in by_position.items():
        for round_, d in enumerate(sorted(same, key=lambda d: d["before"])):
            d["round"] = round_
            rounds[round_][position] = d["quote"]
    for drawn in rounds:
        assert len(set(drawn.values())) == POOL, "a quote twice in one round"
    for pid in {d["pid"] for d in draws}:
        mine = [(d["round"], POOL - 1 - d["remaining"]) for d in draws if d["pid"] == pid]
        assert mine == sorted(mine) and len(set(mine)) == len(mine), \
            "a process saw the deck go back"


@dataclass(frozen=True)
class Record:
    """What the daily workers wrote: ``claim`` before claiming, ``sent`` once sent."""

    what: str
    schedule: int
    day: str
    pid: int


def records(path: Path) -> list[Record]:
    rows = [line.split() for line in path.read_text().splitlines()] if path.exists() else []
    assert all(r[0] != "notice" for r in rows), "a schedule was paused"
    return [Record(r[0], int(r[1]), r[2], int(r[3])) for r in rows]


async def schedules_due_soon(target: Path | str, excerpts: Path) -> tuple[date, list[int]]:
    """A film and ``SCHEDULES`` channels with a daily quote set for the minute before
    now, in UTC; the local date they post for, their ids."""
    bot = await ReviewBot.open(settings_for(target), ingest_default_corpus=False)
    minute = (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(second=0,
                                                                          microsecond=0)
    try:
        await bot.ingest([excerpts], FILM)
        for n in range(SCHEDULES):
            admin = Invocation("console", f"c{n:03d}", "U1", workspace="W1", can_manage=True)
            reply = await bot.handle_text(admin, f"/daily set {minute:%H:%M} UTC")
            assert not isinstance(reply, ErrorReply), reply
        rows = await bot.db.fetchall("SELECT id FROM schedules ORDER BY id")
    finally:
        await bot.close()
    return minute.date(), [int(r[0]) for r in rows]


async def fall_due(target: Path | str, ids: list[int]) -> None:
    """Make the schedules due one after another over the next ``SPREAD`` seconds."""
    bot = await ReviewBot.open(settings_for(target), ingest_default_corpus=False)
    start = datetime.now(timezone.utc)
    try:
        async with bot.db.transaction() as conn:
            await conn.executemany(
                "UPDATE schedules SET next_run_utc = ? WHERE id = ?",
                [(iso_utc(start + timedelta(seconds=SPREAD * n / len(ids))), sid)
                 for n, sid in enumerate(ids)],
            )
    finally:
        await bot.close()


def wait_until_settled(target: Path | str, workers: Workers) -> None:
    """Until every schedule has moved on to tomorrow (posted, or its claim found taken)."""
    deadline = time.monotonic() + 60
    soon = iso_utc(datetime.now(timezone.utc) + timedelta(hours=1))
    while query(target, "SELECT COUNT(*) FROM schedules WHERE next_run_utc < ?", (soon,))[0][0]:
        assert time.monotonic() < deadline, f"schedules left unposted: {workers.errors()}"
        assert all(p.poll() is None for p in workers.running), workers.errors()
        time.sleep(0.1)


def test_scheduler_processes_killed_at_random_never_post_twice(
    empty_target: Path | str, tmp_path: Path
) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    day, ids = asyncio.run(schedules_due_soon(empty_target,
                                              write_excerpts(tmp_path / "few.txt", 40)))
    record = tmp_path / "record.txt"
    workers = Workers("tests.workers.daily", [str(empty_target), str(record)], tmp_path)
    try:
        for _ in range(PROCESSES):
            workers.start()
        workers.wait_ready()
        asyncio.run(fall_due(empty_target, ids))
        workers.release()
        started = time.monotonic()
        for at in sorted(rng.uniform(0, SPREAD + 1) for _ in range(KILLS)):
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            workers.kill_one(rng)
        wait_until_settled(empty_target, workers)
        workers.finish(signal.SIGTERM)
    finally:
        workers.stop_all()
    context = f"seed {seed}"
    written = records(record)
    sends = [r for r in written if r.what == "sent"]
    assert {r.day for r in written} == {day.isoformat()}, context
    doubled = [k for k, n in Counter((r.schedule, r.day) for r in sends).items() if n > 1]
    assert not doubled, f"posted twice: {doubled} ({context})"
    sent = {r.schedule: r for r in sends}
    tried_by_killed = {r.schedule for r in written if r.what == "claim" and r.pid in workers.killed}
    posts = query(empty_target, "SELECT schedule_id, local_date, outcome, message_id FROM posts")
    assert sorted(p[0] for p in posts) == ids, f"not one claim per schedule ({context})"
    assert {p[1] for p in posts} == {day.isoformat()}, context
    unsent = []
    for schedule, _, outcome, message_id in posts:
        if outcome == "sent":
            assert schedule in sent, f"{schedule} recorded sent, never sent ({context})"
            assert message_id == f"{sent[schedule].pid}-{schedule}", context
        else:
            assert outcome == "claimed", (schedule, outcome, context)
            if schedule in sent:  # killed between sending and recording it
                assert sent[schedule].pid in workers.killed, (schedule, context)
            else:
                assert schedule in tried_by_killed, (schedule, context)
                unsent.append(schedule)
    assert len(workers.killed) == KILLS
    assert len(unsent) <= IN_FLIGHT * KILLS
    assert len(sent) + len(unsent) == SCHEDULES, context
    print(f"{len(sent)} sent, {len(unsent)} claimed by a killed process and never sent, "
          f"{KILLS} kills, {workers.started} processes ({context})")
