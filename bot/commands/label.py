"""``reviewbot label``: a film's quotes with ids and scores, corrections by id, and
corrections in and out as CSV (columns film, text, label, by, at).

Import matches a row to a quote by film and normalised text, the key corrections are
filed under, so a file exported from one database applies to another holding the same
reviews. A bad row is reported with its line number and skipped; the others apply.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TextIO

from bot.commands.context import CommandContext
from bot.commands.parsing import UsageError
from bot.models import Correction, Film, LabelSource, critics_voice
from bot.safe_text import excerpt, quoted
from bot.storage.corrections import Actor, Applied, StoredQuote

_log = logging.getLogger(__name__)

COLUMNS = ("film", "text", "label", "by", "at")
STATES = ("positive", "negative", "mixed", "hidden", "any")
LIST_EXCERPT = 100  # characters of a quote in a listing line
IMPORT_PLATFORM = "import"


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def describe(self, source: str) -> str:
        return f"{source}:{self.line}: skipped, {self.reason}"


@dataclass
class ImportReport:
    applied: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)


async def listing(ctx: CommandContext, film: Film, state: str, limit: int) -> list[str]:
    """One line per quote of the film's critics' voice, least confident first."""
    voice = critics_voice({s.kind for s in await ctx.corpus.stats(film.id)})
    rows = await ctx.corrections.listing(
        film.id, voice, None if state == "any" else state, limit
    )
    return [list_line(s) for s in rows]


def list_line(stored: StoredQuote) -> str:
    """``#68  negative  scorer  0.97  Her left me as empty…``: printable, one line."""
    q = stored.quote
    return (f"#{q.id:<6} {stored.state:<8} {q.label_source.value:<6} {q.confidence:.2f}  "
            f"{excerpt(q.text, LIST_EXCERPT)}")


async def set_label(ctx: CommandContext, quote_id: int, to: Correction, by: str) -> Applied:
    applied = await ctx.corrections.apply(quote_id, to, Actor(by, "cli"), ctx.clock.now())
    if applied is None:
        raise UsageError(f"There is no quote #{quote_id}: `reviewbot label list` shows them.")
    return applied


async def export_csv(ctx: CommandContext, out: TextIO, film: Film | None) -> int:
    """Write every correction (of ``film``, or of all films); returns how many."""
    rows = await ctx.corrections.export(film.id if film else None)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow((r.film, r.text, r.label, r.by, r.at))
    return len(rows)


async def import_csv(ctx: CommandContext, source: TextIO, default_by: str) -> ImportReport:
    """Apply each row's correction; bad rows are collected, never fatal. Raises
    ``UsageError`` when the header is not ``COLUMNS`` or the file stops being CSV."""
    report = ImportReport()
    records = _records(source)
    header = next(records, None)
    if header is None or tuple(c.strip().casefold() for c in header[1]) != COLUMNS:
        raise UsageError(f"the first line must be the header {','.join(COLUMNS)}")
    films: dict[str, Film | None] = {}
    for line, row in records:
        try:
            quote_id, to, by, at = await _parse_row(ctx, row, films, default_by)
        except UsageError as exc:
            report.bad.append(BadRow(line, str(exc)))
            continue
        stored = await ctx.corrections.quote(quote_id)
        if (stored is not None and stored.quote.label_source is LabelSource.PEOPLE
                and to is not Correction.KEEP and stored.state == _state(to)):
            report.unchanged += 1
            continue
        if await ctx.corrections.apply(quote_id, to, Actor(by, IMPORT_PLATFORM), at) is None:
            report.bad.append(BadRow(line, "the quote went away during the import"))
            continue
        report.applied += 1
    _log.info("label import: %d applied, %d unchanged, %d bad", report.applied,
              report.unchanged, len(report.bad))
    return report


def _records(source: TextIO) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the line each starts on (a quoted field may span lines)."""
    reader = csv.reader(source)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise UsageError(f"line {start}: not CSV ({exc})") from None
        if any(cell.strip() for cell in row):
            yield start, row


async def _parse_row(
    ctx: CommandContext, row: list[str], films: dict[str, Film | None], default_by: str
) -> tuple[int, Correction, str, datetime]:
    if len(row) != len(COLUMNS):
        raise UsageError(f"{len(row)} columns, expected {len(COLUMNS)} ({','.join(COLUMNS)})")
    film_name, text, label, by, at = (cell.strip() for cell in row)
    try:
        to = Correction(label.casefold())
    except ValueError:
        raise UsageError(f"label {quoted(label)} is not one of "
                         f"{', '.join(c.value for c in Correction)}") from None
    if film_name not in films:  # the exact name: a file is no place to guess
        named = await ctx.corpus.films_named(film_name) if film_name else []
        films[film_name] = named[0] if len(named) == 1 else None
    film = films[film_name]
    if film is None:
        raise UsageError(f"no film here is called {quoted(film_name)}")
    if not text:
        raise UsageError("the text is empty")
    quote_id = await ctx.corrections.find(film.id, text)
    if quote_id is None:
        raise UsageError(f"{film.name} has no quote with the text {quoted(text)}")
    return quote_id, to, by or default_by, _when(at, ctx)


def _when(at: str, ctx: CommandContext) -> datetime:
    if not at:
        return ctx.clock.now()
    try:
        when = datetime.fromisoformat(at)
    except ValueError:
        raise UsageError(f"at {quoted(at)} is not an ISO 8601 time such as "
                         "2026-03-01T12:00:00+00:00") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _state(to: Correction) -> str:
    return "hidden" if to is Correction.HIDE else to.value
