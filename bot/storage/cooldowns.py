"""Members' cooldowns held by the database, so that every process serving a channel counts
the same replies (issue 13): a member spread over two replicas gets ``limit`` posts per
window in all, not ``limit`` in each.

One row per member (``channel_key:user``): ``hits``, the instants of its counted replies
still in the window, as integer milliseconds since the epoch separated by commas (exact
for a window of seconds, and short), oldest first; and ``expires``, the POSIX second at
which the latest of them leaves the window, after which the row means nothing.

A check is one write transaction holding the member's own lock (``cooldown:<member>``):
on PostgreSQL two checks of one member queue while other members' run side by side;
SQLite has one write lock anyway. It reads the row, drops the hits that left the window,
and refuses if ``limit`` remain; otherwise it adds now and writes the row back.

Expiry is bounded work per call, like the in-memory table it replaces: a counted check
(the only kind that adds a row) also forgets up to ``FORGET_PER_CALL`` rows whose window
passed, oldest first through the ``cooldowns_expires`` index. So no call ever scans the
table, and it still shrinks back after a burst of members, since a call adds at most one
row and forgets up to two. On PostgreSQL the rows to forget are taken ``FOR UPDATE SKIP
LOCKED``, after the member's own row is written: a check then waits for nothing but its
own lock and its own row, and a row being revived by its member's check is skipped rather
than waited for, so two checks forgetting each other's members cannot deadlock. (SQLite
has no such clause and needs none: one transaction writes at a time.)

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
_WRITE = (
    "INSERT INTO cooldowns (member, hits, expires) VALUES (?, ?, ?)"
    " ON CONFLICT (member) DO UPDATE SET hits = excluded.hits, expires = excluded.expires"
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
        async with self.db.transaction(lock=f"cooldown:{member}") as conn:
            row = await conn.fetchone(_READ, (member,))
            hits = [hit for hit in _parse(row[0]) if now_ms - hit < window_ms] if row else []
            if len(hits) >= limit:
                return (hits[-limit] + window_ms - now_ms) / _MS
            bisect.insort(hits, now_ms)  # another replica's clock may be a little ahead
            await conn.execute(_WRITE, (member, ",".join(map(str, hits)),
                                        (hits[-1] + window_ms) / _MS))
            await conn.execute(_FORGET[conn.dialect], (now_ms / _MS,))
        return 0.0


def _parse(hits: str) -> list[int]:
    return [int(hit) for hit in hits.split(",")]
