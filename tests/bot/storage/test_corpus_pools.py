"""Many films renumbered at once (a dataset's thousands) give the very pools that
renumbering them one by one gives: the voice chosen per film, hidden quotes left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.storage import pools as pools_module
from tests.bot.ingest.test_datasets import write_csv


async def pools(core: ReviewBot) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    current = "JOIN films f ON f.id = p.film_id AND f.pool_version = p.version"
    ranks = await core.db.fetchall(f"SELECT film_id, mood, rank, quote_id FROM pool p {current}"
                                   " ORDER BY film_id, mood, rank")
    sizes = await core.db.fetchall(f"SELECT film_id, mood, size, live FROM pool_sizes p"
                                   f" {current} ORDER BY film_id, mood")
    return [tuple(r) for r in ranks], [tuple(r) for r in sizes]


async def test_bulk_renumbering_matches_one_by_one(
    core: ReviewBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pools_module, "POOL_CHUNK", 20)  # several chunks
    texts = ["A wonderful, moving and tender film.", "A dull, lifeless and tedious bore.",
             "It is a film about a man and a city."]
    rows = [[f"Film {f:02d} (2001)", texts[(f + i) % 3]]
            for f in range(45) for i in range(f % 4 + 1)]
    await core.ingest([write_csv(tmp_path / "many.csv", ["film", "text"], rows)])
    page = tmp_path / "page.txt"
    page.write_text("Posted by: Ann | May 1, 2014\n\nThe film is tender and wise, truly.\n\n"
                    "  1. I loved it, a wonderful film for everyone.\n")
    await core.ingest([page], "Page Only (2002)")
    async with core.db.transaction() as conn:
        await conn.execute("UPDATE quotes SET hidden = 1 WHERE id IN"
                           " (SELECT MIN(id) FROM quotes GROUP BY film_id LIMIT 7)")
        await conn.execute("UPDATE films SET pool_dirty = 1")
    await core.corpus.rebuild_dirty_pools()
    bulk = await pools(core)
    film_ids = [f.id for f in await core.corpus.films()]
    for film_id in film_ids:
        await core.corpus.rebuild_pool(film_id)
    assert bulk == await pools(core)
    assert len({r[0] for r in bulk[0]}) >= 45
