"""Ingest throughput, scoring included, against scoring alone with TextBlob.

The generated excerpt files of a corpus (one folder per film, 50 quotes per file) go
through ``ReviewBot.ingest`` (``ingest_paths``: read, parse, score, one committed
transaction per file, pools rebuilt) into a fresh database. Three more figures on the
very same texts tell where the time goes:

- ingest again with a scorer that costs nothing: the pipeline and storage share;
- ``default_scorer().score_many`` alone: the scorer's share of ingest;
- baseline, ``TextBlob(text).sentiment`` per quote: the naive scorer the bot started with.

Run: ``.venv/bin/python -m benchmarks.bench_ingest --size 100k``
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textblob import TextBlob

from benchmarks import corpus
from benchmarks.common import data_dir, print_table
from bot.app import ReviewBot
from bot.ingest.pipeline import expand, parse_document
from bot.ingest.reading import read_text
from bot.models import Driver, Label, Sentiment
from bot.sentiment import Scorer, default_scorer
from bot.settings import Settings


class FreeScorer:
    """Labels everything positive instantly: ingest with it measures all but scoring."""

    name = "free"
    _verdict = Sentiment(Label.POSITIVE, 0.5, 0.9)

    def score(self, text: str) -> Sentiment:
        return self._verdict

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self._verdict] * len(texts)

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return ()


async def ingest_all(
    films: list[tuple[str, Path]], db_path: Path, scorer: Scorer | None = None
) -> tuple[int, float]:
    """(quotes stored, seconds) for ingesting every film's folder into a fresh database."""
    for stale in db_path.parent.glob(db_path.name + "*"):
        stale.unlink()
    core = await ReviewBot.open(Settings(db_path=db_path), scorer=scorer,
                                ingest_default_corpus=False)
    try:
        start = time.perf_counter()
        added = 0
        for name, folder in films:
            report = await core.ingest([folder], name)
            if report.failed:
                raise RuntimeError(f"ingest failed: {report.failed[0].line()}")
            added += report.quotes_added
        return added, time.perf_counter() - start
    finally:
        await core.close()


def texts_of(films: list[tuple[str, Path]]) -> list[str]:
    """The quote texts ingest will store, parsed from the same files."""
    texts = []
    for path in expand([folder for _, folder in films]):
        if not isinstance(path, Path):  # a folder that could not be read: nothing to time
            continue
        text, _ = read_text(path, 10 * 1024 * 1024)
        texts += [q.text for q in parse_document(text).quotes]
    return texts


def seconds(call: Callable[[list[str]], object], texts: list[str]) -> float:
    start = time.perf_counter()
    call(texts)
    return time.perf_counter() - start


def _textblob_each(texts: list[str]) -> None:
    for text in texts:
        _ = TextBlob(text).sentiment


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="corpus key of the excerpt files")
    args = parser.parse_args(argv)
    films = corpus.excerpt_files(args.size)
    texts = texts_of(films)
    scorer = default_scorer()
    scorer.score_many(texts[:10])  # lazy model loading is not throughput
    textblob_s = seconds(_textblob_each, texts)
    scorer_s = seconds(scorer.score_many, texts)
    db_path = data_dir() / f"ingest-{args.size}.sqlite3"
    added, ingest_s = asyncio.run(ingest_all(films, db_path))
    free_added, free_s = asyncio.run(ingest_all(films, db_path, FreeScorer()))
    if added != len(texts) or free_added != len(texts):
        raise RuntimeError(f"ingest stored {added} and {free_added} quotes of {len(texts)}")
    baseline = len(texts) / textblob_s
    rows: list[list[object]] = [
        [f"ingest_paths ({len(films):,} films, scorer {scorer.name})", len(texts), ingest_s,
         len(texts) / ingest_s, f"{len(texts) / ingest_s / baseline:.2f}x"],
        ["ingest_paths with a scorer that costs nothing", len(texts), free_s,
         len(texts) / free_s, f"{len(texts) / free_s / baseline:.2f}x"],
        [f"default_scorer().score_many only ({scorer.name})", len(texts), scorer_s,
         len(texts) / scorer_s, f"{len(texts) / scorer_s / baseline:.2f}x"],
        ["baseline: TextBlob(text).sentiment per quote", len(texts), textblob_s, baseline,
         "1.00x"],
    ]
    print_table(f"Ingest throughput, {args.size} generated critic excerpts",
                ["what", "quotes", "seconds", "quotes/s", "vs baseline"], rows)


if __name__ == "__main__":
    main()
