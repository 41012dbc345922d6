"""Turning a file into text, or into one clear reason why it cannot be ingested.

Review pages saved on Windows are often cp1252: decoding them as latin-1 turns curly
quotes into control characters (and U+0085 into a line break), so cp1252 is tried
before latin-1, and UTF-8 first of all.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO, cast

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
    with open_capped(path, max_bytes) as f:
        try:
            return _read_capped(f, max_bytes)
        except OSError as exc:
            raise BadFile(f"cannot be read ({exc.strerror or exc})") from None


def open_capped(path: Path, max_bytes: int) -> BinaryIO:
    """A regular file opened for streaming: reading past ``max_bytes`` raises ``BadFile``
    (so a dataset streamed row by row obeys the same cap as a file read whole)."""
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
        raw = os.fdopen(fd, "rb", buffering=0)
    except OSError as exc:
        os.close(fd)
        raise BadFile(f"cannot be read ({exc.strerror or exc})") from None
    except BadFile:
        os.close(fd)
        raise
    return cast(BinaryIO, _Capped(raw, max_bytes))


class _Capped(io.RawIOBase):
    """A raw stream that refuses to read past its cap: the file grew, or a body streamed
    from a link is larger than it said."""

    def __init__(self, raw: BinaryIO, max_bytes: int) -> None:
        self._raw = raw
        self._max = max_bytes
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self._max + 1 - self._total)
        data = self._raw.read(max(want, 1))
        if not data:
            return 0
        self._total += len(data)
        if self._total > self._max:
            raise _too_large(self._total, self._max, grew=True)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


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
    shown = f"over {human_size(max_bytes)}" if grew else human_size(size)
    return BadFile(
        f"too large ({shown}; the limit is {human_size(max_bytes)}, "
        "set REVIEWBOT_MAX_FILE_BYTES to raise it)"
    )


def decode(raw: bytes) -> str:
    return raw.decode(sniff_encoding(raw, whole=True))


def sniff_encoding(head: bytes, whole: bool) -> str:
    """The encoding of a file that starts with ``head`` (all of it when ``whole``), or
    ``BadFile`` for binary or undecodable bytes. A streamed file is judged by its first
    block; the rest is decoded strictly as it is read."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        raise BadFile("binary (NUL bytes); expected a text file")
    for encoding in ("utf-8", "cp1252"):
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=whole)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return encoding
    raise BadFile("binary or in an unknown encoding; expected UTF-8 or Windows-1252 text")


def _looks_binary(text: str) -> bool:
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 100)


def human_size(n: int) -> str:
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
