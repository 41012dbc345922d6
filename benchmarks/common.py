"""Helpers every benchmark script shares: sizes, timing, percentiles, RSS, tables.

The machine the figures come from is small and noisy, so every script measures its
baseline in the same run and reports a ratio; these helpers keep the way a figure is
taken (and printed) identical across scripts.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.models import Mood
from bot.schedule_times import iso_utc
from bot.storage import Database

REPO = Path(__file__).resolve().parent.parent
DATA_ENV = "BENCH_DATA_DIR"


def data_dir() -> Path:
    """Where generated corpora and databases are cached: ``benchmarks/.data`` (gitignored)
    unless ``BENCH_DATA_DIR`` names another folder (the smoke test uses a temporary one)."""
    path = Path(os.environ.get(DATA_ENV) or REPO / "benchmarks" / ".data")
    path.mkdir(parents=True, exist_ok=True)
    return path


_SIZE = re.compile(r"^(\d+)([kKmM]?)$")


def parse_size(text: str) -> int:
    """``1k`` -> 1000, ``1M`` -> 1000000, ``250`` -> 250."""
    match = _SIZE.match(text.strip())
    if match is None:
        raise ValueError(f"not a size: {text!r} (try 1k, 100k, 1M)")
    number, unit = match.groups()
    return int(number) * {"": 1, "k": 1000, "m": 1_000_000}[unit.lower()]


def percentile(samples: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) by linear interpolation, like numpy's default."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summary_ms(samples: Sequence[float]) -> tuple[float, float, float]:
    """(p50, p95, p99) in milliseconds of durations given in seconds."""
    return tuple(percentile(samples, q) * 1000 for q in (50, 95, 99))  # type: ignore[return-value]


async def timed(call: Awaitable[object]) -> float:
    """Wall time of awaiting ``call`` (a coroutine not yet started), in seconds."""
    start = time.perf_counter()
    await call
    return time.perf_counter() - start


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    return _status_kb("VmRSS") / 1024


def peak_rss_mb() -> float:
    """Highest resident set size of this process so far (VmHWM), in MB."""
    return _status_kb("VmHWM") / 1024


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def machine() -> str:
    """One line naming the CPU, cores, RAM and Python, printed above every table."""
    model = platform.processor() or "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (line.split(":", 1)[1].strip() for line in out.splitlines()
             if line.startswith("Model name")),
            model,
        )
    except OSError:
        pass
    ram_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return (
        f"{model}, {os.cpu_count()} cores, {ram_kb / 1024 / 1024:.1f} GB RAM, "
        f"Python {sys.version.split()[0]}"
    )


def print_table(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A plain aligned table: numbers right-aligned, everything else left-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(header)]
    numeric = [all(_is_number(r[i]) for r in cells) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    print(f"\n{title}\n{machine()}")
    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in cells:
        print(line(row))
    sys.stdout.flush()


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"[\d,.]+x?", text))


def progress(message: str) -> None:
    """Progress of slow preparation (building a 1M database), to stderr so tables stay clean."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load_average() -> str:
    """``uptime``'s three load averages: this machine is shared, and a figure taken while
    other jobs ran says so beside it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


# PostgreSQL for the scale benchmarks: the server every machine of this project runs.
POSTGRES_ENV = "REVIEWBOT_BENCH_POSTGRES"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    """The URL the benchmarks create and drop their databases through."""
    return os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES


def postgres_url(name: str) -> str:
    """The admin URL pointing at the database ``name`` instead."""
    return urlunsplit(urlsplit(postgres_admin_url())._replace(path=f"/{name}"))


async def postgres_admin(*statements: str) -> None:
    """Run ``statements`` one by one on the admin database (``CREATE DATABASE`` cannot
    run in a transaction, so each is its own)."""
    conn = await asyncpg.connect(postgres_admin_url(), timeout=10)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def postgres_exists(name: str) -> bool:
    conn = await asyncpg.connect(postgres_admin_url(), timeout=10)
    try:
        return bool(await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name))
    finally:
        await conn.close()


def host_cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole host since boot, from ``/proc/stat``: the
    difference over a run says how much of the machine's CPU anything used, this
    benchmark's processes, the database server and other jobs alike."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def process_cpu_seconds(pids: Iterable[int]) -> dict[int, float]:
    """CPU seconds (user and system) each of ``pids`` used so far, from ``/proc``; a
    process gone meanwhile is left out."""
    tick = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        seconds[pid] = (int(fields[11]) + int(fields[12])) / tick
    return seconds


async def add_due_schedules(
    db: Database, platform: str, channels: Sequence[str], at: datetime,
    films: Sequence[int], moods: Sequence[Mood] = tuple(Mood), workspace: str = "",
) -> None:
    """One active daily schedule in each of ``channels``, all due at ``at`` (UTC), moods
    and films taken in turn: the daily minute the scheduler benchmarks post."""
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO schedules (platform, workspace, channel, name, created_by, hour,"
            " minute, timezone, mood, film_id, status, next_run_utc) VALUES (?, ?, ?, '1',"
            " 'u', ?, ?, 'UTC', ?, ?, 'active', ?)",
            [(platform, workspace, channel, at.hour, at.minute, moods[i % len(moods)].value,
              films[i % len(films)], iso_utc(at)) for i, channel in enumerate(channels)],
        )
