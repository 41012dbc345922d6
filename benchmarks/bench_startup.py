"""Console cold start: ``reviewbot ask "/quote"`` as a new process, to its first reply.

- fresh: ``REVIEWBOT_DB`` names a file that does not exist yet, so the run creates the
  schema and ingests the default corpus (scoring included) before replying;
- populated: the same command again on the database the fresh run left;
- baselines: ``python -c "import bot.app"`` (the imports alone) and ``python -c pass``.

Each child runs in an empty temporary folder (no ``.env``) with the ``REVIEWBOT_*``
variables removed; every figure is the median of ``--runs`` runs, interleaved.

Run: ``.venv/bin/python -m benchmarks.bench_startup --runs 5``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import print_table

REVIEWBOT = str(Path(sys.executable).parent / "reviewbot")


def _seconds(command: list[str], cwd: Path, db: Path, replies: bool = False) -> float:
    """Wall time of ``command`` to exit; ``replies``: it must have printed a reply."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWBOT_")}
    env["REVIEWBOT_DB"] = str(db)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or (replies and not done.stdout.strip()):
        raise RuntimeError(f"{command} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each case (median)")
    args = parser.parse_args(argv)
    cases: dict[str, list[float]] = {
        'fresh database: reviewbot ask "/quote"': [],
        'populated database: reviewbot ask "/quote"': [],
        'baseline: python -c "import bot.app"': [],
        "baseline: python -c pass": [],
    }
    fresh, populated, imports, bare = cases.values()
    ask = [REVIEWBOT, "ask", "/quote"]
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            cwd, db = Path(tmp), Path(tmp) / "reviewbot.sqlite3"
            fresh.append(_seconds(ask, cwd, db, replies=True))
            populated.append(_seconds(ask, cwd, db, replies=True))
            imports.append(_seconds([sys.executable, "-c", "import bot.app"], cwd, db))
            bare.append(_seconds([sys.executable, "-c", "pass"], cwd, db))
    reference = statistics.median(imports)
    print_table(
        f"Console cold start to first reply, seconds (median of {args.runs} runs)",
        ["case", "median", "min", "max", "vs import bot.app"],
        [[name, statistics.median(t), min(t), max(t),
          f"{statistics.median(t) / reference:.1f}x"] for name, t in cases.items()],
    )


if __name__ == "__main__":
    main()
