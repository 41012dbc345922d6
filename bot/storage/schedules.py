"""Daily schedules, their skipped dates, and the per-day claims that make each post
happen at most once.

A channel holds up to ``PER_CHANNEL`` schedules, each named within it. Claims are keyed
by (schedule id, local date), and updating a schedule keeps its id, so a changed time
never posts a second time on a day that already had its post.

Claims and outcomes are durable; the ones made at the same moment (a busy minute's
posts under way together) share one transaction and one fsync (``GroupCommit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from bot import metrics
from bot.models import Mood, Schedule, ScheduleStatus
from bot.schedule_times import iso_utc, parse_iso_utc
from bot.storage.connection import Connection, Row
from bot.storage.database import Database
from bot.storage.group_commit import GroupCommit
from bot.weekdays import EVERY_DAY

_COLUMNS = (
    "id, platform, workspace, channel, name, created_by, hour, minute, timezone, days, mood,"
    " film_id, role, status, pause_reason, next_run_utc, last_local_date"
)
PER_CHANNEL = 5  # schedules in one channel: a few posts a day, not a feed

DueCursor = tuple[datetime, int]  # (next instant, id) of the last schedule of a page


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
    name: str = "1"
    days: int = EVERY_DAY
    role: str | None = None


class ScheduleStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._durable = GroupCommit(db)

    async def in_channel(
        self, platform: str, workspace: str | None, channel: str
    ) -> list[Schedule]:
        """The channel's schedules, oldest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM schedules WHERE platform = ? AND workspace = ?"
            " AND channel = ? ORDER BY id",
            (platform, workspace or "", channel),
        )
        return await self._with_skips([_schedule(r) for r in rows])

    async def channels(
        self, platform: str, workspace: str | None, limit: int, offset: int = 0
    ) -> list[str]:
        """A page of the workspace's channels that have schedules (Slack's Home tab)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT channel FROM schedules WHERE platform = ? AND workspace = ?"
            " ORDER BY channel LIMIT ? OFFSET ?",
            (platform, workspace or "", limit, offset),
        )
        return [r[0] for r in rows]

    async def get(
        self, platform: str, workspace: str | None, channel: str, name: str | None = None
    ) -> Schedule | None:
        """The channel's schedule called ``name``; without a name, its oldest one."""
        found = await self.in_channel(platform, workspace, channel)
        return next((s for s in found if name is None or s.name == name), None)

    async def by_id(self, schedule_id: int) -> Schedule | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM schedules WHERE id = ?", (schedule_id,)
        )
        return (await self._with_skips([_schedule(row)]))[0] if row else None

    async def upsert(self, spec: ScheduleSpec, next_run: datetime) -> Schedule | None:
        """Create the channel's schedule ``spec.name`` or update it in place (active
        again); None when it is new and the channel already has ``PER_CHANNEL``.

        An update keeps the id, so past claims and skips stay: setting a new time on a
        day that already had its post does not post twice that day.
        """
        async with self.db.transaction() as conn:
            rows = await conn.fetchall(
                "SELECT name FROM schedules WHERE platform = ? AND workspace = ?"
                " AND channel = ?",
                (spec.platform, spec.workspace or "", spec.channel),
            )
            names = {r[0] for r in rows}
            if spec.name not in names and len(names) >= PER_CHANNEL:
                return None
            await conn.execute(
                "INSERT INTO schedules (platform, workspace, channel, name, created_by, hour,"
                " minute, timezone, days, mood, film_id, role, status, pause_reason,"
                " next_run_utc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?)"
                " ON CONFLICT (platform, workspace, channel, name) DO UPDATE SET"
                " created_by = excluded.created_by, hour = excluded.hour,"
                " minute = excluded.minute, timezone = excluded.timezone,"
                " days = excluded.days, mood = excluded.mood, film_id = excluded.film_id,"
                " role = excluded.role, status = 'active', pause_reason = NULL,"
                " next_run_utc = excluded.next_run_utc",
                (
                    spec.platform, spec.workspace or "", spec.channel, spec.name,
                    spec.created_by, spec.hour, spec.minute, spec.timezone, spec.days,
                    spec.mood.value, spec.film_id, spec.role, iso_utc(next_run),
                ),
            )
        return await self.get(spec.platform, spec.workspace, spec.channel, spec.name)

    async def skip(self, schedule_id: int, day: date, forget_before: date) -> None:
        """Leave ``day`` out; skips before ``forget_before`` are past and dropped."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO schedule_skips (schedule_id, local_date) VALUES (?, ?)",
                (schedule_id, day.isoformat()),
            )
            await conn.execute(
                "DELETE FROM schedule_skips WHERE schedule_id = ? AND local_date < ?",
                (schedule_id, forget_before.isoformat()),
            )

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

    async def due(
        self, now: datetime, platforms: Sequence[str], limit: int,
        after: DueCursor | None = None,
    ) -> list[Schedule]:
        """Active schedules whose next instant has come, on platforms that can post,
        in (next instant, id) order; ``after`` continues from a page's last schedule, so
        a page can be read while the ones before it are still being posted."""
        if not platforms:
            return []
        marks = ",".join("?" * len(platforms))
        since = ""
        cursor: tuple[str | int, ...] = ()
        if after is not None:
            since = " AND (next_run_utc, id) > (?, ?)"
            cursor = (iso_utc(after[0]), after[1])
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM schedules WHERE status = 'active' AND next_run_utc <= ?"
            f" AND platform IN ({marks}){since} ORDER BY next_run_utc, id LIMIT ?",
            (iso_utc(now), *platforms, *cursor, limit),
        )
        return await self._with_skips([_schedule(r) for r in rows])

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
        is there and the day is not posted again. Claims made together share the commit.
        """

        async def insert(conn: Connection) -> bool:
            return await conn.execute(
                "INSERT OR IGNORE INTO posts (schedule_id, local_date, claimed_at)"
                " VALUES (?, ?, ?)",
                (schedule_id, day.isoformat(), iso_utc(now)),
            ) == 1

        return await self._durable.run(insert)

    async def settle(
        self, schedule_id: int, day: date, outcome: str, message_id: str | None,
        next_run: datetime,
    ) -> None:
        """Record how the claimed post ended and move the schedule to its next instant
        (durable, sharing the commit with the claims and outcomes made alongside)."""

        async def update(conn: Connection) -> None:
            await conn.execute(
                "UPDATE posts SET outcome = ?, message_id = ? WHERE schedule_id = ?"
                " AND local_date = ?",
                (outcome, message_id, schedule_id, day.isoformat()),
            )
            await conn.execute(
                "UPDATE schedules SET last_local_date = ?, next_run_utc = ? WHERE id = ?",
                (day.isoformat(), iso_utc(next_run), schedule_id),
            )

        await self._durable.run(update)
        metrics.daily_post(outcome)  # counted once durable: what the posts table now says

    async def release(self, schedule_id: int, day: date) -> None:
        """Give a claim back: nothing was posted and the day may be tried again."""
        async with self.db.transaction(durable=True) as conn:
            await conn.execute(
                "DELETE FROM posts WHERE schedule_id = ? AND local_date = ?",
                (schedule_id, day.isoformat()),
            )

    async def move(self, schedule_id: int, next_run: datetime,
                   seen: datetime | None = None) -> None:
        """Set when the schedule is next looked at; with ``seen``, only if that is still
        when it was due (another process may have moved it since: its move wins)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE schedules SET next_run_utc = ? WHERE id = ?"
                " AND (CAST(? AS TEXT) IS NULL OR next_run_utc = ?)",
                (iso_utc(next_run), schedule_id, *[None if seen is None else iso_utc(seen)] * 2),
            )

    async def posts(self, schedule_id: int) -> list[tuple[str, str, str | None]]:
        """(local date, outcome, message id) of every claim, oldest first."""
        rows = await self.db.fetchall(
            "SELECT local_date, outcome, message_id FROM posts WHERE schedule_id = ?"
            " ORDER BY local_date",
            (schedule_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def _with_skips(self, schedules: list[Schedule]) -> list[Schedule]:
        """``schedules`` with their skipped dates: one query for the whole page."""
        if not schedules:
            return schedules
        ids = [s.id for s in schedules]
        rows = await self.db.fetchall(
            "SELECT schedule_id, local_date FROM schedule_skips"
            f" WHERE schedule_id IN ({','.join('?' * len(ids))})",
            tuple(ids),
        )
        skips: dict[int, set[date]] = {}
        for r in rows:
            skips.setdefault(r[0], set()).add(date.fromisoformat(r[1]))
        return [replace(s, skipped=frozenset(skips[s.id])) if s.id in skips else s
                for s in schedules]


def _schedule(r: Row) -> Schedule:
    return Schedule(
        id=r["id"], platform=r["platform"], channel=r["channel"],
        workspace=r["workspace"] or None, created_by=r["created_by"], hour=r["hour"],
        minute=r["minute"], timezone=r["timezone"], mood=Mood(r["mood"]), film_id=r["film_id"],
        status=ScheduleStatus(r["status"]), pause_reason=r["pause_reason"],
        next_run_utc=parse_iso_utc(r["next_run_utc"]),
        last_local_date=date.fromisoformat(r["last_local_date"]) if r["last_local_date"] else None,
        name=r["name"], days=r["days"], role=r["role"],
    )
