"""Which column of a dataset holds what: the Rotten Tomatoes names, aliases, options.

The Rotten Tomatoes critic-reviews dataset (``rotten_tomatoes_critic_reviews.csv``) is
recognised by its own column names; other files name theirs with ``--text``, ``--film``,
``--label``, ``--critic``, ``--outlet``, ``--date`` and ``--url``. A column a person
named must exist (a typo would otherwise silently ingest nothing); the usual names are
looked for only where nobody named one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields

from bot.models import Label

# Looked for in this order when no option names the column (case-insensitive).
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("review_content", "text", "review", "quote", "content", "review_text"),
    "film": ("movie_title", "film", "movie", "film_title", "rotten_tomatoes_link"),
    "label": ("review_type", "label", "sentiment", "polarity"),
    "critic": ("critic_name", "critic", "author"),
    "outlet": ("publisher_name", "outlet", "publisher", "publication"),
    "date": ("review_date", "date", "published"),
    "url": ("review_url", "url", "link"),
}

# What a source's label says, folded to lower case. "1/0" is the binary datasets'
# convention (IMDB, SST-2, MR as CSV): 1 positive, 0 negative.
LABEL_VALUES: dict[str, Label] = {
    **dict.fromkeys(("fresh", "positive", "pos", "p", "1", "1.0", "+1", "+", "true", "yes",
                     "good"), Label.POSITIVE),
    **dict.fromkeys(("rotten", "negative", "neg", "n", "0", "0.0", "-1", "-", "false", "no",
                     "bad"), Label.NEGATIVE),
    **dict.fromkeys(("mixed", "neutral", "neu"), Label.NEUTRAL),
}
KNOWN_LABELS = "Fresh/Rotten, positive/negative, pos/neg, 1/0, mixed"


class ColumnError(ValueError):
    """The file's columns cannot be read as reviews; ``str()`` is the one-line reason."""


@dataclass(frozen=True)
class ColumnMap:
    """Column names a person chose (``None``: look for the usual names)."""

    text: str | None = None
    film: str | None = None
    label: str | None = None
    critic: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Columns:
    """Positions of the columns in a header (``None``: the file has no such column).
    ``film_from_link``: the film column is a Rotten Tomatoes link (``m/her``)."""

    text: int
    film: int | None
    label: int | None
    critic: int | None
    outlet: int | None
    date: int | None
    url: int | None
    film_from_link: bool


def find_columns(header: Sequence[str], chosen: ColumnMap, film: str | None) -> Columns:
    """Where each field is in ``header``, or ``ColumnError``.

    ``film`` (the film given for the whole input, ``--film``) names the film column
    when the header has a column of exactly that name, so ``--film movie`` maps a column
    as the other options do while ``--film "Her (2013)"`` still names the film.
    """
    names = [h.strip().lstrip("\ufeff").casefold() for h in header]
    found: dict[str, int | None] = {}
    for f in fields(ColumnMap):
        wanted = getattr(chosen, f.name)
        if f.name == "film" and wanted is None and film and film.strip().casefold() in names:
            wanted = film
        if wanted is not None:
            key = wanted.strip().casefold()
            if key not in names:
                raise ColumnError(
                    f"no column {wanted!r} (--{f.name}); the columns are {_listing(header)}"
                )
            found[f.name] = names.index(key)
        else:
            found[f.name] = next(
                (names.index(a) for a in ALIASES[f.name] if a in names), None
            )
    text = found["text"]
    if text is None:
        raise ColumnError(
            f"no text column (looked for {', '.join(ALIASES['text'][:4])}); the columns are "
            f"{_listing(header)}: say which with --text"
        )
    film_at = found["film"]
    return Columns(
        text, film_at, found["label"], found["critic"], found["outlet"], found["date"],
        found["url"],
        film_from_link=film_at is not None and names[film_at] == "rotten_tomatoes_link",
    )


def _listing(header: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(h.strip()[:40]) for h in header[:limit])
    return shown + (f" and {len(header) - limit} more" if len(header) > limit else "") or "none"


_SMALL_WORDS = frozenset({
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of",
    "on", "or", "the", "to", "vs", "with",
})
_LINK_ID = re.compile(r"^\d+[-_]")  # "m/1003707-casablanca": an old numeric id
_LINK_YEAR = re.compile(r"^(?P<title>.+?)_(?P<year>(?:19|20)\d\d)$")


def film_from_link(link: str) -> str:
    """A readable film name from a Rotten Tomatoes link: ``m/her`` → "Her",
    ``m/the_dark_knight`` → "The Dark Knight", ``m/the_thing_2011`` → "The Thing (2011)".
    A full URL works too; anything else is returned tidied."""
    slug = link.strip().rstrip("/").rsplit("/", 1)[-1]
    slug = _LINK_ID.sub("", slug)
    year = ""
    dated = _LINK_YEAR.match(slug)
    if dated:
        slug, year = dated["title"], f" ({dated['year']})"
    words = [w for w in re.split(r"[_\-\s]+", slug) if w]
    if not words:
        return link.strip()
    titled = [
        w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    ]
    return " ".join(titled) + year
