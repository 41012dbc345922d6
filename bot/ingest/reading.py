"""Turning a file into text, or into one clear reason why it cannot be ingested.

Review pages saved on Windows are often cp1252: decoding them as latin-1 turns curly
quotes into control characters (and U+0085 into a line break), so cp1252 is tried
before latin-1, and UTF-8 first of all.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

# Control characters other than the whitespace ones text files hold.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


class BadFile(Exception):
    """A file that cannot be ingested; ``str()`` is the reason shown to the user."""


def read_text(path: Path, max_bytes: int) -> tuple[str, bytes]:
    """Return the decoded text and the raw bytes (hashed to detect changes)."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadFile(
                f"too large ({_human(size)}; the limit is {_human(max_bytes)}, "
                "set REVIEWBOT_MAX_FILE_BYTES to raise it)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise BadFile(f"cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise BadFile("empty")
    text = decode(raw)
    if not text.strip():
        raise BadFile("empty")
    return text, raw


def decode(raw: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(encoding)
    if b"\x00" in raw:
        raise BadFile("binary (NUL bytes); expected a text file")
    for encoding in ("utf-8", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text
    raise BadFile("binary or in an unknown encoding; expected UTF-8 or Windows-1252 text")


def _looks_binary(text: str) -> bool:
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 100)


def _human(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"
