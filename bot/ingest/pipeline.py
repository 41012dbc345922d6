"""Files and folders in, one transaction per document: a crash never leaves half a file.

A file whose content is already stored for the film is skipped; a file whose path is
stored with other content replaces its quotes. Bad files are reported one line each and
never stop the good ones.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.excerpts import looks_like_excerpts, parse_excerpts
from bot.ingest.parsed import ParsedDocument
from bot.ingest.reading import BadFile, read_text
from bot.ingest.webpage import parse_webpage
from bot.sentiment import Scorer
from bot.storage.corpus import CorpusStore, NewDocument, NewQuote, film_title_year

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    path: Path
    status: str  # "added", "replaced", "unchanged" or "failed"
    quotes: int = 0
    reason: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.path}: skipped, {self.reason}"
        if self.status == "unchanged":
            return f"{self.path}: unchanged, nothing to do"
        return f"{self.path}: {self.status} {self.quotes} quotes"


@dataclass(frozen=True)
class IngestReport:
    results: tuple[FileResult, ...]

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    @property
    def quotes_added(self) -> int:
        return sum(r.quotes for r in self.results if r.status in ("added", "replaced"))


def parse_document(text: str) -> ParsedDocument:
    return parse_excerpts(text) if looks_like_excerpts(text) else parse_webpage(text)


def expand(paths: Sequence[Path]) -> Iterator[Path]:
    """Files as given, folders recursively in name order, hidden entries skipped."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in rel):
                    yield child
        else:
            yield path


@dataclass(frozen=True)
class _Prepared:
    """A file read, parsed and scored: everything but the transaction."""

    path: Path
    doc: NewDocument
    quotes: list[NewQuote]
    consensus: str | None


async def ingest_paths(
    corpus: CorpusStore,
    scorer: Scorer,
    paths: Sequence[Path],
    film: str,
    *,
    max_bytes: int,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    """Ingest every file, in order, each in its own transaction.

    The next file is read, parsed and scored in a worker thread while the previous one
    is written (SQLite releases the GIL while it works), so neither half waits for the
    other: that overlap is most of the ingest speed.
    """
    results: list[FileResult] = []

    def done(result: FileResult) -> None:
        results.append(result)
        if on_file:
            on_file(result)

    title, year = film_title_year(film)
    film_id: int | None = None  # created with the first good file, not for a run of bad ones
    writing: asyncio.Task[FileResult] | None = None
    for path in expand(paths):
        prepared = await asyncio.to_thread(_prepare, scorer, path, max_bytes)
        if writing is not None:
            done(await writing)
            writing = None
        if isinstance(prepared, FileResult):
            done(prepared)
            continue
        if film_id is None:
            film_id = await corpus.film_id(title, year)
        writing = asyncio.create_task(_write(corpus, film_id, prepared))
    if writing is not None:
        done(await writing)
    await corpus.rebuild_dirty_pools()
    return IngestReport(tuple(results))


def _prepare(scorer: Scorer, path: Path, max_bytes: int) -> _Prepared | FileResult:
    if not path.exists():
        return FileResult(path, "failed", reason="no such file or folder")
    try:
        text, raw = read_text(path, max_bytes)
        parsed = parse_document(text)
    except BadFile as exc:
        return FileResult(path, "failed", reason=str(exc))
    if not parsed.quotes:
        return FileResult(path, "failed", reason="no quotes found (not a review page or list)")
    scores = scorer.score_many([q.text for q in parsed.quotes])
    quotes = [
        NewQuote(q.text, q.kind, q.author, i, s.label, s.polarity, s.confidence)
        for i, (q, s) in enumerate(zip(parsed.quotes, scores, strict=True))
    ]
    doc = NewDocument(
        str(path.resolve()), hashlib.sha256(raw).hexdigest(), parsed.kind, parsed.author, None,
        parsed.published,
    )
    return _Prepared(path, doc, quotes, parsed.consensus)


async def _write(corpus: CorpusStore, film_id: int, prepared: _Prepared) -> FileResult:
    status = await corpus.store_document(
        film_id, prepared.doc, prepared.quotes, prepared.consensus
    )
    if status == "unchanged":
        return FileResult(prepared.path, status)
    _log.info("ingested %s: %d quotes", prepared.path, len(prepared.quotes))
    return FileResult(prepared.path, status, len(prepared.quotes))
