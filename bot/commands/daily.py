"""/daily set|show|pause|resume|off|skip|now: a channel's daily quotes.

A channel holds up to ``PER_CHANNEL`` schedules, each with a short id ("1", "rave").
Commands that act on one take its id, which may be left out when the channel has only
one; with several and none given, the answer lists them rather than guessing.
``/daily set`` with an existing id updates that schedule in place (same row, same
claims), so a change never posts twice on a day that already had its post.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.commands.context import CommandContext
from bot.commands.parsing import (
    ParsedCommand,
    UsageError,
    days_value,
    mood_value,
    role_value,
    schedule_name_value,
    time_value,
    zone_value,
)
from bot.invocation import Invocation
from bot.models import Schedule, ScheduleStatus
from bot.replies import PostTime, Reply, ScheduleReply, ScheduleView
from bot.safe_text import excerpt, quoted
from bot.schedule_times import (
    PostDays,
    UnknownZone,
    has_post,
    local_date,
    shifted,
    stored_zone,
    upcoming,
    upcoming_posts,
)
from bot.scheduler import post_days
from bot.storage.schedules import PER_CHANNEL, ScheduleSpec
from bot.weekdays import describe

PREVIEW = 5  # posts /daily show lists per schedule
_KEEP_PAST_SKIPS = timedelta(days=2)  # a skip stays while a late post could still ask for it


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> Reply:
    assert cmd.sub is not None
    if not inv.in_guild:
        raise UsageError("/daily works in a channel of a server or workspace, not here.")
    if cmd.sub.admin and not inv.can_manage:
        raise UsageError(
            f"Only people who manage this server or workspace can use /daily {cmd.sub.name}; "
            "/daily show works for everyone."
        )
    name = cmd.sub.name
    schedules = await ctx.schedules.in_channel(inv.platform, inv.workspace, inv.channel)
    if name == "set":
        return await _set(ctx, inv, cmd, schedules)
    if not schedules:
        raise UsageError("This channel has no daily quote. Set one: /daily set 09:00 Europe/Paris")
    if name == "show" and "id" not in cmd.values:
        views = [await view(ctx, s) for s in schedules]
        heading = ("This channel's daily quote:" if len(schedules) == 1
                   else f"This channel's {len(schedules)} daily quotes:")
        return ScheduleReply(message=heading, schedules=tuple(views), ephemeral=True)
    current = _pick(schedules, cmd.values.get("id"), name)
    label = _label(current, schedules)
    if name == "show":
        return await _reply(ctx, current, f"Daily quote{label}:")
    if name == "pause":
        await ctx.schedules.set_status(current.id, ScheduleStatus.PAUSED, "paused by a member")
        return await _reload(ctx, current, f"Paused{label}. /daily resume{label} starts it again.")
    if name == "resume":
        next_run = _next(ctx, current, current.hour, current.minute, current.timezone,
                         post_days(current))
        await ctx.schedules.set_status(current.id, ScheduleStatus.ACTIVE, None, next_run)
        ctx.scheduler.wake()
        return await _reload(ctx, current, f"Resumed{label}.")
    if name == "skip":
        return await _skip(ctx, current, cmd.values["date"], label)
    if name == "now":
        return await _now(ctx, current)
    await ctx.schedules.delete(current.id)
    ctx.scheduler.wake()
    return ScheduleReply(message=f"Daily quote{label} deleted for this channel.")


async def _set(
    ctx: CommandContext, inv: Invocation, cmd: ParsedCommand, schedules: list[Schedule]
) -> ScheduleReply:
    hour, minute = time_value(cmd.values["time"])
    tz_name = zone_value(cmd.values.get("timezone"))
    mood = mood_value(cmd.values.get("mood"))
    days = days_value(cmd.values.get("days"))
    role = role_value(cmd.values.get("role"), inv.platform)
    film = await ctx.film(cmd.values.get("film"))
    raw_id = cmd.values.get("id")
    if raw_id is not None:
        name = schedule_name_value(raw_id)
    elif len(schedules) > 1:
        raise UsageError(
            f"This channel has {len(schedules)} daily quotes ({_names(schedules)}): add id:NAME "
            "to change one, or a new id to add one."
        )
    else:
        name = schedules[0].name if schedules else "1"
    current = next((s for s in schedules if s.name == name), None)
    on = PostDays(days, current.skipped if current else frozenset())
    spec = ScheduleSpec(
        inv.platform, inv.workspace, inv.channel, inv.user, hour, minute, tz_name, mood,
        film.id, name=name, days=days, role=role,
    )
    schedule = await ctx.schedules.upsert(spec, _next(ctx, current, hour, minute, tz_name, on))
    if schedule is None:
        raise UsageError(
            f"This channel already has {PER_CHANNEL} daily quotes ({_names(schedules)}), the "
            "most it can have: change one with id:NAME, or delete one with /daily off NAME."
        )
    ctx.scheduler.wake()
    label = _label(schedule, [*schedules, schedule])
    verb = "updated" if current else "set"
    message = f"Daily quote{label} {verb}."
    if current and raw_id is None:
        # Someone adding a second schedule without an id would otherwise lose the first
        # one's settings without knowing a channel can hold several.
        message += f" To add another instead, give it a new id (id:NAME; up to {PER_CHANNEL})."
    return await _reply(ctx, schedule, message, ephemeral=False)


async def _skip(ctx: CommandContext, s: Schedule, raw: str, label: str) -> ScheduleReply:
    tz = _zone(s.timezone)
    now = ctx.clock.now()
    today = local_date(now, tz)
    on = post_days(s)
    if raw.strip().casefold() == "next":
        day = upcoming_posts(s.hour, s.minute, tz, now, s.last_local_date, 1, on)[0][0]
    else:
        day = _date(raw)
        if day < today:
            raise UsageError(f"{day.isoformat()} has passed; skip today or a later date.")
        if not has_post(day, s.hour, s.minute, tz, PostDays(s.days)):
            raise UsageError(
                f"Daily quote{label} posts on {describe(s.days)}: {day:%A} {day.isoformat()} "
                "has no post to skip."
            )
        if s.last_local_date is not None and day <= s.last_local_date:
            raise UsageError(f"The post for {day.isoformat()} has already gone out.")
    await ctx.schedules.skip(s.id, day, today - _KEEP_PAST_SKIPS)
    if s.status is ScheduleStatus.ACTIVE:
        fresh = await ctx.schedules.by_id(s.id)
        assert fresh is not None
        await ctx.schedules.move(
            s.id, _next(ctx, fresh, s.hour, s.minute, s.timezone, post_days(fresh))
        )
        ctx.scheduler.wake()
    return await _reload(ctx, s, f"Daily quote{label} skips {day:%A} {day.isoformat()}.")


async def _now(ctx: CommandContext, s: Schedule) -> Reply:
    """One quote of the schedule's mood and film, as the command's public reply: it is
    not the day's post (no claim), and ``/daily now`` counts against cooldowns."""
    reply = await ctx.scheduler.compose(s)
    if reply is None:
        raise UsageError(f"No {s.mood.value} quote to post for this daily quote's film.")
    return reply


def _pick(schedules: list[Schedule], raw_id: str | None, sub: str) -> Schedule:
    if raw_id is None:
        if len(schedules) == 1:
            return schedules[0]
        raise UsageError(
            f"This channel has {len(schedules)} daily quotes: {_names(schedules)}. Say which: "
            f"/daily {sub} {schedules[0].name}"
        )
    name = raw_id.strip().casefold()
    found = next((s for s in schedules if s.name == name), None)
    if found is None:
        raise UsageError(f"No daily quote {quoted(raw_id)} here; its ids: {_names(schedules)}.")
    return found


def _names(schedules: list[Schedule]) -> str:
    return ", ".join(
        f"{s.name} ({s.hour:02d}:{s.minute:02d} {s.timezone}, {describe(s.days)})"
        for s in schedules
    )


def _label(s: Schedule, schedules: list[Schedule]) -> str:
    """`` rave`` when the channel has several (or it has a chosen name), else nothing."""
    return f" {s.name}" if len({x.id for x in schedules}) > 1 or s.name != "1" else ""


def _date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise UsageError(f"date must be YYYY-MM-DD such as 2026-12-25, or next, not {quoted(raw)}."
                         ) from None


def _zone(name: str) -> ZoneInfo:
    try:
        return stored_zone(name)
    except UnknownZone:
        raise UsageError(
            f"This schedule's time zone {excerpt(name)} is no longer known: use /daily set "
            "with a zone such as Europe/Paris."
        ) from None


def _next(
    ctx: CommandContext, current: Schedule | None, hour: int, minute: int, tz_name: str,
    on: PostDays,
) -> datetime:
    posted = current.last_local_date if current else None
    return upcoming(hour, minute, _zone(tz_name), ctx.clock.now(), posted, on)


async def _reload(ctx: CommandContext, schedule: Schedule, message: str) -> ScheduleReply:
    fresh = await ctx.schedules.by_id(schedule.id)
    assert fresh is not None
    return await _reply(ctx, fresh, message, ephemeral=False)


async def _reply(
    ctx: CommandContext, s: Schedule, message: str, ephemeral: bool = True
) -> ScheduleReply:
    return ScheduleReply(message=message, schedules=(await view(ctx, s),), ephemeral=ephemeral)


async def view(ctx: CommandContext, s: Schedule) -> ScheduleView:
    """``s`` as people see it, with its next ``PREVIEW`` posts when it is active (also
    what Slack's Home tab shows)."""
    try:
        tz: ZoneInfo | None = stored_zone(s.timezone)
    except UnknownZone:
        tz = None  # the scheduler pauses it, with the reason, at its next look
    film = await ctx.corpus.film(s.film_id) if s.film_id is not None else None
    active = s.status is ScheduleStatus.ACTIVE
    posts: tuple[PostTime, ...] = ()
    skipped: tuple[str, ...] = ()
    if tz is not None:
        now = ctx.clock.now()
        if active:
            posts = tuple(
                PostTime(
                    local=instant.astimezone(tz).isoformat(),
                    utc=instant.isoformat().replace("+00:00", "Z"),
                    shifted=shifted(day, s.hour, s.minute, tz),
                )
                for day, instant in upcoming_posts(
                    s.hour, s.minute, tz, now, s.last_local_date, PREVIEW, post_days(s)
                )
            )
        today = local_date(now, tz)
        skipped = tuple(d.isoformat() for d in sorted(s.skipped) if d >= today)
    return ScheduleView(
        name=s.name, active=active, local_time=f"{s.hour:02d}:{s.minute:02d}",
        timezone=s.timezone, days=describe(s.days), mood=s.mood,
        film=film.name if film else None, role=s.role, pause_reason=s.pause_reason,
        upcoming=posts, skipped=skipped,
    )
