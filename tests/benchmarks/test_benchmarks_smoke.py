"""Every benchmark script runs end to end at its smallest size and prints its table.

Timings are never asserted: this machine's figures belong in benchmarks/README.md. The
generated corpora go to a temporary folder, not benchmarks/.data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from benchmarks import (
    bench_dataset,
    bench_ingest,
    bench_memory,
    bench_quote,
    bench_scheduler,
    bench_startup,
    bench_stats,
)
from benchmarks.common import DATA_ENV

Main = Callable[[Sequence[str] | None], None]

CASES: list[tuple[Main, list[str], str]] = [
    (bench_quote.main, ["--sizes", "1k", "--iterations", "20", "--naive-iterations", "5"],
     "/quote latency"),
    (bench_stats.main, ["--sizes", "1k", "--iterations", "20", "--scan-iterations", "5"],
     "/verdict and /mood latency"),
    (bench_ingest.main, ["--size", "1k"], "Ingest throughput"),
    (bench_dataset.main, ["--rows", "2k", "--pages", "2"], "Dataset ingest"),
    (bench_scheduler.main, ["--schedules", "1k", "--due", "50", "--queries", "5"],
     "Scheduler.run_due"),
    (bench_memory.main, ["--size", "1k", "--calls", "5"], "Resident memory"),
    (bench_startup.main, ["--runs", "1"], "Console cold start"),
]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # One folder for the whole module, so the 1k corpus is generated once.
    monkeypatch.setenv(DATA_ENV, str(tmp_path_factory.getbasetemp() / "bench-data"))


@pytest.mark.parametrize(("main", "argv", "title"), CASES,
                         ids=[main.__module__.split(".")[-1] for main, _, _ in CASES])
def test_prints_its_figures(
    main: Main, argv: list[str], title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(argv)
    out = capsys.readouterr().out
    assert title in out
    assert "Python 3" in out  # the machine line above every table

