"""What a storage failure means to the person running the bot, in one sentence.

Every SQLite error that is about the database file rather than about our SQL (a full
disk, a file we may not write, damaged pages, a folder where the file should be, an I/O
error, a lock held too long) becomes a ``StorageError`` here and only here, so the
command line prints one line with the path and what to do, and a running bot logs the
same line under an error id instead of a 40-line traceback. Errors that mean a bug in
our SQL (a constraint, a syntax error) are not translated: they keep their traceback.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from bot.safe_text import safe_path

# SQLite's primary result codes (extended codes carry them in the low byte).
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = (
    3, 5, 6, 8, 10, 11, 13, 14, 26,
)

_SENTENCES: dict[int, str] = {
    _FULL: "the disk is full writing {path}: free some space and try again",
    _READONLY: (
        "the database {path} is read-only (a file or folder this user may not write): "
        "give this user write access to both, or choose another file with --db"
    ),
    _PERM: (
        "no permission to use the database {path}: give this user read and write access "
        "to the file and its folder, or choose another file with --db"
    ),
    _CORRUPT: (
        "the database {path} is damaged: restore it from a backup, or move it away and "
        "start again with a new one"
    ),
    _NOTADB: (
        "cannot use the database {path}: file is not a database (or is damaged beyond "
        "reading): choose another file with --db, or restore it from a backup"
    ),
    _CANTOPEN: (
        "cannot open the database {path}: it must be a file (not a folder) in a folder "
        "this user can write; choose another path with --db"
    ),
    _IOERR: (
        "cannot read or write the database {path} (an input/output error from the disk "
        "or file system): check the disk, then try again"
    ),
    _BUSY: (
        "the database {path} stayed locked by another process: try again when it has "
        "finished"
    ),
}
_SENTENCES[_LOCKED] = _SENTENCES[_BUSY]
# A full disk often surfaces as an I/O error rather than SQLITE_FULL: growing the -shm
# file (SQLITE_IOERR_SHMSIZE) or the WAL fails with ENOSPC, which SQLite does not name.
# Below this much free space, that is what the I/O error was.
_NEARLY_FULL_BYTES = 256 * 1024


class StorageError(Exception):
    """The database cannot be opened or used; ``str()`` says which file, why, and what to
    do, in one line. ``code`` is SQLite's error name (``SQLITE_FULL``…) when there is one."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def storage_error(exc: sqlite3.Error, path: Path) -> StorageError | None:
    """The sentence for ``exc`` on ``path``, or ``None`` when it is not about the file."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary in (_IOERR, _CANTOPEN) and _nearly_full(path):
        primary = _FULL
    sentence = _SENTENCES.get(primary)
    if sentence is None:
        return None
    return StorageError(
        sentence.format(path=safe_path(path)), getattr(exc, "sqlite_errorname", None)
    )


def _nearly_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def folder_error(exc: OSError, path: Path) -> StorageError:
    """The database's folder cannot be created (a file in the way, no permission…)."""
    return StorageError(
        f"cannot create the folder of the database {safe_path(path)} ({exc.strerror or exc}): "
        "choose another path with --db"
    )
