"""Sentiment scorer throughput and resident memory, against TextBlob in the same run.

Texts are the seed critic excerpts (``bot/data/seeds/000_*.txt``) or, with ``--lines``,
any file with one text per line (e.g. ``../shared/eval/rt-polarity.neg``), repeated up
to ``--quotes``. The critic scorer caches each word's weight, so it is timed twice:
"first pass" over texts it has never seen, then the same texts again; TextBlob has no
such cache. Memory is the growth of this process's RSS when each scorer is loaded.

Run: ``.venv/bin/python -m benchmarks.bench_scorer [--lines FILE] [--quotes 20000]``
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import REPO, print_table, rss_mb
from bot.sentiment import Scorer, TextBlobScorer, default_scorer


def seed_excerpts() -> list[str]:
    """The one-line critic excerpts of the first seed file (its "@highlight" tail excluded)."""
    path = next((REPO / "bot" / "data" / "seeds").glob("000_*.txt"))
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.strip() for line in lines[: lines.index("@highlight")] if line.strip()]


def quotes_per_second(scorer: Scorer, texts: Sequence[str]) -> float:
    start = time.perf_counter()
    scorer.score_many(texts)
    return len(texts) / (time.perf_counter() - start)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=Path, help="one text per line (default: seed excerpts)")
    parser.add_argument("--quotes", type=int, default=20_000, help="texts per timing")
    args = parser.parse_args(argv)
    source = (
        [t for t in args.lines.read_text(encoding="utf-8").split("\n") if t.strip()]
        if args.lines
        else seed_excerpts()
    )
    texts = list(itertools.islice(itertools.cycle(source), args.quotes))
    distinct = list(dict.fromkeys(texts))

    before = rss_mb()
    start = time.perf_counter()
    critic = default_scorer()
    load_s = time.perf_counter() - start
    critic_mb = rss_mb() - before
    cold = quotes_per_second(critic, distinct)
    warm = quotes_per_second(critic, texts)

    before = rss_mb()
    baseline = TextBlobScorer()
    baseline.score("warm up: import TextBlob and its lexicon")
    textblob_mb = rss_mb() - before
    textblob = quotes_per_second(baseline, texts)

    where = args.lines or "seed excerpts 000_*"
    print_table(
        f"Scorer throughput on {len(texts):,} texts ({len(distinct):,} distinct) from {where};"
        f" critic weights loaded in {load_s * 1000:.0f} ms",
        ["scorer", "quotes/s", "x TextBlob", "RSS growth on load, MB"],
        [
            [f"{critic.name}, first pass", round(cold), f"{cold / textblob:.1f}x", ""],
            [
                f"{critic.name}, repeated",
                round(warm),
                f"{warm / textblob:.1f}x",
                f"{critic_mb:.1f}",
            ],
            ["baseline: textblob", round(textblob), "1.0x", f"{textblob_mb:.1f}"],
        ],
    )


if __name__ == "__main__":
    main()
