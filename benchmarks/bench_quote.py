"""``/quote`` latency through the command layer and storage, against ``ORDER BY RANDOM()``.

Each iteration asks for a random film in one of 50 channels, so every draw advances
a real no-repeat deck (a ``decks`` upsert), exactly as in production but
without platform I/O. Three timings are interleaved per iteration so that noise on this
machine hits them alike:

- ``/quote``: ``ReviewBot.handle(inv, "quote", {"mood", "film"})``, parse to reply;
- ``lookup``: ``CommandContext.film(name)``, how the command finds the named film;
- ``draw``: ``CorpusStore.draw`` alone (the storage part of the above);
- ``naive``: the obvious query, ``SELECT … WHERE film_id = ? [AND label = ?] ORDER BY
  RANDOM() LIMIT 1``, on the same connection. It keeps no deck, so it may repeat. It is
  taken as often as ``/quote`` (``--naive-iterations``, default ``--iterations``), so
  both p99s rest on as many samples.

The bot runs in two modes, alternating in blocks of ``--block`` iterations within each
mood, the naive queries for the same iterations following in a block of their own:
``bg`` as shipped (WAL checkpoints in the checkpointer's thread,
``bot.storage.checkpointer``) and ``auto``, the previous behaviour and the baseline
(``wal_autocheckpoint=1000``: whichever commit fills the WAL checkpoints it, fsync
included, inside that ``/quote``). ``p99 vs bg`` and ``max vs bg`` compare the two.

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


MODES = ("bg", "auto")  # checkpoints in the background thread; the old auto-checkpoint


async def measure(
    key: str, iterations: int, naive_iterations: int, block: int,
    synchronous: str | None = None,
) -> list[list[object]]:
    """Two table rows per mood for the corpus ``key``, one per checkpoint mode.

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
            times: dict[str, dict[str, list[float]]] = {
                mode: {"quote": [], "lookup": [], "draw": []} for mode in MODES
            }
            naive_t: list[float] = []
            for first in range(0, iterations, block):
                span = range(first, min(first + block, iterations))
                # Each mode goes first every other block: the first one after the naive
                # block meets the pages it evicted, and would always pay for them.
                for mode in MODES if first // block % 2 == 0 else MODES[::-1]:
                    await _checkpoint_mode(core, mode)
                    t = times[mode]
                    for i in span:
                        film, channel = picks[i]
                        inv = Invocation("bench", channel, f"u{i}")  # many users: no cooldowns
                        t["quote"].append(await timed(_quote(core, inv, film, mood)))
                        t["lookup"].append(await timed(core.ctx.film(film.name)))
                        t["draw"].append(await timed(
                            core.corpus.draw(inv.channel_key + "/draw", film.id, mood, rng)
                        ))
                # A block of its own: a naive query reads a whole film, evicting the
                # pages the next /quote would have found in the cache.
                for i in span:
                    if i < naive_iterations:
                        naive_t.append(await timed(_naive(core, picks[i][0], mood)))
            n50, n95, n99 = summary_ms(naive_t)
            bg_max = max(times["bg"]["quote"])
            _, _, bg99 = summary_ms(times["bg"]["quote"])
            for mode in MODES:
                t = times[mode]
                q50, q95, q99 = summary_ms(t["quote"])
                q_max = max(t["quote"]) * 1000
                l50, _, _ = summary_ms(t["lookup"])
                d50, _, d99 = summary_ms(t["draw"])
                rows.append([
                    key + (f" sync={synchronous}" if synchronous else ""), f"{len(films):,}",
                    mood.value, mode, q50, q95, q99, q_max, l50, d50, d99, n50, n95, n99,
                    f"{n50 / q50:.1f}x", f"{n99 / q99:.1f}x",
                    f"{q99 / bg99:.1f}x", f"{q_max / (bg_max * 1000):.1f}x",
                ])
        return rows
    finally:
        await core.close()


async def _checkpoint_mode(core: ReviewBot, mode: str) -> None:
    """``bg``: the shipped checkpointer thread; ``auto``: SQLite checkpoints in commits."""
    if mode == "bg":
        await core.db.conn.execute("PRAGMA wal_autocheckpoint=0")
        core.db.start_checkpointer()
    else:
        await core.db.stop_checkpointer()
        await core.db.conn.execute("PRAGMA wal_autocheckpoint=1000")


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
    parser.add_argument("--iterations", type=int, default=1000,
                        help="/quote calls per mood and checkpoint mode")
    parser.add_argument("--naive-iterations", type=int,
                        help="naive queries per mood (default: as many as --iterations; "
                        "each can take 100+ ms on a big film)")
    parser.add_argument("--block", type=int, default=100,
                        help="iterations per checkpoint mode in turn")
    parser.add_argument("--synchronous", choices=["FULL", "OFF"],
                        help="what-if: run with this PRAGMA synchronous, not the core's")
    args = parser.parse_args(argv)
    naive = args.iterations if args.naive_iterations is None else args.naive_iterations
    rows = []
    for key in args.sizes.split(","):
        rows += asyncio.run(
            measure(key.strip(), args.iterations, naive, args.block, args.synchronous)
        )
    print_table(
        f"/quote latency, ms ({args.iterations} calls per mood and mode, modes alternating "
        f"in blocks of {args.block}; naive: first {naive}); x p50, x p99 = naive / /quote; "
        "vs bg = this mode / bg (auto: the old in-commit checkpoints)",
        ["corpus", "films", "mood", "mode", "p50", "p95", "p99", "max", "lookup p50",
         "draw p50", "draw p99", "naive p50", "naive p95", "naive p99", "x p50", "x p99",
         "p99 vs bg", "max vs bg"],
        rows,
    )


if __name__ == "__main__":
    main()
