"""``reviewbot copy`` throughput: a whole deployment from SQLite to PostgreSQL and back.

The ``--size`` corpus (``benchmarks/corpus.py``'s SQLite database: films, documents,
quotes, stats and pools) is copied by ``bot.storage.copy.copy_database`` into a new
PostgreSQL database on ``REVIEWBOT_BENCH_POSTGRES``'s server, then from there into a new
SQLite file, ``--runs`` times. Each copy is timed from the open databases to its commit,
and the peak resident memory of the process is read after it: rows go in chunks of
``CHUNK_ROWS``, so the peak should not grow with the corpus.

Run: ``.venv/bin/python -m benchmarks.bench_copy --size 100k``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks import corpus
from benchmarks.common import peak_rss_mb, postgres_admin, postgres_url, print_table, progress
from bot.storage.copy import copy_between


async def run(key: str, runs: int) -> list[list[object]]:
    sqlite = await corpus.database(key)
    rows: list[list[object]] = []
    for number in range(runs):
        name = f"reviewbot_bench_copy_{os.getpid()}_{number}"
        await postgres_admin(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory() as folder:
                back = Path(folder) / "back.sqlite3"
                for direction, src, dst in (("SQLite → PostgreSQL", sqlite, postgres_url(name)),
                                            ("PostgreSQL → SQLite", postgres_url(name), back)):
                    progress(f"run {number + 1}: {direction}")
                    report = await copy_between(src, dst)
                    rows.append([direction, report.total, report.rows["quotes"],
                                 report.seconds, report.total / report.seconds, peak_rss_mb()])
        finally:
            await postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="corpus key: 1k, 100k, 1M (default 100k)")
    parser.add_argument("--runs", type=int, default=1, help="copies each way (default 1)")
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.size, args.runs))
    print_table(f"Copy throughput, {args.size} corpus (every table, one transaction)",
                ["direction", "rows", "quotes", "seconds", "rows/s", "peak RSS MB"], rows)


if __name__ == "__main__":
    main()
