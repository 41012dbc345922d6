"""Members' cooldowns held by the database, so that every process serving a channel counts
the same replies (issue 13): a member spread over two replicas gets ``limit`` posts per
window in all, not ``limit`` in each.

One row per member (``channel_key:user``): ``hits``, the instants of its counted replies
still in the window, as integer milliseconds since the epoch separated by commas (exact
for a window of seconds, and short), oldest first; and ``expires``, the POSIX second at
which the latest of them leaves the window, after which the row means nothing.

A check is two statements, no transaction: read the row, then write it back only if it
is still what was read (``_SWAP``, a compare-and-set on ``hits``; a new member's row by
an insert that does nothing if another process inserted first). The write is atomic on
both engines, so two processes counting one member's replies at once cannot both take
the last place: the one whose row changed under it reads again. A transaction holding a
lock cost twice the round trips on every public command.

Expiry is bounded work per call, like the in-memory table it replaces: a check that adds
a row (a member's first reply in a window, the only kind that grows the table) also
forgets up to ``FORGET_PER_CALL`` rows whose window passed, oldest first through the
``cooldowns_expires`` index. So no call ever scans the table, and it still shrinks back
after a burst of members, since a call adds at most one row and forgets up to two. On
PostgreSQL the rows to forget are taken ``FOR UPDATE SKIP LOCKED``: a row being revived
by its member's check is skipped rather than waited for, so two checks forgetting each
other's members cannot deadlock. (SQLite has no such clause and needs none: one
statement writes at a time.)

Each process stamps hits with its own clock; replicas kept in time by NTP differ by
milliseconds, which moves a wait by as much.
"""

from __future__ import annotations

import bisect

from bot.storage.database import Database
from bot.storage.dialect import Dialect

FORGET_PER_CALL = 2
_MS = 1000  # hits are stored in milliseconds

_READ = "SELECT hits FROM cooldowns WHERE member = ?"
_ADD = (
    "INSERT OR IGNORE INTO cooldowns (member, hits, expires) VALUES (?, ?, ?)"
    " RETURNING member"
)
_SWAP = (
    "UPDATE cooldowns SET hits = ?, expires = ? WHERE member = ? AND hits = ?"
    " RETURNING member"
)
_EXPIRED = (
    "DELETE FROM cooldowns WHERE member IN (SELECT member FROM cooldowns"
    f" WHERE expires <= ? ORDER BY expires LIMIT {FORGET_PER_CALL}"
)
_FORGET = {
    Dialect.SQLITE: f"{_EXPIRED})",
    Dialect.POSTGRESQL: f"{_EXPIRED} FOR UPDATE SKIP LOCKED)",
}


class CooldownStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def take(self, member: str, now: float, limit: int, window: float) -> float:
        """Count a reply of ``member`` at ``now`` (POSIX seconds) unless ``limit`` of its
        replies are already within the last ``window`` seconds: 0.0 when counted, else
        the seconds until enough of them leave the window for one more."""
        now_ms, window_ms = round(now * _MS), round(window * _MS)
        while True:
            row = await self.db.fetchone(_READ, (member,))
            old = str(row[0]) if row else None
            hits = [hit for hit in _parse(old) if now_ms - hit < window_ms] if old else []
            if len(hits) >= limit:
                return (hits[-limit] + window_ms - now_ms) / _MS
            bisect.insort(hits, now_ms)  # another replica's clock may be a little ahead
            new, expires = ",".join(map(str, hits)), (hits[-1] + window_ms) / _MS
            if old is None:
                if await self.db.write(_ADD, (member, new, expires)):
                    await self.db.write(_FORGET[self.db.dialect], (now_ms / _MS,))
                    return 0.0
            elif await self.db.write(_SWAP, (new, expires, member, old)):
                return 0.0
            # Another reply of this member was counted meanwhile: read it and decide again.


def _parse(hits: str) -> list[int]:
    return [int(hit) for hit in hits.split(",")]
