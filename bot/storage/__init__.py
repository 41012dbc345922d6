"""Storage: SQLite by default, PostgreSQL when several processes share one deployment.

``Database.open`` takes a SQLite path or a ``postgresql://`` URL; the stores (corpus,
pools, schedules, corrections, cooldowns, films, seen-once deliveries) take a
``Database`` and write one SQL text, which ``dialect`` rewrites for PostgreSQL.
"""

from bot.storage.database import Database

__all__ = ["Database"]
