"""Files, folders and links in, one transaction per document: a crash never leaves half.

A file whose content is already stored for the film is skipped; a file whose path is
stored with other content replaces its quotes. Bad inputs are reported one line each and
never stop the good ones, nor does a folder that cannot be read (it is reported too).
A dataset (CSV, JSON Lines) is one document per film it holds (``bot.ingest.datasets``);
a link is fetched (``bot.ingest.fetch``) and read as the page or dataset it serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import os
import re
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from bot.ingest.columns import ColumnMap
from bot.ingest.datasets import FilmBatch, Staged, dataset_format, film_batches, stage
from bot.ingest.excerpts import looks_like_excerpts, parse_excerpts
from bot.ingest.fetch import Fetched, Limits, fetch, is_link
from bot.ingest.html import parse_html
from bot.ingest.markup import looks_like_html
from bot.ingest.parsed import ParsedDocument
from bot.ingest.reading import BadFile, decode, open_capped, read_bytes, read_text
from bot.ingest.webpage import parse_webpage
from bot.models import DocumentKind, web_link
from bot.safe_text import safe_path
from bot.sentiment import Scorer
from bot.sentiment.workers import ScoringWorker
from bot.storage.corpus import CorpusStore, NewDocument, NewQuote

_log = logging.getLogger(__name__)

Source = Path | str  # a file or folder, or an http(s) link
Progress = Callable[[int, int | None], None]
# "ftp://…", "file://…": a link of a kind that is not fetched (not a file name either).
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
NO_FILM = 'no film named for it: say which with --film "Title (Year)"'
# A dataset's films are committed in groups of about this many rows: a commit per film
# of 64 rows cost as much as writing it. Whole films only, so a failure never leaves
# half a film; the write lock is held for one group (tens of milliseconds).
GROUP_ROWS = 5000
# Documents being scored at once, in threads: a worker process (``bot.sentiment.workers``)
# is handed the next one while this process takes the last one's result, so it never idles.
SCORING_AHEAD = 3


@dataclass(frozen=True)
class FileResult:
    path: Path | str  # the input as given: a path or a link
    status: str  # "added", "replaced", "unchanged" or "failed"
    quotes: int = 0
    reason: str | None = None
    films: int = 0  # a dataset's films stored (added or replaced)
    unchanged_films: int = 0
    skipped: str | None = None  # a dataset's rows left out, summed up
    # A dataset's malformed rows by line number ("line 12: …"), at most
    # ``datasets.REPORTED_ROWS`` and a count of the rest: printed before ``line()``.
    notes: tuple[str, ...] = ()

    def line(self) -> str:
        """One line whatever the file is called (newlines and bidi controls escaped)."""
        path = safe_path(self.path)
        if self.status == "failed":
            return f"{path}: skipped, {self.reason}"
        if self.status == "unchanged":
            return f"{path}: unchanged, nothing to do"
        if self.films or self.unchanged_films:
            text = f"{path}: {self.status} {self.quotes:,} quotes of {_films(self.films)}"
            if self.unchanged_films:
                text += f", {_films(self.unchanged_films)} unchanged"
        else:
            text = f"{path}: {self.status} {self.quotes:,} quotes"
        return f"{text}; {self.skipped}" if self.skipped else text


def _films(n: int) -> str:
    return f"{n:,} film{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class IngestReport:
    results: tuple[FileResult, ...]

    @property
    def failed(self) -> tuple[FileResult, ...]:
        return tuple(r for r in self.results if r.status == "failed")

    @property
    def quotes_added(self) -> int:
        return sum(r.quotes for r in self.results if r.status in ("added", "replaced"))


def parse_document(text: str, url: str | None = None) -> ParsedDocument:
    """Excerpts, a page saved as text, or an HTML page's source (``BadFile`` when the
    page has no article)."""
    if looks_like_html(text):
        return parse_html(text, url)
    return parse_excerpts(text) if looks_like_excerpts(text) else parse_webpage(text)


def expand(paths: Sequence[Source]) -> Iterator[Path | str | FileResult]:
    """Links and files as given, folders recursively in name order, hidden entries skipped.

    A folder that cannot be listed (no permission, gone meanwhile, an I/O error) comes
    out as a failed ``FileResult``, so it is reported rather than silently empty. Links
    to folders are not followed (a link to a parent would never end).
    """
    for source in paths:
        if isinstance(source, str) and is_link(source):
            yield source
            continue
        if isinstance(source, str) and _SCHEME.match(source):
            yield FileResult(source, "failed", reason="only http and https links are fetched")
            continue
        path = Path(source)
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


def file_digests(paths: Sequence[Source], max_bytes: int) -> list[str]:
    """The sha256 under which ingest stores each readable file of ``paths``."""
    digests = []
    for item in expand(paths):
        if isinstance(item, Path) and dataset_format(item.name) is None:
            try:
                digests.append(hashlib.sha256(read_bytes(item, max_bytes)).hexdigest())
            except BadFile:
                continue  # never stored either: ingest reports it
    return digests



@dataclass(frozen=True)
class _Parsed:
    """A document read and parsed, waiting to be scored."""

    source: Path | str
    key: str  # the document's path: the file's resolved path, or the link
    raw: bytes
    parsed: ParsedDocument
    film: str


@dataclass(frozen=True)
class _Prepared:
    """A document read, parsed and scored: everything but the transaction."""

    source: Path | str
    film: str
    doc: NewDocument
    quotes: list[NewQuote]
    consensus: str | None


@dataclass(frozen=True)
class _Dataset:
    """A dataset checked and staged, waiting to be scored and stored film by film."""

    source: Path | str
    key: str  # the documents' path: the file's resolved path, or the link
    staged: Staged


class _Progress:
    """Units done of all inputs: one per document, one per dataset row. The total is
    ``None`` while an input that may be a dataset (its rows not counted yet) is ahead."""

    def __init__(self, items: Sequence[object], callback: Progress | None) -> None:
        self.callback = callback
        self.done = 0
        self.total = len(items)
        self.uncounted = sum(1 for i in items if _may_be_dataset(i))

    def counted(self, item: object, rows: int | None) -> None:
        """``item`` turned out a dataset of ``rows`` rows, or (``None``) not a dataset."""
        if _may_be_dataset(item):
            self.uncounted -= 1
        if rows is not None:
            self.total += rows - 1
        self.advance(0)

    def advance(self, units: int) -> None:
        self.done += units
        if self.callback:
            self.callback(self.done, None if self.uncounted > 0 else self.total)


def _may_be_dataset(item: object) -> bool:
    return isinstance(item, str) or (
        isinstance(item, Path) and dataset_format(item.name) is not None
    )


async def ingest_paths(
    corpus: CorpusStore,
    scorer: Scorer,
    paths: Sequence[Source],
    film: str | None,
    *,
    max_bytes: int,
    columns: ColumnMap | None = None,
    on_file: Callable[[FileResult], None] | None = None,
    on_progress: Progress | None = None,
    limits: Limits | None = None,
    local_links: bool = False,
    workers: ScoringWorker | None = None,
) -> IngestReport:
    """Ingest every input, in order: each document in its own transaction, a dataset's
    films whole in groups (``_write_dataset``). ``film`` is the film of documents (and of
    dataset rows that name none); a document with no film fails with ``NO_FILM``. Links
    to this machine or a private network are fetched only with ``local_links``.

    Documents go through three stages at once: the next document is read and parsed in a
    worker thread while up to ``SCORING_AHEAD`` before it are scored in others and the
    one before those is written (SQLite releases the GIL while it works). With
    ``workers``, a large ingest scores in a process of its own (``bot.sentiment.workers``),
    so scoring stops competing for the GIL with reading and writing. A dataset's batches
    overlap the same way (``_Ahead``).
    """
    scoring = workers.scoring(scorer) if workers else contextlib.nullcontext(scorer)
    async with scoring as chosen:
        return await _ingest(corpus, chosen, paths, film, max_bytes, columns or ColumnMap(),
                             on_file, on_progress, limits, local_links)


async def _ingest(
    corpus: CorpusStore,
    scorer: Scorer,
    paths: Sequence[Source],
    film: str | None,
    max_bytes: int,
    columns: ColumnMap,
    on_file: Callable[[FileResult], None] | None,
    on_progress: Progress | None,
    limits: Limits | None,
    local_links: bool,
) -> IngestReport:
    items = list(expand(paths))
    progress = _Progress(items, on_progress)
    results: list[FileResult] = []

    def done(result: FileResult, units: int = 1) -> None:
        results.append(result)
        if on_file:
            on_file(result)
        progress.advance(units)

    scoring: deque[asyncio.Task[_Prepared | FileResult]] = deque()
    writing: asyncio.Task[FileResult] | None = None

    async def written() -> None:
        """The document being written, if any, done."""
        nonlocal writing
        if writing is not None:
            done(await writing)
            writing = None

    async def advance() -> None:
        """The first document being scored goes on to be written, once the one written
        before it is done; results stay in input order."""
        nonlocal writing
        if not scoring:
            return
        prepared = await scoring.popleft()
        await written()
        if isinstance(prepared, FileResult):
            done(prepared)
        else:
            writing = asyncio.create_task(_write(corpus, prepared))

    async def drain() -> None:
        """Every document before this point scored, written and reported."""
        while scoring:
            await advance()
        await written()

    try:
        for item in items:
            if isinstance(item, FileResult):
                step: _Parsed | _Dataset | FileResult = item
            elif isinstance(item, str):
                step = await _prepare_link(item, film, max_bytes, columns, limits, local_links)
            elif (fmt := dataset_format(item.name)) is not None:
                step = await asyncio.to_thread(_stage_file, item, fmt, columns, film, max_bytes)
            else:
                step = await asyncio.to_thread(_parse_file, item, film, max_bytes)
            progress.counted(item, step.staged.rows if isinstance(step, _Dataset) else None)
            if isinstance(step, _Parsed):
                if len(scoring) >= SCORING_AHEAD:
                    await advance()
                scoring.append(asyncio.create_task(asyncio.to_thread(_scored, scorer, step)))
                continue
            await drain()  # results stay in input order
            if isinstance(step, FileResult):
                done(step)
            else:
                done(await _write_dataset(corpus, scorer, step, progress), units=0)
        await drain()
    finally:
        # A failure (storage) leaves no task behind unawaited; scoring is a thread and
        # cannot be cancelled, so it is let finish.
        pending = [t for t in (*scoring, writing) if t is not None and not t.done()]
        if pending:
            await asyncio.wait(pending)
    await corpus.rebuild_dirty_pools()
    return IngestReport(tuple(results))


def _failed(source: Path | str, reason: str) -> FileResult:
    return FileResult(source, "failed", reason=reason)


def _parse_file(path: Path, film: str | None, max_bytes: int) -> _Parsed | FileResult:
    if not path.exists():
        return _failed(path, "no such file or folder")
    if film is None:
        return _failed(path, NO_FILM)
    try:
        text, raw = read_text(path, max_bytes)
        parsed = parse_document(text)
    except BadFile as exc:
        return _failed(path, str(exc))
    return _Parsed(path, str(path.resolve()), raw, parsed, film)


def _scored(scorer: Scorer, step: _Parsed) -> _Prepared | FileResult:
    source, parsed = step.source, step.parsed
    if not parsed.quotes:
        return _failed(source, "no quotes found (not a review page or list)")
    scores = scorer.score_many([q.text for q in parsed.quotes])
    quotes = [
        NewQuote(q.text, q.kind, q.author, i, s.label, s.polarity, s.confidence)
        for i, (q, s) in enumerate(zip(parsed.quotes, scores, strict=True))
    ]
    doc = NewDocument(
        step.key, hashlib.sha256(step.raw).hexdigest(), parsed.kind, parsed.author,
        parsed.outlet, parsed.published, parsed.url,
    )
    return _Prepared(source, step.film, doc, quotes, parsed.consensus)


def _stage_file(
    path: Path, fmt: str, columns: ColumnMap, film: str | None, max_bytes: int
) -> _Dataset | FileResult:
    if not path.exists():
        return _failed(path, "no such file or folder")
    try:
        with open_capped(path, max_bytes) as stream:
            staged = stage(stream, fmt, columns, film)
    except BadFile as exc:
        return _failed(path, str(exc))
    except OSError as exc:
        return _failed(path, f"cannot be read ({exc.strerror or exc})")
    return _Dataset(path, str(path.resolve()), staged)


async def _prepare_link(
    url: str, film: str | None, max_bytes: int, columns: ColumnMap, limits: Limits | None,
    local: bool,
) -> _Parsed | _Dataset | FileResult:
    try:
        page = await fetch(url, max_bytes, limits, local=local)
    except BadFile as exc:
        return _failed(url, str(exc))
    fmt = dataset_format(page.url, page.media_type)
    if fmt is not None:
        def staged() -> _Dataset | FileResult:
            try:
                return _Dataset(url, url, stage(io.BytesIO(page.body), fmt, columns, film))
            except BadFile as exc:
                return _failed(url, str(exc))

        return await asyncio.to_thread(staged)
    if film is None:
        return _failed(url, NO_FILM)
    return await asyncio.to_thread(_parse_page, url, page, film)


def _parse_page(url: str, page: Fetched, film: str) -> _Parsed | FileResult:
    try:
        text = _page_text(page)
        if page.media_type == "text/plain":
            parsed = parse_document(text, page.url)
            parsed.url = parsed.url or web_link(page.url)
        else:
            parsed = parse_html(text, page.url)
    except BadFile as exc:
        return _failed(url, str(exc))
    return _Parsed(url, url, page.body, parsed, film)


# Charsets ``decode`` already tries (and whose NUL bytes mean binary): sniffed, not trusted.
_SNIFFED_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1",
                               "latin1", "windows-1252", "cp1252"})


def _page_text(page: Fetched) -> str:
    """The body as text: the server's charset when it names another one (UTF-16,
    Shift_JIS…), else sniffed as files are (UTF-8, then Windows-1252; NUL bytes: binary)."""
    if not page.body.strip():
        raise BadFile("empty")
    if page.charset and page.charset not in _SNIFFED_CHARSETS:
        try:
            text = page.body.decode(page.charset)
        except (LookupError, UnicodeDecodeError):
            raise BadFile(f"not valid {page.charset[:20]} text, as the server says") from None
    else:
        text = decode(page.body)
    if not text.strip():
        raise BadFile("empty")
    return text


async def _write(corpus: CorpusStore, prepared: _Prepared) -> FileResult:
    status = await corpus.store_document(
        prepared.film, prepared.doc, prepared.quotes, prepared.consensus
    )
    if status == "unchanged":
        return FileResult(prepared.source, status)
    _log.info("ingested %s: %d quotes", safe_path(prepared.source), len(prepared.quotes))
    return FileResult(prepared.source, status, len(prepared.quotes))


T = TypeVar("T")


class _Ahead(Generic[T]):
    """Steps a generator in a worker thread, one item ahead: while the caller writes
    item n, item n + 1 (a batch being scored) is made."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self._next: asyncio.Future[T | None] | None = self._step()

    def _step(self) -> asyncio.Future[T | None]:
        return asyncio.ensure_future(asyncio.to_thread(next, self._items, None))

    async def next(self) -> T | None:
        if self._next is None:
            return None
        item = await self._next
        self._next = self._step() if item is not None else None
        return item

    async def close(self) -> None:
        if self._next is not None:
            await asyncio.wait([self._next])  # a thread cannot be cancelled: let it finish
            self._next = None


@dataclass
class _FilmQuotes:
    """One film's batches from ``_Ahead``, as ``store_document_batches`` reads them; it
    stops where the next film starts and leaves that batch in ``pending``."""

    ahead: _Ahead[FilmBatch]
    progress: _Progress
    pending: FilmBatch | None
    quotes: int = 0
    rows: int = 0  # rows of the file read for this film
    _index: int = field(init=False)

    def __post_init__(self) -> None:
        assert self.pending is not None
        self._index = self.pending.index

    async def batches(self) -> AsyncIterator[list[NewQuote]]:
        while self.pending is not None and self.pending.index == self._index:
            batch = self.pending
            assert batch.quotes is not None
            self.quotes += len(batch.quotes)
            yield batch.quotes
            self.rows += batch.rows
            self.progress.advance(batch.rows)
            self.pending = await self.ahead.next()

    async def skip_rest(self) -> None:
        """Pass over what the store did not read (the film was stored meanwhile)."""
        while self.pending is not None and self.pending.index == self._index:
            self.rows += self.pending.rows
            self.progress.advance(self.pending.rows)
            self.pending = await self.ahead.next()


async def _write_dataset(
    corpus: CorpusStore, scorer: Scorer, dataset: _Dataset, progress: _Progress
) -> FileResult:
    """The dataset's films, whole, in transactions of at most ``GROUP_ROWS`` rows (a film
    larger than that is one transaction of its own), its batches scored ahead."""
    stored = await corpus.stored_digests(dataset.key)
    ahead = _Ahead(film_batches(
        dataset.staged, scorer, lambda film, digest: stored.get(film) == digest
    ))
    quotes = films = unchanged = 0
    try:
        item = await ahead.next()
        while item is not None:
            async with corpus.documents_together() as store:
                rows = 0
                while item is not None and rows < GROUP_ROWS:
                    if item.quotes is None:
                        unchanged += 1
                        rows += item.rows
                        progress.advance(item.rows)
                        item = await ahead.next()
                        continue
                    film = _FilmQuotes(ahead, progress, item)
                    status = await store(
                        item.film, NewDocument(dataset.key, item.digest, DocumentKind.DATASET),
                        film.batches(), None,
                    )
                    await film.skip_rest()
                    item = film.pending
                    rows += film.rows
                    if status == "unchanged":
                        unchanged += 1
                    else:
                        films += 1
                        quotes += film.quotes
    finally:
        await ahead.close()
        dataset.staged.close()
    staged = dataset.staged
    _log.info("ingested %s: %d quotes of %d films", safe_path(dataset.source), quotes, films)
    return FileResult(
        dataset.source, "added" if films else "unchanged", quotes, films=films,
        unchanged_films=unchanged, skipped=staged.skipped(), notes=tuple(staged.notes()),
    )
