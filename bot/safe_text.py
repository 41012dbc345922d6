"""Text from users and from ingested files, made safe to show.

Two places show text the bot did not write: error messages that quote what a user typed,
and quotes printed at a terminal. Either could carry terminal escape sequences (an OSC
sequence can retitle the window or, on some terminals, write to the clipboard), control
characters, bidirectional overrides that reorder what follows, or 80k characters.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ … final), OSC (ESC ] … BEL or ST), other ESC-introduced sequences, and their
# 8-bit C1 forms. Stripped whole, so no half sequence is left behind.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]            # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])   # OSC, DCS, SOS, PM, APC …
      .*?(?:\x07|\x1b\\|\x9c|$)                 # … up to BEL or ST
    | \x1b[ -/]*[0-~]                          # two- and three-byte escapes
    """,
    re.VERBOSE | re.DOTALL,
)
# Characters that change how the rest of a line is displayed (bidi marks, overrides and
# isolates); zero-width joiners stay, emoji need them.
_INVISIBLE_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                "\u2066\u2067\u2068\u2069")

_LINE_BREAKS = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")

EXCERPT_CHARS = 40


def _printable(ch: str, keep_newlines: bool) -> bool:
    if ch == "\n":
        return keep_newlines
    if ch in _INVISIBLE_CONTROLS:
        return False
    return unicodedata.category(ch) != "Cc"


def strip_controls(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences and control characters.

    Tabs become spaces; line breaks of any kind become ``\n``, or spaces when
    ``keep_newlines`` is false.
    """
    text = _ESCAPES.sub("", text).replace("\t", " ")
    text = _LINE_BREAKS.sub("\n" if keep_newlines else " ", text)
    return "".join(ch for ch in text if _printable(ch, keep_newlines))


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """A short, single-line, printable version of ``text`` to quote back in a message.

    Runs of whitespace (newlines included) become one space; anything longer than
    ``limit`` characters is cut with an ellipsis.
    """
    flat = " ".join(strip_controls(text, keep_newlines=False).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
