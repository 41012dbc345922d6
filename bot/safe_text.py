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
# 8-bit C1 forms. Stripped whole, so no half sequence is left behind. A string sequence
# with no terminator on its line loses only its introducer (a control, removed below): a
# stray \x90 in a quote must not swallow the words and the attribution after it.
_ESCAPES = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]            # CSI
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])   # OSC, DCS, SOS, PM, APC …
      [^\x07\x1b\n\x90\x98\x9c-\x9f]*             # … (no newline, no other sequence:
      (?:\x07|\x1b\\|\x9c)                      #    linear) up to BEL or ST
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
    # Cs: a lone surrogate (JSON can carry one) cannot be encoded, so printing it fails.
    return unicodedata.category(ch) not in ("Cc", "Cs")


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
    ``limit`` characters is cut with an ellipsis. ``limit`` must be at least 1, room for
    the ellipsis.
    """
    if limit < 1:
        raise ValueError(f"an excerpt's limit must be at least 1, not {limit}")
    flat = " ".join(strip_controls(text, keep_newlines=False).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def quoted(text: str, limit: int = EXCERPT_CHARS) -> str:
    """``text`` as a message quotes what someone typed: its excerpt between single quotes.

    Error messages quote user text only through this, so none can echo escape sequences,
    several lines or a whole pasted page. Text with nothing printable in it shows as an
    ellipsis: an empty '' would read as if nothing had been typed.
    """
    shown = excerpt(text, limit)
    if text and not shown:
        shown = "…"
    return f"'{shown}'"


# Characters a file name may hold that would break a line or reorder it when printed:
# controls, format characters (bidi overrides, zero-width), line and paragraph breaks,
# and the lone surrogates Python uses for bytes that are not valid UTF-8.
_ESCAPED_IN_PATHS = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def safe_path(path: object) -> str:
    """A path as one printable line, every character of the name still there.

    Unlike ``excerpt`` nothing is dropped or cut (two names must never print the same):
    each dangerous character is shown as its Python escape (``\\n``, ``\\u202e``), and a
    byte that was not valid UTF-8 as ``\\xNN``.
    """
    out: list[str] = []
    for ch in str(path):
        if unicodedata.category(ch) not in _ESCAPED_IN_PATHS:
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # surrogateescape: the original byte
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(repr(ch)[1:-1] if ch.isascii() else f"\\u{ord(ch):04x}")
    return "".join(out)
