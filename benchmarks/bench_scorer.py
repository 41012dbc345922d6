"""Sentiment scorer throughput and resident memory, against TextBlob in the same run.

Texts are ``--quotes`` distinct critic sentences of novel vocabulary
(``corpus.novel_texts``: the seed sentences with nearly every word respelled) or, with
``--lines``, any file with one text per line (e.g. ``../shared/eval/rt-polarity.neg``),
repeated up to ``--quotes``. The critic scorer caches each word's weight, so it is timed
twice: "first pass" over the distinct texts, which it has never seen (at least
``MIN_DISTINCT`` of them, or the figure is refused), then all texts again; TextBlob has
no such cache. The default scorer (critic confirmed by the lexicon gate) is timed the same
way with a freshly loaded critic, so its first pass is a real first pass too. Memory is
the growth of this process's RSS when each piece is loaded. Last, the default corpus is
ingested into fresh databases with the critic alone and with the gate (stored labels
differ: the gate turns some into "mixed"), ``--ingests`` times each, interleaved.

Run: ``.venv/bin/python -m benchmarks.bench_scorer [--lines FILE] [--quotes 20000]``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from benchmarks import corpus
from benchmarks.common import REPO, print_table, rss_mb
from bot.sentiment import (
    CriticScorer,
    GatedScorer,
    Scorer,
    TextBlobScorer,
    critic_scorer,
    default_gate,
)
from bot.sentiment.scorer import SHIPPED


def seed_excerpts() -> list[str]:
    """The one-line critic excerpts of the first seed file (its "@highlight" tail excluded)."""
    path = next((REPO / "bot" / "data" / "seeds").glob("000_*.txt"))
    lines = path.read_text(encoding="utf-8").split("\n")
    return [line.strip() for line in lines[: lines.index("@highlight")] if line.strip()]


MIN_DISTINCT = 5000  # a first pass over fewer texts times mostly a warm word cache


def quotes_per_second(scorer: Scorer, texts: Sequence[str]) -> float:
    start = time.perf_counter()
    scorer.score_many(texts)
    return len(texts) / (time.perf_counter() - start)


async def ingest_default_corpus(scorer: Scorer) -> tuple[int, float]:
    """(quotes stored, seconds) for ingesting the default corpus into a fresh database."""
    # Imported here: the app imports TextBlob (ingest's fragment check), which would
    # otherwise be loaded before TextBlob's memory is measured.
    from bot.app import DEFAULT_FILM, ReviewBot, default_corpus_dir
    from bot.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(db_path=Path(tmp) / "bench.sqlite3")
        core = await ReviewBot.open(settings, scorer=scorer, ingest_default_corpus=False)
        try:
            start = time.perf_counter()
            report = await core.ingest([default_corpus_dir()], DEFAULT_FILM)
            return report.quotes_added, time.perf_counter() - start
        finally:
            await core.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=Path,
                        help="one text per line (default: corpus.novel_texts)")
    parser.add_argument("--quotes", type=int, default=20_000, help="texts per timing")
    parser.add_argument("--ingests", type=int, default=5, help="default-corpus ingests each")
    args = parser.parse_args(argv)

    # Memory first: making the novel texts loads the default scorer and TextBlob.
    before = rss_mb()
    start = time.perf_counter()
    critic = critic_scorer()
    critic.batch_model()  # what a batch scores with, built once (numpy imported)
    load_s = time.perf_counter() - start
    critic_mb = rss_mb() - before
    before = rss_mb()
    gate = default_gate()
    gate_mb = rss_mb() - before
    before = rss_mb()
    baseline = TextBlobScorer()
    baseline.score("warm up: import TextBlob and its lexicon")
    textblob_mb = rss_mb() - before

    source = (
        [t for t in args.lines.read_text(encoding="utf-8").split("\n") if t.strip()]
        if args.lines
        else corpus.novel_texts(args.quotes)
    )
    texts = list(itertools.islice(itertools.cycle(source), args.quotes))
    distinct = list(dict.fromkeys(texts))
    if len(distinct) < MIN_DISTINCT:
        raise SystemExit(f"only {len(distinct):,} distinct texts: a first pass needs"
                         f" {MIN_DISTINCT:,} (more --quotes, or a larger --lines file)")

    critic.forget_words()  # cold
    cold = quotes_per_second(critic, distinct)
    warm = quotes_per_second(critic, texts)
    with resources.as_file(resources.files("bot") / "data" / SHIPPED) as path:
        fresh = CriticScorer.load(path)  # its own, cold word cache
        fresh.batch_model()
        gated = GatedScorer(fresh, gate)
    gated_cold = quotes_per_second(gated, distinct)
    gated_warm = quotes_per_second(gated, texts)
    textblob = quotes_per_second(baseline, texts)

    where = args.lines or "corpus.novel_texts"
    print_table(
        f"Scorer throughput on {len(texts):,} texts ({len(distinct):,} distinct) from {where};"
        f" critic weights and batch tables loaded in {load_s * 1000:.0f} ms",
        ["scorer", "quotes/s", "x TextBlob", "RSS growth on load, MB"],
        [
            [f"{critic.name}, first pass", round(cold), f"{cold / textblob:.1f}x", ""],
            [f"{critic.name}, repeated", round(warm), f"{warm / textblob:.1f}x",
             f"{critic_mb:.1f}"],
            [f"{gated.name}, first pass", round(gated_cold), f"{gated_cold / textblob:.1f}x", ""],
            [f"{gated.name}, repeated", round(gated_warm), f"{gated_warm / textblob:.1f}x",
             f"+{gate_mb:.1f} (gate)"],
            ["baseline: textblob", round(textblob), "1.0x", f"{textblob_mb:.1f}"],
        ],
    )

    runs: dict[str, list[float]] = {critic.name: [], gated.name: []}
    stored: dict[str, int] = {}
    for _ in range(args.ingests):
        for scorer in (critic, gated):
            quotes, seconds = asyncio.run(ingest_default_corpus(scorer))
            runs[scorer.name].append(seconds)
            stored[scorer.name] = quotes
    print_table(
        f"Ingest of the default corpus (bot/data/seeds) into a fresh database, median of"
        f" {args.ingests} interleaved runs (word caches warm after the first)",
        ["scorer", "quotes", "seconds", "quotes/s"],
        [
            [name, stored[name], statistics.median(s), round(stored[name] / statistics.median(s))]
            for name, s in runs.items()
        ],
    )


if __name__ == "__main__":
    main()
