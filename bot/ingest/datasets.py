"""Datasets (CSV and JSON Lines): many films in one file, any size, in bounded memory.

A dataset is read once, row by row, into a temporary SQLite file (*staging*): each
row's film and the fields the columns map. Staging checks the whole file before
anything is stored: a missing text column, an unknown label, bad encoding or a file over
the cap fails the file with one line and nothing written; a malformed row (a wrong
number of fields, broken JSON, no film) is reported with its line number and skipped.
Staging also gives the progress bar its total, each film a digest of its rows (a film
whose rows did not change is skipped when the file is ingested again), and each film's
rows together however the file orders them.

Then each film's rows are read back in batches, scored and stored as one document per
film and file (``CorpusStore.documents_together``): transactions hold whole films
(grouped, ``pipeline.GROUP_ROWS``), so a failure leaves whole films, never half of one.
Memory holds one batch, the film names and one film's set of seen texts (capped).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from bot.ingest.columns import (
    KNOWN_LABELS,
    LABEL_VALUES,
    ColumnError,
    ColumnMap,
    Columns,
    film_from_link,
    find_columns,
)
from bot.ingest.markup import without_markup
from bot.ingest.reading import BadFile, sniff_encoding
from bot.ingest.sentences import MAX_QUOTE_CHARS, chunk, split_sentences
from bot.models import Film, LabelSource, QuoteKind, web_link
from bot.sentiment import Scorer
from bot.storage.corpus import NewQuote, film_title_year

_log = logging.getLogger(__name__)

CSV_SUFFIXES = frozenset({".csv"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
BATCH_ROWS = 2000  # rows scored and written at a time
REPORTED_ROWS = 10  # malformed rows reported by line; the rest are counted
_SEEN_CAP = 200_000  # texts remembered per film to drop repeats (bounds memory)
_STAGE_ROWS = 10_000  # rows per insert into the staging file
_SNIFF_BYTES = 1 << 16


def dataset_format(name: str, content_type: str | None = None) -> str | None:
    """"csv", "jsonl" or ``None`` (not a dataset), by content type or file name."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind in ("text/csv", "application/csv"):
        return "csv"
    if kind in ("application/jsonl", "application/x-ndjson", "application/x-jsonlines",
                "application/json-lines", "application/jsonlines"):
        return "jsonl"
    suffix = Path(name.split("?", 1)[0].split("#", 1)[0]).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    return "jsonl" if suffix in JSONL_SUFFIXES else None


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def describe(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class FilmPart:
    """One film's rows in the staging file."""

    name: str
    digest: hashlib._Hash = field(repr=False)
    rows: int = 0
    first: int = 0  # staging rowids, when the file keeps the film's rows together
    last: int = 0


@dataclass
class Staged:
    """A dataset checked and staged; close it to delete the staging file."""

    conn: sqlite3.Connection
    folder: tempfile.TemporaryDirectory[str]
    films: list[FilmPart]
    rows: int  # rows that will be quotes (before repeats are dropped)
    bad: list[BadRow]  # the first REPORTED_ROWS malformed rows
    bad_count: int
    without_text: int
    with_markup: int
    together: bool  # each film's rows are one run in the file

    def close(self) -> None:
        self.conn.close()
        self.folder.cleanup()

    def notes(self) -> list[str]:
        """The malformed rows by line, then one line for the rest."""
        lines = [b.describe() for b in self.bad]
        if self.bad_count > len(self.bad):
            lines.append(f"… and {self.bad_count - len(self.bad)} more malformed rows")
        return lines

    def skipped(self) -> str | None:
        parts = []
        if self.bad_count:
            parts.append(f"{self.bad_count} malformed")
        if self.without_text:
            parts.append(f"{self.without_text} without text")
        if self.with_markup:
            parts.append(f"{self.with_markup} holding markup")
        return f"rows skipped: {', '.join(parts)}" if parts else None


def stage(
    stream: BinaryIO, fmt: str, chosen: ColumnMap, film: str | None
) -> Staged:
    """Read the whole dataset into a staging file, or raise ``BadFile`` (the file fails).

    ``film`` is the film of rows that name none (``--film``), or the name of the film
    column (see ``find_columns``).
    """
    buffered = io.BufferedReader(cast(io.RawIOBase, stream), buffer_size=_SNIFF_BYTES)
    head = buffered.peek(_SNIFF_BYTES)
    if not head.strip():
        raise BadFile("empty")
    encoding = sniff_encoding(head[:_SNIFF_BYTES], whole=len(head) < _SNIFF_BYTES)
    text = io.TextIOWrapper(buffered, encoding=encoding, errors="strict", newline="")
    folder = tempfile.TemporaryDirectory(prefix="reviewbot-stage-")
    conn = sqlite3.connect(Path(folder.name) / "stage.sqlite3", check_same_thread=False)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute(
        "CREATE TABLE rows (film INTEGER, text TEXT, label TEXT, critic TEXT, outlet TEXT,"
        " date TEXT, url TEXT)"
    )
    staged = Staged(conn, folder, [], 0, [], 0, 0, 0, together=True)
    try:
        records = _csv_records(text) if fmt == "csv" else _jsonl_records(text)
        _Stager(staged, chosen, film).run(records)
    except UnicodeDecodeError as exc:
        staged.close()
        raise BadFile(f"not valid {encoding} text ({exc.reason} in a later part of the file);"
                      " expected UTF-8 or Windows-1252") from None
    except ColumnError as exc:
        staged.close()
        raise BadFile(str(exc)) from None
    except sqlite3.Error as exc:  # the temporary folder is full or read-only
        staged.close()
        raise BadFile(f"no room to stage it in {tempfile.gettempdir()} ({exc}); set TMPDIR"
                      " to a folder with space") from None
    except BaseException:
        staged.close()
        raise
    if not staged.rows:
        staged.close()
        if staged.bad:
            raise BadFile(f"no usable rows: {staged.bad_count} malformed, the first at "
                          f"{staged.bad[0].describe()}")
        raise BadFile("no rows with review text")
    return staged


# A record is (line, fields) with the header as the first one, or (line, reason) for a
# row that cannot be read at all.
Record = tuple[int, Sequence[str] | str]


def _csv_records(text: io.TextIOWrapper) -> Iterator[Record]:
    reader = csv.reader(text)
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, f"not CSV ({exc})"
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if row:
            yield start, row


def _jsonl_records(text: io.TextIOWrapper) -> Iterator[Record]:
    keys: list[str] | None = None
    for number, raw in enumerate(text, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            yield number, f"not JSON ({str(exc).split(':')[0]})"
            continue
        if not isinstance(value, dict):
            yield number, "not a JSON object"
            continue
        if keys is None:
            keys = list(value)
            yield 0, keys
        yield number, ["" if value.get(k) is None else str(value.get(k)) for k in keys]


class _Stager:
    """The staging loop: the one place that looks at every row, so it stays lean."""

    def __init__(self, staged: Staged, chosen: ColumnMap, film: str | None) -> None:
        self.staged = staged
        self.chosen = chosen
        self.film = film
        self.ids: dict[str, int] = {}
        self.names: dict[str | None, str] = {}  # raw film cell to name, bounded by films

    def run(self, records: Iterator[Record]) -> None:
        staged = self.staged
        cols: Columns | None = None
        width = 0
        pending: list[tuple[object, ...]] = []
        current = -1
        for line, fields_ in records:
            if isinstance(fields_, str):
                self._bad(line, fields_)
                continue
            if cols is None:
                cols = find_columns(fields_, self.chosen, self.film)
                width = len(fields_)
                continue
            if len(fields_) != width:
                self._bad(line, f"{len(fields_)} fields where the header has {width}")
                continue
            raw = fields_[cols.text]
            if not raw or raw.isspace():
                staged.without_text += 1
                continue
            text = without_markup(raw) if "<" in raw or "&" in raw else " ".join(raw.split())
            if text is None:
                staged.with_markup += 1
                continue
            name = self._film(fields_, cols)
            if name is None:
                self._bad(line, "no film (name one with --film)")
                continue
            label = fields_[cols.label].strip() if cols.label is not None else ""
            if label and label.casefold() not in LABEL_VALUES:
                raise BadFile(
                    f"line {line}: unknown label {label[:40]!r} (known: {KNOWN_LABELS});"
                    " map another column with --label"
                )
            film_id = self.ids.get(name)
            if film_id is None:
                film_id = self.ids[name] = len(staged.films)
                digest = hashlib.sha256(repr((name, cols)).encode())
                staged.films.append(FilmPart(name, digest))
            part = staged.films[film_id]
            if film_id != current:
                if part.rows:
                    staged.together = False
                current = film_id
            staged.rows += 1  # the row's rowid in the staging file
            if not part.rows:
                part.first = staged.rows
            part.rows += 1
            part.last = staged.rows
            label = label.casefold()
            critic, outlet = _field(fields_, cols.critic), _field(fields_, cols.outlet)
            date, url = _field(fields_, cols.date), _field(fields_, cols.url)
            part.digest.update(
                f"{text}\x1f{label}\x1f{critic}\x1f{outlet}\x1f{date}\x1f{url}\x1e".encode()
            )
            pending.append((film_id, text, label or None, critic, outlet, date, url))
            if len(pending) >= _STAGE_ROWS:
                self._insert(pending)
        if cols is None:
            raise BadFile("empty (no header)")
        self._insert(pending)
        if not staged.together:
            staged.conn.execute("CREATE INDEX rows_film ON rows(film)")

    def _film(self, fields_: Sequence[str], cols: Columns) -> str | None:
        raw = fields_[cols.film] if cols.film is not None else None
        name = self.names.get(raw)
        if name is None:
            name = self.names[raw] = self._film_name(raw, cols)
        return name or None

    def _film_name(self, raw: str | None, cols: Columns) -> str:
        """The film's name as ``films_named`` finds it ("" for none); once per value."""
        if raw is None or not raw.strip():
            if raw is not None or not self.film:
                return ""
            raw = self.film
        elif cols.film_from_link:
            raw = film_from_link(raw)
        return Film(0, *film_title_year(raw), None).name

    def _insert(self, pending: list[tuple[object, ...]]) -> None:
        if not pending:
            return
        self.staged.conn.executemany(
            "INSERT INTO rows (rowid, film, text, label, critic, outlet, date, url)"
            " VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)", pending
        )
        pending.clear()

    def _bad(self, line: int, reason: str) -> None:
        self.staged.bad_count += 1
        if len(self.staged.bad) < REPORTED_ROWS:
            self.staged.bad.append(BadRow(line, reason))


def _field(fields_: Sequence[str], at: int | None) -> str | None:
    if at is None:
        return None
    value = " ".join(fields_[at].split())
    return value or None


@dataclass(frozen=True)
class FilmBatch:
    """Scored quotes of one film, in file order; ``quotes`` is ``None`` for a film
    whose rows did not change since it was stored (nothing was scored)."""

    index: int
    film: str
    digest: str
    quotes: list[NewQuote] | None
    rows: int  # rows of the file this batch accounts for (progress)


def film_batches(
    staged: Staged, scorer: Scorer, unchanged: Callable[[str, str], bool]
) -> Iterator[FilmBatch]:
    """Each film's quotes in batches of ``BATCH_ROWS`` rows, scored; run step by step in
    a worker thread while the previous batch is written."""
    for index, part in enumerate(staged.films):
        digest = part.digest.hexdigest()
        if unchanged(part.name, digest):
            yield FilmBatch(index, part.name, digest, None, part.rows)
            continue
        if staged.together:
            cursor = staged.conn.execute(
                f"{_ROW_SELECT} WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                (part.first, part.last),
            )
        else:
            cursor = staged.conn.execute(
                f"{_ROW_SELECT} WHERE film = ? ORDER BY rowid", (index,)
            )
        seen: set[str] = set()
        position = 0
        while rows := cursor.fetchmany(BATCH_ROWS):
            quotes = _quotes(rows, scorer, seen, position)
            position += len(quotes)
            yield FilmBatch(index, part.name, digest, quotes, len(rows))


_ROW_SELECT = "SELECT text, label, critic, outlet, date, url FROM rows"


def _quotes(
    rows: list[tuple[str, str | None, str | None, str | None, str | None, str | None]],
    scorer: Scorer,
    seen: set[str],
    position: int,
) -> list[NewQuote]:
    texts: list[str] = []
    owners: list[int] = []
    for i, row in enumerate(rows):
        text = row[0]
        if text in seen:
            continue  # the same review twice (the RT dataset repeats some)
        if len(seen) < _SEEN_CAP:
            seen.add(text)
        pieces = [text] if len(text) <= MAX_QUOTE_CHARS else chunk(split_sentences(text))
        texts.extend(pieces)
        owners.extend([i] * len(pieces))
    scores = scorer.score_many(texts)
    quotes = []
    for n, (text, owner, score) in enumerate(zip(texts, owners, scores, strict=True)):
        _, label, critic, outlet, date, url = rows[owner]
        source = LABEL_VALUES[label] if label else None
        quotes.append(NewQuote(
            text, QuoteKind.CRITIC, critic, position + n,
            source or score.label, score.polarity, score.confidence,
            outlet=outlet, published=date, url=web_link(url),
            label_source=LabelSource.SOURCE if source else LabelSource.SCORER,
        ))
    return quotes

