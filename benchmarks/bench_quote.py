"""``/quote`` latency through the command layer and storage, against ``ORDER BY RANDOM()``.

Each iteration asks for a random film in one of 50 channels, so every draw advances
a real no-repeat deck (a ``decks`` upsert), exactly as in production but
without platform I/O. Three timings are interleaved per iteration so that noise on this
machine hits them alike:

- ``/quote``: ``ReviewBot.handle(inv, "quote", {"mood", "film"})``, parse to reply;
- ``lookup``: ``CommandContext.film(name)``, how the command finds the named film;
- ``draw``: ``CorpusStore.draw`` alone (the storage part of the above);
- ``naive``: the obvious query, ``SELECT … WHERE film_id = ? [AND label = ?] ORDER BY
  RANDOM() LIMIT 1``, on the same connection. It keeps no deck, so it may repeat.

Run: ``.venv/bin/python -m benchmarks.bench_quote --sizes 1k,100k,1M,1M-1film``
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Sequence

from benchmarks import corpus
from benchmarks.common import print_table, summary_ms, timed
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Film, Mood
from bot.replies import QuoteReply
from bot.settings import Settings

CHANNELS = 50
_NAIVE = "SELECT id, text, author, label, polarity FROM quotes WHERE film_id = ?"


async def measure(
    key: str, iterations: int, naive_iterations: int, synchronous: str | None = None
) -> list[list[object]]:
    """One table row per mood for the corpus ``key``.

    ``synchronous`` overrides the core's ``PRAGMA synchronous`` (NORMAL) to show what an
    fsync on every deck update would cost; the default measures the bot as shipped.
    """
    core = await ReviewBot.open(Settings(db_path=await corpus.database(key)),
                                ingest_default_corpus=False)
    try:
        if synchronous:
            await core.db.conn.execute(f"PRAGMA synchronous={synchronous}")
        async with core.db.transaction() as conn:
            await conn.execute("DELETE FROM decks")  # every run starts with fresh decks
        films = await core.corpus.films()
        rng = random.Random(key)
        rows: list[list[object]] = []
        for mood in Mood:
            picks = [(rng.choice(films), f"c{rng.randrange(CHANNELS)}")
                     for _ in range(iterations)]
            quote_t, lookup_t, draw_t, naive_t = [], [], [], []
            for i, (film, channel) in enumerate(picks):
                inv = Invocation("bench", channel, f"u{i}")  # many users: no cooldown refusals
                quote_t.append(await timed(_quote(core, inv, film, mood)))
                lookup_t.append(await timed(core.ctx.film(film.name)))
                draw_t.append(await timed(
                    core.corpus.draw(inv.channel_key + "/draw", film.id, mood, rng)
                ))
                if i < naive_iterations:
                    naive_t.append(await timed(_naive(core, film, mood)))
            q50, q95, q99 = summary_ms(quote_t)
            l50, _, _ = summary_ms(lookup_t)
            d50, _, d99 = summary_ms(draw_t)
            n50, n95, n99 = summary_ms(naive_t)
            rows.append([
                key + (f" sync={synchronous}" if synchronous else ""), f"{len(films):,}",
                mood.value, q50, q95, q99, l50, d50, d99, n50, n95, n99,
                f"{n50 / q50:.1f}x", f"{n99 / q99:.1f}x",
            ])
        return rows
    finally:
        await core.close()


async def _quote(core: ReviewBot, inv: Invocation, film: Film, mood: Mood) -> None:
    reply = await core.handle(inv, "quote", {"mood": mood.value, "film": film.name})
    if not isinstance(reply, QuoteReply):
        raise RuntimeError(f"/quote failed: {reply}")


async def _naive(core: ReviewBot, film: Film, mood: Mood) -> None:
    label = "" if mood is Mood.ANY else " AND label = ?"
    params = (film.id,) if mood is Mood.ANY else (film.id, mood.value)
    async with core.db.conn.execute(
        f"{_NAIVE}{label} ORDER BY RANDOM() LIMIT 1", params
    ) as cur:
        if await cur.fetchone() is None:
            raise RuntimeError(f"naive query found nothing for {film.name} {mood.value}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k,1M,1M-1film",
                        help="corpus keys: 1k, 100k, 1M, or N-1film for one big film")
    parser.add_argument("--iterations", type=int, default=1000, help="/quote calls per mood")
    parser.add_argument("--naive-iterations", type=int, default=100,
                        help="naive queries per mood (each can take 100+ ms on a big film)")
    parser.add_argument("--synchronous", choices=["FULL", "OFF"],
                        help="what-if: run with this PRAGMA synchronous, not the core's")
    args = parser.parse_args(argv)
    rows = []
    for key in args.sizes.split(","):
        rows += asyncio.run(
            measure(key.strip(), args.iterations, args.naive_iterations, args.synchronous)
        )
    print_table(
        f"/quote latency, ms ({args.iterations} calls per mood; naive: first "
        f"{args.naive_iterations}); speed-up = naive / /quote",
        ["corpus", "films", "mood", "p50", "p95", "p99", "lookup p50", "draw p50", "draw p99",
         "naive p50", "naive p95", "naive p99", "x p50", "x p99"],
        rows,
    )


if __name__ == "__main__":
    main()
