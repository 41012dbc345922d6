"""The issue-16 benchmark scripts run end to end at small sizes and print their tables.

Timings are never asserted: the figures belong in benchmarks/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import bench_autocomplete, bench_cooldowns, bench_platforms
from benchmarks.common import DATA_ENV


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))


def test_cooldowns(capsys: pytest.CaptureFixture[str]) -> None:
    bench_cooldowns.main(["--sizes", "300,10001", "--calls", "400"])
    out = capsys.readouterr().out
    assert "Cooldowns.wait latency" in out and "10,001" in out


def test_autocomplete(capsys: pytest.CaptureFixture[str]) -> None:
    bench_autocomplete.main(["--sizes", "300", "--samples", "200"])
    out = capsys.readouterr().out
    assert "Film autocomplete latency" in out and "Python 3" in out


def test_platforms(capsys: pytest.CaptureFixture[str]) -> None:
    bench_platforms.main(["--calls", "3"])
    out = capsys.readouterr().out
    assert "end to end through the platform stacks" in out
    assert "slack: Socket Mode" in out and "bolt default (baseline): HTTP" in out
