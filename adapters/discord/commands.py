"""Discord application commands built from the core's ``COMMANDS``.

No command is written out by hand: each ``CommandSpec`` becomes an ``app_commands.Command``
(or a ``Group`` of them) whose callback passes the raw option strings to
``ReviewBot.handle``. Parsing, defaults and validation stay in the core; this module adds
only what Discord itself offers: choices, maximum lengths, film and time zone
autocomplete, guild-only and default member permissions, and the check that the bot may
post where a daily quote is set.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.app_commands import Range

from adapters.discord.films import follow_job, upload_for
from adapters.discord.responses import invocation_for, respond, send_now
from bot.app import ReviewBot
from bot.commands.definitions import CommandSpec, OptionKind, OptionSpec
from bot.replies import ErrorReply
from bot.schedule_times import zone_suggestions
from bot.weekdays import CHOICES as DAY_CHOICES
from bot.weekdays import DaysError, describe, parse_days

_log = logging.getLogger(__name__)

Callback = Callable[..., Coroutine[Any, Any, None]]
Autocomplete = Callable[
    [discord.Interaction[Any], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]
AppCommand = app_commands.Command[Any, ..., None] | app_commands.Group

AUTOCOMPLETE_TIMEOUT = 2.0  # seconds; an autocomplete answer is also due within 3
CHOICE_LIMIT = 25
CHOICE_VALUE_LIMIT = 100

# Before saving a schedule the bot checks it can deliver to the channel: Discord's 50013
# at 9 am is a worse way to learn it than a message now.
POSTING_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
POSTS_DAILY = frozenset({("daily", "set"), ("daily", "resume")})
MANAGE = discord.Permissions(manage_guild=True)
GUILD_ONLY = app_commands.AppCommandContext(guild=True)


def build_commands(core: ReviewBot, specs: Sequence[CommandSpec]) -> list[AppCommand]:
    """One top-level app command per spec; specs with subcommands become groups."""
    return [_build(core, spec) for spec in specs]


def _build(core: ReviewBot, spec: CommandSpec) -> AppCommand:
    if not spec.subcommands:
        return _command(core, spec, parent=None)
    # Discord sets default_member_permissions on top-level commands only, so a group with
    # any admin subcommand is hidden from non-managers by default; every admin callback
    # still gets its check from the core through Invocation.can_manage.
    admin = any(sub.admin for sub in spec.subcommands)
    group = app_commands.Group(
        name=spec.name,
        description=spec.description,
        guild_only=spec.guild_only,
        # ``guild_only`` alone sends only the deprecated dm_permission; contexts is what
        # Discord reads now.
        allowed_contexts=GUILD_ONLY if spec.guild_only else None,
        default_permissions=MANAGE if admin else None,
    )
    for sub in spec.subcommands:
        group.add_command(_command(core, sub, parent=spec.name))
    return group


def _command(
    core: ReviewBot, spec: CommandSpec, parent: str | None
) -> app_commands.Command[Any, ..., None]:
    callback = _callback(core, spec, parent)
    _declare_options(callback, core, spec.options)
    if parent is None and spec.guild_only:
        app_commands.guild_only()(callback)
    if parent is None and spec.admin:
        app_commands.default_permissions(MANAGE)(callback)
    return app_commands.Command(name=spec.name, description=spec.description, callback=callback)


def _callback(core: ReviewBot, spec: CommandSpec, parent: str | None) -> Callback:
    command, subcommand = (parent, spec.name) if parent else (spec.name, None)

    async def callback(
        interaction: discord.Interaction[Any], **options: str | discord.Attachment | None
    ) -> None:
        inv = invocation_for(interaction)
        if (command, subcommand) in POSTS_DAILY and inv.can_manage:
            missing = _missing_posting_permissions(interaction.app_permissions)
            if missing:
                message = f"I can't post in this channel: I need {', '.join(missing)} here."
                await send_now(interaction, ErrorReply(message, ephemeral=True))
                return
        # An attachment goes to the core as a token for the Upload it holds.
        values = {
            name: core.film_jobs.offer(upload_for(value, core.settings.max_file_bytes))
            if isinstance(value, discord.Attachment) else value
            for name, value in options.items()
        }
        pending = asyncio.ensure_future(core.handle(inv, command, values, subcommand))
        await respond(interaction, pending)
        follow_job(core, interaction, pending.result())

    # Named after the command, so discord.py's error logs say which one failed.
    callback.__qualname__ = callback.__name__ = f"{command}_{subcommand or 'command'}"
    return callback


def _declare_options(callback: Callback, core: ReviewBot, options: Sequence[OptionSpec]) -> None:
    """Give ``callback`` the signature, descriptions, choices and autocompletes discord.py
    reads to build the command's options (every option is a string: the core parses)."""
    interaction = inspect.Parameter(
        "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
    )
    params = [interaction]
    for opt in sorted(options, key=lambda o: not o.required):  # Discord: required first
        annotation: Any = str if opt.max_length is None else Range[str, None, opt.max_length]
        if opt.kind is OptionKind.ROLE:
            annotation = app_commands.Transform[str, RoleId]  # a role picker, its id to the core
        params.append(
            inspect.Parameter(
                opt.name,
                inspect.Parameter.KEYWORD_ONLY,
                # A declared max_length makes Discord's client refuse longer input as it
                # is typed, instead of the core refusing it after the send; a file is an
                # attachment option (type 11).
                annotation=discord.Attachment if opt.kind is OptionKind.FILE else annotation,
                default=inspect.Parameter.empty if opt.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    if not options:
        return
    app_commands.describe(**{o.name: o.description for o in options})(callback)
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices]
        for o in options
        if o.kind is OptionKind.CHOICE
    }
    if choices:
        app_commands.choices(**choices)(callback)
    completers = {o.name: _film_autocomplete(core) for o in options if o.kind is OptionKind.FILM}
    completers |= {o.name: _zone_autocomplete for o in options if o.kind is OptionKind.TIMEZONE}
    completers |= {o.name: _days_autocomplete for o in options if o.kind is OptionKind.DAYS}
    completers |= {o.name: _schedule_autocomplete(core) for o in options
                   if o.kind is OptionKind.SCHEDULE}
    if completers:
        app_commands.autocomplete(**completers)(callback)


def _film_autocomplete(
    core: ReviewBot,
) -> Autocomplete:
    async def film_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        try:
            names = await asyncio.wait_for(
                core.film_names(current, CHOICE_LIMIT), AUTOCOMPLETE_TIMEOUT
            )
        except TimeoutError:
            _log.warning("film autocomplete took longer than %.1fs", AUTOCOMPLETE_TIMEOUT)
            return []
        # A longer name cannot be a choice value; the user can still type it in full.
        return [
            app_commands.Choice(name=name, value=name)
            for name in names[:CHOICE_LIMIT]
            if len(name) <= CHOICE_VALUE_LIMIT
        ]

    return film_autocomplete


async def _zone_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """IANA zones for what is typed, best first; a city name finds its zone."""
    return [
        app_commands.Choice(name=name, value=name)
        for name in zone_suggestions(current, limit=CHOICE_LIMIT)
    ]


class RoleId(app_commands.Transformer):
    """A role option (Discord's role picker) handed to the core as the role's id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.role

    async def transform(self, interaction: discord.Interaction[Any], value: Any) -> str:
        return str(value.id)


async def _days_autocomplete(
    interaction: discord.Interaction[Any], current: str
) -> list[app_commands.Choice[str]]:
    """The usual day sets, what is typed first when it reads as days (so any set can be
    typed: "mon,thu"), each shown with the days it means."""
    typed = current.strip()
    offered = [typed] if typed else []
    offered += [c for c in DAY_CHOICES if c.startswith(typed.casefold()) and c != typed]
    choices = []
    for value in offered:
        try:
            meaning = describe(parse_days(value))
        except DaysError:
            continue
        choices.append(app_commands.Choice(name=f"{value} ({meaning})"[:CHOICE_VALUE_LIMIT],
                                           value=value[:CHOICE_VALUE_LIMIT]))
    return choices[:CHOICE_LIMIT]


def _schedule_autocomplete(core: ReviewBot) -> Autocomplete:
    async def schedule_autocomplete(
        interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        """The ids of this channel's daily quotes, each with its time and days."""
        inv = invocation_for(interaction)
        found = await core.schedules.in_channel(inv.platform, inv.workspace, inv.channel)
        return [
            app_commands.Choice(
                name=f"{s.name} ({s.hour:02d}:{s.minute:02d} {s.timezone}, {describe(s.days)})"
                [:CHOICE_VALUE_LIMIT],
                value=s.name,
            )
            for s in found if s.name.startswith(current.strip().casefold())
        ][:CHOICE_LIMIT]

    return schedule_autocomplete


def _missing_posting_permissions(have: discord.Permissions) -> list[str]:
    return [
        name.replace("_", " ").title()
        for name, needed in POSTING_PERMISSIONS
        if needed and not getattr(have, name)
    ]
