"""Films as a whole: a page of them for ``/films``, and removing one with all it holds.

Removing a film is one transaction: its documents, quotes and corrections go by the
schema's cascades; the derived tables (pools, decks, stats) and open reports carry no
foreign key and are deleted here; daily posts that used the film are paused with the
reason, their film cleared. ``correction_log`` is an append-only audit and keeps its
rows. When the film removed is the default corpus's, ``meta`` remembers it so the next
start does not ingest the seeds again behind the manager's back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.models import Film
from bot.storage.database import Database
from bot.storage.film_search import unindex_title

_log = logging.getLogger(__name__)

# The film of the corpus the bot ingests at first start (``bot/data/seeds``).
DEFAULT_CORPUS_FILM = "Her (2013)"
DEFAULT_CORPUS_REMOVED = "default_corpus_removed"
# The highest id of a removed film: new films are numbered past it (``corpus._film_id``).
HIGHEST_REMOVED_FILM = "highest_removed_film"


@dataclass(frozen=True)
class FilmContents:
    """What removing a film takes with it (and, for schedules, pauses)."""

    documents: int
    quotes: int
    schedules: int


class FilmStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT COUNT(*) FROM films")
        return int(row[0]) if row else 0

    async def page(self, offset: int, limit: int) -> list[Film]:
        """Films in ``/films`` order (title, year), ``limit`` of them from ``offset``."""
        rows = await self.db.fetchall(
            "SELECT id, title, year, consensus FROM films ORDER BY title, year, id"
            " LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [Film(r["id"], r["title"], r["year"], r["consensus"]) for r in rows]

    async def contents(self, film_id: int) -> FilmContents:
        row = await self.db.fetchone(
            "SELECT (SELECT COUNT(*) FROM documents WHERE film_id = ?),"
            " (SELECT COUNT(*) FROM quotes WHERE film_id = ?),"
            " (SELECT COUNT(*) FROM schedules WHERE film_id = ?)",
            (film_id, film_id, film_id),
        )
        assert row is not None
        return FilmContents(int(row[0]), int(row[1]), int(row[2]))

    async def remove(
        self, film_id: int, pause_reason: str, *, default_corpus: bool
    ) -> FilmContents | None:
        """Delete the film and everything derived from it; None when it was already gone.

        ``default_corpus``: the film is the one the bot ingests at first start; record
        that a manager removed it, in the same transaction.
        """
        async with self.db.transaction() as conn:
            rows = list(await conn.fetchall(
                "SELECT (SELECT COUNT(*) FROM documents WHERE film_id = ?),"
                " (SELECT COUNT(*) FROM quotes WHERE film_id = ?),"
                " EXISTS (SELECT 1 FROM films WHERE id = ?)",
                (film_id, film_id, film_id),
            ))
            documents, quotes, exists = rows[0]
            if not exists:
                return None
            schedules = await conn.execute(
                "UPDATE schedules SET status = 'paused', pause_reason = ?, film_id = NULL"
                " WHERE film_id = ?",
                (pause_reason, film_id),
            )
            for table in ("pool", "pool_sizes", "decks", "film_stats", "reports"):
                await conn.execute(f"DELETE FROM {table} WHERE film_id = ?", (film_id,))
            await unindex_title(conn, film_id)
            # Documents, quotes and corrections follow by ON DELETE CASCADE.
            await conn.execute("DELETE FROM films WHERE id = ?", (film_id,))
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE"
                " SET value = CASE WHEN CAST(meta.value AS INTEGER)"
                " >= CAST(excluded.value AS INTEGER) THEN meta.value ELSE excluded.value END",
                (HIGHEST_REMOVED_FILM, str(film_id)),
            )
            if default_corpus:
                await conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, '1')"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (DEFAULT_CORPUS_REMOVED,),
                )
        _log.info("film %d removed: %d documents, %d quotes, %d schedules paused",
                  film_id, documents, quotes, schedules)
        return FilmContents(int(documents), int(quotes), schedules)

    async def default_corpus_removed(self) -> bool:
        """Whether a manager removed the default corpus's film (never ingest it again)."""
        row = await self.db.fetchone(
            "SELECT value FROM meta WHERE key = ?", (DEFAULT_CORPUS_REMOVED,)
        )
        return row is not None
