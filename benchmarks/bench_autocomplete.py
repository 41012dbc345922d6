"""Film autocomplete (``ReviewBot.film_names``) at 2,000 and 10,000 films, against the
approach it replaced: read every film, match in Python (``best_film_matches``).

Each database holds only films (autocomplete reads nothing else), titled from a fixed
vocabulary so that prefixes are shared the way real titles share "The" and "Night".
Queries are what a user types: every prefix of a random film's name, a word from the
middle of one (substring), and a name that matches nothing. Both approaches get the same
queries, alternating in blocks of 100 so that noise hits them alike; garbage is collected
before each block, so the baseline's (10,000 films read per keystroke) is not timed
against the new query.

Run: ``.venv/bin/python -m benchmarks.bench_autocomplete --sizes 2k,10k``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import time
from collections.abc import Awaitable, Callable, Sequence

from benchmarks.common import (
    data_dir,
    parse_size,
    postgres_admin,
    postgres_exists,
    postgres_url,
    print_table,
    summary_ms,
)
from bot.storage import Database
from bot.storage.corpus import CorpusStore, best_film_matches
from bot.storage.film_search import LIMIT, film_names, index_title
from bot.storage.migrations import MIGRATIONS

Approach = Callable[[str], Awaitable[list[str]]]
BLOCK = 100  # keystrokes per approach in turn

_FIRST = ("The", "A", "Night", "Last", "Red", "Silent", "Little", "Blue", "Lost", "Dark",
          "Golden", "Broken", "Wild", "Secret", "Cold", "Empty", "High", "Long", "Paper",
          "Iron")
_SECOND = ("Road", "House", "City", "River", "Summer", "Garden", "Window", "Mountain",
           "Station", "Letter", "Promise", "Harbour", "Machine", "Kingdom", "Dream",
           "Stranger", "Mirror", "Island", "Orchard", "Frontier", "Circus", "Lantern")
_THIRD = ("", " Returns", " of Fire", " Part II", " at Dawn", " in Winter", " Blues",
          " Forever", " and Sons", " Redux")


def titles(count: int) -> list[tuple[str, int]]:
    """``count`` distinct (title, year) pairs, the same every run."""
    rng = random.Random(count)
    seen: set[tuple[str, int]] = set()
    while len(seen) < count:
        title = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}{rng.choice(_THIRD)}"
        seen.add((title, rng.randrange(1920, 2026)))
    return sorted(seen)


async def database(count: int, backend: str) -> Database:
    """Only films, built once and kept: a file under the data folder, or a database of
    that name on the benchmarks' PostgreSQL server."""
    name = f"films-{count}-s{len(MIGRATIONS)}"
    if backend == "postgresql":
        dbname = name.replace("-", "_")
        fresh = not await postgres_exists(dbname)
        if fresh:
            await postgres_admin(f'CREATE DATABASE "{dbname}"')
        db = await Database.open(postgres_url(dbname))
    else:
        path = data_dir() / f"{name}.sqlite3"
        fresh = not path.exists()
        db = await Database.open(path)
    if fresh:
        async with db.transaction() as conn:
            for title, year in titles(count):
                row = await conn.fetchone(
                    "INSERT INTO films (title, year) VALUES (?, ?) RETURNING id", (title, year))
                assert row is not None
                await index_title(conn, int(row[0]), title)
        if backend == "postgresql":
            # As autovacuum would before long: the build's updates of gram_sizes left
            # dead rows, and a plan made without statistics reads a gram whole.
            await db.fetchall("VACUUM ANALYZE")
    return db


def queries(names: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """Keystroke by keystroke: prefixes of a name, a word inside one, a miss."""
    out: list[str] = []
    while len(out) < count:
        name = rng.choice(names)
        out += [name[:i] for i in range(1, min(len(name), 12) + 1)]
        words = name.split()
        out.append(words[len(words) // 2].lower())
        out.append("zebra crossing")
    return out[:count]


def _new(db: Database) -> Approach:
    async def names(typed: str) -> list[str]:
        return await film_names(db, typed)
    return names


def _old(corpus: CorpusStore) -> Approach:
    async def names(typed: str) -> list[str]:
        """The replaced ``ReviewBot.film_names``."""
        films = await corpus.films()
        hits = best_film_matches(films, typed) if typed.strip() else films
        return [f.name for f in hits[:LIMIT]]
    return names


async def measure(count: int, samples: int, backend: str) -> list[object]:
    db = await database(count, backend)
    try:
        corpus = CorpusStore(db)
        names = [f.name for f in await corpus.films()]
        new_t: list[float] = []
        old_t: list[float] = []
        typed = queries(names, samples, random.Random(samples))
        for first in range(0, samples, BLOCK):
            block = typed[first:first + BLOCK]
            for approach, times in ((_new(db), new_t), (_old(corpus), old_t)):
                gc.collect()  # the baseline's garbage is not collected on the new one's time
                for text in block:
                    start = time.perf_counter()
                    await approach(text)
                    times.append(time.perf_counter() - start)
        n50, _, n99 = summary_ms(new_t)
        o50, _, o99 = summary_ms(old_t)
        return [backend, f"{len(names):,}", samples, n50, n99, max(new_t) * 1000, o50, o99,
                f"{o50 / n50:.0f}x", f"{o99 / n99:.0f}x"]
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2k,10k", help="films, e.g. 2k,10k")
    parser.add_argument("--samples", type=int, default=2000, help="queries timed per approach")
    parser.add_argument("--backends", default="sqlite,postgresql",
                        help="sqlite, postgresql or both (the server of "
                             "REVIEWBOT_BENCH_POSTGRES)")
    args = parser.parse_args(argv)
    rows = [asyncio.run(measure(parse_size(size), args.samples, backend))
            for size in args.sizes.split(",") for backend in args.backends.split(",")]
    print_table(
        f"Film autocomplete latency, ms ({args.samples} keystrokes each, alternating in blocks of "
        f"{BLOCK}); "
        "baseline = every film read and matched in Python",
        ["backend", "films", "samples", "p50", "p99", "max", "baseline p50", "baseline p99",
         "x p50", "x p99"],
        rows,
    )


if __name__ == "__main__":
    main()
