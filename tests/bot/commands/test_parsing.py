"""Argument parsing: examples and properties (hypothesis) of words, options and times."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.parsing import (
    UsageError,
    from_options,
    parse_line,
    time_value,
    zone_value,
)


@pytest.mark.parametrize(
    ("line", "values"),
    [
        ("/quote", {}),
        ("quote negative", {"mood": "negative"}),
        ("/quote Her", {"film": "Her"}),
        ("/quote mood:positive film:Her (2013)", {"mood": "positive", "film": "Her (2013)"}),
        ('/quote film:"Her (2013)" negative', {"film": "Her (2013)", "mood": "negative"}),
        ("/mood what a dull film", {"text": "what a dull film"}),
        ("/mood Verdict: dull", {"text": "Verdict: dull"}),
        ("/quote Mission: Impossible", {"film": "Mission: Impossible"}),
        ("/daily set 09:00 Europe/Paris positive Her",
         {"time": "09:00", "timezone": "Europe/Paris", "mood": "positive", "film": "Her"}),
        ("/daily set 9:30 negative", {"time": "9:30", "mood": "negative"}),
        ("/daily set time:07:15 timezone:Asia/Tokyo", {"time": "07:15", "timezone": "Asia/Tokyo"}),
    ],
)
def test_examples(line: str, values: dict[str, str]) -> None:
    assert parse_line(line).values == values


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("", "Type a command"),
        ("/nope", "There is no /nope"),
        ("/daily", "needs one of: set, show"),
        ("/daily maybe", "use set, show"),
        ("/daily set", "time is missing"),
        ("/quote mood:", "needs a value"),
        ("/quote mood:any mood:positive", "given twice"),
        ("/verdict film:Her extra", None),
    ],
)
def test_mistakes_get_one_line_saying_what_to_type(line: str, says: str | None) -> None:
    if says is None:
        assert parse_line(line).values == {"film": "Her extra"}
        return
    with pytest.raises(UsageError) as err:
        parse_line(line)
    assert says in str(err.value) and "\n" not in str(err.value)


def test_structured_options_are_checked_the_same_way() -> None:
    assert from_options("daily", {"time": "09:00"}, "set").values == {"time": "09:00"}
    with pytest.raises(UsageError, match="time is missing"):
        from_options("daily", {}, "set")
    with pytest.raises(UsageError, match="no option 'colour'"):
        from_options("quote", {"colour": "red"})


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_valid_time_round_trips(hour: int, minute: int) -> None:
    assert time_value(f"{hour:02d}:{minute:02d}") == (hour, minute)
    assert time_value(f"{hour}:{minute:02d}") == (hour, minute)


@given(st.text(max_size=12))
def test_time_accepts_nothing_else(raw: str) -> None:
    try:
        hour, minute = time_value(raw)
    except UsageError as exc:
        assert "HH:MM" in str(exc)
    else:
        assert 0 <= hour <= 23 and 0 <= minute <= 59


@given(st.text(alphabet=string.ascii_letters + "/_-.", max_size=30))
def test_zone_is_an_iana_name_or_a_clear_error(raw: str) -> None:
    try:
        name = zone_value(raw)
    except UsageError as exc:
        assert "IANA" in str(exc)
    else:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)


@given(st.text(max_size=80))
def test_any_line_parses_or_says_why(line: str) -> None:
    try:
        parsed = parse_line(line)
    except UsageError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        names = {o.name for o in parsed.target.options}
        assert set(parsed.values) <= names


@given(st.sampled_from(["positive", "negative", "any", "POSITIVE", "Any"]),
       st.text(alphabet=string.ascii_letters + " ():", min_size=1, max_size=20).filter(
           lambda s: s.strip() and ":" not in s.split()[0]))
def test_named_and_positional_forms_agree(mood: str, film: str) -> None:
    film = " ".join(film.split())
    named = parse_line(f"/quote mood:{mood} film:{film}").values
    assert named == {"mood": mood, "film": film}
