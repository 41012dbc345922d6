"""Films, documents and quotes: what ingest writes and what the commands read.

Derived tables are kept beside the quotes so that no command scans them:
``film_stats`` is adjusted in the same transaction as each document, and ``pool``
(dense ranks per mood) is rebuilt once per ingest run, flagged dirty until then.
Hidden quotes (a manager's correction) are in neither. A document's quotes take the
film's corrections (``bot/storage/corrections.py``) in the transaction that stores them,
so the scorer's label never replaces a person's.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone

import aiosqlite

from bot.faults import crash_point
from bot.models import (
    DocumentKind,
    Film,
    Label,
    LabelSource,
    Mood,
    Quote,
    QuoteKind,
    critics_voice,
)
from bot.shuffle import permute
from bot.storage.database import Database
from bot.storage.text_keys import text_hash, text_key

# Films renumbered per transaction when many are (``rebuild_dirty_pools``).
_POOL_CHUNK = 500
_POOL_FILTERS: dict[Mood, str] = {
    Mood.ANY: "",
    Mood.POSITIVE: "AND label = 'positive'",
    Mood.NEGATIVE: "AND label = 'negative'",
}


@dataclass(frozen=True)
class NewDocument:
    path: str  # a file's resolved path or a link, with the film: the document's identity
    sha256: str
    kind: DocumentKind
    author: str | None = None
    outlet: str | None = None
    published: str | None = None
    url: str | None = None  # the page it came from: the link back for its quotes


@dataclass(frozen=True)
class NewQuote:
    text: str
    kind: QuoteKind
    author: str | None
    position: int
    label: Label
    polarity: float
    confidence: float
    # A dataset row's own attribution; ``None`` falls back to the document's.
    outlet: str | None = None
    published: str | None = None
    url: str | None = None
    label_source: LabelSource = LabelSource.SCORER
    # The key corrections are filed under, hashed. Computed where the quote is made (the
    # ingest's worker thread), not in the write transaction on the event loop's thread:
    # normalising every quote's text there cost a quarter of ingest's throughput.
    text_hash: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text_hash", text_hash(text_key(self.text)))


# Stores one document inside ``CorpusStore.documents_together``'s transaction.
StoreDocument = Callable[
    [str, NewDocument, AsyncIterator[Sequence[NewQuote]], str | None], Awaitable[str]
]


@dataclass(frozen=True)
class StatRow:
    kind: QuoteKind
    label: Label
    count: int
    polarity_sum: float


@dataclass(frozen=True)
class Draw:
    quote: Quote
    remaining: int
    pool_size: int


class CorpusStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- films ---------------------------------------------------------------------------

    async def films(self) -> list[Film]:
        rows = await self.db.fetchall(f"{_FILM_SELECT} ORDER BY title, year")
        return [_film(r) for r in rows]

    async def film(self, film_id: int) -> Film | None:
        row = await self.db.fetchone(f"{_FILM_SELECT} WHERE id = ?", (film_id,))
        return _film(row) if row else None

    async def films_named(self, name: str) -> list[Film]:
        """Films whose title (and year, when ``name`` has one) match, ignoring case.

        Uses the title index, so a command naming its film costs the same with two films
        or two thousand; only a partial name falls back to reading them all.
        """
        title, year = film_title_year(name)
        rows = await self.db.fetchall(
            f"{_FILM_SELECT} WHERE title = ? COLLATE NOCASE AND (? IS NULL OR year = ?)"
            " ORDER BY year",
            (title, year, year),
        )
        return [_film(r) for r in rows]

    async def sole_film(self) -> Film | None:
        """The film, when the corpus holds exactly one."""
        rows = await self.db.fetchall(f"{_FILM_SELECT} LIMIT 2")
        return _film(rows[0]) if len(rows) == 1 else None

    async def lacks_documents(self, film: str, digests: Iterable[str]) -> bool:
        """Whether a corpus whose files hash to ``digests`` is missing some of them for
        ``film`` while it is (or should be) there: some are stored, or no document at all is.

        A database with documents but none of these holds someone else's corpus (made
        before the default one shipped, or by a test): it is not topped up. One query on
        the ``documents_sha`` index, cheap enough for every start.
        """
        wanted = sorted(set(digests))
        title, year = film_title_year(film)
        marks = ", ".join("?" * len(wanted))
        row = await self.db.fetchone(
            "SELECT (SELECT COUNT(DISTINCT d.sha256) FROM documents d"
            "  JOIN films f ON f.id = d.film_id"
            f"  WHERE d.sha256 IN ({marks}) AND f.title = ? AND f.year IS ?),"
            " EXISTS (SELECT 1 FROM documents)",
            (*wanted, title, year),
        )
        assert row is not None
        present, any_document = int(row[0]), bool(row[1])
        return present < len(wanted) and (present > 0 or not any_document)

    # -- documents ---------------------------------------------------------------------

    async def store_document(
        self, film: str, doc: NewDocument, quotes: Sequence[NewQuote], consensus: str | None
    ) -> str:
        """Store ``doc`` and its quotes in one transaction, replacing what ``doc.path`` held.

        The film is created in the same transaction, so a document that fails (a full
        disk, a crash) leaves no empty film behind either. Returns "unchanged" (this
        content is already stored for the film), "replaced" or "added". Few statements on
        purpose: each is a round trip to SQLite's thread.
        """

        async def one_batch() -> AsyncIterator[Sequence[NewQuote]]:
            yield quotes

        return await self.store_document_batches(film, doc, one_batch(), consensus)

    async def store_document_batches(
        self,
        film: str,
        doc: NewDocument,
        batches: AsyncIterator[Sequence[NewQuote]],
        consensus: str | None = None,
    ) -> str:
        """``store_document`` for a document too large to hold: its quotes arrive in
        batches (a dataset's rows of one film, scored while the previous batch is
        written), all inside the one transaction, so a failure half-way (a malformed
        file, a full disk, a crash) leaves none of them. ``batches`` is not read at all
        when the document is unchanged. The write lock is held until the last batch."""
        async with self.documents_together() as store:
            return await store(film, doc, batches, consensus)

    @asynccontextmanager
    async def documents_together(self) -> AsyncIterator[StoreDocument]:
        """One transaction for several whole documents (a dataset's small films): what
        commits is every document stored through it, or none. Each commit costs about
        as much as writing a film of 64 quotes, so a dataset groups its films."""
        async with self.db.transaction() as conn:

            async def store(
                film: str, doc: NewDocument, batches: AsyncIterator[Sequence[NewQuote]],
                consensus: str | None = None,
            ) -> str:
                return await _store_document(conn, film, doc, batches, consensus)

            yield store


    async def stored_digests(self, path: str) -> dict[str, str]:
        """Film name to content digest of each document stored from ``path``: a dataset
        ingested again skips its unchanged films before scoring a row."""
        rows = await self.db.fetchall(
            "SELECT f.title, f.year, d.sha256 FROM documents d JOIN films f ON f.id = d.film_id"
            " WHERE d.path = ?",
            (path,),
        )
        return {Film(0, r[0], r[1], None).name: r[2] for r in rows}

    # -- pools ---------------------------------------------------------------------------

    async def rebuild_dirty_pools(self) -> None:
        """Renumber every film ingest changed: a few films one by one, many (a dataset's
        thousands) ``_POOL_CHUNK`` films per transaction with set-based statements,
        where one transaction per film cost more than writing the films' quotes."""
        dirty = [int(r[0]) for r in await self.db.fetchall(
            "SELECT id FROM films WHERE pool_dirty = 1")]
        if len(dirty) < _POOL_CHUNK // 10:
            for film_id in dirty:
                await self.rebuild_pool(film_id)
            return
        for start in range(0, len(dirty), _POOL_CHUNK):
            await self._rebuild_pools(dirty[start:start + _POOL_CHUNK])

    async def _rebuild_pools(self, film_ids: Sequence[int]) -> None:
        """``rebuild_pool`` for many films at once, with the same result."""
        marks = ", ".join("?" * len(film_ids))
        # critics_voice in SQL: critic excerpts, else review sentences, else readers.
        voice = (
            "WITH v AS (SELECT film_id, CASE WHEN MAX(kind = 'critic') THEN 'critic'"
            " WHEN MAX(kind = 'review') THEN 'review' WHEN MAX(kind = 'reader') THEN 'reader'"
            f" END AS kind FROM film_stats WHERE film_id IN ({marks}) AND count > 0"
            " GROUP BY film_id)"
        )
        async with self.db.transaction() as conn:
            await conn.execute(f"DELETE FROM pool WHERE film_id IN ({marks})", film_ids)
            await conn.execute(f"DELETE FROM pool_sizes WHERE film_id IN ({marks})", film_ids)
            for mood, where in _POOL_FILTERS.items():
                await conn.execute(
                    f"{voice} INSERT INTO pool (film_id, mood, rank, quote_id)"
                    " SELECT q.film_id, ?, ROW_NUMBER() OVER (PARTITION BY q.film_id"
                    " ORDER BY q.id) - 1, q.id FROM v JOIN quotes q ON q.film_id = v.film_id"
                    f" AND q.kind = v.kind WHERE q.hidden = 0 {where.replace('label', 'q.label')}",
                    (*film_ids, mood.value),
                )
                await conn.execute(
                    "INSERT INTO pool_sizes (film_id, mood, size) SELECT f.id, ?,"
                    " (SELECT COUNT(*) FROM pool p WHERE p.film_id = f.id AND p.mood = ?)"
                    f" FROM films f WHERE f.id IN ({marks})",
                    (mood.value, mood.value, *film_ids),
                )
            await conn.execute(
                "UPDATE films SET pool_dirty = 0, pool_version = pool_version + 1"
                f" WHERE id IN ({marks})",
                film_ids,
            )

    async def rebuild_pool(self, film_id: int) -> None:
        """Number the critics' quotes of the film per mood (``critics_voice``) and bump the
        film's pool version, which starts every channel's deck afresh."""
        async with self.db.transaction() as conn:
            present = await conn.execute_fetchall(
                "SELECT DISTINCT kind FROM film_stats WHERE film_id = ? AND count > 0", (film_id,)
            )
            voice = critics_voice({QuoteKind(r[0]) for r in present})
            await conn.execute("DELETE FROM pool WHERE film_id = ?", (film_id,))
            await conn.execute("DELETE FROM pool_sizes WHERE film_id = ?", (film_id,))
            for mood, where in _POOL_FILTERS.items():
                await conn.execute(
                    "INSERT INTO pool (film_id, mood, rank, quote_id) SELECT film_id, ?,"
                    " ROW_NUMBER() OVER (ORDER BY id) - 1, id FROM quotes"
                    f" WHERE film_id = ? AND kind = ? AND hidden = 0 {where}",
                    (mood.value, film_id, voice),
                )
                await conn.execute(
                    "INSERT INTO pool_sizes (film_id, mood, size) SELECT ?, ?, COUNT(*)"
                    f" FROM quotes WHERE film_id = ? AND kind = ? AND hidden = 0 {where}",
                    (film_id, mood.value, film_id, voice),
                )
            await conn.execute(
                "UPDATE films SET pool_dirty = 0, pool_version = pool_version + 1 WHERE id = ?",
                (film_id,),
            )

    async def draw(
        self, channel_key: str, film_id: int, mood: Mood, rng: random.Random
    ) -> Draw | None:
        """The channel's next quote of ``mood``: no repeat until the whole pool was seen.

        Under the write lock: read the deck, read the quote at ``permute(position)``, then
        one autocommit upsert moves the deck on. Three statements, no BEGIN/COMMIT: the
        lock keeps two draws in one channel from reading the same position.
        """
        async with self.db.serialized() as conn:
            rows = list(await conn.execute_fetchall(
                "SELECT f.pool_dirty, f.pool_version, s.size, d.pool_version, d.seed,"
                " d.position FROM films f"
                " LEFT JOIN pool_sizes s ON s.film_id = f.id AND s.mood = ?"
                " LEFT JOIN decks d ON d.channel_key = ? AND d.film_id = f.id AND d.mood = ?"
                " WHERE f.id = ?",
                (mood.value, channel_key, mood.value, film_id),
            ))
            if not rows:
                return None
            dirty, version, size, deck_version, seed, position = rows[0]
            if not dirty:
                if not size:
                    return None
                if deck_version != version or position is None or position >= size:
                    seed, position = rng.getrandbits(63), 0
                quote_rows = list(await conn.execute_fetchall(
                    f"{QUOTE_SELECT} JOIN pool p ON p.quote_id = q.id"
                    " WHERE p.film_id = ? AND p.mood = ? AND p.rank = ?",
                    (film_id, mood.value, permute(seed, size, position)),
                ))
                assert quote_rows, "pool points at a missing quote"
                await conn.execute(
                    "INSERT INTO decks (channel_key, film_id, mood, pool_version, seed, position)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel_key, film_id, mood)"
                    " DO UPDATE SET pool_version = excluded.pool_version,"
                    " seed = excluded.seed, position = excluded.position",
                    (channel_key, film_id, mood.value, version, seed, position + 1),
                )
                return Draw(
                    quote_from_row(quote_rows[0]), remaining=size - position - 1,
                    pool_size=size,
                )
        # Ingest changed the film since its pool was numbered: renumber, then draw.
        await self.rebuild_pool(film_id)
        return await self.draw(channel_key, film_id, mood, rng)

    # -- aggregates ----------------------------------------------------------------------

    async def stats(self, film_id: int) -> list[StatRow]:
        rows = await self.db.fetchall(
            "SELECT kind, label, count, polarity_sum FROM film_stats"
            " WHERE film_id = ? AND count > 0",
            (film_id,),
        )
        return [StatRow(QuoteKind(r[0]), Label(r[1]), int(r[2]), float(r[3])) for r in rows]

    async def label_sources(self, film_id: int) -> dict[LabelSource, int]:
        """How many of the film's quotes people and the review source labelled (hidden
        ones included: people checked them too). The scorer's are not counted: on a
        million-quote film that would read a million index entries per ``/verdict``; the
        partial ``quotes_film_source`` index holds only the others (its WHERE term is
        repeated here verbatim, which is how SQLite knows it may use it)."""
        rows = await self.db.fetchall(
            "SELECT label_source, COUNT(*) FROM quotes"
            " WHERE film_id = ? AND label_source <> 'scorer' GROUP BY label_source",
            (film_id,),
        )
        return {LabelSource(r[0]): int(r[1]) for r in rows}

    async def quotes(self, film_id: int) -> list[Quote]:
        """Every quote of a film in document order (for tests and exports, not commands)."""
        rows = await self.db.fetchall(
            f"{QUOTE_SELECT} WHERE q.film_id = ? ORDER BY q.document_id, q.position",
            (film_id,),
        )
        return [quote_from_row(r) for r in rows]


async def _store_document(
    conn: aiosqlite.Connection,
    film: str,
    doc: NewDocument,
    batches: AsyncIterator[Sequence[NewQuote]],
    consensus: str | None,
) -> str:
    """The statements of ``store_document_batches``, inside the caller's transaction."""
    film_id = await _film_id(conn, *film_title_year(film))
    rows = list(await conn.execute_fetchall(
        "SELECT id, sha256, path FROM documents WHERE film_id = ?"
        " AND (sha256 = ? OR path = ?)",
        (film_id, doc.sha256, doc.path),
    ))
    if any(r[1] == doc.sha256 for r in rows):
        return "unchanged"
    old = next((r[0] for r in rows if r[2] == doc.path), None)
    if old is not None:
        await adjust_stats(conn, "document_id = ?", (old,), sign=-1)
        await conn.execute("DELETE FROM documents WHERE id = ?", (old,))  # cascades
    cur = await conn.execute(
        "INSERT INTO documents (film_id, path, sha256, kind, author, outlet, published,"
        " url, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            film_id, doc.path, doc.sha256, doc.kind.value, doc.author, doc.outlet,
            doc.published, doc.url,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ),
    )
    doc_id = cur.lastrowid
    assert doc_id is not None
    async for batch in batches:
        await conn.executemany(
            "INSERT INTO quotes (film_id, document_id, kind, text, author, position,"
            " label, polarity, confidence, text_hash, outlet, published, url,"
            " label_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (film_id, doc_id, q.kind.value, q.text, q.author, q.position,
                 q.label.value, q.polarity, q.confidence, q.text_hash, q.outlet,
                 q.published, q.url, q.label_source.value)
                for q in batch
            ],
        )
        crash_point("ingest.batch_written")
    await _apply_corrections(conn, film_id, doc_id)
    await adjust_stats(conn, "document_id = ?", (doc_id,), sign=1)
    await conn.execute(
        "UPDATE films SET pool_dirty = 1, consensus = COALESCE(?, consensus)"
        " WHERE id = ?",
        (consensus, film_id),
    )
    crash_point("ingest.before_commit")
    return "added" if old is None else "replaced"


_FILM_SELECT = "SELECT id, title, year, consensus FROM films"
QUOTE_SELECT = (
    "SELECT q.id, q.text, q.kind, q.label, q.polarity, q.confidence, q.label_source,"
    " q.hidden, q.film_id,"
    " COALESCE(q.author, CASE WHEN q.kind = 'review' THEN d.author END) AS author,"
    " COALESCE(q.outlet, CASE WHEN q.kind != 'reader' THEN d.outlet END) AS outlet,"
    " COALESCE(q.published, CASE WHEN q.kind != 'reader' THEN d.published END) AS published,"
    " COALESCE(q.url, d.url) AS url, d.path, f.title, f.year"
    " FROM quotes q JOIN documents d ON d.id = q.document_id JOIN films f ON f.id = q.film_id"
)


def _film(r: aiosqlite.Row) -> Film:
    return Film(r["id"], r["title"], r["year"], r["consensus"])


def quote_from_row(r: aiosqlite.Row) -> Quote:
    """A ``Quote`` from a row of ``QUOTE_SELECT``."""
    film = Film(0, r["title"], r["year"], None).name
    return Quote(
        id=r["id"], text=r["text"], film=film, kind=QuoteKind(r["kind"]), label=Label(r["label"]),
        polarity=r["polarity"], confidence=r["confidence"], author=r["author"],
        outlet=r["outlet"], published=r["published"], source=r["path"],
        label_source=LabelSource(r["label_source"]), url=r["url"],
    )


async def _film_id(conn: aiosqlite.Connection, title: str, year: int | None) -> int:
    """The film's id, created on first use (inside the caller's transaction)."""
    # Not ON CONFLICT: UNIQUE treats NULL years as distinct, so look first.
    rows = list(await conn.execute_fetchall(
        "SELECT id FROM films WHERE title = ? AND year IS ?", (title, year)
    ))
    if rows:
        return int(rows[0][0])
    cur = await conn.execute("INSERT INTO films (title, year) VALUES (?, ?)", (title, year))
    assert cur.lastrowid is not None
    return cur.lastrowid


async def adjust_stats(
    conn: aiosqlite.Connection, where: str, params: Sequence[object], sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) the visible quotes matching ``where`` in
    ``film_stats``: around a document's insert or delete, or around a correction."""
    await conn.execute(
        "INSERT INTO film_stats (film_id, kind, label, count, polarity_sum)"
        " SELECT film_id, kind, label, ? * COUNT(*), ? * TOTAL(polarity) FROM quotes"
        f" WHERE {where} AND hidden = 0 GROUP BY film_id, kind, label"
        " ON CONFLICT (film_id, kind, label) DO UPDATE SET count = count + excluded.count,"
        " polarity_sum = polarity_sum + excluded.polarity_sum",
        (sign, sign, *params),
    )


async def _apply_corrections(conn: aiosqlite.Connection, film_id: int, doc_id: int) -> None:
    """Give a freshly stored document's quotes the film's corrections (by normalised
    text), and point the film's open reports at the new copies of their quotes."""
    rows = list(await conn.execute_fetchall(
        "SELECT EXISTS (SELECT 1 FROM corrections WHERE film_id = ?),"
        " EXISTS (SELECT 1 FROM reports WHERE film_id = ? AND resolved_at IS NULL)",
        (film_id, film_id),
    ))
    corrected, reported = rows[0]  # the common case: two indexed probes, no join
    if corrected:
        await conn.execute(
            "UPDATE quotes SET label = c.label, hidden = c.hidden, label_source = ?"
            " FROM corrections c WHERE quotes.document_id = ? AND c.film_id = quotes.film_id"
            " AND c.text_hash = quotes.text_hash",
            (LabelSource.PEOPLE.value, doc_id),
        )
    if reported:
        await conn.execute(
            "UPDATE reports SET quote_id = q.id FROM quotes q WHERE q.document_id = ?"
            " AND q.film_id = reports.film_id AND q.text_hash = reports.text_hash"
            " AND reports.resolved_at IS NULL",
            (doc_id,),
        )
        # A report whose text the changed file no longer holds has nothing left to act
        # on: closed, or /review would count it forever with no button to clear it.
        await conn.execute(
            "UPDATE reports SET resolved_at = ? WHERE film_id = ? AND resolved_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.film_id = reports.film_id"
            " AND q.text_hash = reports.text_hash)",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), film_id),
        )


def film_title_year(name: str) -> tuple[str, int | None]:
    """Split "Her (2013)" into ("Her", 2013); a name without a year keeps ``None``."""
    name = " ".join(name.split())
    if name.endswith(")") and "(" in name:
        title, _, year = name[:-1].rpartition("(")
        if year.strip().isdigit() and title.strip():
            return title.strip(), int(year)
    return name, None


def best_film_matches(films: Iterable[Film], query: str) -> list[Film]:
    """Exact name, then exact title, then prefix, then substring; case-insensitive."""
    q = " ".join(query.split()).casefold()
    films = list(films)
    for test in (
        lambda f: f.name.casefold() == q,
        lambda f: f.title.casefold() == q,
        lambda f: f.name.casefold().startswith(q),
        lambda f: q in f.name.casefold(),
    ):
        hits = [f for f in films if test(f)]
        if hits:
            return hits
    return []
