"""Members' cooldowns held by the database, so that every process serving a channel counts
the same replies (issue 13): a member spread over two replicas gets ``limit`` posts per
window in all, not ``limit`` in each.

One row per member (``channel_key:user``): ``hits``, the instants of its counted replies
still in the window, as integer milliseconds since the epoch separated by commas (exact
for a window of seconds, and short), oldest first; and ``expires``, the POSIX second at
which the latest of them leaves the window, after which the row means nothing.

A check is one statement in the common case: it writes the member's row back only if
it is still what this process last saw of it (``_SWAP``, a compare-and-set on ``hits``;
a new member's row by an insert that does nothing if the row exists). Each process
remembers what it last read or wrote of its recent members (``_RECENT`` of them), so a
member who stays on one process costs one round trip; when another process counted a
reply meanwhile, the write changes nothing and the row is read and decided again. The
write is atomic on both engines, so two processes counting one member's replies at once
cannot both take the last place. A refusal is always decided on the row as read (what
is remembered can only lack other processes' replies, never hold too many). A
transaction holding a lock cost four round trips on every public command.

Expiry is bounded work per call, like the in-memory table it replaces: every
``_FORGET_EVERY``-th new row (a member's first reply in a window, the only kind that
grows the table) also forgets up to ``_FORGET_ROWS`` rows whose window passed, oldest
first through the ``cooldowns_expires`` index: on average two for each row added, so no
call ever scans the table and it still shrinks back after a burst of members. On
PostgreSQL the rows to forget are taken ``FOR UPDATE SKIP LOCKED``: a row being revived
by its member's check is skipped rather than waited for, so two checks forgetting each
other's members cannot deadlock. (SQLite has no such clause and needs none: one
statement writes at a time.)

Each process stamps hits with its own clock; replicas kept in time by NTP differ by
milliseconds, which moves a wait by as much.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict

from bot.storage.database import Database

_FORGET_EVERY = 8  # new rows between two forgettings
_FORGET_ROWS = 16  # expired rows forgotten at once
_RECENT = 10_000  # members whose row this process remembers
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
_FORGET = (
    "DELETE FROM cooldowns WHERE member IN (SELECT member FROM cooldowns"
    " WHERE expires <= ? ORDER BY expires LIMIT {rows}{skip_locked})"
)


class CooldownStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # member -> its row's hits as this process last read or wrote them
        self._recent: OrderedDict[str, str] = OrderedDict()
        self._added = 0

    async def take(self, member: str, now: float, limit: int, window: float) -> float:
        """Count a reply of ``member`` at ``now`` (POSIX seconds) unless ``limit`` of its
        replies are already within the last ``window`` seconds: 0.0 when counted, else
        the seconds until enough of them leave the window for one more."""
        now_ms, window_ms = round(now * _MS), round(window * _MS)
        old, read = self._recent.get(member), False
        while True:
            hits = [hit for hit in _parse(old) if now_ms - hit < window_ms] if old else []
            if len(hits) >= limit:
                if not read:
                    old, read = await self._read(member), True
                    continue
                return (hits[-limit] + window_ms - now_ms) / _MS
            bisect.insort(hits, now_ms)  # another replica's clock may be a little ahead
            new, expires = ",".join(map(str, hits)), (hits[-1] + window_ms) / _MS
            if old is None:
                counted = await self.db.write(_ADD, (member, new, expires))
            else:
                counted = await self.db.write(_SWAP, (new, expires, member, old))
            if counted:
                self._remember(member, new)
                if old is None:
                    await self._added_one(now_ms / _MS)
                return 0.0
            # The row is not what this process saw (another counted a reply meanwhile,
            # or forgot the row): read it and decide again.
            old, read = await self._read(member), True

    async def _read(self, member: str) -> str | None:
        row = await self.db.fetchone(_READ, (member,))
        return str(row[0]) if row else None

    def _remember(self, member: str, hits: str) -> None:
        self._recent[member] = hits
        self._recent.move_to_end(member)
        if len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    async def _added_one(self, now: float) -> None:
        self._added += 1
        if self._added % _FORGET_EVERY == 0:
            await self.db.write(_FORGET.format(
                rows=_FORGET_ROWS, skip_locked=self.db.dialect.skip_locked), (now,))


def _parse(hits: str) -> list[int]:
    return [int(hit) for hit in hits.split(",")]
