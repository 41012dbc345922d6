"""Deliveries served once across every process on one database (table ``seen_once``).

A platform may deliver one request twice, and with several replicas the second copy can
reach another process: a signed Slack request replayed within its 5-minute window, a
Socket Mode envelope Slack sends again because its acknowledgement was lost. Whichever
process writes the key first serves it; the others see it taken. The key is remembered
until a time the caller gives (when the platform would refuse or stop retrying it
anyway), and each first delivery forgets at most ``SWEEP`` keys past their time, so the table
stays the size of the last few minutes' traffic without a background job.

A check is one atomic statement (an insert that takes over only an expired row), so it
waits for no other writer; a first delivery also sweeps. The sweep skips rows another
transaction holds on PostgreSQL, so two sweeps never wait for each other.
"""

from __future__ import annotations

import logging

from bot.storage.database import Database

_log = logging.getLogger(__name__)

SWEEP = 16  # expired keys forgotten per call at most: each call adds one, so this keeps up

# Insert the key; a row already there counts only if it has expired (a sweep had not
# reached it yet), and then it is taken over. A row comes back for the first delivery.
_CLAIM = (
    "INSERT INTO seen_once (key, expires) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET expires = excluded.expires"
    " WHERE seen_once.expires < ? RETURNING key"
)
_SWEEP = (
    "DELETE FROM seen_once WHERE key IN"
    " (SELECT key FROM seen_once WHERE expires < ? ORDER BY expires LIMIT ?{skip_locked})"
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
        if not await self._db.write(_CLAIM, (key, float(until), float(now))):
            return False
        if self._sweep:  # only a first delivery adds a row
            await self._db.write(_SWEEP.format(skip_locked=self._db.dialect.skip_locked),
                                 (float(now), self._sweep))
        return True
