"""Each film's pools: its critics' quotes numbered per mood, so a deck draws by rank.

A pool grows and shrinks in the transaction that changes its quotes, at a cost bounded by
the change, never by the film: new quotes take the ranks after the last one
(``join_pools``), removed ones leave holes that a draw skips (``leave_pools``). Renumbering
a million-quote film under the write lock stalled every command for seconds (issue 16),
so the full rebuild (when the film's voice changes, when holes pass a quarter of the
ranks, after a migration) is rare, runs once per film at a time (``PoolBuilder``), and
writes the pool's next version beside the one draws read in short transactions of
``CHUNK_IDS`` quote ids; bumping ``films.pool_version`` swaps it in, and the old version is
deleted in short transactions too. ``films.pool_cursor`` is how far a rebuild has read:
a rebuild interrupted by a crash resumes from there, and quotes changed behind it are
written into both versions. ``films.pool_dirty`` is 1 when a rebuild is wanted and 2
while one runs (a mark made meanwhile sets 1 again, so the rebuild is repeated).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.models import Label, Mood, QuoteKind, critics_voice
from bot.storage.connection import Connection
from bot.storage.database import Database

_log = logging.getLogger(__name__)

# Quote ids read per rebuild transaction: 10-20 ms of a million-quote film's rebuild
# (benchmarks/bench_stall.py), short enough that a command waiting behind it is not felt.
CHUNK_IDS = 2048
# Films renumbered per transaction when many small ones are (a dataset's thousands), up
# to about ``CHUNK_IDS`` quotes between them; bigger films go through the chunked path.
POOL_CHUNK = 500
# Old ranks deleted per transaction after a swap.
_DROP_CHUNK = 2048
# A pool whose live ranks fall below this share of its ranks is rebuilt.
_LIVE_SHARE = 0.75
_MIN_REBUILT = 8  # ... unless it has fewer ranks than this: skipping them costs nothing
# A film's visible quotes, from ``film_stats`` (``f`` is the film's row).
_QUOTES = "(SELECT COALESCE(SUM(count), 0) FROM film_stats s WHERE s.film_id = f.id)"
_NEXT_VERSIONS = "version > (SELECT pool_version FROM films WHERE id = ?)"
_NO_END = 2**62  # the last chunk reads to the end: no quote was added while it ran
_PASSES = 2  # rebuilds in a row when the film changed under the previous one

POOL_FILTERS: dict[Mood, str] = {
    Mood.ANY: "",
    Mood.POSITIVE: "AND label = 'positive'",
    Mood.NEGATIVE: "AND label = 'negative'",
}
# Every label, spelled out so SQLite reads ``quotes_film_label`` by id range per label.
_ANY_LABEL = "label IN (" + ", ".join(f"'{label.value}'" for label in Label) + ")"


async def film_voice(conn: Connection, film_id: int) -> QuoteKind | None:
    """The kind of quote the film's pools hold (``critics_voice``), from ``film_stats``."""
    rows = await conn.fetchall(
        "SELECT DISTINCT kind FROM film_stats WHERE film_id = ? AND count > 0", (film_id,)
    )
    return critics_voice({QuoteKind(r[0]) for r in rows})


async def leave_pools(
    conn: Connection, film_id: int, where: str, params: Sequence[object]
) -> None:
    """Take the film's quotes matching ``where`` out of every pool version, before they
    are deleted, hidden or relabelled: their ranks become holes (a rank is never given
    twice in a version, so a deck never meets a quote twice in a round). Asks for a
    rebuild when holes pass ``1 - _LIVE_SHARE`` of the ranks."""
    chosen = f"SELECT id FROM quotes WHERE {where}"
    counts = list(await conn.fetchall(
        f"SELECT version, mood, COUNT(*) FROM pool WHERE quote_id IN ({chosen})"
        " GROUP BY version, mood",
        params,
    ))
    if not counts:
        return
    await conn.executemany(
        "UPDATE pool_sizes SET live = live - ? WHERE film_id = ? AND version = ? AND mood = ?",
        [(n, film_id, version, mood) for version, mood, n in counts],
    )
    await conn.execute(f"DELETE FROM pool WHERE quote_id IN ({chosen})", params)
    await conn.execute(
        "UPDATE films SET pool_dirty = 1 WHERE id = ? AND pool_dirty = 0 AND EXISTS"
        " (SELECT 1 FROM pool_sizes s WHERE s.film_id = films.id"
        " AND s.version = films.pool_version AND s.size >= ?"
        " AND s.live < s.size * CAST(? AS REAL))",
        (film_id, _MIN_REBUILT, _LIVE_SHARE),
    )


async def join_pools(
    conn: Connection, film_id: int, voice_before: QuoteKind | None, where: str,
    params: Sequence[object],
) -> None:
    """Give the film's visible quotes matching ``where`` the next ranks of their pools,
    after they were stored, shown or relabelled. When the change moved the film's voice
    (``voice_before``: its ``film_voice`` before), every rank is wrong: a rebuild is
    asked for instead, and the old pools serve until it is done."""
    voice = await film_voice(conn, film_id)
    if voice != voice_before:
        await conn.execute("UPDATE films SET pool_dirty = 1 WHERE id = ?", (film_id,))
        return
    if voice is None:
        return
    rows = list(await conn.fetchall(
        "SELECT s.version, f.pool_version, f.pool_cursor FROM films f JOIN pool_sizes s"
        " ON s.film_id = f.id AND s.mood = ? AND s.version >= f.pool_version WHERE f.id = ?",
        (Mood.ANY.value, film_id),
    ))
    for version, current, cursor in rows:
        # The version a rebuild is writing takes only the quotes it has read past.
        behind = "" if version == current or cursor is None else f"AND id <= {int(cursor)}"
        for mood, label in POOL_FILTERS.items():
            await _append(conn, film_id, int(version), mood, voice,
                          f"{where} AND film_id = ? AND kind = ? AND hidden = 0 {label} {behind}",
                          (*params, film_id, voice.value))


async def _append(
    conn: Connection, film_id: int, version: int, mood: Mood, voice: QuoteKind,
    where: str, params: Sequence[object],
) -> None:
    """Number the quotes matching ``where`` after the pool's last rank, in id order."""
    added = await conn.execute(
        "INSERT INTO pool (film_id, version, mood, rank, quote_id) SELECT ?, ?, ?,"
        " (SELECT size FROM pool_sizes WHERE film_id = ? AND version = ? AND mood = ?)"
        " + ROW_NUMBER() OVER (ORDER BY id) - 1, id"
        f" FROM quotes WHERE {where}",
        (film_id, version, mood.value, film_id, version, mood.value, *params),
    )
    if added > 0:
        await conn.execute(
            "UPDATE pool_sizes SET size = size + ?, live = live + ?"
            " WHERE film_id = ? AND version = ? AND mood = ?",
            (added, added, film_id, version, mood.value),
        )


class PoolBuilder:
    """Full rebuilds: one at a time per film (every caller waits for the same one), in
    transactions short enough that commands run between them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._running: dict[int, asyncio.Future[None]] = {}
        self.passes = 0  # rebuilds run (a test counts them: one per film however many ask)

    async def rebuild_dirty(self) -> None:
        """Rebuild every film marked for it: small films many per transaction with
        set-based statements (one transaction per film cost more than writing a
        dataset's films), big ones and interrupted rebuilds chunk by chunk."""
        rows = await self.db.fetchall(
            f"SELECT f.id, f.pool_cursor, {_QUOTES} FROM films f WHERE f.pool_dirty <> 0"
        )
        batch: list[int] = []
        quotes = 0
        for film_id, cursor, count in rows:
            if cursor is not None or count >= CHUNK_IDS:
                continue
            batch.append(int(film_id))
            quotes += int(count)
            if len(batch) >= POOL_CHUNK or quotes >= CHUNK_IDS:
                await self._rebuild_small(batch)
                batch, quotes = [], 0
        if batch:
            await self._rebuild_small(batch)
        for film_id, cursor, count in rows:
            if cursor is not None or count >= CHUNK_IDS:
                await self.rebuild(int(film_id))

    async def wanted(self, film_id: int) -> bool:
        """Whether the film is marked for a rebuild."""
        row = await self.db.fetchone("SELECT pool_dirty FROM films WHERE id = ?", (film_id,))
        return row is not None and bool(row[0])

    async def rebuild(self, film_id: int, *, mark: bool = False) -> None:
        """Renumber the film's pools if it is still marked for it (``mark``: mark it
        first), or wait for the rebuild already under way in this process.

        Only a marked film: another process sharing the database may have rebuilt it
        since this one saw the mark (three shards' first draws on a film just added),
        and rebuilding it again would renumber its pools and restart every channel's
        deck in the middle of a round.
        """
        running = self._running.get(film_id)
        if running is None and mark:
            async with self.db.transaction() as conn:
                await conn.execute(
                    "UPDATE films SET pool_dirty = 1 WHERE id = ? AND pool_dirty = 0", (film_id,))
            running = self._running.get(film_id)  # one may have begun meanwhile: join it
        if running is None:
            running = asyncio.ensure_future(self._rebuild(film_id))
            self._running[film_id] = running
            running.add_done_callback(lambda _: self._running.pop(film_id, None))
        await asyncio.shield(running)

    async def _rebuild(self, film_id: int) -> None:
        for _ in range(_PASSES):
            row = await self.db.fetchone(
                f"SELECT f.pool_cursor, {_QUOTES}, f.pool_dirty FROM films f WHERE f.id = ?",
                (film_id,))
            if row is None or not row[2]:
                return  # gone, or rebuilt meanwhile (by another process)
            if row[0] is None and row[1] < CHUNK_IDS:
                await self._rebuild_small([film_id])  # one transaction is short enough
                return
            self.passes += 1
            if not await self._start(film_id):
                return
            chunks = 1
            while not await self._chunk(film_id):
                chunks += 1
            _log.info("film %d: pools rebuilt in %d transactions", film_id, chunks)
            await self._drop(film_id, "version < (SELECT pool_version FROM films WHERE id = ?)")
            row = await self.db.fetchone("SELECT pool_dirty FROM films WHERE id = ?", (film_id,))
            if row is None or not row[0]:
                return

    async def _start(self, film_id: int) -> bool:
        """Start the rebuild, or join the one under way (in this process or another, or
        one a crash interrupted: what it wrote is consistent up to its cursor); False
        when the film is gone or rebuilt already.

        Start or join is decided in one transaction, so of several processes arriving
        together one starts and the others join. Ranks left in the next version by a
        rebuild that was abandoned (the film changed under it) are cleared first, by
        chunks that stop as soon as a rebuild has started, so a slow clearer never
        deletes what a new rebuild writes.
        """
        while True:
            async with self.db.transaction() as conn:
                row = await conn.fetchone(
                    "SELECT pool_cursor, pool_dirty FROM films WHERE id = ?", (film_id,))
                if row is None or not row[1]:
                    return False
                if row[0] is not None and row[1] == 2:
                    return True
                if row[0] is not None:
                    # Changed under a rebuild (its voice, say): what it read is stale.
                    await conn.execute("UPDATE films SET pool_cursor = NULL WHERE id = ?",
                                       (film_id,))
                elif not await conn.fetchall(
                    f"SELECT 1 FROM pool WHERE film_id = ? AND {_NEXT_VERSIONS} LIMIT 1",
                    (film_id, film_id),
                ):
                    first = await _edge(conn, film_id, "MIN")
                    await conn.execute(
                        "UPDATE films SET pool_dirty = 2, pool_cursor = ? WHERE id = ?",
                        ((first or 1) - 1, film_id),
                    )
                    await conn.execute(
                        f"DELETE FROM pool_sizes WHERE film_id = ? AND {_NEXT_VERSIONS}",
                        (film_id, film_id))
                    await conn.executemany(
                        "INSERT INTO pool_sizes (film_id, version, mood, size, live)"
                        " SELECT id, pool_version + 1, ?, 0, 0 FROM films WHERE id = ?",
                        [(mood.value, film_id) for mood in POOL_FILTERS],
                    )
                    return True
            await self._drop(film_id, _NEXT_VERSIONS, while_idle=True)

    async def _chunk(self, film_id: int) -> bool:
        """Number the next ``CHUNK_IDS`` quote ids into the next version; at the end,
        swap it in. True when the rebuild is over."""
        async with self.db.transaction() as conn:
            rows = list(await conn.fetchall(
                "SELECT pool_version, pool_cursor FROM films WHERE id = ?", (film_id,)))
            if not rows or rows[0][1] is None:
                return True  # the film is gone, or another process finished it
            version, cursor = int(rows[0][0]), int(rows[0][1])
            end = cursor + CHUNK_IDS
            last = await _edge(conn, film_id, "MAX")
            final = last is None or end >= last
            end = _NO_END if final else end
            voice = await film_voice(conn, film_id)
            if voice is not None:
                for mood, label in POOL_FILTERS.items():
                    await _append(
                        conn, film_id, version + 1, mood, voice,
                        f"film_id = ? AND {_ANY_LABEL} AND id > ? AND id <= ?"
                        f" AND kind = ? AND hidden = 0 {label}",
                        (film_id, cursor, end, voice.value),
                    )
            if not final:
                await conn.execute("UPDATE films SET pool_cursor = ? WHERE id = ?",
                                   (end, film_id))
                return False
            await conn.execute(
                "UPDATE films SET pool_version = pool_version + 1, pool_cursor = NULL,"
                " pool_dirty = CASE pool_dirty WHEN 2 THEN 0 ELSE pool_dirty END WHERE id = ?",
                (film_id,),
            )
            await conn.execute("DELETE FROM pool_sizes WHERE film_id = ? AND version <= ?",
                               (film_id, version))
            return True

    async def _drop(self, film_id: int, versions: str, while_idle: bool = False) -> None:
        """Delete the film's ranks of ``versions`` (a condition on ``version`` taking the
        film's id) ``_DROP_CHUNK`` at a time, each a range of the primary key;
        ``while_idle``: stop when a rebuild of the film has started."""
        while True:
            async with self.db.transaction() as conn:
                if while_idle and await conn.fetchall(
                    "SELECT 1 FROM films WHERE id = ? AND pool_cursor IS NOT NULL", (film_id,)
                ):
                    return
                victim = list(await conn.fetchall(
                    f"SELECT version, mood FROM pool WHERE film_id = ? AND {versions} LIMIT 1",
                    (film_id, film_id),
                ))
                if not victim:
                    return
                version, mood = victim[0]
                key = (film_id, version, mood)
                bound = list(await conn.fetchall(
                    "SELECT rank FROM pool WHERE film_id = ? AND version = ? AND mood = ?"
                    " ORDER BY rank LIMIT 1 OFFSET ?",
                    (*key, _DROP_CHUNK - 1),
                ))
                await conn.execute(
                    "DELETE FROM pool WHERE film_id = ? AND version = ? AND mood = ?"
                    " AND rank <= ?",
                    (*key, bound[0][0] if bound else _NO_END),
                )

    async def _rebuild_small(self, film_ids: Sequence[int]) -> None:
        """A whole rebuild of several small films in one transaction, giving the pools
        the chunked path gives; only of those still marked once it holds the write lock
        (another process may have rebuilt some since they were read as marked)."""
        async with self.db.transaction() as conn:
            marks = ", ".join("?" * len(film_ids))
            rows = await conn.fetchall(
                f"SELECT id FROM films WHERE id IN ({marks}) AND pool_dirty <> 0", film_ids)
            film_ids = [int(r[0]) for r in rows]
            if film_ids:
                await self._renumber_small(conn, film_ids)
        self.passes += len(film_ids)

    @staticmethod
    async def _renumber_small(conn: Connection, film_ids: Sequence[int]) -> None:
        """``_rebuild_small``'s statements, inside its transaction."""
        marks = ", ".join("?" * len(film_ids))
        # critics_voice in SQL: critic excerpts, else review sentences, else readers.
        voice = (
            "WITH v AS (SELECT film_id, CASE WHEN MAX(CASE kind WHEN 'critic' THEN 1 END) = 1"
            " THEN 'critic' WHEN MAX(CASE kind WHEN 'review' THEN 1 END) = 1 THEN 'review'"
            " WHEN MAX(CASE kind WHEN 'reader' THEN 1 END) = 1 THEN 'reader'"
            f" END AS kind FROM film_stats WHERE film_id IN ({marks}) AND count > 0"
            " GROUP BY film_id)"
        )
        await conn.execute(f"DELETE FROM pool WHERE film_id IN ({marks})", film_ids)
        await conn.execute(f"DELETE FROM pool_sizes WHERE film_id IN ({marks})", film_ids)
        for mood, where in POOL_FILTERS.items():
            await conn.execute(
                f"{voice} INSERT INTO pool (film_id, version, mood, rank, quote_id)"
                " SELECT q.film_id, f.pool_version + 1, ?, ROW_NUMBER() OVER"
                " (PARTITION BY q.film_id ORDER BY q.id) - 1, q.id FROM v"
                " JOIN films f ON f.id = v.film_id JOIN quotes q ON q.film_id = v.film_id"
                f" AND q.kind = v.kind WHERE q.hidden = 0 {where.replace('label', 'q.label')}",
                (*film_ids, mood.value),
            )
            await conn.execute(
                "INSERT INTO pool_sizes (film_id, version, mood, size, live)"
                " SELECT id, version, ?, size, size FROM (SELECT f.id, f.pool_version + 1"
                " AS version, (SELECT COUNT(*) FROM pool p WHERE p.film_id = f.id"
                "  AND p.version = f.pool_version + 1 AND p.mood = ?) AS size"
                f" FROM films f WHERE f.id IN ({marks})) AS sizes",
                (mood.value, mood.value, *film_ids),
            )
        await conn.execute(
            "UPDATE films SET pool_dirty = 0, pool_version = pool_version + 1,"
            f" pool_cursor = NULL WHERE id IN ({marks})",
            film_ids,
        )


async def _edge(conn: Connection, film_id: int, which: str) -> int | None:
    """The film's lowest or highest quote id (``which``: MIN or MAX), from one probe of
    ``quotes_film_label`` per label rather than a scan of the film."""
    probes = " UNION ALL ".join(
        f"SELECT {which}(id) AS id FROM quotes WHERE film_id = ?1 AND label = '{label.value}'"
        for label in Label
    )
    rows = list(await conn.fetchall(f"SELECT {which}(id) FROM ({probes}) AS edges",
                                    (film_id,)))
    return None if rows[0][0] is None else int(rows[0][0])
