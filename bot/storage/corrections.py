"""Corrections by people: a manager's label, members' reports, and the audit of both.

A correction is filed under (film, normalised text) in ``corrections``, so it outlives
the quote's row: re-ingest of the same text gives the new row the person's label in the
document's own transaction (``corpus._apply_corrections``); quotes and the joins use the
key's 64-bit hash (``text_keys.text_hash``), which keeps their index small. Applying one
is a single transaction that relabels (or hides) every copy of the text in the film, keeps
``film_stats`` right, appends to ``correction_log`` (never updated, never deleted),
resolves the open reports on it and moves the quotes between the film's pools.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import Correction, Label, LabelSource, Quote, QuoteKind
from bot.storage.connection import Connection, Row
from bot.storage.corpus import QUOTE_SELECT, CorpusStore, adjust_stats, quote_from_row
from bot.storage.pools import film_voice, join_pools, leave_pools
from bot.storage.text_keys import text_hash, text_key

_log = logging.getLogger(__name__)

HIDDEN = "hidden"  # the state a hidden quote is in, in the audit and in listings

_LABEL_OF: dict[Correction, Label] = {
    Correction.POSITIVE: Label.POSITIVE,
    Correction.NEGATIVE: Label.NEGATIVE,
    Correction.MIXED: Label.NEUTRAL,
}


@dataclass(frozen=True)
class StoredQuote:
    """A quote with what a correction needs beyond what users see."""

    quote: Quote
    film_id: int
    hidden: bool

    @property
    def state(self) -> str:
        """"positive", "negative", "mixed" or "hidden": as people say it."""
        return HIDDEN if self.hidden else self.quote.label.display


@dataclass(frozen=True)
class Actor:
    """Who corrected or reported, and where (``channel`` is None from the command line)."""

    user: str
    platform: str
    channel: str | None = None


@dataclass(frozen=True)
class Applied:
    """The outcome of a correction: the state before and after, and the film's tally."""

    quote_id: int
    film_id: int
    before: str
    after: str
    checked_by_people: int


@dataclass(frozen=True)
class Reported:
    """A quote with open member reports, and what they suggest."""

    quote: Quote
    reports: int
    suggested: Correction


@dataclass(frozen=True)
class AuditRow:
    quote_id: int
    film_id: int
    before: str
    after: str
    by_user: str
    platform: str
    channel: str | None
    at: str


@dataclass(frozen=True)
class ExportRow:
    """One correction as ``reviewbot label export`` writes it."""

    film: str
    text: str
    label: str  # positive, negative, mixed or hide
    by: str
    at: str


class CorrectionStore:
    def __init__(self, corpus: CorpusStore) -> None:
        self.corpus = corpus
        self.db = corpus.db

    async def quote(self, quote_id: int) -> StoredQuote | None:
        rows = await self.db.fetchall(f"{QUOTE_SELECT} WHERE q.id = ?", (quote_id,))
        return _stored(rows[0]) if rows else None

    async def apply(
        self, quote_id: int, to: Correction, actor: Actor, at: datetime
    ) -> Applied | None:
        """Make ``to`` the label (or hide) of the quote and of every copy of its text in
        the film, for good. None when the quote is gone."""
        when = at.isoformat(timespec="seconds")
        async with self.db.transaction() as conn:
            rows = list(await conn.fetchall(
                "SELECT film_id, text_hash, text, label, hidden, (SELECT COUNT(*) FROM quotes c"
                " WHERE c.film_id = quotes.film_id AND c.text_hash = quotes.text_hash)"
                " FROM quotes WHERE id = ?",
                (quote_id,),
            ))
            if not rows:
                return None
            film_id, hashed, text, label, hidden, copies = rows[0]
            key = text_key(text)
            before = HIDDEN if hidden else Label(label).display
            new_label = _LABEL_OF.get(to, Label(label)).value
            new_hidden = {Correction.HIDE: 1, Correction.KEEP: hidden}.get(to, 0)
            after = HIDDEN if new_hidden else Label(new_label).display
            same = (film_id, hashed)
            # Copies of the text (other case or punctuation) may have held other labels
            # even when the clicked one keeps its own: their pools change too.
            moved = before != after or copies > 1
            voice = await film_voice(conn, film_id)
            if moved:
                await leave_pools(conn, film_id, "film_id = ? AND text_hash = ?", same)
            await adjust_stats(conn, "film_id = ? AND text_hash = ?", same, sign=-1)
            await conn.execute(
                "UPDATE quotes SET label = ?, hidden = ?, label_source = ?"
                " WHERE film_id = ? AND text_hash = ?",
                (new_label, new_hidden, LabelSource.PEOPLE.value, *same),
            )
            await adjust_stats(conn, "film_id = ? AND text_hash = ?", same, sign=1)
            if moved:
                # The quotes take new ranks in the pools they now belong to (a new round's
                # for the channels that saw them), or the film is marked for a rebuild.
                await join_pools(conn, film_id, voice, "film_id = ? AND text_hash = ?", same)
            await conn.execute(
                "INSERT INTO corrections (film_id, text_key, text_hash, text, label, hidden,"
                " by_user, platform, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (film_id, text_key) DO UPDATE SET text = excluded.text,"
                " text_hash = excluded.text_hash,"
                " label = excluded.label, hidden = excluded.hidden, by_user = excluded.by_user,"
                " platform = excluded.platform, at = excluded.at",
                (film_id, key, hashed, text, new_label, new_hidden, actor.user, actor.platform,
                 when),
            )
            await conn.execute(
                "INSERT INTO correction_log (quote_id, film_id, text_key, from_label, to_label,"
                " by_user, platform, channel, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (quote_id, film_id, key, before, after, actor.user, actor.platform,
                 actor.channel, when),
            )
            await conn.execute(
                "UPDATE reports SET resolved_at = ? WHERE film_id = ? AND text_hash = ?"
                " AND resolved_at IS NULL",
                (when, *same),
            )
            checked = await _checked(conn, film_id)
        _log.info("quote %d of film %d: %s -> %s by %s on %s", quote_id, film_id, before, after,
                  actor.user, actor.platform)
        if moved and await self.corpus.pools.wanted(film_id):
            await self.corpus.rebuild_pool(film_id)  # rare: the film's voice changed
        return Applied(quote_id, film_id, before, after, checked)

    async def report(
        self, quote_id: int, suggested: Correction, actor: Actor, at: datetime
    ) -> bool | None:
        """File a member's report; True when new, False when that member had already
        reported this quote (their suggestion is updated, not counted twice), None when
        the quote is gone."""
        async with self.db.transaction() as conn:
            rows = list(await conn.fetchall(
                "SELECT film_id, text_hash, text FROM quotes WHERE id = ?", (quote_id,)
            ))
            if not rows:
                return None
            film_id, hashed, text = rows[0]
            existing = list(await conn.fetchall(
                "SELECT id FROM reports WHERE platform = ? AND reporter = ? AND film_id = ?"
                " AND text_hash = ? AND resolved_at IS NULL",
                (actor.platform, actor.user, film_id, hashed),
            ))
            if existing:
                await conn.execute(
                    "UPDATE reports SET suggested = ?, quote_id = ?, channel = ?, at = ?"
                    " WHERE id = ?",
                    (suggested.value, quote_id, actor.channel, at.isoformat(timespec="seconds"),
                     existing[0][0]),
                )
                return False
            await conn.execute(
                "INSERT INTO reports (quote_id, film_id, text_key, text_hash, suggested, reporter,"
                " platform, channel, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (quote_id, film_id, text_key(text), hashed, suggested.value, actor.user,
                 actor.platform, actor.channel, at.isoformat(timespec="seconds")),
            )
            return True

    async def reported(self, film_id: int, limit: int) -> list[Reported]:
        """Visible quotes with open reports, most reported first (then oldest report)."""
        rows = await self.db.fetchall(
            # Per text, not per row: copies of a text share one correction, so their
            # reports are one item with one count.
            "SELECT MIN(r.quote_id), COUNT(*), GROUP_CONCAT(r.suggested) FROM reports r"
            " JOIN quotes q ON q.id = r.quote_id"
            " WHERE r.film_id = ? AND r.resolved_at IS NULL AND q.hidden = 0"
            " GROUP BY r.text_hash ORDER BY COUNT(*) DESC, MIN(r.at), MIN(r.quote_id)"
            " LIMIT ?",
            (film_id, limit),
        )
        quotes = await self._quotes([int(r[0]) for r in rows])
        return [
            Reported(quotes[int(r[0])], int(r[1]),
                     Correction(Counter(str(r[2]).split(",")).most_common(1)[0][0]))
            for r in rows if int(r[0]) in quotes
        ]

    async def open_reports(self, film_id: int) -> int:
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM reports WHERE film_id = ? AND resolved_at IS NULL", (film_id,)
        )
        return int(row[0]) if row else 0

    async def uncertain(self, film_id: int, kind: QuoteKind, label: Label, limit: int
                        ) -> list[Quote]:
        """The scorer's least confident visible quotes of a label that no one checked
        (the ``quotes_uncertain`` partial index: its conditions are literals here)."""
        rows = await self.db.fetchall(
            f"{QUOTE_SELECT} WHERE q.film_id = ? AND q.kind = ? AND q.label = ?"
            " AND q.hidden = 0 AND q.label_source = 'scorer' ORDER BY q.confidence, q.id"
            " LIMIT ?",
            (film_id, kind.value, label.value, limit),
        )
        return [quote_from_row(r) for r in rows]

    async def listing(
        self, film_id: int, kind: QuoteKind | None, state: str | None, limit: int
    ) -> list[StoredQuote]:
        """A film's quotes of one voice for ``reviewbot label list``, least confident
        first; ``state`` is a label's display word, "hidden", or None for all."""
        where = "q.film_id = ?"
        params: list[object] = [film_id]
        if kind is not None:
            where += " AND q.kind = ?"
            params.append(kind.value)
        if state == HIDDEN:
            where += " AND q.hidden = 1"
        elif state is not None:
            where += " AND q.hidden = 0 AND q.label = ?"
            params.append(next(lb.value for lb in Label if lb.display == state))
        rows = await self.db.fetchall(
            f"{QUOTE_SELECT} WHERE {where} ORDER BY q.confidence, q.id LIMIT ?",
            (*params, limit),
        )
        return [_stored(r) for r in rows]

    async def find(self, film_id: int, text: str) -> int | None:
        """A quote of the film with this text (normalised as corrections are filed)."""
        row = await self.db.fetchone(
            "SELECT id FROM quotes WHERE film_id = ? AND text_hash = ? ORDER BY id LIMIT 1",
            (film_id, text_hash(text_key(text))),
        )
        return int(row[0]) if row else None

    async def audit(self, film_id: int | None = None) -> list[AuditRow]:
        rows = await self.db.fetchall(
            "SELECT quote_id, film_id, from_label, to_label, by_user, platform, channel, at"
            " FROM correction_log WHERE CAST(? AS INTEGER) IS NULL OR film_id = ? ORDER BY id",
            (film_id, film_id),
        )
        return [AuditRow(*r) for r in rows]

    async def export(self, film_id: int | None = None) -> list[ExportRow]:
        rows = await self.db.fetchall(
            "SELECT f.title, f.year, c.text, c.label, c.hidden, c.by_user, c.at"
            " FROM corrections c JOIN films f ON f.id = c.film_id"
            " WHERE CAST(? AS INTEGER) IS NULL OR c.film_id = ?"
            " ORDER BY f.title, f.year, c.at, c.text_key",
            (film_id, film_id),
        )
        return [
            ExportRow(
                film=f"{r[0]} ({r[1]})" if r[1] else str(r[0]), text=r[2],
                label=Correction.HIDE.value if r[4] else Label(r[3]).display, by=r[5], at=r[6],
            )
            for r in rows
        ]

    async def _quotes(self, ids: Sequence[int]) -> dict[int, Quote]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = await self.db.fetchall(f"{QUOTE_SELECT} WHERE q.id IN ({marks})", ids)
        return {int(r["id"]): quote_from_row(r) for r in rows}


async def _checked(conn: Connection, film_id: int) -> int:
    rows = list(await conn.fetchall(
        "SELECT COUNT(*) FROM quotes"
        " WHERE film_id = ? AND label_source <> 'scorer' AND label_source = ?",
        (film_id, LabelSource.PEOPLE.value),  # the first term lets quotes_film_source serve
    ))
    return int(rows[0][0])


def _stored(r: Row) -> StoredQuote:
    return StoredQuote(quote_from_row(r), int(r["film_id"]), bool(r["hidden"]))
