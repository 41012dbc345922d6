"""``/verdict`` and ``/mood`` (the critics', no text) against the GROUP BY they replace.

Both commands read the precomputed ``film_stats`` rows of one film; the baseline is the
aggregate they would otherwise run over that film's quotes:
``SELECT kind, label, COUNT(*), TOTAL(polarity) FROM quotes WHERE film_id = ? GROUP BY
kind, label``. With 500 quotes per film that scan is small, so the one-film corpus
(``1M-1film``) is the case that shows what the precomputation buys.

Run: ``.venv/bin/python -m benchmarks.bench_stats --sizes 1M,1M-1film``
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Sequence

from benchmarks import corpus
from benchmarks.common import print_table, summary_ms, timed
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Film
from bot.replies import CorpusMoodReply, VerdictReply
from bot.settings import Settings

_GROUP_BY = (
    "SELECT kind, label, COUNT(*), TOTAL(polarity) FROM quotes WHERE film_id = ?"
    " GROUP BY kind, label"
)


async def measure(key: str, iterations: int, scan_iterations: int) -> list[list[object]]:
    core = await ReviewBot.open(Settings(db_path=await corpus.database(key)),
                                ingest_default_corpus=False)
    try:
        films = await core.corpus.films()
        rng = random.Random(key)
        rows: list[list[object]] = []
        for command, expected in (("verdict", VerdictReply), ("mood", CorpusMoodReply)):
            picks = [rng.choice(films) for _ in range(iterations)]
            command_t, scan_t = [], []
            for i, film in enumerate(picks):
                inv = Invocation("bench", "c", f"u{i}")  # many users: no cooldown refusals
                command_t.append(await timed(_command(core, inv, command, film, expected)))
                if i < scan_iterations:
                    scan_t.append(await timed(_scan(core, film)))
            c50, c95, c99 = summary_ms(command_t)
            s50, s95, s99 = summary_ms(scan_t)
            rows.append([key, f"{len(films):,}", f"/{command}", c50, c95, c99, s50, s95, s99,
                         f"{s50 / c50:.1f}x", f"{s99 / c99:.1f}x"])
        return rows
    finally:
        await core.close()


async def _command(
    core: ReviewBot, inv: Invocation, command: str, film: Film, expected: type
) -> None:
    reply = await core.handle(inv, command, {"film": film.name})
    if not isinstance(reply, expected):
        raise RuntimeError(f"/{command} failed: {reply}")


async def _scan(core: ReviewBot, film: Film) -> None:
    async with core.db.conn.execute(_GROUP_BY, (film.id,)) as cur:
        await cur.fetchall()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1M,1M-1film", help="corpus keys, as bench_quote")
    parser.add_argument("--iterations", type=int, default=1000, help="calls per command")
    parser.add_argument("--scan-iterations", type=int, default=50,
                        help="GROUP BY scans per command (slow on a big film)")
    args = parser.parse_args(argv)
    rows = []
    for key in args.sizes.split(","):
        rows += asyncio.run(measure(key.strip(), args.iterations, args.scan_iterations))
    print_table(
        f"/verdict and /mood latency, ms ({args.iterations} calls; scan: first "
        f"{args.scan_iterations}); speed-up = scan / command",
        ["corpus", "films", "command", "p50", "p95", "p99", "scan p50", "scan p95",
         "scan p99", "x p50", "x p99"],
        rows,
    )


if __name__ == "__main__":
    main()
