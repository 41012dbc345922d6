"""WAL checkpoints in a background thread: commands' commits never run one, the WAL
stays bounded, and a failed checkpoint is logged without stopping anything."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.checkpointer import Checkpointer

WAIT = 10.0  # every wait below is bounded by this


async def eventually(condition: Callable[[], bool]) -> None:
    """Wait (bounded) for the checkpointer's thread to make ``condition`` true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not condition():
        assert loop.time() < deadline, "the checkpointer did not get there"
        await asyncio.sleep(0.02)


def wal_size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "wal.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE t (x BLOB)")
    yield conn
    conn.close()


def write_pages(conn: sqlite3.Connection, pages: int) -> None:
    conn.executemany("INSERT INTO t VALUES (randomblob(4000))", [()] * pages)


async def test_commits_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        row = await db.fetchone("PRAGMA wal_autocheckpoint")
        assert row is not None and row[0] == 0
        checkpointer = db.checkpointer
        assert checkpointer is not None
        before = checkpointer.checkpoints
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE scratch (x BLOB)")
            await conn.execute(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
                " INSERT INTO scratch SELECT randomblob(4000) FROM n"
            )
        await eventually(lambda: checkpointer.checkpoints > before)
        # Everything in the log is in the database file: a checkpoint now has nothing to do.
        row = await db.fetchone("PRAGMA wal_checkpoint(PASSIVE)")
        assert row is not None and row[1] == row[2]
    finally:
        await db.close()
    assert db.checkpointer is None and not checkpointer._thread.is_alive()


async def test_a_wal_held_by_a_reader_is_truncated_once_it_lets_go(
    tmp_path: Path, writer: sqlite3.Connection
) -> None:
    path = tmp_path / "wal.sqlite3"
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM t").fetchone()  # holds the snapshot before the writes
    checkpointer = Checkpointer(path, interval=0.05, hard_pages=50)
    checkpointer.start()
    try:
        write_pages(writer, 200)
        await asyncio.sleep(0.3)
        assert wal_size(path) > 0, "PASSIVE cannot pass the reader, TRUNCATE waits for it"
        reader.execute("COMMIT")
        write_pages(writer, 1)  # a change, so the checkpointer looks again
        await eventually(lambda: wal_size(path) == 0)
    finally:
        checkpointer.stop()
        reader.close()


def test_a_failed_checkpoint_is_logged_and_survived(
    tmp_path: Path, writer: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = Checkpointer(tmp_path / "wal.sqlite3")
    closed = sqlite3.connect(tmp_path / "wal.sqlite3")
    closed.close()
    with caplog.at_level(logging.WARNING):
        assert checkpointer.checkpoint(closed, "PASSIVE") is None
    assert "WAL checkpoint (PASSIVE)" in caplog.text and "failed" in caplog.text


async def test_a_checkpointer_that_cannot_open_the_file_says_so_and_ends(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkpointer = Checkpointer(tmp_path / "no such folder" / "db.sqlite3")
    with caplog.at_level(logging.WARNING):
        checkpointer.start()
        await asyncio.to_thread(checkpointer._thread.join, WAIT)
    assert not checkpointer._thread.is_alive()
    assert "cannot open" in caplog.text and "WAL will grow" in caplog.text
    checkpointer.stop()
