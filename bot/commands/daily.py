"""/daily set|show|pause|resume|off: one schedule per channel."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError, mood_value, time_value, zone_value
from bot.invocation import Invocation
from bot.models import Schedule, ScheduleStatus
from bot.replies import ScheduleReply
from bot.safe_text import excerpt
from bot.schedule_times import UnknownZone, stored_zone, upcoming
from bot.storage.schedules import ScheduleSpec


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> ScheduleReply:
    assert cmd.sub is not None
    if not inv.in_guild:
        raise UsageError("/daily works in a channel of a server or workspace, not here.")
    if cmd.sub.admin and not inv.can_manage:
        raise UsageError(
            f"Only people who manage this server or workspace can use /daily {cmd.sub.name}; "
            "/daily show works for everyone."
        )
    current = await ctx.schedules.get(inv.platform, inv.workspace, inv.channel)
    name = cmd.sub.name
    if name == "set":
        return await _set(ctx, inv, cmd)
    if current is None:
        raise UsageError("This channel has no daily quote. Set one: /daily set 09:00 Europe/Paris")
    if name == "show":
        return await _describe(ctx, current, "This channel's daily quote:")
    if name == "pause":
        await ctx.schedules.set_status(current.id, ScheduleStatus.PAUSED, "paused by a member")
        return await _reload(ctx, current, "Paused. /daily resume starts it again.", False)
    if name == "resume":
        next_run = _next(ctx, current.hour, current.minute, current.timezone, current)
        await ctx.schedules.set_status(current.id, ScheduleStatus.ACTIVE, None, next_run)
        ctx.scheduler.wake()
        return await _reload(ctx, current, "Resumed.", False)
    await ctx.schedules.delete(current.id)
    ctx.scheduler.wake()
    return ScheduleReply(message="Daily quote deleted for this channel.", active=None)


async def _set(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> ScheduleReply:
    hour, minute = time_value(cmd.values["time"])
    tz_name = zone_value(cmd.values.get("timezone"))
    mood = mood_value(cmd.values.get("mood"))
    film = await ctx.film(cmd.values.get("film"))
    current = await ctx.schedules.get(inv.platform, inv.workspace, inv.channel)
    spec = ScheduleSpec(
        inv.platform, inv.workspace, inv.channel, inv.user, hour, minute, tz_name, mood, film.id
    )
    schedule = await ctx.schedules.upsert(spec, _next(ctx, hour, minute, tz_name, current))
    ctx.scheduler.wake()
    return await _describe(ctx, schedule, "Daily quote set.", ephemeral=False)


def _next(
    ctx: CommandContext, hour: int, minute: int, tz_name: str, current: Schedule | None
) -> datetime:
    try:
        tz = stored_zone(tz_name)
    except UnknownZone:
        raise UsageError(
            f"This schedule's time zone {excerpt(tz_name)} is no longer known: use /daily set "
            "with a zone such as Europe/Paris."
        ) from None
    return upcoming(hour, minute, tz, ctx.clock.now(), current.last_local_date if current else None)


async def _reload(
    ctx: CommandContext, schedule: Schedule, message: str, ephemeral: bool
) -> ScheduleReply:
    fresh = await ctx.schedules.by_id(schedule.id)
    assert fresh is not None
    return await _describe(ctx, fresh, message, ephemeral=ephemeral)


async def _describe(
    ctx: CommandContext, s: Schedule, message: str, ephemeral: bool = True
) -> ScheduleReply:
    try:
        tz: ZoneInfo | None = stored_zone(s.timezone)
    except UnknownZone:
        tz = None  # the scheduler pauses it, with the reason, at its next look
    film = await ctx.corpus.film(s.film_id) if s.film_id is not None else None
    active = s.status is ScheduleStatus.ACTIVE
    return ScheduleReply(
        message=message,
        active=active,
        local_time=f"{s.hour:02d}:{s.minute:02d}",
        timezone=s.timezone,
        mood=s.mood,
        film=film.name if film else None,
        next_local=s.next_run_utc.astimezone(tz).isoformat() if active and tz else None,
        next_utc=s.next_run_utc.isoformat().replace("+00:00", "Z") if active and tz else None,
        pause_reason=s.pause_reason,
        ephemeral=ephemeral,
    )
