"""Autocomplete's film names: prefix hits from the title index, then substring hits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from bot.storage import Database
from bot.storage.film_search import _PREFIX, LIMIT, film_names, index_title
from bot.storage.films import FilmStore
from tests.backends import only_on_sqlite

TITLES = [
    ("Her", 2013), ("Heat", 1995), ("heathers", 1988), ("The Others", 2001),
    ("Other", None), ("Mother!", 2017), ("100% Wolf", 2020), ("100 Wolves", 2019),
    ("Under_score", 2000), ("Amélie", 2001), ("Ötzi", 2011),
]


async def add_films(db: Database, films: Sequence[tuple[str, int | None]]) -> None:
    """Films as ingest makes them: the row, and its title's pieces for the search."""
    async with db.transaction() as conn:
        for title, year in films:
            row = await conn.fetchone(
                "INSERT INTO films (title, year) VALUES (?, ?) RETURNING id", (title, year))
            assert row is not None
            await index_title(conn, int(row[0]), title)


@pytest.fixture
async def db(empty_target: Path | str) -> AsyncIterator[Database]:
    database = await Database.open(empty_target)
    await add_films(database, TITLES)
    yield database
    await database.close()


@pytest.mark.parametrize(("typed", "names"), [
    ("he", ["Heat (1995)", "heathers (1988)", "Her (2013)", "Mother! (2017)", "Other",
            "The Others (2001)"]),
    ("HER (20", ["Her (2013)"]),
    ("  her  ", ["Her (2013)", "heathers (1988)", "Mother! (2017)", "Other",
                 "The Others (2001)"]),
    ("other", ["Other", "Mother! (2017)", "The Others (2001)"]),
    ("others (2", ["The Others (2001)"]),
    ("(2001)", []),
    ("100%", ["100% Wolf (2020)"]),
    ("r_s", ["Under_score (2000)"]),
    ("amé", ["Amélie (2001)"]),
    ("zzz", []),
])
async def test_prefix_hits_come_before_substring_hits(
    db: Database, typed: str, names: list[str]
) -> None:
    assert await film_names(db, typed) == names


async def test_nothing_typed_lists_films_in_title_order(db: Database) -> None:
    names = await film_names(db, "")
    assert names[:3] == ["100 Wolves (2019)", "100% Wolf (2020)", "Amélie (2001)"]
    assert len(names) == len(TITLES)
    assert await film_names(db, "", limit=2) == names[:2]


async def test_at_most_the_limit(db: Database) -> None:
    await add_films(
        db,
        [(f"Sequel {i:02}", 2000) for i in range(LIMIT + 10)]
        + [(f"A Sequel {i:02}", 2000) for i in range(10)],
    )
    names = await film_names(db, "sequel")
    assert names == [f"Sequel {i:02} (2000)" for i in range(LIMIT)]
    names = await film_names(db, "sequel 0", limit=12)
    assert names == [f"Sequel {i:02} (2000)" for i in range(10)] + [
        "A Sequel 00 (2000)", "A Sequel 01 (2000)"
    ]


async def test_the_prefix_query_uses_the_title_index(db: Database, backend: str) -> None:
    only_on_sqlite(backend, "PostgreSQL's planner scans ten rows whatever the index")
    plan = " ".join(str(row[3]) for row in await db.fetchall(
        f"EXPLAIN QUERY PLAN {_PREFIX}", ("a", "b", 25)
    ))
    assert "films_title_lower" in plan and "SCAN" not in plan


async def test_a_longer_text_is_found_through_its_rarest_piece_and_a_miss_reads_nothing(
    db: Database
) -> None:
    await add_films(db, [(f"The Long Road {i}", 1990 + i) for i in range(30)]
                    + [("Roadhouse", 1989)])
    # "oadh" holds "oad" (31 titles) and "adh" (one): the one title holding it is found.
    assert await film_names(db, "oadh") == ["Roadhouse (1989)"]
    assert await film_names(db, "road 1") == [
        f"The Long Road {i} ({1990 + i})" for i in (1, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
    ]
    assert await film_names(db, "zzq") == []
    assert await film_names(db, "road zz") == []


async def test_a_removed_film_is_no_longer_offered(db: Database) -> None:
    row = await db.fetchone("SELECT id FROM films WHERE title = 'Mother!'")
    assert row is not None and "Mother! (2017)" in await film_names(db, "ther")
    assert await FilmStore(db).remove(int(row[0]), "gone", default_corpus=False) is not None
    assert "Mother! (2017)" not in await film_names(db, "ther")
    sizes = await db.fetchone("SELECT films FROM gram_sizes WHERE gram = '!'")
    assert sizes is not None and sizes[0] == 0
