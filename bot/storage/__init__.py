"""SQLite storage through aiosqlite: one connection, WAL, versioned migrations."""

from bot.storage.database import Database

__all__ = ["Database"]
