"""Film names for autocomplete: what Discord asks on every keystroke, in indexed queries.

Reading every film and matching in Python cost 35 ms at 2,000 films (p99). Here the
films whose title starts with what was typed come from a range scan of the
``films_title_lower`` index (``lower(title) >= q AND lower(title) < q + U+10FFFF``), and
only when fewer than ``limit`` do, films whose title contains it fill the rest from the
title grams (``film_grams``: every piece of one to three characters of each folded
title, with the title, in title order): what was typed, when it is that short, is itself
a gram, and the films holding it are read in title order up to the limit; a longer one is
looked for among the films holding its rarest three-character piece (``gram_sizes``
counts them), which every film containing it holds. A miss reads nothing: some piece of
it is in no title. Scanning the whole title index on a miss (10,000 films) cost a
millisecond, the p99 that missed the target.

What is typed is matched against the film's name, year included ("Her (20" finds
"Her (2013)"): the title part, before " (", goes to the index, and the names it finds
are checked whole. A year typed alone ("2013") finds nothing: titles are searched.
Case is folded the way ``lower()`` folds it on both engines (SQLite's, and PostgreSQL's
on the byte-ordered ``"C"`` titles), ASCII only: the same rule by which a command resolves
the name it is given (``CorpusStore.films_named``), so a name offered here is a name the
command accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.models import Film
from bot.storage.connection import Connection, Row

if TYPE_CHECKING:  # the database module imports the migrations, which import this one
    from bot.storage.database import Database

LIMIT = 25  # Discord shows at most 25 choices
_AFTER_EVERY_PREFIX = "\U0010ffff"  # the highest code point: sorts after any title char
_UNBOUNDED = 2**62  # a LIMIT that never binds (-1 means none to SQLite only)
_IN_RANGE = "lower(title) >= ? AND lower(title) < ?"
_PREFIX = (
    f"SELECT id, title, year FROM films WHERE {_IN_RANGE}"
    " ORDER BY lower(title), year LIMIT ?"
)
_GRAM = 3  # the longest piece of a title indexed
_PIECES = (8, 16, 32, 64)  # a longer text's pieces, padded to one of these counts
# Films whose folded title holds the gram and contains the folded text, in title order.
# The limit applies to the gram's rows, read in the primary key's (title) order until
# enough match: with the year in the same ORDER BY, PostgreSQL read and sorted every row
# of the gram (10 ms for a common one at 10,000 films).
_IN_TITLE_ORDER = (
    "SELECT f.id, f.title, f.year FROM (SELECT film_id, title FROM film_grams"
    " WHERE gram = {gram} AND title LIKE ? ESCAPE '\\' ORDER BY title LIMIT ?) AS g"
    " JOIN films f ON f.id = g.film_id ORDER BY g.title, f.year"
)
_CONTAINS_SHORT = _IN_TITLE_ORDER.format(gram="?")
# A longer text: its rarest piece, chosen in the same statement (one round trip), and
# nothing at all unless every piece is in some title. The pieces are padded (repeating
# the last) to a few fixed counts, so each shape is prepared once, not per keystroke.
_CONTAINS = {
    count: _IN_TITLE_ORDER.format(gram=(
        f"(SELECT gram FROM gram_sizes WHERE gram IN ({', '.join('?' * count)})"
        " AND films > 0 ORDER BY films, gram LIMIT 1) AND (SELECT COUNT(*) FROM gram_sizes"
        f" WHERE gram IN ({', '.join('?' * count)}) AND films > 0) = ?"
    ))
    for count in _PIECES
}
_Test = Callable[[str], bool]
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


async def film_names(db: Database, typed: str, limit: int = LIMIT) -> list[str]:
    """Up to ``limit`` film names for what a user has ``typed`` so far: names that start
    with it first, then names whose title contains it, each group in title order."""
    query = " ".join(typed.split())
    if limit <= 0:
        return []
    title = query.split(" (", 1)[0]
    # With part of the year typed, SQL cannot apply the limit: names are checked here.
    bounded = title == query
    folded = _ascii_lower(query)
    low = _ascii_lower(title)
    high = low + _AFTER_EVERY_PREFIX
    rows = await db.fetchall(_PREFIX, (low, high, limit if bounded else _UNBOUNDED))
    names = _names(rows, lambda name: name.startswith(folded))[:limit]
    if len(names) < limit and low:
        taken = set(names)
        # Names found above contain it too: read past them.
        bound = limit + len(names) if bounded else _UNBOUNDED
        pattern = f"%{_like_escape(low)}%"
        if len(low) <= _GRAM:  # itself a piece of the titles that contain it
            rows = await db.fetchall(_CONTAINS_SHORT, (low, pattern, bound))
        else:
            pieces = sorted({low[i:i + _GRAM] for i in range(len(low) - _GRAM + 1)})
            pieces = pieces[:_PIECES[-1]]  # any of them must be in a title containing it
            count = next(n for n in _PIECES if n >= len(pieces))
            padded = pieces + pieces[-1:] * (count - len(pieces))
            rows = await db.fetchall(_CONTAINS[count], (
                *padded, *padded, len(pieces), pattern, bound))
        names += [name for name in _names(rows, lambda name: folded in name)
                  if name not in taken][:limit - len(names)]
    return names


def title_grams(title: str) -> set[str]:
    """Every piece of one to ``_GRAM`` characters of the folded title."""
    low = _ascii_lower(title)
    return {low[i:i + n] for n in range(1, _GRAM + 1) for i in range(len(low) - n + 1)}


async def index_title(conn: Connection, film_id: int, title: str) -> None:
    """Make a new film findable by any part of its title (in its creating transaction)."""
    grams = sorted(title_grams(title))
    low = _ascii_lower(title)
    await conn.executemany(
        "INSERT INTO film_grams (gram, title, film_id) VALUES (?, ?, ?)",
        [(gram, low, film_id) for gram in grams],
    )
    await conn.executemany(
        "INSERT INTO gram_sizes (gram, films) VALUES (?, 1)"
        " ON CONFLICT (gram) DO UPDATE SET films = gram_sizes.films + 1",
        [(gram,) for gram in grams],
    )


async def unindex_title(conn: Connection, film_id: int) -> None:
    """Forget a film's title pieces, before the film is deleted."""
    await conn.execute(
        "UPDATE gram_sizes SET films = films - 1"
        " WHERE gram IN (SELECT gram FROM film_grams WHERE film_id = ?)",
        (film_id,),
    )
    await conn.execute("DELETE FROM film_grams WHERE film_id = ?", (film_id,))


def _names(rows: Sequence[Row], keep: _Test) -> list[str]:
    names = (Film(r["id"], r["title"], r["year"], None).name for r in rows)
    return [name for name in names if keep(_ascii_lower(name))]


def _ascii_lower(text: str) -> str:
    """Lower case the way ``lower()`` sees it on both engines: A–Z only."""
    return text.translate(_ASCII_LOWER)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
