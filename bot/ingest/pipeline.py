"""Files and folders in, one transaction per document: a crash never leaves half a file.

A file whose content is already stored for the film is skipped; a file whose path is
stored with other content replaces its quotes. Bad files are reported one line each and
never stop the good ones, nor does a folder that cannot be read (it is reported too).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.excerpts import looks_like_excerpts, parse_excerpts
from bot.ingest.markup import HTML_REASON, looks_like_html
from bot.ingest.parsed import ParsedDocument
from bot.ingest.reading import BadFile, read_bytes, read_text
from bot.ingest.webpage import parse_webpage
from bot.safe_text import safe_path
from bot.sentiment import Scorer
from bot.storage.corpus import CorpusStore, NewDocument, NewQuote

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    path: Path
    status: str  # "added", "replaced", "unchanged" or "failed"
    quotes: int = 0
    reason: str | None = None

    def line(self) -> str:
        """One line whatever the file is called (newlines and bidi controls escaped)."""
        path = safe_path(self.path)
        if self.status == "failed":
            return f"{path}: skipped, {self.reason}"
        if self.status == "unchanged":
            return f"{path}: unchanged, nothing to do"
        return f"{path}: {self.status} {self.quotes} quotes"


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
    """Excerpts or a page saved as text; raises ``BadFile`` for an HTML page's source."""
    if looks_like_html(text):
        raise BadFile(HTML_REASON)
    return parse_excerpts(text) if looks_like_excerpts(text) else parse_webpage(text)


def expand(paths: Sequence[Path]) -> Iterator[Path | FileResult]:
    """Files as given, folders recursively in name order, hidden entries skipped.

    A folder that cannot be listed (no permission, gone meanwhile, an I/O error) comes
    out as a failed ``FileResult``, so it is reported rather than silently empty. Links
    to folders are not followed (a link to a parent would never end).
    """
    for path in paths:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _walk(folder: Path) -> Iterator[Path | FileResult]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield FileResult(folder, "failed", reason=f"folder cannot be read ({exc.strerror or exc})")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
            linked_folder = not is_folder and entry.is_symlink() and entry.is_dir()
        except OSError as exc:
            yield FileResult(Path(entry.path), "failed",
                             reason=f"cannot be read ({exc.strerror or exc})")
            continue
        if is_folder:
            yield from _walk(Path(entry.path))
        elif linked_folder:
            _log.info("not following the link to a folder %s", safe_path(entry.path))
        else:
            yield Path(entry.path)


def file_digests(paths: Sequence[Path], max_bytes: int) -> list[str]:
    """The sha256 under which ingest stores each readable file of ``paths``."""
    digests = []
    for item in expand(paths):
        if isinstance(item, Path):
            try:
                digests.append(hashlib.sha256(read_bytes(item, max_bytes)).hexdigest())
            except BadFile:
                continue  # never stored either: ingest reports it
    return digests


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

    writing: asyncio.Task[FileResult] | None = None
    for item in expand(paths):
        prepared = (item if isinstance(item, FileResult)
                    else await asyncio.to_thread(_prepare, scorer, item, max_bytes))
        if writing is not None:
            done(await writing)
            writing = None
        if isinstance(prepared, FileResult):
            done(prepared)
            continue
        writing = asyncio.create_task(_write(corpus, film, prepared))
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


async def _write(corpus: CorpusStore, film: str, prepared: _Prepared) -> FileResult:
    status = await corpus.store_document(
        film, prepared.doc, prepared.quotes, prepared.consensus
    )
    if status == "unchanged":
        return FileResult(prepared.path, status)
    _log.info("ingested %s: %d quotes", safe_path(prepared.path), len(prepared.quotes))
    return FileResult(prepared.path, status, len(prepared.quotes))
