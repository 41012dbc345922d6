"""The issue-13 scale benchmarks run end to end at tiny sizes, on both backends.

Timings are never asserted (the figures belong in benchmarks/README.md); what each run
checks for itself is: ``--daily`` raises when a schedule is posted twice or not at all,
``--quote`` when a ``/quote`` fails. Corpora are cached on the PostgreSQL server of the
tests, as a database named after the 1k corpus.
"""

from __future__ import annotations

import importlib.util

import pytest

from benchmarks import bench_scale, bench_sql_layer
from benchmarks.common import DATA_ENV, POSTGRES_ENV


@pytest.fixture(autouse=True)
def _places(postgres: str, tmp_path_factory: pytest.TempPathFactory,
            monkeypatch: pytest.MonkeyPatch) -> None:
    # One folder for the module, so the 1k SQLite corpus is generated once.
    monkeypatch.setenv(DATA_ENV, str(tmp_path_factory.getbasetemp() / "bench-data"))
    monkeypatch.setenv(POSTGRES_ENV, postgres)


def test_quote(capsys: pytest.CaptureFixture[str]) -> None:
    bench_scale.main(["--quote", "--sizes", "1k", "--iterations", "10", "--block", "5"])
    out = capsys.readouterr().out
    assert "/quote latency, ms, PostgreSQL beside SQLite" in out
    assert "postgresql" in out and "sqlite" in out and "load average" in out


def test_processes(capsys: pytest.CaptureFixture[str]) -> None:
    bench_scale.main(["--processes", "--size", "1k", "--counts", "1,2", "--seconds", "0.5",
                      "--concurrency", "2", "--mix", "quote,verdict,mood"])
    out = capsys.readouterr().out
    assert "Commands/s with several bot processes" in out
    rows = [line.split() for line in out.splitlines() if line.startswith(("postgresql", "sqlite"))]
    assert [(r[0], r[2]) for r in rows] == [
        ("postgresql", "1"), ("postgresql", "2"), ("sqlite", "1"), ("sqlite", "2")]
    assert all(r[9] == "0" for r in rows)  # the errors column: no command failed


def test_daily(capsys: pytest.CaptureFixture[str]) -> None:
    bench_scale.main(["--daily", "--due", "60", "--latency", "0"])
    out = capsys.readouterr().out
    assert "The daily minute: 60 schedules" in out


def test_mix_is_checked() -> None:
    with pytest.raises(SystemExit):
        bench_scale.main(["--processes", "--mix", "quote,dance"])


@pytest.mark.skipif(not all(importlib.util.find_spec(m) for m in ("sqlalchemy", "greenlet")),
                    reason="SQLAlchemy is not a dependency: pip install 'sqlalchemy[asyncio]'")
def test_sql_layer(capsys: pytest.CaptureFixture[str]) -> None:
    bench_sql_layer.main(["--size", "1k", "--draws", "20", "--block", "10"])
    out = capsys.readouterr().out
    assert "through our layer and through SQLAlchemy Core" in out
    assert out.count("sqlalchemy") >= 2  # a row per backend
