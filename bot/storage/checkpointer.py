"""WAL checkpoints in a thread of their own, so no command pays for one.

SQLite's auto-checkpoint runs inside whichever commit pushes the WAL past 1,000 pages:
that ``/quote`` copies the pages back into the database file and fsyncs it, which made
its p99 swing from 0.25 to 5.7 ms between runs (max 92 ms). The serving connection turns
auto-checkpoints off (``wal_autocheckpoint=0``) and this thread, on a connection of its
own, runs ``PRAGMA wal_checkpoint(PASSIVE)`` instead: when the WAL has grown by
``soft_bytes`` since the last checkpoint, or every ``interval`` seconds while it changes.
PASSIVE never waits for a reader or a writer, so commands go on while it fsyncs.

The WAL stays bounded: the log starts again from its beginning only when a writer finds
it fully copied and no reader in it, so a reader holding an old snapshot, or readers that
always overlap, let it grow. When a checkpoint leaves it past ``hard_pages``, a
``TRUNCATE`` checkpoint (which waits up to ``HARD_WAIT_MS`` for readers, holding off
writers meanwhile) resets it; the serving connection's ``journal_size_limit`` trims the
file whenever SQLite restarts the log. A failed checkpoint is logged and tried again
later: the bot keeps serving, with a longer WAL until the disk allows one.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.safe_text import safe_path

_log = logging.getLogger(__name__)

POLL = 0.1  # seconds between looks at the WAL file's size (a stat, no lock)
INTERVAL = 1.0  # seconds: a WAL that changed is checkpointed at least this often
SOFT_BYTES = 4 * 1024 * 1024  # growth that calls for a checkpoint now (~1,000 pages)
HARD_PAGES = 16_000  # ~64 MB of 4 KB pages: past this, TRUNCATE
HARD_WAIT_MS = 100  # how long a TRUNCATE waits for readers before giving up this time
JOURNAL_SIZE_LIMIT = HARD_PAGES * 4096  # what the WAL file is trimmed to on a restart


@dataclass(frozen=True)
class Checkpoint:
    """What one ``PRAGMA wal_checkpoint`` reported: frames in the log, frames copied."""

    mode: str
    busy: bool
    log_frames: int
    copied_frames: int


class Checkpointer:
    """One daemon thread checkpointing ``path``'s WAL until ``stop()``."""

    def __init__(
        self,
        path: Path,
        *,
        interval: float = INTERVAL,
        soft_bytes: int = SOFT_BYTES,
        hard_pages: int = HARD_PAGES,
    ) -> None:
        self.path = path
        self.interval = interval
        self.soft_bytes = soft_bytes
        self.hard_pages = hard_pages
        self.checkpoints = 0  # completed, PASSIVE or TRUNCATE: a figure for tests and logs
        self._wal = path.with_name(path.name + "-wal")
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"checkpointer {path.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to finish and wait for it (at most one checkpoint's time)."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            _log.warning("cannot open %s to checkpoint its WAL; SQLite's own checkpoints "
                         "are off, so the WAL will grow", safe_path(self.path), exc_info=True)
            return
        try:
            conn.execute(f"PRAGMA busy_timeout={HARD_WAIT_MS}")
            self._loop(conn)
        finally:
            conn.close()

    def _loop(self, conn: sqlite3.Connection) -> None:
        seen = self._stat()
        size_at_checkpoint = seen[1]
        last = time.monotonic()
        while not self._stopping.wait(POLL):
            now_seen = self._stat()
            if now_seen == seen:
                continue
            size = now_seen[1]
            due = time.monotonic() - last >= self.interval
            if not due and size - size_at_checkpoint < self.soft_bytes:
                continue
            seen = now_seen
            result = self.checkpoint(conn, "PASSIVE")
            if result is not None and result.log_frames >= self.hard_pages:
                self.checkpoint(conn, "TRUNCATE")
            seen = self._stat()
            size_at_checkpoint = seen[1]
            last = time.monotonic()

    def checkpoint(self, conn: sqlite3.Connection, mode: str) -> Checkpoint | None:
        """One checkpoint; ``None`` (and a log line) when SQLite refused it."""
        try:
            row = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.Error:
            _log.warning("WAL checkpoint (%s) of %s failed; trying again later", mode,
                         safe_path(self.path), exc_info=True)
            return None
        result = Checkpoint(mode, bool(row[0]), int(row[1]), int(row[2]))
        if not result.busy:
            self.checkpoints += 1
        if mode != "PASSIVE":
            _log.info("WAL of %s past %d pages: %s", safe_path(self.path), self.hard_pages,
                      result)
        return result

    def _stat(self) -> tuple[int, int]:
        """(modification time in ns, size) of the WAL file; (0, 0) when it is absent."""
        try:
            st = self._wal.stat()
        except OSError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)
