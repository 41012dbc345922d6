"""Deliveries served once across every process on one database (table ``seen_once``).

A platform may deliver one request twice, and with several replicas the second copy can
reach another process: a signed Slack request replayed within its 5-minute window, a
Socket Mode envelope Slack sends again because its acknowledgement was lost. Whichever
process writes the key first serves it; the others see it taken. The key is remembered
until a time the caller gives (when the platform would refuse or stop retrying it
anyway), and each call forgets at most ``SWEEP`` keys past their time, so the table
stays the size of the last few minutes' traffic without a background job.

One small write transaction per call, under its own lock name: on PostgreSQL it waits
only for other ``seen_once`` writes, never for a deck draw or a daily post's claim.
"""

from __future__ import annotations

import logging

from bot.storage.database import Database

_log = logging.getLogger(__name__)

SWEEP = 16  # expired keys forgotten per call at most: each call adds one, so this keeps up
_LOCK = "seen_once"

# Insert the key; a row already there counts only if it has expired (a sweep had not
# reached it yet), and then it is taken over. Rows changed: 1 for the first delivery.
_CLAIM = (
    "INSERT INTO seen_once (key, expires) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET expires = excluded.expires"
    " WHERE seen_once.expires < ?"
)
_SWEEP = (
    "DELETE FROM seen_once WHERE key IN"
    " (SELECT key FROM seen_once WHERE expires < ? ORDER BY expires LIMIT ?)"
)


class SeenOnce:
    """Which keys were already delivered, shared by every process on ``db``."""

    def __init__(self, db: Database, sweep: int = SWEEP) -> None:
        self._db = db
        self._sweep = sweep

    async def first(self, key: str, until: float, now: float) -> bool:
        """True for the first delivery of ``key`` until ``until`` (seconds since the
        epoch), False for every later one, in this process or another.

        ``now`` is the caller's clock: keys that expired before it may be forgotten.
        Raises ``StorageError`` when the database does not answer.
        """
        async with self._db.transaction(lock=_LOCK) as conn:
            await conn.execute(_SWEEP, (float(now), self._sweep))
            claimed = await conn.execute(_CLAIM, (key, float(until), float(now)))
        return claimed == 1
