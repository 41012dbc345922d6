"""Dataset ingest (issue 12): rows/s and peak memory of a Rotten Tomatoes-style CSV.

A CSV in the columns of the Rotten Tomatoes critic-reviews dataset is generated once
(``--rows``, default 1M; 64 rows per film as in the real dataset, its ~1.1M reviews of
~17.7k films; quoted fields, commas and some embedded newlines, 3 % of rows without text
as there), from the seed corpus' critic sentences (``benchmarks/corpus.py``). Then, each
in a fresh subprocess so its peak resident memory (VmHWM) is its own:

- baseline: ``csv.reader`` over the file, parse only: the floor of any CSV ingest;
- ingest with a scorer that costs nothing: staging, batching and storage;
- ingest with the real scorer (``default_scorer()``): what a user waits for.

A second table times reading one review page of 12 paragraphs and 8 comments as HTML
(trafilatura and the quote rules, ``bot.ingest.html``) against the same page saved as
text (``bot.ingest.webpage``, the format that needs no extractor).

Run: ``.venv/bin/python -m benchmarks.bench_dataset --rows 1M`` (``--rows 100k`` is quick)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks import corpus
from benchmarks.bench_ingest import FreeScorer
from benchmarks.common import data_dir, parse_size, peak_rss_mb, print_table, progress
from bot.app import ReviewBot
from bot.ingest.html import parse_html
from bot.ingest.webpage import parse_webpage
from bot.sentiment import default_scorer
from bot.settings import Settings

ROWS_PER_FILM = 64
HEADER = ["rotten_tomatoes_link", "critic_name", "top_critic", "publisher_name",
          "review_type", "review_score", "review_date", "review_content"]
OUTLETS = ["New York Times", "Chicago Sun-Times", "Variety", "The Guardian", "Slant Magazine",
           "Film Comment, Inc.", "RogerEbert.com", "Little White Lies"]
CRITICS = ["Manohla Dargis", "Roger Ebert", "Ann Hornaday", "Peter Bradshaw", "", "A.O. Scott",
           "Mark Kermode", "Dana Stevens"]


def dataset(rows: int) -> Path:
    """The generated CSV of ``rows`` rows, written once under the benchmark data folder."""
    path = data_dir() / f"rt-critic-reviews-v{corpus.VERSION}-{rows}.csv"
    if path.exists():
        return path
    progress(f"writing a {rows:,}-row Rotten Tomatoes-style CSV to {path}")
    bank = corpus.sentences()
    rng = random.Random(f"bench-dataset:{rows}")
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            film = i // ROWS_PER_FILM
            text = rng.choice(bank).text
            if rng.random() < 0.4:
                joiner = "\n" if rng.random() < 0.1 else " "
                text = f"{text}{joiner}{rng.choice(bank).text}"
            if rng.random() < 0.03:
                text = ""
            writer.writerow([
                f"m/bench_film_{film:06d}", rng.choice(CRITICS), rng.random() < 0.25,
                rng.choice(OUTLETS), "Fresh" if rng.random() < 0.6 else "Rotten",
                f"{rng.randint(1, 5)}/5", f"20{rng.randint(10, 20)}-0{rng.randint(1, 9)}-1"
                f"{rng.randint(0, 9)}", text,
            ])
    partial.rename(path)
    return path


def _child(args: argparse.Namespace) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    path = Path(args.csv)
    start = time.perf_counter()
    if args.child == "parse":
        with path.open(encoding="utf-8", newline="") as f:
            rows = sum(1 for _ in csv.reader(f)) - 1
        quotes = 0
    else:
        rows, quotes = asyncio.run(_ingest(path, Path(args.db), args.child == "real"))
        if rows == 0:
            raise RuntimeError("nothing ingested")
    seconds = time.perf_counter() - start
    print(json.dumps({"rows": rows, "quotes": quotes, "seconds": seconds,
                      "peak_mb": peak_rss_mb()}))


async def _ingest(path: Path, db: Path, real: bool) -> tuple[int, int]:
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    settings = Settings(db_path=db, max_file_bytes=1 << 40)
    core = await ReviewBot.open(settings, scorer=default_scorer() if real else FreeScorer(),
                                ingest_default_corpus=False)
    try:
        done: list[int] = [0]
        report = await core.ingest([path], on_progress=lambda d, t: done.__setitem__(0, d))
        if report.failed:
            raise RuntimeError(report.failed[0].line())
        return done[0], report.quotes_added
    finally:
        await core.close()


def _measure(kind: str, csv_path: Path) -> dict[str, float]:
    db = data_dir() / f"bench-dataset-{kind}.sqlite3"
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_dataset", "--child", kind, "--csv",
         str(csv_path), "--db", str(db)],
        capture_output=True, text=True, check=True,
    ).stdout
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def review_page() -> tuple[str, str]:
    """(HTML, the same page saved as text) of a blog review with comments and furniture."""
    bank = [s.text for s in corpus.sentences()]
    paragraphs = [" ".join(bank[i * 3:i * 3 + 3]) for i in range(12)]
    comments = [bank[100 + i] for i in range(8)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    thread = "".join(f'<li class="comment"><b class="fn">Reader {i}</b> says:'
                     f'<div class="comment-content"><p>{c}</p></div></li>'
                     for i, c in enumerate(comments))
    html = (
        "<!DOCTYPE html><html><head><title>Her review</title>"
        '<meta name="author" content="Jane Critic"><meta property="og:site_name" '
        'content="Reel Thoughts"></head><body><nav><ul><li><a href="/">Home</a></li>'
        '<li><a href="/r">Reviews</a></li></ul></nav><article><h1>Her review</h1>'
        f'<div class="entry-content">{body}<div class="sharedaddy"><h3>Share this:</h3>'
        '</div></div></article><div id="comments"><h2>8 thoughts on “Her review”</h2>'
        f'<ol class="comment-list">{thread}</ol><div id="respond"><h3>Leave a Reply</h3>'
        "</div></div><footer>© Reel Thoughts</footer></body></html>"
    )
    text = ("Her review\n\nPosted by: Jane Critic | January 12, 2014\n\n"
            + "\n\n".join(paragraphs) + "\n\n8 thoughts on “Her review”\n\n"
            + "\n\n".join(f"Reader {i}\n\n{c}" for i, c in enumerate(comments))
            + "\n\nLeave a Reply\n")
    return html, text


def html_figures(runs: int) -> None:
    html, text = review_page()
    rows: list[list[object]] = []
    base = 0.0
    for label, parse, page in (("baseline: the page saved as text", parse_webpage, text),
                               ("HTML, trafilatura + quote rules", parse_html, html)):
        quotes = len(parse(page).quotes)  # warm: pysbd, the tagger, lxml
        start = time.perf_counter()
        for _ in range(runs):
            parse(page)
        seconds = (time.perf_counter() - start) / runs
        base = base or seconds
        rows.append([label, quotes, seconds * 1000, f"{seconds / base:.2f}x"])
    print_table(f"Reading one review page ({len(html):,} bytes of HTML), {runs} runs",
                ["format", "quotes", "ms/page", "vs baseline"], rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1M", help="rows of the CSV: 10k, 100k, 1M")
    parser.add_argument("--pages", type=int, default=200, help="runs of the page timing")
    parser.add_argument("--child", choices=["parse", "free", "real"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    rows = parse_size(args.rows)
    path = dataset(rows)
    size_mb = path.stat().st_size / 1e6
    figures = {}
    for kind in ("parse", "free", "real"):
        progress(f"measuring {kind} on {path.name}")
        figures[kind] = _measure(kind, path)
    # Every rate counts the file's rows (those without text too: they are read as well).
    base = rows / figures["parse"]["seconds"]
    table = []
    for kind, label in (("parse", "baseline: csv.reader, parse only"),
                        ("free", "ingest, scorer that costs nothing"),
                        ("real", "ingest, real scorer")):
        f = figures[kind]
        rate = rows / f["seconds"]
        table.append([label, rows, int(f["quotes"]), f["seconds"], rate,
                      f"{rate / base:.3f}x", f["peak_mb"]])
    print_table(
        f"Dataset ingest: {rows:,}-row Rotten Tomatoes-style CSV ({size_mb:.0f} MB, "
        f"{-(-rows // ROWS_PER_FILM):,} films)",
        ["run", "rows", "quotes", "s", "rows/s", "vs baseline", "peak RSS MB"], table,
    )
    html_figures(args.pages)


if __name__ == "__main__":
    main()
