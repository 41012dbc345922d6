"""The reviewbot command as a user runs it: ask, ingest, score, and the interactive prompt."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.bot.test_crash import CLI, run


def test_ask_prints_the_reply_and_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "ask.sqlite3"
    ok = run(db, "ask", "/quote negative")
    assert ok.returncode == 0 and "negative" in ok.stdout and "Her (2013)" in ok.stdout
    bad = run(db, "ask", "/daily set 25:61")
    assert bad.returncode == 2 and "HH:MM" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr


def test_ask_json(tmp_path: Path) -> None:
    result = run(tmp_path / "j.sqlite3", "ask", "--json", "/quote positive")
    body = json.loads(result.stdout)
    assert {"text", "label", "author", "film", "kind"} <= set(body["quote"])
    assert body["quote"]["label"] == "positive"


def test_database_path_is_printed_at_start(tmp_path: Path) -> None:
    db = tmp_path / "start.sqlite3"
    result = run(db, stdin="/verdict\nquit\n")
    assert f"database {db}" in result.stderr
    assert "Verdict on Her (2013)" in result.stdout and result.returncode == 0


def test_console_accepts_every_command_and_another(tmp_path: Path) -> None:
    lines = ["/quote", "another", "/quote negative", "/mood", "/mood so dull and tedious",
             "/verdict", "/daily set 08:00 Europe/Paris", "/daily show", "/daily pause",
             "/daily resume", "/daily off", "/help", "/daily set 8pm", "quit"]
    result = run(tmp_path / "c.sqlite3", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in ("critic", "Fresh", "The critics of Her (2013)", "Daily quote set.", "Paused",
                   "Resumed.", "deleted", "/daily set <time>", "HH:MM"):
        assert needle in out, needle
    assert "Traceback" not in out + result.stderr


def test_ingest_reports_bad_files_and_fails(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.txt").write_text("Tender and wise.\n\n@highlight\n\nYes.\n")
    (folder / "bad.bin").write_bytes(b"\x00\x01\x02")
    result = run(tmp_path / "i.sqlite3", "ingest", str(folder), "--film", "New (2022)")
    assert result.returncode == 1
    assert f"{folder / 'bad.bin'}: skipped, binary" in result.stdout
    assert f"{folder / 'good.txt'}: added 1 quotes" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_score_writes_json_lines(tmp_path: Path) -> None:
    result = run(tmp_path / "s.sqlite3", "score", stdin="a masterpiece, moving and wise\n"
                 "a dull, lifeless bore\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["label"] for r in rows] == ["positive", "negative"]
    for r in rows:
        assert -1 <= r["polarity"] <= 1 and 0 <= r["confidence"] <= 1


def test_a_database_that_cannot_be_used_is_one_line_and_untouched(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("my notes, not a database\n")
    result = run(not_a_db, "ask", "/quote")  # run() times out rather than hang
    assert result.returncode == 1
    expected = f"reviewbot: cannot use the database {not_a_db}: file is not a database"
    assert result.stderr.startswith(expected) and len(result.stderr.splitlines()) == 1
    assert "restore it from a backup" in result.stderr  # and what to do about it
    assert not_a_db.read_text() == "my notes, not a database\n"
    folder = tmp_path / "folder.sqlite3"
    folder.mkdir()
    for _ in range(3):  # aiosqlite's thread used to outlive the loop one time in three
        result = run(folder, "ask", "/quote")
        assert result.returncode == 1 and "cannot open the database" in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    result = run(tmp_path / "unused.sqlite3", "--db", str(blocked / "db.sqlite3"), "ask", "/quote")
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 1, result.stderr
    assert "cannot create the folder of the database" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_at_the_prompt_stops_the_bot_cleanly(tmp_path: Path, sig: int) -> None:
    db = tmp_path / "sig.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env["REVIEWBOT_DB"] = str(db)
    bot = subprocess.Popen(CLI, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert bot.stdout is not None
        assert "Type /help" in bot.stdout.readline()  # up, and waiting at the prompt
        bot.send_signal(sig)
        assert bot.wait(timeout=15) == 0  # stdin is still open: the read must not block exit
    finally:
        bot.kill()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_train_and_eval_refuse_bad_files_in_one_line(tmp_path: Path) -> None:
    good = tmp_path / "pos.txt"
    good.write_text("a fine film .\nwonderful .\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02weights")
    out = tmp_path / "w.json.gz"
    cases = [
        (("eval", "--pos", str(good), "--neg", str(empty)), "empty.txt: empty"),
        (("train", "--pos", str(binary), "--neg", str(good), "--out", str(out)), "binary"),
        (("train", "--pos", str(good), "--neg", str(tmp_path / "gone")), "cannot be read"),
        (("eval", "--pos", str(good), "--neg", str(good), "--folds", "1"), "2 or more"),
    ]
    for args, reason in cases:
        result = run(tmp_path / "db.sqlite3", *args)
        assert result.returncode == 2, args
        assert reason in result.stderr and "Traceback" not in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1, args
    assert not out.exists()


def test_train_fails_fast_on_an_unwritable_output(tmp_path: Path) -> None:
    good = tmp_path / "pos.txt"
    good.write_text("a fine film .\n", encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run(
        tmp_path / "db.sqlite3",
        "train", "--pos", str(good), "--neg", str(good), "--out", str(blocker / "w.json.gz"),
    )  # fmt: skip
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert "training on" not in result.stderr  # it refused before fitting anything


def test_ingest_never_reads_a_device_or_waits_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = run(tmp_path / "d.sqlite3", "ingest", "/dev/zero", str(fifo), "--film", "X (2020)")
    assert result.returncode == 1, result.stderr  # and it returned: run() times out at 60 s
    assert "/dev/zero: skipped, a device" in result.stdout
    assert f"{fifo}: skipped, a pipe" in result.stdout


def test_an_unreadable_folder_is_reported(tmp_path: Path) -> None:
    """As root, permissions are ignored: the command runs without the capabilities that
    let it (``setpriv``), as any user would; as a non-root user, chmod is enough."""
    from tests.bot.storage.test_failures import without_root_powers

    folder = tmp_path / "docs"
    (folder / "locked").mkdir(parents=True)
    (folder / "locked" / "hidden-from-me.txt").write_text("Tender.\n\n@highlight\n\nYes.\n")
    (folder / "good.txt").write_text("Tender and wise.\n\n@highlight\n\nYes.\n")
    db = tmp_path / "u.sqlite3"
    assert run(db, "ask", "/help").returncode == 0
    (folder / "locked").chmod(0)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    try:
        result = subprocess.run(
            [*without_root_powers(), *CLI, "--db", str(db), "ingest", str(folder), "--film",
             "U (2020)"], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    finally:
        (folder / "locked").chmod(0o755)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{folder / 'locked'}: skipped, folder cannot be read (Permission denied)" in (
        result.stdout)
    assert f"{folder / 'good.txt'}: added 1 quotes" in result.stdout


def test_a_file_name_with_a_newline_prints_as_one_line(tmp_path: Path) -> None:
    name = tmp_path / "two\nlines\u202eevil.txt"
    name.write_text("Tender and wise.\n\n@highlight\n\nYes.\n")
    result = run(tmp_path / "n.sqlite3", "ingest", str(name), "--film", "N (2020)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"{tmp_path}/two\\nlines\\u202eevil.txt: added 1 quotes"
    assert "\u202e" not in result.stdout
