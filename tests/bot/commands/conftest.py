"""Every test here runs on SQLite and on PostgreSQL."""

from tests.backends import both_backends as backend  # noqa: F401
