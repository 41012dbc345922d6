"""A real process killed with SIGKILL in the middle of a dataset: the films committed
before stay whole, the film being written leaves nothing, and ingesting again finishes."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.bot.ingest.test_datasets import write_csv
from tests.bot.test_crash import query, run


def test_sigkill_mid_dataset_leaves_whole_films_only(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    assert run(db, "ask", "/help").returncode == 0  # a database with the default corpus
    # Two films of 6,000 rows: each is a group of its own (GROUP_ROWS 5,000) written in
    # three batches of 2,000; the 5th batch written is the second batch of "Second".
    rows = [[film, f"A {film.lower()} film, fine and moving, take {i}."]
            for film in ("First (2001)", "Second (2002)") for i in range(6000)]
    data = write_csv(tmp_path / "two.csv", ["film", "text"], rows)
    crashed = run(db, "ingest", str(data), "--max-bytes", "10000000",
                  crash="ingest.batch_written@5")
    assert crashed.returncode == -signal.SIGKILL
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    counts = dict(query(db, "SELECT f.title, COUNT(q.id) FROM films f LEFT JOIN quotes q"
                            " ON q.film_id = f.id GROUP BY f.id"))
    assert counts.get("First") == 6000 and "Second" not in counts
    again = run(db, "ingest", str(data), "--max-bytes", "10000000")
    assert again.returncode == 0, again.stderr
    assert "added 6,000 quotes of 1 film, 1 film unchanged" in again.stdout
    assert query(db, "SELECT COUNT(*) FROM quotes q JOIN films f ON f.id = q.film_id"
                     " WHERE f.title IN ('First', 'Second')") == [(12000,)]
