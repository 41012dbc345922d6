"""Daily schedules and the per-day claims that make each post happen at most once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.models import Mood, Schedule, ScheduleStatus
from bot.schedule_times import iso_utc, parse_iso_utc
from bot.storage.database import Database

_COLUMNS = (
    "id, platform, workspace, channel, created_by, hour, minute, timezone, mood, film_id,"
    " status, pause_reason, next_run_utc, last_local_date"
)


@dataclass(frozen=True)
class ScheduleSpec:
    """What ``/daily set`` asks for."""

    platform: str
    workspace: str | None
    channel: str
    created_by: str
    hour: int
    minute: int
    timezone: str
    mood: Mood
    film_id: int | None


class ScheduleStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, platform: str, workspace: str | None, channel: str) -> Schedule | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM schedules WHERE platform = ? AND workspace = ?"
            " AND channel = ?",
            (platform, workspace or "", channel),
        )
        return _schedule(row) if row else None

    async def by_id(self, schedule_id: int) -> Schedule | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM schedules WHERE id = ?", (schedule_id,)
        )
        return _schedule(row) if row else None

    async def upsert(self, spec: ScheduleSpec, next_run: datetime) -> Schedule:
        """Create or replace the channel's schedule; a replaced one is active again.

        Past claims stay, so setting a new time on a day that already had its post does
        not post twice that day.
        """
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO schedules (platform, workspace, channel, created_by, hour, minute,"
                " timezone, mood, film_id, status, pause_reason, next_run_utc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?)"
                " ON CONFLICT (platform, workspace, channel) DO UPDATE SET"
                " created_by = excluded.created_by, hour = excluded.hour,"
                " minute = excluded.minute, timezone = excluded.timezone,"
                " mood = excluded.mood, film_id = excluded.film_id, status = 'active',"
                " pause_reason = NULL, next_run_utc = excluded.next_run_utc",
                (
                    spec.platform, spec.workspace or "", spec.channel, spec.created_by,
                    spec.hour, spec.minute, spec.timezone, spec.mood.value, spec.film_id,
                    iso_utc(next_run),
                ),
            )
        schedule = await self.get(spec.platform, spec.workspace, spec.channel)
        assert schedule is not None
        return schedule

    async def set_status(
        self, schedule_id: int, status: ScheduleStatus, reason: str | None = None,
        next_run: datetime | None = None,
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET status = ?, pause_reason = ?,"
                " next_run_utc = COALESCE(?, next_run_utc) WHERE id = ?",
                (status.value, reason, iso_utc(next_run) if next_run else None, schedule_id),
            )

    async def delete(self, schedule_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM schedules WHERE id = ?", (schedule_id,))

    async def due(self, now: datetime, platforms: Sequence[str], limit: int) -> list[Schedule]:
        """Active schedules whose next instant has come, on platforms that can post."""
        if not platforms:
            return []
        marks = ",".join("?" * len(platforms))
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM schedules WHERE status = 'active' AND next_run_utc <= ?"
            f" AND platform IN ({marks}) ORDER BY next_run_utc LIMIT ?",
            (iso_utc(now), *platforms, limit),
        )
        return [_schedule(r) for r in rows]

    async def next_due(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        marks = ",".join("?" * len(platforms))
        row = await self.db.fetchone(
            "SELECT MIN(next_run_utc) FROM schedules WHERE status = 'active'"
            f" AND platform IN ({marks})",
            tuple(platforms),
        )
        return parse_iso_utc(row[0]) if row and row[0] else None

    async def claim(self, schedule_id: int, day: date, now: datetime) -> bool:
        """Commit the right to post for ``day``; False if it was already taken.

        Committed (synchronous=FULL) before anything is sent: after a crash the claim
        is there and the day is not posted again.
        """
        async with self.db.transaction(durable=True) as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO posts (schedule_id, local_date, claimed_at)"
                " VALUES (?, ?, ?)",
                (schedule_id, day.isoformat(), iso_utc(now)),
            )
            return cur.rowcount == 1

    async def settle(
        self, schedule_id: int, day: date, outcome: str, message_id: str | None,
        next_run: datetime,
    ) -> None:
        """Record how the claimed post ended and move the schedule to its next instant."""
        async with self.db.transaction(durable=True) as conn:
            await conn.execute(
                "UPDATE posts SET outcome = ?, message_id = ? WHERE schedule_id = ?"
                " AND local_date = ?",
                (outcome, message_id, schedule_id, day.isoformat()),
            )
            await conn.execute(
                "UPDATE schedules SET last_local_date = ?, next_run_utc = ? WHERE id = ?",
                (day.isoformat(), iso_utc(next_run), schedule_id),
            )

    async def release(self, schedule_id: int, day: date) -> None:
        """Give a claim back: nothing was posted and the day may be tried again."""
        async with self.db.transaction(durable=True) as conn:
            await conn.execute(
                "DELETE FROM posts WHERE schedule_id = ? AND local_date = ?",
                (schedule_id, day.isoformat()),
            )

    async def move(self, schedule_id: int, next_run: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET next_run_utc = ? WHERE id = ?",
                (iso_utc(next_run), schedule_id),
            )

    async def posts(self, schedule_id: int) -> list[tuple[str, str, str | None]]:
        """(local date, outcome, message id) of every claim, oldest first."""
        rows = await self.db.fetchall(
            "SELECT local_date, outcome, message_id FROM posts WHERE schedule_id = ?"
            " ORDER BY local_date",
            (schedule_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _schedule(r: aiosqlite.Row) -> Schedule:
    return Schedule(
        id=r["id"], platform=r["platform"], channel=r["channel"],
        workspace=r["workspace"] or None, created_by=r["created_by"], hour=r["hour"],
        minute=r["minute"], timezone=r["timezone"], mood=Mood(r["mood"]), film_id=r["film_id"],
        status=ScheduleStatus(r["status"]), pause_reason=r["pause_reason"],
        next_run_utc=parse_iso_utc(r["next_run_utc"]),
        last_local_date=date.fromisoformat(r["last_local_date"]) if r["last_local_date"] else None,
    )
