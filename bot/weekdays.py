"""The days of the week a schedule posts on: read from people's words, shown in words.

A set of weekdays is a 7-bit mask, bit ``date.weekday()`` (Monday is bit 0), so it fits
one SQLite integer and a test of a date is one shift. People write ``mon-fri``,
``mon,wed,fri``, ``weekdays``, ``weekends``, ``daily`` or full names in any letter case;
a word that could be two days ("t", "s") or none is refused with what is accepted.
"""

from __future__ import annotations

import re
from datetime import date

EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111
WEEKENDS = 0b1100000

_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_SETS = {
    "daily": EVERY_DAY, "every day": EVERY_DAY, "everyday": EVERY_DAY, "all": EVERY_DAY,
    "weekdays": WEEKDAYS, "weekday": WEEKDAYS, "workdays": WEEKDAYS,
    "weekends": WEEKENDS, "weekend": WEEKENDS,
}
# The forms offered by adapters that show choices (Discord), most asked for first.
CHOICES = ("daily", "mon-fri", "weekends", "mon,wed,fri", "tue,thu", "mon", "fri")
ACCEPTED = "daily, weekdays, weekends, mon-fri, mon,wed,fri or day names such as monday"


class DaysError(ValueError):
    """``str()`` is the one line a person is shown."""


def _day(word: str) -> int:
    """The weekday (Monday 0) a word names: a full name or any unambiguous start of one
    ("tu", "thurs", "f")."""
    hits = [i for i, name in enumerate(_NAMES) if word and name.startswith(word)]
    if len(hits) == 1:
        return hits[0]
    if hits:
        names = " or ".join(_NAMES[i] for i in hits)
        raise DaysError(f"'{word}' could be {names}: write more of it. Days: {ACCEPTED}.")
    raise DaysError(f"'{word[:20]}' is not a day. Days: {ACCEPTED}.")


def parse_days(text: str) -> int:
    """The mask ``text`` names; raises ``DaysError`` with a one-line explanation."""
    words = re.sub(r"\s*[-–]\s*", "-", " ".join(text.casefold().split()))
    if not words:
        raise DaysError(f"days needs a value. Days: {ACCEPTED}.")
    if words in _SETS:
        return _SETS[words]
    mask = 0
    for part in re.split(r"[,;/+ ]+", words):
        if not part or part == "and":
            continue
        if part in _SETS:
            mask |= _SETS[part]
            continue
        first, sep, last = part.partition("-")
        if sep:
            start, end = _day(first.strip()), _day(last.strip())
            span = (end - start) % 7
            for offset in range(span + 1):  # wraps: fri-mon is Fri, Sat, Sun, Mon
                mask |= 1 << ((start + offset) % 7)
        else:
            mask |= 1 << _day(part)
    return mask


def posts_on(mask: int, day: date) -> bool:
    return bool(mask >> day.weekday() & 1)


def describe(mask: int) -> str:
    """``every day``, ``weekdays``, ``weekends``, ``Mon–Wed, Fri``: runs of three or more
    days as a range."""
    named = {EVERY_DAY: "every day", WEEKDAYS: "weekdays", WEEKENDS: "weekends"}
    if mask in named:
        return named[mask]
    days = [i for i in range(7) if mask >> i & 1]
    runs: list[list[int]] = []
    for d in days:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [
        f"{_SHORT[r[0]]}–{_SHORT[r[-1]]}" if len(r) >= 3 else ", ".join(_SHORT[d] for d in r)
        for r in runs
    ]
    return ", ".join(parts)
