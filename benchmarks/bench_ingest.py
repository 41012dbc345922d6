"""Ingest throughput, scoring included, against scoring alone with TextBlob.

The generated excerpt files of a corpus (one folder per film, 50 quotes per file) go
through ``ReviewBot.ingest`` (``ingest_paths``: read, parse, score, one committed
transaction per file, pools rebuilt) into a fresh database, twice per round, in
alternating order: scoring in the bot's worker process (``bot.sentiment.workers``, as
the bot does it) and all in this process (the worker's threshold set past the corpus).
``--corpus seeds`` recombines the seed sentences (about 3,000 words: the scorer's word
cache always hits); ``--corpus novel`` respells nearly every word
(``corpus.novel_texts``), so the scorer computes each word afresh as on real
vocabulary. The word cache is emptied before each timing. More figures on the very
same texts tell where the time goes:

- ingest again with a scorer that costs nothing: the pipeline and storage share;
- ``default_scorer().score_many`` alone: the scorer's share of ingest;
- baseline, ``TextBlob(text).sentiment`` per quote: the naive scorer the bot started with.

Run: ``.venv/bin/python -m benchmarks.bench_ingest --size 100k [--corpus novel]
[--rounds 3]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from textblob import TextBlob

from benchmarks import corpus
from benchmarks.common import data_dir, parse_size, print_table
from bot.app import ReviewBot
from bot.ingest.pipeline import expand, parse_document
from bot.ingest.reading import read_text
from bot.models import Driver, Label, Sentiment
from bot.sentiment import Scorer, critic_scorer, default_scorer
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
    films: list[tuple[str, Path]], db_path: Path, scorer: Scorer | None = None,
    *, worker: bool = True,
) -> tuple[int, float]:
    """(quotes stored, seconds) for ingesting every film's folder into a fresh database,
    scoring in the worker process or (``worker=False``) in this one."""
    for stale in db_path.parent.glob(db_path.name + "*"):
        stale.unlink()
    core = await ReviewBot.open(Settings(db_path=db_path), scorer=scorer,
                                ingest_default_corpus=False)
    if not worker:
        core.workers.min_quotes = sys.maxsize
    forget_words()
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


def forget_words() -> None:
    """Empty the critic scorer's word cache: each timing starts as a fresh bot would."""
    critic_scorer().forget_words()


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
    parser.add_argument("--corpus", choices=("seeds", "novel"), default="seeds",
                        help="recombined seed sentences, or novel vocabulary")
    parser.add_argument("--rounds", type=int, default=1,
                        help="worker and in-process ingests each, alternating")
    args = parser.parse_args(argv)
    if args.corpus == "novel":
        films = corpus.novel_excerpt_files(parse_size(args.size))
    else:
        films = corpus.excerpt_files(args.size)
    texts = texts_of(films)
    scorer = default_scorer()
    scorer.score_many(["lazy model loading is not throughput"])
    critic_scorer().batch_model()  # nor is building the batch tables (the worker's own too)
    forget_words()
    textblob_s = seconds(_textblob_each, texts)
    forget_words()
    scorer_s = seconds(scorer.score_many, texts)
    db_path = data_dir() / f"ingest-{args.corpus}-{args.size}.sqlite3"
    runs: dict[bool, list[float]] = {True: [], False: []}
    for round_ in range(args.rounds):
        for worker in (True, False) if round_ % 2 == 0 else (False, True):
            added, ingest_s = asyncio.run(ingest_all(films, db_path, worker=worker))
            if added != len(texts):
                raise RuntimeError(f"ingest stored {added} quotes of {len(texts)}")
            runs[worker].append(ingest_s)
    free_added, free_s = asyncio.run(ingest_all(films, db_path, FreeScorer()))
    if free_added != len(texts):
        raise RuntimeError(f"ingest stored {free_added} quotes of {len(texts)}")
    baseline = len(texts) / textblob_s
    n = len(texts)

    def row(what: str, secs: float) -> list[object]:
        return [what, n, secs, n / secs, f"{n / secs / baseline:.2f}x"]

    rows = [
        row(f"ingest_paths, scoring in the worker process, run {i + 1}", s)
        for i, s in enumerate(runs[True])
    ] + [
        row(f"ingest_paths, scoring in-process, run {i + 1}", s)
        for i, s in enumerate(runs[False])
    ] + [
        row("ingest_paths with a scorer that costs nothing", free_s),
        row(f"default_scorer().score_many only ({scorer.name}), first pass", scorer_s),
        row("baseline: TextBlob(text).sentiment per quote", textblob_s),
    ]
    print_table(
        f"Ingest throughput, {n:,} generated critic excerpts ({args.corpus}: "
        f"{corpus.unseen_share(texts):.0%} of words of 5+ letters unseen before), "
        f"{len(films):,} films, scorer {scorer.name}",
        ["what", "quotes", "seconds", "quotes/s", "vs baseline"], rows)


if __name__ == "__main__":
    main()
