"""``reviewbot migrate``: the schema brought up to date, and nothing else, in a real process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.storage.migrations import MIGRATIONS

CLI = [sys.executable, "-m", "adapters.cli"]


def migrate(db: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env["REVIEWBOT_DB"] = str(db)
    return subprocess.run([*CLI, "migrate"], capture_output=True, text=True, env=env,
                          timeout=60, cwd=db.parent)


def version(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_migrate_creates_the_schema_without_the_default_corpus(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    result = migrate(db)
    assert result.returncode == 0, result.stderr
    assert f"schema version 0 → {len(MIGRATIONS)}" in result.stdout
    assert version(db) == len(MIGRATIONS)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM quotes").fetchone() == (0,)


def test_migrate_again_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "again.sqlite3"
    assert migrate(db).returncode == 0
    again = migrate(db)
    assert again.returncode == 0, again.stderr
    assert f"schema version {len(MIGRATIONS)} → {len(MIGRATIONS)}" in again.stdout
    assert "already up to date" in again.stdout


def test_a_database_newer_than_the_code_is_one_line_and_status_1(tmp_path: Path) -> None:
    db = tmp_path / "future.sqlite3"
    assert migrate(db).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    result = migrate(db)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "newer than this reviewbot" in lines[0]
    assert version(db) == len(MIGRATIONS) + 1
