"""``reviewbot copy``: a whole deployment from SQLite to PostgreSQL and back.

Real databases on both ends: the bot's own SQLite file (the default corpus plus a
schedule, a claimed post, corrections, a report, a deck and a removed film) copied into a
fresh PostgreSQL database, the bot run there, and the result copied into a new SQLite
file. Chunks are made tiny so that every table is read in many keyset pages.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from adapters import cli
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Correction
from bot.replies import ErrorReply, QuoteReply
from bot.settings import Settings
from bot.storage import Database, copy
from bot.storage.copy import TABLES, copy_between, copy_database
from bot.storage.errors import StorageError
from bot.storage.migrations import MIGRATIONS
from tests.backends import execute, query, settings_for
from tests.bot.test_crash import CLI
from tests.fakes.clock import FakeClock

Target = Path | str
Contents = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def backend() -> str:
    """The bot's own database (``core``, ``settings``) is SQLite here: each test names
    its other end itself, and the round trip goes through PostgreSQL."""
    return "sqlite"


async def rows_in(target: Target, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    db = await Database.open(target)
    try:
        return [tuple(r) for r in await db.fetchall(sql, params)]
    finally:
        await db.close()


async def catalogue_tables(target: Target) -> set[str]:
    """Every table of the schema, as the engine lists them (not from ``bot.storage``)."""
    if isinstance(target, Path):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        sql = ("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
               " AND table_schema = current_schema() AND table_name <> 'reviewbot_schema'")
    return {r[0] for r in await rows_in(target, sql)}


async def primary_key(target: Target, table: str) -> tuple[str, ...]:
    if isinstance(target, Path):
        sql = "SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk"
    else:
        sql = ("SELECT k.column_name FROM information_schema.table_constraints c"
               " JOIN information_schema.key_column_usage k USING (constraint_name,"
               " table_schema, table_name) WHERE c.constraint_type = 'PRIMARY KEY'"
               " AND c.table_schema = current_schema() AND c.table_name = ?"
               " ORDER BY k.ordinal_position")
    return tuple(r[0] for r in await rows_in(target, sql, (table,)))


async def contents(target: Target) -> Contents:
    """Every row of every table, each table's rows in a fixed order (by ``repr``: the
    comparison must not depend on how each engine sorts)."""
    return {t: sorted(await rows_in(target, f"SELECT * FROM {t}"), key=repr)
            for t in sorted(await catalogue_tables(target))}


async def quotes_counter(target: Target) -> int:
    """The highest quote id the engine has given: the next new quote gets one more."""
    if isinstance(target, Path):
        [(seq,)] = await rows_in(target, "SELECT seq FROM sqlite_sequence WHERE name = 'quotes'")
        return int(seq)
    [(sequence,)] = await rows_in(target, "SELECT pg_get_serial_sequence('quotes', 'id')")
    [(last, called)] = await rows_in(target, f"SELECT last_value, is_called FROM {sequence}")
    return int(last) - (0 if called else 1)



async def add_film(bot: ReviewBot, tmp_path: Path, title: str) -> list[int]:
    """Ingest a two-quote film ``title (2020)``; its quote ids."""
    path = tmp_path / f"{title}.txt"
    path.write_text("A tender, luminous triumph.\nA dull and empty bore.\n", encoding="utf-8")
    assert (await bot.ingest([path], f"{title} (2020)")).quotes_added == 2
    return [r[0] for r in await bot.db.fetchall(
        "SELECT q.id FROM quotes q JOIN films f ON f.id = q.film_id WHERE f.title = ?",
        (title,))]


async def remove_film(bot: ReviewBot, admin: Invocation, title: str) -> None:
    reply = await bot.handle_text(admin, f"/film remove {title} (2020) confirm:yes")
    assert not isinstance(reply, ErrorReply), reply.message


async def test_every_table_of_the_schema_is_copied(
    tmp_path: Path, postgres_database: str
) -> None:
    """Fails when a migration adds a table ``TABLES`` does not name, or changes a key the
    keyset reads rely on (reading by anything but the primary key could skip rows)."""
    for target in (tmp_path / "schema.sqlite3", postgres_database):
        assert await catalogue_tables(target) == {t.name for t in TABLES}
        assert {t.name: await primary_key(target, t.name) for t in TABLES} == {
            t.name: t.key for t in TABLES}
    identity = await rows_in(postgres_database, "SELECT table_name FROM"
                             " information_schema.columns WHERE is_identity = 'YES'")
    assert {r[0] for r in identity} == {t.name for t in TABLES if t.numbered}


async def live_deployment(
    core: ReviewBot, admin: Invocation, member: Invocation, clock: FakeClock, tmp_path: Path
) -> QuoteReply:
    """Give every table of ``core``'s database rows, as a deployment that has lived; the
    first of the four negative quotes drawn in the admin's channel."""
    await add_film(core, tmp_path, "Gone")
    await remove_film(core, admin, "Gone")
    assert not isinstance(await core.handle_text(admin, "/daily set 09:00 Europe/Paris"),
                          ErrorReply)
    assert not isinstance(await core.handle_text(admin, "/daily skip next"), ErrorReply)
    [(schedule_id,)] = await core.db.fetchall("SELECT id FROM schedules")
    assert await core.schedules.claim(schedule_id, date(2026, 3, 1), clock.now())
    for inv, to in ((admin, Correction.MIXED), (member, Correction.NEGATIVE)):
        shown = await core.handle_text(inv, "/quote positive")
        assert isinstance(shown, QuoteReply)
        assert not isinstance(await core.correct(inv, shown.correction_value(to)), ErrorReply)
    await execute(core.db, "INSERT INTO cooldowns (member, hits, expires) VALUES ('m', '1', 2.5)")
    await execute(core.db, "INSERT INTO seen_once (key, expires) VALUES ('k', 3.5)")
    first = await core.handle_text(admin, "/quote negative")
    assert isinstance(first, QuoteReply)
    return first


async def draw(bot: ReviewBot, inv: Invocation, first: QuoteReply, count: int) -> list[int]:
    """``count`` more quotes of ``first``'s deck ("Another"): their ids."""
    ids = []
    for _ in range(count):
        reply = await bot.another(inv, first.another_value)
        assert isinstance(reply, QuoteReply)
        ids.append(reply.quote.id)
    return ids


async def test_a_deployment_goes_to_postgresql_and_back(
    core: ReviewBot, admin: Invocation, member: Invocation, clock: FakeClock, tmp_path: Path,
    postgres_database: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copy, "CHUNK_ROWS", 7)  # every table read in many keyset pages
    src = core.settings.db_path
    first = await live_deployment(core, admin, member, clock, tmp_path)
    drawn = [first.quote.id, *await draw(core, admin, first, 3)]
    before = await contents(src)
    assert [t for t, rows in before.items() if not rows] == []
    removed_top = await quotes_counter(src)
    assert removed_top > max(r[0] for r in before["quotes"])  # "Gone" had the top ids

    seen: list[tuple[str, int, int]] = []
    source, target = await Database.open(src), await Database.open(postgres_database)
    try:
        report = await copy_database(source, target, lambda *done: seen.append(done))
    finally:
        await source.close()
        await target.close()
    assert await contents(postgres_database) == before
    assert report.rows == {t.name: len(before[t.name]) for t in TABLES}
    assert seen[-1] == ("seen_once", report.total, report.total)
    assert await quotes_counter(postgres_database) == removed_top

    with pytest.raises(StorageError,
                       match=r"is not empty \(it holds films, film_grams, gram_sizes, documents"):
        await copy_between(src, postgres_database)
    assert await contents(postgres_database) == before

    bot = await ReviewBot.open(settings_for(postgres_database), clock=clock)
    try:
        drawn += await draw(bot, admin, first, first.remaining - 3)  # the round's rest
        assert len(set(drawn)) == len(drawn) == first.pool_size
        fresh = await add_film(bot, tmp_path, "Fresh")
        assert min(fresh) == removed_top + 1  # no id of "Gone" given again
        await remove_film(bot, admin, "Fresh")
    finally:
        await bot.close()

    back = tmp_path / "back.sqlite3"
    await copy_between(postgres_database, back)
    assert await contents(back) == await contents(postgres_database)
    assert await quotes_counter(back) == max(fresh)
    bot = await ReviewBot.open(settings_for(back), clock=clock)
    try:
        assert min(await add_film(bot, tmp_path, "Again")) == max(fresh) + 1
    finally:
        await bot.close()


async def test_a_target_holding_anything_is_refused_and_left_as_it_was(
    core: ReviewBot, tmp_path: Path
) -> None:
    dst = tmp_path / "used.sqlite3"
    db = await Database.open(dst)
    await execute(db, "INSERT INTO seen_once (key, expires) VALUES ('k', 1.0)")
    await db.close()
    with pytest.raises(StorageError) as refused:
        await copy_between(core.settings.db_path, dst)
    assert str(refused.value) == (
        f"{dst} is not empty (it holds seen_once): copy into a new, empty database (a new "
        "file, or a new PostgreSQL database: createdb NAME); nothing was copied")
    held = {t: rows for t, rows in (await contents(dst)).items() if rows}
    assert held == {"seen_once": [("k", 1.0)]}


async def test_a_refused_row_leaves_the_target_empty(
    core: ReviewBot, postgres_database: str
) -> None:
    """SQLite keeps text in an INTEGER column, PostgreSQL refuses it: the quotes fail after
    films and documents went in, and the one transaction takes them back out."""
    await execute(core.db, "UPDATE quotes SET position = ? WHERE id = (SELECT MAX(id)"
                  " FROM quotes)", ("not a number",))
    with pytest.raises(StorageError, match=r"refused a row of quotes \(from id \d+ on: .*"
                       r"\); nothing was copied, .* is still empty$"):
        await copy_between(core.settings.db_path, postgres_database)
    assert not any((await contents(postgres_database)).values())


async def test_databases_at_another_schema_version_or_the_same_one_are_refused(
    core: ReviewBot, tmp_path: Path
) -> None:
    latest = len(MIGRATIONS)
    old = await Database.open(tmp_path / "old.sqlite3", migrate_to=latest - 1)
    try:
        with pytest.raises(StorageError, match=f"has schema version {latest - 1}, not {latest}: "):
            await copy_database(core.db, old)
        with pytest.raises(StorageError, match="is both the source and the target"):
            await copy_database(core.db, core.db)
    finally:
        await old.close()


def test_the_command_line_copies_and_refuses(settings: Settings, postgres_database: str) -> None:
    src = str(settings.db_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, "copy", *args], capture_output=True, text=True,
                              timeout=60)

    done = run(src, postgres_database)
    assert done.returncode == 0, done.stderr
    *table_lines, summary = done.stdout.splitlines()
    counts = {t.name: query(settings.db_path, f"SELECT COUNT(*) FROM {t.name}")[0][0]
              for t in TABLES}
    assert [line.split() for line in table_lines] == [[t, f"{n:,}"] for t, n in counts.items()]
    assert summary.startswith(f"copied {sum(counts.values()):,} rows from {src} to "
                              f"{postgres_database} in ")
    again = run(src, postgres_database)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        f"reviewbot: {postgres_database} is not empty (it holds films, film_grams, gram_sizes,"
        " documents, quotes, film_stats, pool, pool_sizes, meta): copy into a new, empty"
        " database (a new file, or a new PostgreSQL database: createdb NAME); nothing was"
        " copied"]


def test_the_command_line_names_a_missing_source_and_explains_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Opening a missing SQLite source would create it empty and copy nothing."""
    missing = tmp_path / "typo.sqlite3"
    assert cli.main(["copy", str(missing), str(tmp_path / "new.sqlite3")]) == 1
    assert capsys.readouterr().err == (
        f"reviewbot: there is no database at {missing}: name the deployment's SQLite file or "
        "a postgresql:// URL as SRC\n")
    assert not missing.exists()
    with pytest.raises(SystemExit) as helped:
        cli.main(["copy", "--help"])
    assert helped.value.code == 0
    assert "DST must be empty" in " ".join(capsys.readouterr().out.split())
