"""Resident memory of a running bot on the 1M-quote database, against bare imports.

Each figure comes from its own fresh child process (this script run with ``--child``),
so nothing the benchmark harness allocates is counted:

- ``bot``: ``ReviewBot.open`` (default scorer) on the database, then ``--calls`` of
  ``/quote`` (random film and mood), ``/verdict`` and ``/mood``; VmRSS and VmHWM after.
- baseline ``bare``: the same imports, nothing opened.

Run: ``.venv/bin/python -m benchmarks.bench_memory --size 1M``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import REPO, peak_rss_mb, print_table, rss_mb
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Mood
from bot.replies import ErrorReply
from bot.settings import Settings


async def _exercise(db_path: Path, calls: int) -> None:
    core = await ReviewBot.open(Settings(db_path=db_path), ingest_default_corpus=False)
    try:
        films = await core.corpus.films()
        rng = random.Random(1)
        for i in range(calls):
            film = rng.choice(films).name
            inv = Invocation("bench", f"c{i % 20}", f"u{i}")  # one user each: no cooldowns
            for command, options in (("quote", {"mood": rng.choice(list(Mood)).value,
                                                "film": film}),
                                     ("verdict", {"film": film}), ("mood", {"film": film})):
                reply = await core.handle(inv, command, options)
                if isinstance(reply, ErrorReply):
                    raise RuntimeError(f"/{command} failed: {reply.message}")
    finally:
        await core.close()


def _child(kind: str, db_path: Path, calls: int) -> None:
    if kind == "bot":
        asyncio.run(_exercise(db_path, calls))
    print(json.dumps({"rss": rss_mb(), "hwm": peak_rss_mb()}))


def _run_child(kind: str, db_path: Path, calls: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_memory", "--child", kind,
         "--db", str(db_path), "--calls", str(calls)],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout
    result: dict[str, float] = json.loads(out.splitlines()[-1])
    return result


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1M", help="corpus key, as bench_quote")
    parser.add_argument("--calls", type=int, default=300, help="rounds of /quote, /verdict, /mood")
    parser.add_argument("--child", choices=["bare", "bot"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.db, args.calls)
        return
    from benchmarks import corpus  # only the parent may need to build the database

    db_path = asyncio.run(corpus.database(args.size))
    bare = _run_child("bare", db_path, args.calls)
    bot = _run_child("bot", db_path, args.calls)
    print_table(
        f"Resident memory, MB: bot on the {args.size} database after {args.calls} rounds of"
        " /quote, /verdict, /mood; baseline = same imports, nothing opened",
        ["process", "VmRSS", "VmHWM (peak)", "vs baseline"],
        [[f"bot ({db_path.stat().st_size / 1e6:,.0f} MB database)", bot["rss"], bot["hwm"],
          f"+{bot['rss'] - bare['rss']:.1f} MB"],
         ["baseline: bare imports", bare["rss"], bare["hwm"], "+0.0 MB"]],
    )


if __name__ == "__main__":
    main()
