"""The stall benchmark runs end to end at a small size and prints its table, with
commands timed in every phase (timings are never asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_stall
from benchmarks.common import DATA_ENV


def test_stall(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    bench_stall.main(["--quotes", "2k", "--files", "3", "--idle", "10", "--due", "20"])
    out = capsys.readouterr().out
    assert "Command latency during ingest, a pool rebuild and the daily minute" in out
    phases = [line.split()[2] for line in out.splitlines() if line.startswith("2k-1film")]
    assert phases == ["idle", "ingest", "rebuild", "daily"] * 2
