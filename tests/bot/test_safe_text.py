"""Showing text the bot did not write: escape sequences, controls, line breaks and length."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.safe_text import excerpt, quoted, strip_controls

# Sequences a terminal or a chat client acts on, and characters that reorder a line.
NASTY = [
    "\x1b]0;PWNED\x07",  # OSC: retitles the terminal window
    "\x1b]52;c;cHduZWQ=\x1b\\",  # OSC 52: writes the clipboard
    "\x1b[31;1m", "\x1b[2J", "\x1b[?1049h", "\x9b31m", "\x9d0;x\x9c", "\x1bP+q\x1b\\",
    "\x1bc", "\x1b(0", "\x1b", "\x07", "\x00", "\x7f", "\x85", "\u2028", "\u2029",
    "\r", "\r\n", "\n", "\t", "\v", "\f", "\u202e", "\u2066", "\u200f", "\u061c",
    "\ud800", "\udfff",  # lone surrogates (JSON can carry them): unencodable
]
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

nasty_text = st.lists(
    st.one_of(st.text(), st.sampled_from(NASTY),
              st.characters(categories=["Cc", "Cs", "Zl", "Zp", "Cf"])),
    max_size=30,
).map("".join)
huge_text = st.builds(lambda s, n: s * n, nasty_text.filter(bool), st.integers(1, 5000))


def unsafe_chars(text: str) -> set[str]:
    """Characters a safe line must not hold: controls, surrogates, bidi controls."""
    return {c for c in text if unicodedata.category(c) in ("Cc", "Cs") or c in BIDI}


@given(st.one_of(nasty_text, huge_text), st.integers(1, 400))
def test_an_excerpt_is_one_short_printable_line(text: str, limit: int) -> None:
    shown = excerpt(text, limit)
    assert len(shown) <= limit
    assert not unsafe_chars(shown) and shown == shown.strip()
    assert "  " not in shown
    shown.encode("utf-8")  # printable on any UTF-8 terminal or chat


@given(st.text(alphabet=st.characters(categories=["L", "N", "P", "S"]), max_size=60))
def test_plain_text_is_kept_as_it_is(text: str) -> None:
    assert excerpt(text, 60) == text
    assert strip_controls(text) == text


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=41, max_size=200))
def test_a_long_text_is_cut_with_an_ellipsis(text: str) -> None:
    shown = excerpt(text)
    assert len(shown) == 40 and shown.endswith("…") and text.startswith(shown[:-1])


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        excerpt("text", limit)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;PWNED\x07Her", "Her"),  # the whole sequence goes, not only the ESC
        ("\x1b]52;c;cHduZWQ=\x1b\\Her", "Her"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x9b31mred", "red"),
        ("a\r\nb\nc\u2028d\x85e", "a b c d e"),
        ("tab\there", "tab here"),
        ("\u202eevil\u202c", "evil"),
        ("x\x1b]0;no end", "x0;no end"),  # unterminated: only the introducer goes
        ("a\ud800b", "ab"),
        ("family 👩\u200d👩\u200d👧", "family 👩\u200d👩\u200d👧"),  # joiners stay
    ],
)
def test_examples(raw: str, shown: str) -> None:
    assert excerpt(raw, 80) == shown


@given(nasty_text)
def test_strip_controls_keeps_lines_and_nothing_unsafe(text: str) -> None:
    kept = strip_controls(text)
    assert unsafe_chars(kept) <= {"\n"} and "\r" not in kept
    assert "\n" not in strip_controls(text, keep_newlines=False)


def test_strip_controls_normalises_line_breaks() -> None:
    assert strip_controls("a\r\nb\rc\u2029d") == "a\nb\nc\nd"


@given(st.one_of(nasty_text, huge_text))
def test_quoted_is_an_excerpt_between_quotes(text: str) -> None:
    shown = quoted(text)
    assert shown == f"'{excerpt(text) or '…'}'" if text else shown == "''"
    assert len(shown) <= 42


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("", "''"), ("Her", "'Her'"), ("\x1b]0;PWNED\x07", "'…'"), (" \n\t ", "'…'"),
     ("x" * 100, "'" + "x" * 39 + "…'")],
)
def test_quoted_examples(raw: str, shown: str) -> None:
    assert quoted(raw) == shown


@pytest.mark.parametrize("intro", ["\x90", "\x9d", "\x1b]", "\x1bP", "\x98"])
def test_an_unterminated_sequence_loses_only_its_introducer(intro: str) -> None:
    """A stray C1 byte (a Latin-1 file, a decoded entity) must not swallow the rest of a
    reply: the words after it and the attribution lines below stay."""
    shown = strip_controls(f"“Great {intro} film”\n— a critic\n(critic excerpt)")
    assert "film”" in shown and shown.endswith("— a critic\n(critic excerpt)")


def test_many_unterminated_sequences_are_stripped_in_linear_time() -> None:
    """Each introducer's scan stops at the next one: 100k of them in one line once took
    quadratic time (hypothesis found 1,500 exceeding its deadline)."""
    text = "0\x9d0000" * 100_000
    assert strip_controls(text) == "00000" * 100_000
