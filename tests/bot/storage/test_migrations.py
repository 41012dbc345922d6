"""Schema migrations: a database made by the first schema upgrades and keeps its data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction
from bot.replies import CorrectionReply, QuoteReply, VerdictReply, correction_value
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS
from bot.storage.text_keys import text_hash, text_key
from tests.backends import only_on_sqlite, settings_for

OLD_QUOTES = [
    ("A wonderful, moving and beautiful film.", "positive"),
    ("A brilliant, tender and delightful triumph.", "positive"),
    ("A dull, tedious and lifeless bore.", "negative"),
]


async def test_upgrade_from_the_first_schema(empty_target: Path | str) -> None:
    path = empty_target
    db = await Database.open(path, migrate_to=1)
    assert await db.schema_version() == 1
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO films (id, title, year, consensus) VALUES (1, 'Old', 1999,"
                           " 'Loved.')")
        await conn.execute("INSERT INTO documents (id, film_id, path, sha256, kind, ingested_at)"
                           " VALUES (1, 1, '/x', 'abc', 'excerpts', '2020-01-01')")
        # Labelled by an old scorer; the start labels them again with the shipped one
        # (bot.storage.labeller), so the texts say plainly what they are.
        for i, (text, label) in enumerate(OLD_QUOTES):
            await conn.execute(
                "INSERT INTO quotes (film_id, document_id, kind, text, position, label, polarity,"
                " confidence) VALUES (1, 1, 'critic', ?, ?, ?, ?, 0.9)",
                (text, i, label, 0.5 if label == "positive" else -0.5),
            )
        await conn.execute(
            "INSERT INTO schedules (platform, channel, created_by, hour, minute, timezone, mood,"
            " status, next_run_utc) VALUES ('console', 'c', 'u', 9, 0, 'UTC', 'any', 'active',"
            " '2020-01-01T09:00:00Z')"
        )
    await db.close()

    core = await ReviewBot.open(settings_for(path))
    try:
        assert await core.db.schema_version() == len(MIGRATIONS)
        assert await core.db.integrity_ok()
        inv = Invocation("console", "c", "u", can_manage=True)
        verdict = await core.handle_text(inv, "/verdict")
        assert isinstance(verdict, VerdictReply)
        assert (verdict.critics.positive, verdict.critics.negative) == (2, 1)
        quote = await core.handle_text(inv, "/quote negative")
        assert isinstance(quote, QuoteReply) and quote.quote.text == OLD_QUOTES[2][0]
        assert await core.schedules.get("console", None, "c") is not None
        # The old database had a film: the default corpus is not added on top of it.
        assert [f.name for f in await core.corpus.films()] == ["Old (1999)"]
    finally:
        await core.close()


async def test_pragmas(tmp_path: Path, backend: str) -> None:
    only_on_sqlite(backend, "PostgreSQL's settings are test_postgres_commit_settings")
    db = await Database.open(tmp_path / "p.sqlite3")
    try:
        for pragma, expected in (("journal_mode", "wal"), ("busy_timeout", 5000),
                                 ("synchronous", 1), ("foreign_keys", 1)):
            row = await db.fetchone(f"PRAGMA {pragma}")
            assert row is not None and row[0] == expected, pragma
        # Claims commit with an fsync (FULL = 2); everything else stays NORMAL (1).
        async with db.transaction(durable=True) as conn:
            rows = await conn.fetchall("PRAGMA synchronous")
            assert rows[0][0] == 2
        row = await db.fetchone("PRAGMA synchronous")
        assert row is not None and row[0] == 1
    finally:
        await db.close()


async def test_postgres_commit_settings(empty_target: Path | str, backend: str) -> None:
    """What stands for SQLite's NORMAL and FULL: commands commit without waiting for the
    disk, daily posts' claims and outcomes wait for it."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's are test_pragmas")
    db = await Database.open(empty_target)
    try:
        for durable, expected in ((False, "off"), (True, "on")):
            async with db.transaction(durable=durable) as conn:
                row = await conn.fetchone("SHOW synchronous_commit")
                assert row is not None and row[0] == expected
    finally:
        await db.close()


async def test_upgrade_from_v4_to_corrections(empty_target: Path | str) -> None:
    """A database of the last release before corrections: every quote is the scorer's,
    visible and keyed by its normalised text, and corrections work at once."""
    path = empty_target
    db = await Database.open(path, migrate_to=4)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO films (id, title, year) VALUES (1, 'Old', 1999)")
        await conn.execute("INSERT INTO documents (id, film_id, path, sha256, kind, ingested_at)"
                           " VALUES (1, 1, '/x', 'abc', 'excerpts', '2020-01-01')")
        await conn.execute(
            "INSERT INTO quotes (id, film_id, document_id, kind, text, position, label, polarity,"
            " confidence) VALUES (7, 1, 1, 'critic', ?, 0, 'positive', 0.5, 0.9)",
            ("“A Triumph,”  truly!",),
        )
        await conn.execute("INSERT INTO film_stats VALUES (1, 'critic', 'positive', 1, 0.5)")
    await db.close()

    core = await ReviewBot.open(settings_for(path))
    try:
        assert await core.db.schema_version() == len(MIGRATIONS) >= 5
        row = await core.db.fetchone(
            "SELECT label_source, hidden, text_hash FROM quotes WHERE id = 7"
        )
        assert row is not None
        assert tuple(row) == ("scorer", 0, text_hash(text_key("A triumph, truly")))
        for table in ("corrections", "correction_log", "reports"):
            assert await core.db.fetchone(f"SELECT COUNT(*) FROM {table}") is not None
        boss = Invocation("console", "c", "u", can_manage=True)
        reply = await core.correct(boss, correction_value(7, Correction.NEGATIVE))
        assert isinstance(reply, CorrectionReply) and reply.applied
        verdict = await core.handle_text(boss, "/verdict")
        assert isinstance(verdict, VerdictReply)
        assert (verdict.critics.positive, verdict.critics.negative) == (0, 1)
        assert verdict.checked_by_people == 1
    finally:
        await core.close()
