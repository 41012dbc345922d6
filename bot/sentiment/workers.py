"""Scoring in a process of its own, so that a large ingest uses the second core.

Reading and parsing a file and scoring its quotes both need the GIL, so in one process
ingest runs them one after the other however many cores there are. A large ingest
(``ScoringWorker.scoring``) hands its batches to a worker process that loaded the
default scorer itself (spawned, so no thread or lock of the bot is copied into it) and
gets back one compact tuple per text, while this process goes on reading and writing.
A large batch (a dataset's 2,000 rows) is shared: this process scores half meanwhile,
as a dataset leaves it little else to do.

Only the default scorer goes to the worker: it is the one the worker can load by
itself and be sure to be the same (its name is checked). Any other scorer (a test's
stub, TextBlob) scores in-process, as does the first ``MIN_QUOTES`` of each ingest, so
``/film add`` of a five-quote file never pays for starting a process; the worker starts
while those are scored and takes over once it has loaded. A worker that dies or fails
is logged and the ingest goes on scoring in-process: nothing is lost. The process
stops when the last ingest using it ends (it holds a copy of the weights) and on
``close``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from bot.models import Driver, Label, Sentiment
from bot.sentiment.scorer import Scorer, critic_scorer, default_scorer

_log = logging.getLogger(__name__)

MIN_QUOTES = 4000  # quotes an ingest scores in-process before the worker takes over
SHARED_BATCH = 500  # texts in one call from which this process scores half meanwhile
_LABELS = tuple(Label)
_INDEX = {label: i for i, label in enumerate(_LABELS)}
# What crosses the process boundary per text: the label's index, polarity, confidence.
Compact = tuple[int, float, float]


def _load() -> None:
    """The worker's initializer: load the weights once, before the first batch, and
    exit as soon as the bot does, even killed with SIGKILL (an orphan would hold the
    bot's output open, and a copy of the weights, for ever). The critic's numpy tables
    (``CriticScorer.batch_model``) are built here too, before the first batch."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    default_scorer()
    critic_scorer().batch_model()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _name() -> str:
    return default_scorer().name


def _score(texts: list[str]) -> list[Compact]:
    return [(_INDEX[s.label], s.polarity, s.confidence)
            for s in default_scorer().score_many(texts)]


class WorkerFailed(Exception):
    """The worker process died, failed to start, or is not the scorer it should be."""


class ScoringWorker:
    """One process shared by the bot's large ingests, started on demand.

    Thread-safe: ingest scores from worker threads.
    """

    def __init__(self, min_quotes: int = MIN_QUOTES, processes: int = 1) -> None:
        self.min_quotes = min_quotes
        self.processes = processes
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._hello: Future[str] | None = None
        self._users = 0
        self._closed = False

    @property
    def running(self) -> bool:
        """Whether a worker process has been started and not stopped."""
        return self._executor is not None

    @contextlib.asynccontextmanager
    async def scoring(self, scorer: Scorer) -> AsyncIterator[Scorer]:
        """The scorer an ingest should use: ``scorer`` itself unless it is the default
        scorer, then one that moves to the worker after ``min_quotes`` quotes. The
        worker stops when the last ingest using it leaves."""
        if self._closed or not _is_default(scorer):
            yield scorer
            return
        with self._lock:
            self._users += 1
        pooled = PooledScorer(self, scorer)
        try:
            yield pooled
        finally:
            if pooled.in_worker:
                _log.info("scored %d of %d quotes in the worker process", pooled.in_worker,
                          pooled.seen)
            with self._lock:
                self._users -= 1
            # In a thread: the process takes tens of milliseconds to exit.
            await asyncio.to_thread(self._stop, idle_only=True)

    def start(self) -> None:
        """Start the process (once; loading the weights goes on in the background)."""
        with self._lock:
            if self._executor is not None or self._closed:
                return
            self._executor = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn"), initializer=_load
            )
            self._hello = self._executor.submit(_name)
            _log.info("started a scoring worker process")

    def ready(self, name: str) -> bool:
        """Whether the worker has loaded the scorer called ``name`` (never waits);
        ``WorkerFailed`` if it failed to, or loaded another one."""
        hello = self._hello
        if hello is None or not hello.done():
            return False
        try:
            loaded = hello.result()
        except Exception as exc:
            raise WorkerFailed(f"it failed to start ({exc!r})") from exc
        if loaded != name:
            raise WorkerFailed(f"it loaded the scorer {loaded!r}, not {name!r}")
        return True

    def submit(self, texts: Sequence[str]) -> Future[list[Compact]]:
        """Hand ``texts`` to the worker, or ``WorkerFailed``."""
        executor = self._executor
        if executor is None:
            raise WorkerFailed("it was stopped")
        try:
            return executor.submit(_score, list(texts))
        except Exception as exc:  # BrokenProcessPool, shut down meanwhile
            raise WorkerFailed(repr(exc)) from exc

    @staticmethod
    def result(future: Future[list[Compact]]) -> list[Sentiment]:
        """The worker's scores (blocks the calling thread, not the GIL), or
        ``WorkerFailed``."""
        try:
            compact = future.result()
        except Exception as exc:  # BrokenProcessPool, a pickling error, an error in it
            raise WorkerFailed(repr(exc)) from exc
        labels = _LABELS
        return [Sentiment(labels[i], p, c) for i, p, c in compact]

    def failed(self, reason: WorkerFailed) -> None:
        """Log why the worker is given up and stop it; the next large ingest starts a
        new one."""
        _log.warning("the scoring worker failed (%s): scoring in this process", reason)
        self._stop()  # called from an ingest's worker thread: the event loop never waits

    def close(self) -> None:
        """Stop the process, if any, waiting for it to exit, and start none again (the
        bot is closing)."""
        self._closed = True
        self._stop()

    def _stop(self, *, idle_only: bool = False) -> None:
        """Stop the process; with ``idle_only``, only if no ingest is using it."""
        with self._lock:
            if idle_only and self._users:
                return
            executor, self._executor, self._hello = self._executor, None, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
            _log.info("stopped the scoring worker process")


class PooledScorer:
    """The default scorer for one ingest: in-process for its first ``min_quotes``
    quotes and until the worker is ready, then in the worker; in-process again, for
    the rest of the ingest, once the worker fails."""

    def __init__(self, worker: ScoringWorker, scorer: Scorer) -> None:
        self.worker = worker
        self.scorer = scorer
        self.name = scorer.name
        self.seen = 0  # quotes asked for
        self.in_worker = 0  # of which the worker scored
        self._failed = False

    def score(self, text: str) -> Sentiment:
        return self.scorer.score(text)

    def score_many(self, texts: Sequence[str]) -> list[Sentiment]:
        self.seen += len(texts)
        if self._failed or self.seen <= self.worker.min_quotes:
            return self.scorer.score_many(texts)
        self.worker.start()
        try:
            if self.worker.ready(self.name):
                # A large batch (a dataset's) is shared: this thread scores its tail
                # while the worker scores the rest; a document's goes whole.
                cut = len(texts) - len(texts) // 2 if len(texts) >= SHARED_BATCH else len(texts)
                future = self.worker.submit(texts[:cut])
                here = self.scorer.score_many(texts[cut:]) if cut < len(texts) else []
                scores = self.worker.result(future) + here
                self.in_worker += cut
                return scores
        except WorkerFailed as exc:
            self._failed = True
            self.worker.failed(exc)
        return self.scorer.score_many(texts)

    def explain(self, text: str, top: int = 5) -> tuple[Driver, ...]:
        return self.scorer.explain(text, top)


def _is_default(scorer: Scorer) -> bool:
    """Whether ``scorer`` is the default scorer, without loading it to find out."""
    return default_scorer.cache_info().currsize > 0 and scorer is default_scorer()
