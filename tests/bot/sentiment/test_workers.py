"""Scoring in a worker process: the same scores, a fall-back when it dies, no process
for small ingests or custom scorers, and none left behind."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.ingest.pipeline import FileResult, ingest_paths
from bot.models import Driver, Label, Sentiment
from bot.sentiment import default_scorer
from bot.sentiment import workers as workers_module
from bot.sentiment.workers import PooledScorer, ScoringWorker
from bot.settings import Settings

TEXTS = [
    "A dull, lifeless film that makes 105 minutes seem twice as long.",
    "It\u2019s not very good \u2014 but never once dull\u2026",
    "Hardly a masterpiece, yet strangely moving.",
    "The performances are luminous and the screenplay sparkles with wit.",
    "Without a single laugh, this comedy can't decide what it wants to be.",
    "Glorptastic cinematography, frumbling dialogue, and a zintillating score.",
    "Not bad. Not good either.",
    "",
]


class Stub:
    """A custom scorer, as tests and benchmarks pass: never sent to a worker."""

    name = "stub"

    def score(self, text: str) -> Sentiment:
        return Sentiment(Label.POSITIVE, 0.5, 0.9)

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        return [self.score(t) for t in texts]

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return ()


def ready(worker: ScoringWorker) -> ScoringWorker:
    """Start the worker and wait until it has loaded the scorer (seconds, not a timing)."""
    worker.start()
    deadline = time.monotonic() + 120
    while not worker.ready(default_scorer().name):
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.05)
    return worker


def children() -> list[multiprocessing.process.BaseProcess]:
    return multiprocessing.active_children()


def film_files(folder: Path, files: int, per_file: int) -> Path:
    folder.mkdir()
    for n in range(files):
        lines = [f"{TEXTS[(n + i) % 7]} Take {n}-{i}." for i in range(per_file)]
        (folder / f"doc_{n:03d}.txt").write_text(
            "\n".join([*lines, "@highlight", "Critics agree.", ""]), "utf-8")
    return folder


async def stored(core: ReviewBot, film: str) -> list[tuple[str, str, float, float]]:
    films = {f.name: f for f in await core.corpus.films()}
    quotes = await core.corpus.quotes(films[film].id)
    return sorted((q.text, q.label.value, q.polarity, q.confidence) for q in quotes)


async def test_the_worker_scores_as_this_process_does() -> None:
    worker = ready(ScoringWorker(min_quotes=0))
    try:
        async with worker.scoring(default_scorer()) as scorer:
            assert isinstance(scorer, PooledScorer)
            assert scorer.score_many(TEXTS) == default_scorer().score_many(TEXTS)
            assert scorer.in_worker == len(TEXTS)
    finally:
        worker.close()


async def test_a_large_batch_is_shared_with_this_process() -> None:
    texts = [f"{TEXTS[i % 7]} Take {i}." for i in range(2 * workers_module.SHARED_BATCH)]
    worker = ready(ScoringWorker(min_quotes=0))
    try:
        async with worker.scoring(default_scorer()) as scorer:
            assert isinstance(scorer, PooledScorer)
            assert scorer.score_many(texts) == default_scorer().score_many(texts)
            assert scorer.in_worker == len(texts) // 2
    finally:
        worker.close()


async def test_ingest_through_the_worker_stores_the_same_labels(
    core: ReviewBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = film_files(tmp_path / "film", files=12, per_file=10)
    await core.ingest([folder], "In Process (2020)")  # 120 quotes: under the threshold
    core.workers = ready(ScoringWorker(min_quotes=0))
    with caplog.at_level(logging.INFO, logger="bot.sentiment.workers"):
        report = await core.ingest([folder], "In Worker (2020)")
    assert report.quotes_added == 120
    assert "scored 120 of 120 quotes in the worker process" in caplog.text
    here = await stored(core, "In Process (2020)")
    there = await stored(core, "In Worker (2020)")
    assert len(here) == 120 and here == there
    assert not core.workers.running and not children()  # stopped when the ingest ended


async def test_a_worker_killed_mid_ingest_falls_back_and_loses_nothing(
    core: ReviewBot, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = film_files(tmp_path / "film", files=30, per_file=10)
    await core.ingest([folder], "Reference (2020)")
    core.workers = ready(ScoringWorker(min_quotes=0))
    (child,) = children()

    def kill_after_first(result: FileResult) -> None:
        if child.is_alive():
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)

    with caplog.at_level(logging.INFO, logger="bot.sentiment.workers"):
        report = await core.ingest([folder], "Killed (2020)", kill_after_first)
    assert [r.status for r in report.results] == ["added"] * 30
    assert "the scoring worker failed" in caplog.text
    assert "in the worker process" in caplog.text  # it had scored some before dying
    assert await stored(core, "Killed (2020)") == await stored(core, "Reference (2020)")
    assert not children()


async def test_a_small_ingest_starts_no_process(
    core: ReviewBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(workers_module, "ProcessPoolExecutor",
                        lambda *a, **k: started.append(a))
    folder = film_files(tmp_path / "film", files=1, per_file=5)
    report = await core.ingest([folder], "Small (2020)")
    assert report.quotes_added == 5 and started == [] and not children()


async def test_a_custom_scorer_stays_in_process(core: ReviewBot, tmp_path: Path) -> None:
    worker = ScoringWorker(min_quotes=0)
    async with worker.scoring(Stub()) as scorer:
        assert isinstance(scorer, Stub)
    folder = film_files(tmp_path / "film", files=3, per_file=10)
    report = await ingest_paths(core.corpus, Stub(), [folder], "Stubbed (2020)",
                                max_bytes=1 << 20, workers=worker)
    assert report.quotes_added == 30 and not worker.running and not children()
    assert {label for _, label, _, _ in await stored(core, "Stubbed (2020)")} == {"positive"}


async def test_closing_the_bot_stops_the_worker(settings: Settings) -> None:
    core = await ReviewBot.open(settings, ingest_default_corpus=False)
    ready(core.workers)
    assert len(children()) == 1
    await core.close()
    assert not core.workers.running and not children()
    core.workers.start()  # a closed bot starts none again
    assert not core.workers.running
