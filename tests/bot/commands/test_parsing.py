"""Argument parsing: examples and properties (hypothesis) of words, options and times."""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands.parsing import (
    MAX_LINE,
    MAX_MESSAGE,
    NoMatch,
    UsageError,
    from_options,
    mood_value,
    parse_line,
    time_value,
    zone_value,
)
from tests.bot.test_safe_text import huge_text, nasty_text, unsafe_chars


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
        ("/nope", "There is no '/nope'"),
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


# -- a word that could be two things ---------------------------------------------------


@pytest.mark.parametrize(
    ("line", "passed_over"),
    [
        ("/quote ecstatic", {"film": ["mood"]}),
        ("/quote ecstatic negative", {"film": ["mood"]}),
        ("/daily set 09:00 ecstatic", {"film": ["timezone", "mood", "days"]}),
        ("/daily set 09:00 UTC ecstatic", {"film": ["mood", "days"]}),
        ("/daily set 09:00 positive", {"mood": ["timezone"]}),
        ("/quote positive ecstatic", {}),
        ("/quote film:ecstatic", {}),
        ("/verdict ecstatic", {}),
    ],
)
def test_a_positional_word_remembers_the_options_that_refused_it(
    line: str, passed_over: dict[str, list[str]]
) -> None:
    parsed = parse_line(line)
    assert {k: [o.name for o in v] for k, v in parsed.passed_over.items()} == passed_over


def test_a_lookup_that_fails_says_every_reading_of_the_word() -> None:
    parsed = parse_line("/quote ecstatic")
    said = str(parsed.explain(NoMatch("film", "ecstatic", "Her (2013)")))
    assert said == ("'ecstatic' is neither a mood (positive, negative, any) nor a film here; "
                    "films: Her (2013).")
    other = NoMatch("film", "Her", "Her (2013)")  # not the word the parse passed along
    assert parsed.explain(other) is other
    named = parse_line("/quote film:ecstatic")
    error = NoMatch("film", "ecstatic", "Her (2013)")
    assert named.explain(error) is error
    assert str(error) == "No film matches 'ecstatic'. Films: Her (2013)."


# -- what the user typed, quoted back --------------------------------------------------


def assert_safe(message: str) -> None:
    assert message and len(message) <= MAX_MESSAGE and "\n" not in message
    assert not unsafe_chars(message), message


@settings(deadline=None)  # shlex on a few thousand characters can take 100 ms on a busy CI
@given(st.sampled_from(["", "/", "/quote ", "/quote mood:", "/daily ", "/daily set ",
                        "/daily set 09:00 ", "/verdict film:Her ", "/help "]),
       st.one_of(nasty_text, huge_text))
def test_every_parse_error_is_one_short_printable_line(start: str, text: str) -> None:
    try:
        parse_line(start + text)
    except UsageError as exc:
        assert_safe(str(exc))


@given(st.one_of(st.sampled_from(["quote", "daily", "nope"]), nasty_text),
       st.dictionaries(st.one_of(st.sampled_from(["mood", "film", "time"]), nasty_text),
                       nasty_text, max_size=3),
       st.one_of(st.none(), st.sampled_from(["set", "show"]), nasty_text))
def test_every_structured_option_error_is_one_short_printable_line(
    name: str, options: dict[str, str], sub: str | None
) -> None:
    try:
        parsed = from_options(name, options, sub)
    except UsageError as exc:
        assert_safe(str(exc))
    else:
        assert not any("\ud800" <= c <= "\udfff" for v in parsed.values.values() for c in v)


@given(st.text(max_size=400))
def test_any_usage_error_is_made_safe_whoever_raises_it(message: str) -> None:
    assert_safe(str(UsageError("x" + message)))


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/\x1b]0;PWNED\x07quote\x1b[31m", "There is no '/quote'"),
        ("/daily \x1b[2J" + "x" * 3000, "/daily 'xxxxxxxx"),
        ("/daily \n\r\n" * 20 + "set", "is not a thing"),
        ("/daily " + "x" * 80_000,
         f"That command is 80,007 characters; I read at most {MAX_LINE:,}."),
    ],
)
def test_user_text_is_quoted_as_a_short_excerpt(line: str, says: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_line(line)
    assert says in str(err.value) and len(str(err.value)) < 200
    assert_safe(str(err.value))


@pytest.mark.parametrize("raw", ["Europe", "US", "Asia", "America/Argentina", "x" * 300,
                                 "Europe/" + "é" * 200, "localtime", "posixrules", "Factory",
                                 "right/UTC", "posix/Europe/Paris", "../../etc/passwd",
                                 "Europe/Paris\x00", "Bad\x1b]0;title\x07Zone\nname"])
def test_a_bad_zone_is_a_one_line_usage_error(raw: str) -> None:
    with pytest.raises(UsageError) as caught:
        zone_value(raw)
    message = str(caught.value)
    assert "IANA" in message and "\n" not in message and "\x1b" not in message
    assert len(message) < 250


@pytest.mark.parametrize(("raw", "name"), [("europe/paris", "Europe/Paris"),
                                           (" America/New_York ", "America/New_York"),
                                           ("utc", "UTC"), (None, "UTC")])
def test_zone_names_are_matched_to_their_canonical_spelling(raw: str | None, name: str) -> None:
    assert zone_value(raw) == name


def test_a_folder_of_zones_suggests_zones_in_it() -> None:
    with pytest.raises(UsageError, match="Did you mean Europe/London or Europe/Paris"):
        zone_value("Europe")


@pytest.mark.parametrize(
    ("check", "raw", "says"),
    [
        (mood_value, "\x1b]0;PWNED\x07happy", "not 'happy'."),
        (mood_value, "sad\nsadder\r\nsaddest", "not 'sad sadder saddest'."),
        (time_value, "25:99\x1b[2J", "not '25:99'."),
        (time_value, "9" * 5000, "not '999999999"),
    ],
)
def test_typed_values_are_quoted_as_a_short_excerpt(
    check: Callable[[str], object], raw: str, says: str
) -> None:
    with pytest.raises(UsageError) as err:
        check(raw)
    assert says in str(err.value) and len(str(err.value)) < 120
    assert_safe(str(err.value))


def test_structured_option_names_are_quoted_as_a_short_excerpt() -> None:
    with pytest.raises(UsageError) as err:
        from_options("quote", {"colo\u202eur\x1b[2J" + "r" * 500: "red"})
    assert "has no option 'colourrrrr" in str(err.value) and len(str(err.value)) < 200
    assert_safe(str(err.value))


@pytest.mark.parametrize(
    ("line", "options"),
    [
        ("/mood " + "word " * 500, ("mood", {"text": "x" * 2001}, None)),
        ("/quote film:" + "x" * 201, ("quote", {"film": "x" * 201}, None)),
        ("/daily set 09:00 " + "Europe/" * 10, ("daily", {"time": "09:00", "timezone": "E" * 65},
                                                 "set")),
    ],
)
def test_max_length_holds_on_every_platform(
    line: str, options: tuple[str, dict[str, str], str | None]
) -> None:
    """The caps Discord enforces at the keyboard hold for Slack and the console too."""
    with pytest.raises(UsageError, match=r"characters; /\w+( set)? takes at most"):
        parse_line(line)
    name, values, sub = options
    with pytest.raises(UsageError, match="takes at most"):
        from_options(name, values, sub)
