"""`reviewbot ingest` as a user runs it on a dataset and a link-like argument: one line
per input, malformed rows by line number, the exit status."""

from __future__ import annotations

from pathlib import Path

from tests.bot.ingest.test_datasets import RT_HEADER, rt_rows, write_csv
from tests.bot.test_crash import run


def test_a_dataset_with_a_malformed_row_and_a_bad_link(tmp_path: Path) -> None:
    rows = [*rt_rows(), ["m/her", "too", "few"]]
    data = write_csv(tmp_path / "rt.csv", RT_HEADER, rows)
    result = run(tmp_path / "i.sqlite3", "ingest", str(data), "ftp://example.invalid/x.csv")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    # Line 10: the header, seven rows, and one of them spans two lines.
    assert lines[0] == f"{data}: line 10: 3 fields where the header has 8"
    assert lines[1] == (f"{data}: added 6 quotes of 3 films; rows skipped: 1 malformed, "
                        "1 without text")
    assert lines[2] == "ftp://example.invalid/x.csv: skipped, only http and https links are fetched"
    assert lines[3] == "6 quotes added (3 documents); 1 input ok, 1 failed"
    assert "Traceback" not in result.stdout + result.stderr
    again = run(tmp_path / "i.sqlite3", "ingest", str(data))
    assert f"{data}: unchanged, nothing to do" in again.stdout
