"""Film names for autocomplete: what Discord asks on every keystroke, in indexed queries.

Reading every film and matching in Python cost 35 ms at 2,000 films (p99). Here the
films whose title starts with what was typed come from a range scan of the
``films_title_lower`` index (``lower(title) >= q AND lower(title) < q + U+10FFFF``), and
only when fewer than ``limit`` do, films whose title contains it fill the rest, from a
scan of the same index (covering on SQLite: no table row is read) that stops at ``limit``
hits. A miss reads the whole index, the floor of a substring search without a text index.

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

from bot.models import Film
from bot.storage.connection import Row
from bot.storage.database import Database

LIMIT = 25  # Discord shows at most 25 choices
_AFTER_EVERY_PREFIX = "\U0010ffff"  # the highest code point: sorts after any title char
_UNBOUNDED = 2**62  # a LIMIT that never binds (-1 means none to SQLite only)
_IN_RANGE = "lower(title) >= ? AND lower(title) < ?"
_PREFIX = (
    f"SELECT id, title, year FROM films WHERE {_IN_RANGE}"
    " ORDER BY lower(title), year LIMIT ?"
)
# The pattern is folded here, so LIKE's own case rule (folding on SQLite, exact on
# PostgreSQL) does not matter. The inner query walks the title index in order and stops
# at its limit; years are read for hits only.
_CONTAINS = (
    "SELECT id, title, year FROM films WHERE id IN ("
    " SELECT id FROM films INDEXED BY films_title_lower"
    f" WHERE lower(title) LIKE ? ESCAPE '\\' AND NOT ({_IN_RANGE})"
    " ORDER BY lower(title) LIMIT ?)"
    " ORDER BY lower(title), year"
)
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
    if len(names) < limit and title:
        rows = await db.fetchall(_CONTAINS, (
            f"%{_like_escape(low)}%", low, high,
            limit - len(names) if bounded else _UNBOUNDED,
        ))
        names += _names(rows, lambda name: folded in name)[:limit - len(names)]
    return names


def _names(rows: Sequence[Row], keep: _Test) -> list[str]:
    names = (Film(r["id"], r["title"], r["year"], None).name for r in rows)
    return [name for name in names if keep(_ascii_lower(name))]


def _ascii_lower(text: str) -> str:
    """Lower case the way ``lower()`` sees it on both engines: A–Z only."""
    return text.translate(_ASCII_LOWER)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
