"""Schema v8 (several schedules per channel): a v7 database keeps its schedule and claims."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import ScheduleReply
from bot.settings import Settings
from bot.storage import Database
from bot.storage.migrations import MIGRATIONS
from tests.fakes.clock import FakeClock
from tests.fakes.poster import RecordingPoster

V8 = MIGRATIONS.index(next(m for m in MIGRATIONS if m.__name__.startswith("v8_"))) + 1


async def test_a_v7_schedule_and_its_posts_survive_the_rebuild(tmp_path: Path) -> None:
    path = tmp_path / "v7.sqlite3"
    db = await Database.open(path, migrate_to=V8 - 1)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO films (id, title, year) VALUES (1, 'Old', 1999)")
        await conn.execute(
            "INSERT INTO schedules (id, platform, workspace, channel, created_by, hour, minute,"
            " timezone, mood, film_id, status, next_run_utc, last_local_date) VALUES (7,"
            " 'console', 'W1', 'c', 'u', 9, 0, 'UTC', 'positive', 1, 'active',"
            " '2026-03-02T09:00:00Z', '2026-03-01')"
        )
        for day, outcome in (("2026-02-28", "sent"), ("2026-03-01", "sent")):
            await conn.execute(
                "INSERT INTO posts (schedule_id, local_date, claimed_at, message_id, outcome)"
                " VALUES (7, ?, ?, 'm', ?)", (day, f"{day}T09:00:00Z", outcome),
            )
    await db.close()

    clock = FakeClock(datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))
    core = await ReviewBot.open(Settings(db_path=path), clock=clock)
    try:
        assert await core.db.schema_version() >= V8
        assert await core.db.integrity_ok()
        [kept] = await core.schedules.in_channel("console", "W1", "c")
        assert (kept.id, kept.name, kept.last_local_date) == (7, "1", date(2026, 3, 1))
        assert [p[0] for p in await core.schedules.posts(7)] == ["2026-02-28", "2026-03-01"]
        # A second schedule can now join it in the channel; the old one keeps its claims,
        # and deleting a schedule still deletes its claims (the foreign key is in place).
        admin = Invocation("console", "c", "u", workspace="W1", can_manage=True)
        added = await core.handle_text(admin, "/daily set 21:00 UTC days:fri film:Old id:pan")
        assert isinstance(added, ScheduleReply) and added.schedules[0].name == "pan"
        assert len(await core.schedules.in_channel("console", "W1", "c")) == 2
        # Today (2026-03-01) was posted before the upgrade: a later time today does not
        # post it again.
        moved = await core.handle_text(admin, "/daily set 13:00 UTC film:Old id:1")
        assert isinstance(moved, ScheduleReply)
        assert moved.next_utc == "2026-03-02T13:00:00Z"
        poster = RecordingPoster()
        core.scheduler.register(poster)
        clock.set(datetime(2026, 3, 1, 23, 0, tzinfo=timezone.utc))
        assert await core.scheduler.run_due() == 0
        await core.handle_text(admin, "/daily off 1")
        assert await core.schedules.posts(7) == []
    finally:
        await core.close()
