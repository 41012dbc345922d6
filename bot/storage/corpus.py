"""Films, documents and quotes: what ingest writes and what the commands read.

Derived tables are kept beside the quotes so that no command scans them:
``film_stats`` and the pools (ranks per mood, ``bot/storage/pools.py``) are adjusted in
the same transaction as each document, at a cost bounded by the document.
Hidden quotes (a manager's correction) are in neither. A document's quotes take the
film's corrections (``bot/storage/corrections.py``) in the transaction that stores them,
so the scorer's label never replaces a person's.
"""

from __future__ import annotations

import enum
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

from bot.faults import crash_point
from bot.models import (
    DocumentKind,
    Film,
    Label,
    LabelSource,
    Mood,
    Quote,
    QuoteKind,
)
from bot.shuffle import permute
from bot.storage.connection import Connection, Row
from bot.storage.database import Database
from bot.storage.film_search import index_title
from bot.storage.films import HIGHEST_REMOVED_FILM
from bot.storage.pools import PoolBuilder, film_voice, join_pools, leave_pools
from bot.storage.text_keys import text_hash, text_key

# Positions a draw looks at at once past a hole (most draws look at one).
_PROBES = 16


class _Pools(enum.Enum):
    UNBUILT = "unbuilt"  # ``_draw``'s answer for a film whose pools are not built yet


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
        self.pools = PoolBuilder(db)

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
            f"{_FILM_SELECT} WHERE lower(title) = lower(?)"
            " AND (CAST(? AS INTEGER) IS NULL OR year = ?) ORDER BY year",
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
        """Rebuild the pools of every film marked for it (``PoolBuilder.rebuild_dirty``)."""
        await self.pools.rebuild_dirty()

    async def rebuild_pool(self, film_id: int) -> None:
        """Renumber the film's pools (or wait for the rebuild under way), which starts
        every channel's deck afresh."""
        await self.pools.rebuild(film_id, mark=True)

    async def draw(
        self, channel_key: str, film_id: int, mood: Mood, rng: random.Random
    ) -> Draw | None:
        """The channel's next quote of ``mood``: no repeat until the whole pool was seen.

        A film whose pools are marked for a rebuild is served from the pools it has;
        only a film with none yet (just ingested, just migrated) waits for its rebuild,
        the same one however many draws ask.
        """
        drawn = await self._draw(channel_key, film_id, mood, rng)
        if drawn is not _Pools.UNBUILT:
            return drawn
        await self.pools.rebuild(film_id)
        drawn = await self._draw(channel_key, film_id, mood, rng)
        return None if drawn is _Pools.UNBUILT else drawn

    async def _draw(
        self, channel_key: str, film_id: int, mood: Mood, rng: random.Random
    ) -> Draw | Literal[_Pools.UNBUILT] | None:
        """``draw`` from the pool as it is, or ``_Pools.UNBUILT``.

        A draw takes its position with one atomic statement (``_CLAIM``: the deck moves
        on and says where it was), then reads the quote at ``permute(position)``: two
        round trips, and processes drawing for one channel never take the same position,
        whatever the engine. Only when no position is left to take (no deck yet, the
        round is over, the pool was renumbered) is a round started, by a conditional
        upsert that only one of several racing draws wins; every draw then claims. A
        round spans the pool's ranks when it started; ranks added since join the next
        round, and a hole (a quote removed) is skipped by claiming the next position.
        """
        deck = (channel_key, film_id, mood.value)
        started: tuple[int, int] | None = None  # the pool a round this draw began spans
        while True:
            claimed = await self.db.write(_CLAIM, (*deck, film_id))
            if claimed:
                seed, position, size, version = claimed[0]
                span = range(position, position + 1)
                while span:
                    found = await self._ranks(film_id, version, mood, seed, size, span)
                    hit = next((p for p in span if p in found), None)
                    if hit is None:
                        # Holes (quotes removed since the round began): look further
                        # ahead, then take the positions looked at, if still next.
                        span = range(span.stop, min(span.stop + _PROBES, size))
                        continue
                    if hit == position or await self.db.write(
                            _SKIP, (hit + 1, *deck, position + 1, version)):
                        row = found[hit]
                        if row["live"] is None:
                            break  # a rebuild swapped the pool in between: a new round
                        live = int(row["live"])
                        return Draw(quote_from_row(row), remaining=min(size - hit - 1,
                                    live - 1), pool_size=live)
                    break  # another draw moved the deck meanwhile: claim again
                else:
                    await self.db.write(_SKIP, (size, *deck, position + 1, version))
                continue
            state = await self.db.fetchone(_POOL_STATE, (mood.value, film_id))
            if state is None:
                return None
            dirty, version, size, live = state
            if size is None:
                return _Pools.UNBUILT if dirty else None
            if not live or started == (version, size):
                return None  # none, or a whole round of holes since this draw began it
            await self.db.write(_START_ROUND, (*deck, version, rng.getrandbits(63), size))
            started = (version, size)

    async def _ranks(
        self, film_id: int, version: int, mood: Mood, seed: int, size: int, span: range
    ) -> dict[int, Row]:
        """The quotes at the deck positions ``span`` that are still in the pool, by
        position (a removed quote's rank is a hole)."""
        ranks = {permute(seed, size, p): p for p in span}
        rows = await self.db.fetchall(
            f"{_DRAW_AT} IN ({', '.join('?' * len(ranks))})",
            (film_id, version, mood.value, film_id, version, mood.value, *ranks),
        )
        return {ranks[int(r["pool_rank"])]: r for r in rows}

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
    conn: Connection,
    film: str,
    doc: NewDocument,
    batches: AsyncIterator[Sequence[NewQuote]],
    consensus: str | None,
) -> str:
    """The statements of ``store_document_batches``, inside the caller's transaction."""
    film_id = await _film_id(conn, *film_title_year(film))
    rows = list(await conn.fetchall(
        "SELECT id, sha256, path FROM documents WHERE film_id = ?"
        " AND (sha256 = ? OR path = ?)",
        (film_id, doc.sha256, doc.path),
    ))
    if any(r[1] == doc.sha256 for r in rows):
        return "unchanged"
    old = next((r[0] for r in rows if r[2] == doc.path), None)
    voice = await film_voice(conn, film_id)
    if old is not None:
        await leave_pools(conn, film_id, "document_id = ?", (old,))
        await adjust_stats(conn, "document_id = ?", (old,), sign=-1)
        await conn.execute("DELETE FROM documents WHERE id = ?", (old,))  # cascades
    inserted = await conn.fetchall(
        "INSERT INTO documents (film_id, path, sha256, kind, author, outlet, published,"
        " url, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            film_id, doc.path, doc.sha256, doc.kind.value, doc.author, doc.outlet,
            doc.published, doc.url,
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
        ),
    )
    doc_id = int(inserted[0][0])
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
    await join_pools(conn, film_id, voice, "document_id = ?", (doc_id,))
    if consensus is not None:
        await conn.execute("UPDATE films SET consensus = ? WHERE id = ?", (consensus, film_id))
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

# The next position of the channel's deck, if its round is still on and its pool is the
# film's current one; the statement's RETURNING gives the position it took.
_CLAIM = (
    "UPDATE decks SET position = position + 1"
    " WHERE channel_key = ? AND film_id = ? AND mood = ? AND position < size"
    " AND pool_version = (SELECT pool_version FROM films WHERE id = ?)"
    " RETURNING seed, position - 1, size, pool_version"
)
# A new round at position 0, unless another draw started one meanwhile (then its round
# is on and this changes nothing).
_START_ROUND = (
    "INSERT INTO decks (channel_key, film_id, mood, pool_version, seed, position, size)"
    " VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT (channel_key, film_id, mood) DO UPDATE"
    " SET pool_version = excluded.pool_version, seed = excluded.seed, position = 0,"
    " size = excluded.size"
    " WHERE decks.pool_version <> excluded.pool_version OR decks.position >= decks.size"
)
_POOL_STATE = (
    "SELECT f.pool_dirty, f.pool_version, s.size, s.live FROM films f"
    " LEFT JOIN pool_sizes s ON s.film_id = f.id AND s.version = f.pool_version"
    " AND s.mood = ? WHERE f.id = ?"
)
# Moves the deck past holes a draw looked at, only if it is still where that draw left it.
_SKIP = (
    "UPDATE decks SET position = ? WHERE channel_key = ? AND film_id = ? AND mood = ?"
    " AND position = ? AND pool_version = ? RETURNING position"
)
_DRAW_AT = QUOTE_SELECT.replace(
    "SELECT ", "SELECT p.rank AS pool_rank, (SELECT live FROM pool_sizes WHERE film_id = ?"
    " AND version = ? AND mood = ?) AS live, ", 1,
) + " JOIN pool p ON p.quote_id = q.id WHERE p.film_id = ? AND p.version = ? AND p.mood = ?" \
    " AND p.rank"


def _film(r: Row) -> Film:
    return Film(r["id"], r["title"], r["year"], r["consensus"])


def quote_from_row(r: Row) -> Quote:
    """A ``Quote`` from a row of ``QUOTE_SELECT``."""
    film = Film(0, r["title"], r["year"], None).name
    return Quote(
        id=r["id"], text=r["text"], film=film, kind=QuoteKind(r["kind"]), label=Label(r["label"]),
        polarity=r["polarity"], confidence=r["confidence"], author=r["author"],
        outlet=r["outlet"], published=r["published"], source=r["path"],
        label_source=LabelSource(r["label_source"]), url=r["url"],
    )


async def _film_id(conn: Connection, title: str, year: int | None) -> int:
    """The film's id, created on first use (inside the caller's transaction)."""
    # Not ON CONFLICT: UNIQUE treats NULL years as distinct, so look first.
    rows = list(await conn.fetchall(
        "SELECT id FROM films WHERE title = ? AND year IS ?", (title, year)
    ))
    if rows:
        return int(rows[0][0])
    # Never the id of a removed film (``FilmStore.remove`` records the highest): an
    # "Another" button or an audit row naming it must not come to mean a new film.
    inserted = await conn.fetchall(
        "INSERT INTO films (id, title, year) SELECT 1 + COALESCE(MAX(id), 0), ?, ?"
        " FROM (SELECT id FROM films UNION ALL"
        " SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?) AS taken RETURNING id",
        (title, year, HIGHEST_REMOVED_FILM),
    )
    film_id = int(inserted[0][0])
    await index_title(conn, film_id, title)
    return film_id


async def adjust_stats(
    conn: Connection, where: str, params: Sequence[object], sign: int
) -> None:
    """Add (``sign`` 1) or take away (-1) the visible quotes matching ``where`` in
    ``film_stats``: around a document's insert or delete, or around a correction."""
    await conn.execute(
        "INSERT INTO film_stats (film_id, kind, label, count, polarity_sum)"
        " SELECT film_id, kind, label, ? * COUNT(*), ? * COALESCE(SUM(polarity), 0.0)"
        " FROM quotes"
        f" WHERE {where} AND hidden = 0 GROUP BY film_id, kind, label"
        " ON CONFLICT (film_id, kind, label) DO UPDATE"
        " SET count = film_stats.count + excluded.count,"
        " polarity_sum = film_stats.polarity_sum + excluded.polarity_sum",
        (sign, sign, *params),
    )


async def _apply_corrections(conn: Connection, film_id: int, doc_id: int) -> None:
    """Give a freshly stored document's quotes the film's corrections (by normalised
    text), and point the film's open reports at the new copies of their quotes."""
    rows = list(await conn.fetchall(
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
