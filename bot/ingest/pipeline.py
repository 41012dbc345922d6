"""Files and folders in, one transaction per document: a crash never leaves half a file.

A file whose content is already stored for the film is skipped; a file whose path is
stored with other content replaces its quotes. Bad files are reported one line each and
never stop the good ones.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.faults import crash_point
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


async def ingest_paths(
    corpus: CorpusStore,
    scorer: Scorer,
    paths: Sequence[Path],
    film: str,
    *,
    max_bytes: int,
    on_file: Callable[[FileResult], None] | None = None,
) -> IngestReport:
    results = []
    for path in expand(paths):
        result = await _ingest_file(corpus, scorer, path, film, max_bytes)
        results.append(result)
        if on_file:
            on_file(result)
    await corpus.rebuild_dirty_pools()
    return IngestReport(tuple(results))


async def _ingest_file(
    corpus: CorpusStore, scorer: Scorer, path: Path, film: str, max_bytes: int
) -> FileResult:
    if not path.exists():
        return FileResult(path, "failed", reason="no such file or folder")
    try:
        text, raw = read_text(path, max_bytes)
        parsed = parse_document(text)
    except BadFile as exc:
        return FileResult(path, "failed", reason=str(exc))
    if not parsed.quotes:
        return FileResult(path, "failed", reason="no quotes found (not a review page or list)")
    sha = hashlib.sha256(raw).hexdigest()
    scores = scorer.score_many([q.text for q in parsed.quotes])
    quotes = [
        NewQuote(q.text, q.kind, q.author, i, s.label, s.polarity, s.confidence)
        for i, (q, s) in enumerate(zip(parsed.quotes, scores, strict=True))
    ]
    doc = NewDocument(str(path.resolve()), sha, parsed.kind, parsed.author, None, parsed.published)
    title, year = film_title_year(film)
    async with corpus.db.transaction() as conn:
        film_id = await corpus.film_id(conn, title, year)
        if await corpus.has_content(conn, film_id, sha):
            return FileResult(path, "unchanged")
        replaced = await corpus.replace_document(conn, film_id, doc, quotes, parsed.consensus)
        crash_point("ingest.before_commit")
    _log.info("ingested %s: %d quotes", path, len(quotes))
    return FileResult(path, "replaced" if replaced else "added", len(quotes))
