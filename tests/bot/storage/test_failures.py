"""Storage failures after start-up, made for real: a full disk, a file this user may not
write, damaged pages, and several processes opening one new database at once.

Each must end as one line naming the file and what to do (exit status 1 from the
command line), leave nothing half written, and leave a running bot serving what it can.

How each is made real, since the tests may run as root:
- full disk: a 1 MB tmpfs filled up (needs mount rights; skipped otherwise), and in
  process SQLite's ``max_page_count``, which makes SQLite hit SQLITE_FULL on a real file;
- read-only: the file and its folder ``chmod`` to read-only, and the command run without
  the capabilities that let root ignore permissions (``setpriv``), which is exactly what
  a user meets with a database owned by someone else; as non-root, chmod alone;
- damaged pages: bytes overwritten in the middle of a real database file.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import ErrorReply, QuoteReply, VerdictReply
from bot.storage.errors import StorageError
from tests.backends import only_on_sqlite, read_only
from tests.bot.test_crash import CLI, query, run

DISK_FULL = "the disk is full writing"
INV = Invocation("console", "terminal", "me", can_manage=True)


def one_line(result: subprocess.CompletedProcess[str], needle: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("reviewbot: ") and needle in lines[0], lines[0]
    return lines[0]


def write_excerpts(path: Path, n: int) -> Path:
    path.write_text("".join(f"Excerpt number {i} is a tender, lovely one.\n" for i in range(n))
                    + "\n@highlight\n\nFine.\n")
    return path


# -- several processes at once ------------------------------------------------------------


def test_processes_racing_to_create_one_database_all_succeed(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    for round_ in range(3):
        db = tmp_path / f"race{round_}.sqlite3"
        procs = [subprocess.Popen([*CLI, "--db", str(db), "ask", "/quote"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  cwd=tmp_path) for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0 and "Her (2013)" in out, err
        docs, distinct, films = query(db, "SELECT COUNT(*), COUNT(DISTINCT sha256),"
                                          " (SELECT COUNT(*) FROM films) FROM documents")[0]
        assert (docs, distinct, films) == (5, 5, 1)  # nothing ingested twice
        assert query(db, "PRAGMA integrity_check") == [("ok",)]


# -- a full disk ----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "disk"
    disk.mkdir()
    # 2 MB: a first start (migrations, the default corpus) writes about 1 MB of WAL.
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (the in-process full-disk tests still run)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> None:
    (disk / "filler").unlink(missing_ok=True)
    free = shutil.disk_usage(disk).free
    (disk / "filler").write_bytes(b"x" * max(0, free - leave))


def test_a_full_disk_is_one_line_from_the_command_line(small_disk: Path, tmp_path: Path) -> None:
    db = small_disk / "db.sqlite3"
    assert run(db, "ask", "/help").returncode == 0
    before = query(db, "SELECT COUNT(*), (SELECT COUNT(*) FROM films) FROM quotes")
    fill(small_disk, leave=0)
    one_line(run(db, "ask", "/quote"), DISK_FULL)
    fill(small_disk, leave=96 * 1024)  # room to open, not to ingest 3,000 excerpts
    big = write_excerpts(tmp_path / "big.txt", 3000)
    one_line(run(db, "ingest", str(big), "--film", "Big (2020)"), DISK_FULL)
    assert query(db, "SELECT COUNT(*), (SELECT COUNT(*) FROM films) FROM quotes") == before
    (small_disk / "filler").unlink()
    assert run(db, "ask", "/quote").returncode == 0  # space freed: back to work
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


async def test_a_full_disk_mid_ingest_writes_nothing_and_the_bot_keeps_serving(
    core: ReviewBot, tmp_path: Path, backend: str
) -> None:
    only_on_sqlite(backend, "a full disk is SQLite's max_page_count here")
    films = await core.corpus.films()
    quotes = len(await core.corpus.quotes(films[0].id))
    pages = await core.db.fetchone("PRAGMA page_count")
    assert pages is not None
    await core.db.conn.execute(f"PRAGMA max_page_count={pages[0] + 2}")
    big = write_excerpts(tmp_path / "big.txt", 3000)
    with pytest.raises(StorageError, match=DISK_FULL) as caught:
        await core.ingest([big], "Big (2020)")
    assert caught.value.code == "SQLITE_FULL"
    assert [f.name for f in await core.corpus.films()] == ["Her (2013)"]  # no empty film
    assert len(await core.corpus.quotes(films[0].id)) == quotes
    assert isinstance(await core.handle_text(INV, "/quote"), QuoteReply)
    assert isinstance(await core.handle_text(INV, "/verdict"), VerdictReply)
    assert await core.db.integrity_ok()


# -- a database this user may not write ----------------------------------------------


def without_root_powers() -> list[str]:
    """The prefix that runs a command as a user for whom permissions apply."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root ignores file permissions and setpriv is missing")
    return ["setpriv", "--inh-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


def run_as_user(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    return subprocess.run([*without_root_powers(), *CLI, "--db", str(db), *args],
                          capture_output=True, text=True, env=env, timeout=60, cwd=db.parent)


def test_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    db = folder / "db.sqlite3"
    assert run(db, "ask", "/help").returncode == 0
    before = db.read_bytes()
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        for args in (("ask", "/quote"), ("ask", "/daily set 09:00"),
                     ("ingest", str(write_excerpts(tmp_path / "x.txt", 3)), "--film", "X")):
            one_line(run_as_user(db, *args), "is read-only")
        folder.chmod(0o755)  # the folder writable, the file not: writes fail later
        result = run_as_user(db, "ask", "/quote")
        one_line(result, "is read-only")
        assert "error id" in result.stdout
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)
    assert db.read_bytes() == before


async def test_a_running_bot_answers_a_storage_failure_with_an_error_id(
    core: ReviewBot, caplog: pytest.LogCaptureFixture
) -> None:
    # Writes now fail as on a database that turned read-only under a running bot.
    async with read_only(core.db):
        with caplog.at_level(logging.INFO):
            reply = await core.handle_text(INV, "/quote")  # moves the channel's deck: a write
        verdict = await core.handle_text(INV, "/verdict")
    assert isinstance(reply, ErrorReply) and reply.error_id and not reply.usage
    assert core.db.name not in reply.message  # where it is, is for the log, not the chat
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and reply.error_id in errors[0].getMessage()
    assert "is read-only" in errors[0].getMessage() and errors[0].exc_info is None
    assert isinstance(verdict, VerdictReply)  # reads still work


# -- damaged pages and paths that are not databases ------------------------------------


def test_damaged_pages_are_one_line(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    assert run(db, "ask", "/help").returncode == 0
    with db.open("r+b") as f:
        f.seek(4096)  # the second page: the first table's root
        f.write(b"\xde\xad\xbe\xef" * 1024)
    for args in (("ask", "/quote"), ("ask", "/verdict"),
                 ("ingest", str(write_excerpts(tmp_path / "x.txt", 3)), "--film", "X")):
        one_line(run(db, *args), "is damaged: restore it from a backup")


def test_a_folder_in_place_of_the_database_never_prints_a_thread_traceback(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir()
    # aiosqlite's worker thread used to outlive the event loop about one time in three.
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: run(folder, "ask", "/quote"), range(6)))
    for result in results:
        one_line(result, "cannot open the database")
        assert "Event loop is closed" not in result.stderr


def test_sqlite_errors_about_the_file_become_sentences(tmp_path: Path) -> None:
    from bot.storage.errors import storage_error

    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just notes\n" * 10)
    with pytest.raises(sqlite3.DatabaseError) as notadb:
        sqlite3.connect(notes).execute("SELECT * FROM sqlite_master")
    error = storage_error(notadb.value, notes)
    assert error is not None and "file is not a database" in str(error)
    with pytest.raises(sqlite3.OperationalError) as cantopen:
        sqlite3.connect(tmp_path)
    error = storage_error(cantopen.value, tmp_path)
    assert error is not None and "cannot open the database" in str(error)
    conn = sqlite3.connect(tmp_path / "ok.sqlite3")
    with pytest.raises(sqlite3.OperationalError) as syntax:
        conn.execute("SELEC 1")
    assert storage_error(syntax.value, tmp_path) is None  # a bug keeps its traceback
    conn.close()
    weird = tmp_path / "new\nline\u202e.sqlite3"
    error = storage_error(cantopen.value, weird)
    assert error is not None and "\n" not in str(error) and "\u202e" not in str(error)
