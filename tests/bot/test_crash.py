"""A real process killed with SIGKILL mid-ingest and between claim and send.

The crash points are named in the code (``bot.faults``); the process kills itself with
SIGKILL there, exactly as ``kill -9`` would, and a second process checks the aftermath.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.faults import ENV
from tests.backends import query

CLI = [sys.executable, "-m", "adapters.cli"]


def run(db: Path | str, *args: str, crash: str | None = None, stdin: str = "",
        ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env["REVIEWBOT_DB"] = str(db)
    env.pop(ENV, None)
    if crash:
        env[ENV] = crash
    return subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=60, cwd=db.parent if isinstance(db, Path) else None)


def test_sigkill_mid_ingest_leaves_no_half_document(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    assert run(db, "ask", "/help").returncode == 0  # a database with the default corpus
    before = query(db, "SELECT COUNT(*) FROM quotes")[0][0]
    doc = tmp_path / "new.txt"
    doc.write_text("".join(f"Excerpt number {i} is a fine one.\n" for i in range(500))
                   + "\n@highlight\n\nGood.\n")
    crashed = run(db, "ingest", str(doc), "--film", "Crash (2020)", crash="ingest.before_commit")
    assert crashed.returncode == -signal.SIGKILL
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT COUNT(*) FROM quotes")[0][0] == before
    assert query(db, "SELECT COUNT(*) FROM documents WHERE path LIKE '%new.txt'") == [(0,)]
    again = run(db, "ingest", str(doc), "--film", "Crash (2020)")
    assert again.returncode == 0, again.stderr
    assert query(db, "SELECT COUNT(*) FROM quotes")[0][0] == before + 500


def _due_schedule(db: Path) -> None:
    """A schedule whose time passed a minute ago: due now, for its own date."""
    due = datetime.now(timezone.utc) - timedelta(minutes=1)
    assert run(db, "ask", f"/daily set {due:%H:%M} UTC").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schedules SET next_run_utc = ?", (f"{due:%Y-%m-%dT%H:%M:00Z}",))


def test_due_schedule_posts_in_the_console(tmp_path: Path) -> None:
    db = tmp_path / "post.sqlite3"
    _due_schedule(db)
    result = run(db, stdin="quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[daily quote for #terminal]") == 1
    assert query(db, "SELECT outcome FROM posts") == [("sent",)]


def test_sigkill_between_claim_and_send_never_posts_twice(tmp_path: Path) -> None:
    db = tmp_path / "claim.sqlite3"
    _due_schedule(db)
    crashed = run(db, crash="scheduler.after_claim")
    assert crashed.returncode == -signal.SIGKILL
    assert "[daily quote" not in crashed.stdout
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT outcome, message_id FROM posts") == [("claimed", None)]
    restarted = run(db, stdin="quit\n")
    assert restarted.returncode == 0, restarted.stderr
    assert "[daily quote" not in restarted.stdout
    assert len(query(db, "SELECT * FROM posts")) == 1
    next_run = query(db, "SELECT next_run_utc FROM schedules")[0][0]
    assert isinstance(next_run, str) and next_run > datetime.now(timezone.utc).strftime("%Y-%m-%dT")


def _default_corpus(db: Path) -> list[tuple[object, ...]]:
    return query(db, "SELECT COUNT(*), COUNT(DISTINCT d.sha256), (SELECT COUNT(*) FROM quotes),"
                     " (SELECT COUNT(*) FROM films) FROM documents d")


def test_a_first_start_killed_mid_corpus_is_finished_by_the_next_start(tmp_path: Path) -> None:
    whole = tmp_path / "whole.sqlite3"
    assert run(whole, "ask", "/help").returncode == 0
    complete = _default_corpus(whole)
    assert complete[0][:2] == (5, 5)
    # Killed before the first document's commit, then after two of the five.
    for crash in ("ingest.before_commit", "ingest.before_commit@3"):
        db = tmp_path / f"{crash}.sqlite3"
        assert run(db, "ask", "/help", crash=crash).returncode == -signal.SIGKILL
        assert _default_corpus(db) != complete
        quote = run(db, "ask", "/quote")
        assert quote.returncode == 0, quote.stdout + quote.stderr
        assert "no quotes" not in quote.stdout and "Her (2013)" in quote.stdout
        assert _default_corpus(db) == complete, crash
        assert query(db, "PRAGMA integrity_check") == [("ok",)]


def _due_schedules(db: Path, names: tuple[str, ...]) -> None:
    """Several schedules in one channel, all due now for their own date."""
    due = datetime.now(timezone.utc) - timedelta(minutes=1)
    for name in names:
        assert run(db, "ask", f"/daily set {due:%H:%M} UTC id:{name}").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schedules SET next_run_utc = ?", (f"{due:%Y-%m-%dT%H:%M:00Z}",))


def test_several_due_schedules_post_once_each_in_the_console(tmp_path: Path) -> None:
    db = tmp_path / "several.sqlite3"
    _due_schedules(db, ("rave", "pan", "mixed"))
    result = run(db, stdin="quit\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[daily quote for #terminal]") == 3
    assert query(db, "SELECT COUNT(DISTINCT schedule_id), COUNT(*) FROM posts"
                     " WHERE outcome = 'sent'") == [(3, 3)]
    again = run(db, stdin="quit\n")
    assert "[daily quote" not in again.stdout


def test_sigkill_between_claim_and_send_with_several_schedules(tmp_path: Path) -> None:
    db = tmp_path / "several-claim.sqlite3"
    _due_schedules(db, ("rave", "pan"))
    crashed = run(db, crash="scheduler.after_claim")
    assert crashed.returncode == -signal.SIGKILL
    assert "[daily quote" not in crashed.stdout
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    claimed = query(db, "SELECT schedule_id FROM posts WHERE outcome = 'claimed'")
    assert 1 <= len(claimed) <= 2  # the kill came at the first claim; the other may be in
    restarted = run(db, stdin="quit\n")
    assert restarted.returncode == 0, restarted.stderr
    # A claimed schedule is never posted that day; one that was not claimed posts once.
    assert restarted.stdout.count("[daily quote for #terminal]") == 2 - len(claimed)
    rows = query(db, "SELECT schedule_id, local_date, outcome FROM posts ORDER BY schedule_id")
    assert len(rows) == 2 and len({r[0] for r in rows}) == 2
    assert {r[2] for r in rows} <= {"claimed", "sent"}
    assert run(db, stdin="quit\n").stdout.count("[daily quote") == 0
