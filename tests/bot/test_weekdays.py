"""Days of the week in people's words: parsed to a mask, shown back in words."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.weekdays import EVERY_DAY, WEEKDAYS, WEEKENDS, DaysError, describe, parse_days, posts_on

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << i for i in range(7))


@pytest.mark.parametrize(("typed", "mask"), [
    ("daily", EVERY_DAY), ("Every Day", EVERY_DAY), ("weekdays", WEEKDAYS),
    ("mon-fri", WEEKDAYS), ("Monday - Friday", WEEKDAYS), ("mon–fri", WEEKDAYS),
    ("weekends", WEEKENDS), ("sat,sun", WEEKENDS), ("mon,wed,fri", MON | WED | FRI),
    ("MON WED FRI", MON | WED | FRI), ("tue and thu", TUE | THU), ("thurs", THU),
    ("fri-mon", FRI | SAT | SUN | MON), ("monday", MON), ("su", SUN),
    ("weekends, mon", WEEKENDS | MON),
])
def test_days_in_peoples_words(typed: str, mask: int) -> None:
    assert parse_days(typed) == mask


@pytest.mark.parametrize(("typed", "says"), [
    ("t", "'t' could be tuesday or thursday"),
    ("s", "'s' could be saturday or sunday"),
    ("blursday", "'blursday' is not a day"),
    ("mon-xyz", "'xyz' is not a day"),
    ("", "days needs a value"),
])
def test_an_ambiguous_or_unknown_word_names_what_is_accepted(typed: str, says: str) -> None:
    with pytest.raises(DaysError) as caught:
        parse_days(typed)
    assert str(caught.value).startswith(says)
    assert "Days: daily, weekdays, weekends, mon-fri, mon,wed,fri" in str(caught.value)


@pytest.mark.parametrize(("mask", "shown"), [
    (EVERY_DAY, "every day"), (WEEKDAYS, "weekdays"), (WEEKENDS, "weekends"),
    (MON | WED | FRI, "Mon, Wed, Fri"), (MON | TUE | WED | FRI, "Mon–Wed, Fri"),
    (SUN, "Sun"),
])
def test_days_are_shown_in_words(mask: int, shown: str) -> None:
    assert describe(mask) == shown
    assert parse_days(shown.replace("–", "-")) == mask


def test_posts_on_reads_the_weekday_of_a_date() -> None:
    monday = date(2026, 3, 2)
    week = [monday + timedelta(days=i) for i in range(7)]
    assert [posts_on(MON | FRI, d) for d in week] == [True, False, False, False, True, False,
                                                      False]
