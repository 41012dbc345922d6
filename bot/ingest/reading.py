"""Turning a file into text, or into one clear reason why it cannot be ingested.

Review pages saved on Windows are often cp1252: decoding them as latin-1 turns curly
quotes into control characters (and U+0085 into a line break), so cp1252 is tried
before latin-1, and UTF-8 first of all.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

# Control characters other than the whitespace ones text files hold.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
# Opening a FIFO for reading waits for a writer unless non-blocking; no-ops on regular
# files, and absent on Windows (where there are no FIFOs to wait on).
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))


class BadFile(Exception):
    """A file that cannot be ingested; ``str()`` is the reason shown to the user."""


def read_text(path: Path, max_bytes: int) -> tuple[str, bytes]:
    """Return the decoded text and the raw bytes (hashed to detect changes)."""
    raw = read_bytes(path, max_bytes)
    if not raw.strip():
        raise BadFile("empty")
    text = decode(raw)
    if not text.strip():
        raise BadFile("empty")
    return text, raw


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """At most ``max_bytes`` of a regular file, or ``BadFile``.

    The checks are made on the opened file, not on the name (which could be swapped
    between a check and the open), and the read stops one byte past the cap whatever
    size the file system reports: ``/dev/zero`` reports 0 and never ends, a FIFO would
    block forever, and a file can grow while it is read.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise BadFile(f"cannot be read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadFile(_not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise _too_large(info.st_size, max_bytes)
        with os.fdopen(fd, "rb", buffering=0) as f:
            fd = -1  # closed with f
            raw = _read_capped(f, max_bytes)
    except OSError as exc:
        raise BadFile(f"cannot be read ({exc.strerror or exc})") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > max_bytes:
        raise _too_large(len(raw), max_bytes, grew=True)
    return raw


def _not_regular(mode: int) -> str:
    kind = (
        "a folder" if stat.S_ISDIR(mode)
        else "a pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return f"{kind}, not a regular file; only text files are read"


def _too_large(size: int, max_bytes: int, grew: bool = False) -> BadFile:
    shown = f"over {_human(max_bytes)}" if grew else _human(size)
    return BadFile(
        f"too large ({shown}; the limit is {_human(max_bytes)}, "
        "set REVIEWBOT_MAX_FILE_BYTES to raise it)"
    )


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


_CHUNK = 1 << 20


def _read_capped(f: BinaryIO, max_bytes: int) -> bytes:
    """At most ``max_bytes + 1`` bytes, in chunks: ``read(n)`` reserves ``n`` bytes up
    front, so a cap of a terabyte would fail before reading anything."""
    chunks: list[bytes] = []
    total = 0
    while total <= max_bytes:
        chunk = f.read(min(_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)
