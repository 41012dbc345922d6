"""Stored labels follow the scorer that ships.

Each quote is scored once, at ingest, and its label stored: ``/quote`` and ``/verdict``
never score. So when a release ships another scorer (new weights, a second opinion, the
``[deep]`` extra installed or removed), the labels already stored are the old scorer's.
At start the bot compares the scorer's fingerprint with the one recorded in ``meta`` and,
when they differ, scores again every quote whose label the scorer decided; labels people
set and labels from the review source are never touched. Batches are separate
transactions, each keeping ``film_stats`` right and flagging the films' pools for
renumbering; the fingerprint is written last, so a start that dies half-way simply
starts over next time (scoring is deterministic, re-labelling a quote twice is harmless).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bot.models import Sentiment
from bot.storage.corpus import adjust_stats
from bot.storage.database import Database

_log = logging.getLogger(__name__)

KEY = "labeller"
BATCH = 5000

ScoreMany = Callable[[Sequence[str]], list[Sentiment]]


class LabellerStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def fingerprint(self) -> str | None:
        row = await self.db.fetchone("SELECT value FROM meta WHERE key = ?", (KEY,))
        return str(row[0]) if row else None

    async def holds_quotes(self) -> bool:
        row = await self.db.fetchone("SELECT EXISTS (SELECT 1 FROM quotes)")
        return bool(row and row[0])

    async def follow(self, fingerprint: str, score_many: ScoreMany) -> int:
        """Re-label the scorer's quotes if ``fingerprint`` is not the one they were
        labelled with; return how many quotes changed label."""
        if await self.fingerprint() == fingerprint:
            return 0
        pending = await self.db.fetchone(
            "SELECT COUNT(*) FROM quotes WHERE label_source = 'scorer'"
        )
        total = int(pending[0]) if pending else 0
        if total:
            _log.warning("the scorer changed: labelling %d stored quotes again", total)
        changed = 0
        last = 0
        while True:
            rows = await self.db.fetchall(
                "SELECT id, text, label FROM quotes WHERE label_source = 'scorer' AND id > ?"
                " ORDER BY id LIMIT ?",
                (last, BATCH),
            )
            if not rows:
                break
            # Scoring is CPU work: off the event loop, so a running bot keeps answering.
            scores = await asyncio.to_thread(score_many, [str(r["text"]) for r in rows])
            first, last = int(rows[0]["id"]), int(rows[-1]["id"])
            changed += sum(s.label.value != r["label"] for r, s in zip(rows, scores, strict=True))
            await self._store(first, last, [(r["id"], s) for r, s in zip(rows, scores,
                                                                          strict=True)])
        await self.record(fingerprint)
        if total:
            _log.warning("labels now follow the shipped scorer: %d of %d changed", changed,
                         total)
        return changed

    async def record(self, fingerprint: str) -> None:
        """Note that every stored label is ``fingerprint``'s (a new database's are)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (KEY, fingerprint),
            )

    async def _store(self, first: int, last: int, scored: list[tuple[int, Sentiment]]) -> None:
        where = "id BETWEEN ? AND ? AND label_source = 'scorer'"
        async with self.db.transaction() as conn:
            await adjust_stats(conn, where, (first, last), -1)
            await conn.executemany(
                "UPDATE quotes SET label = ?, polarity = ?, confidence = ?"
                " WHERE id = ? AND label_source = 'scorer'",
                [(s.label.value, s.polarity, s.confidence, quote_id) for quote_id, s in scored],
            )
            await adjust_stats(conn, where, (first, last), 1)
            await conn.execute(
                "UPDATE films SET pool_dirty = 1 WHERE id IN"
                f" (SELECT DISTINCT film_id FROM quotes WHERE {where})",
                (first, last),
            )
