"""The one list of commands: what the adapters register and what ``/help`` prints.

Adapters build their native commands (Discord app commands, Slack slash commands, console
words) from ``COMMANDS``; the parser and ``/help`` read the same objects, so a command
cannot be registered one way and documented another.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class OptionKind(enum.StrEnum):
    CHOICE = "choice"  # one of ``choices``
    TEXT = "text"  # free text, may contain spaces; must be the last option
    FILM = "film"  # a film title, autocompleted by adapters that can
    TIME = "time"  # HH:MM, 24-hour
    TIMEZONE = "timezone"  # an IANA zone name such as Europe/Paris
    DAYS = "days"  # weekdays a schedule posts on: mon-fri, mon,wed,fri, weekends, daily
    SCHEDULE = "schedule"  # a channel's schedule by its short name; adapters may complete it
    ROLE = "role"  # a Discord role or Slack user group to mention; "none" removes it
    DATE = "date"  # YYYY-MM-DD, or "next"
    FILE = "file"  # an attached file, where the platform has attachments (Discord)


@dataclass(frozen=True)
class OptionSpec:
    name: str
    description: str
    kind: OptionKind
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None
    # The longest value accepted; adapters that can (Discord) stop longer input at the
    # keyboard. None for choices, which cannot be typed freely.
    max_length: int | None = None


@dataclass(frozen=True)
class CommandSpec:
    """A command, or a subcommand of a group when it appears in ``subcommands``.

    ``admin`` marks commands that change a channel's state: adapters restrict them to
    people who manage the server/workspace and the core checks ``Invocation.can_manage``.
    """

    name: str
    description: str
    options: tuple[OptionSpec, ...] = ()
    subcommands: tuple[CommandSpec, ...] = ()
    admin: bool = False
    guild_only: bool = False
    public: bool = False  # its reply is posted in the channel: subject to cooldowns
    examples: tuple[str, ...] = field(default=())

    def subcommand(self, name: str) -> CommandSpec | None:
        return next((s for s in self.subcommands if s.name == name), None)

    def usage(self, parent: str | None = None, attachments: bool = False) -> str:
        """The command as typed. An attached file (``OptionKind.FILE``) is shown only
        where one can be attached (Discord): at the console and in Slack it cannot."""
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        if self.subcommands:
            words.append("<" + "|".join(s.name for s in self.subcommands) + ">")
        for opt in self.options:
            if opt.kind is OptionKind.FILE and not attachments:
                continue
            shown = "|".join(opt.choices) if opt.choices else opt.name
            if len(opt.choices) == 1:  # a switch, typed by name: confirm:yes
                shown = f"{opt.name}:{opt.choices[0]}"
            words.append(f"<{shown}>" if opt.required else f"[{shown}]")
        return " ".join(words)


FILM = OptionSpec(
    "film", "Which film (defaults to the only or the configured one)", OptionKind.FILM,
    max_length=200,
)
MOOD = OptionSpec(
    "mood",
    "positive, negative or any",
    OptionKind.CHOICE,
    choices=("positive", "negative", "any"),
    default="any",
)

QUOTE = CommandSpec(
    "quote",
    "A random critic quote, with who said it",
    options=(MOOD, FILM),
    public=True,
    examples=("/quote", "/quote negative", "/quote mood:positive film:Her"),
)
MOOD_CMD = CommandSpec(
    "mood",
    "The mood of your text, or of the critics when you give none",
    options=(
        FILM,
        OptionSpec(
            "text", "Text to score (leave out for the critics' mood)", OptionKind.TEXT,
            max_length=2000,  # a chat message's length
        ),
    ),
    public=True,
    examples=("/mood", "/mood what a dull, lifeless film"),
)
VERDICT = CommandSpec(
    "verdict",
    "The critics' verdict: consensus, score, critics versus readers",
    options=(FILM,),
    public=True,
    examples=("/verdict",),
)
SCHEDULE_ID = OptionSpec(
    "id", "Which of this channel's daily quotes (needed when it has several)",
    OptionKind.SCHEDULE, max_length=16,
)
DAILY = CommandSpec(
    "daily",
    "Quotes posted to this channel at a time you choose",
    guild_only=True,
    subcommands=(
        CommandSpec(
            "set",
            "Post a quote here at HH:MM, every day or on chosen days",
            options=(
                OptionSpec(
                    "time", "Local time, 24-hour HH:MM", OptionKind.TIME, required=True,
                    max_length=16,
                ),
                OptionSpec(
                    "timezone", "IANA zone such as Europe/Paris (default UTC)", OptionKind.TIMEZONE,
                    default="UTC", max_length=64,  # the longest IANA name has 32 characters
                ),
                MOOD,
                OptionSpec(
                    "days", "mon-fri, mon,wed,fri, weekends or daily (default daily)",
                    OptionKind.DAYS, default="daily", max_length=64,
                ),
                FILM,
                OptionSpec(
                    "id", "A short name for it, to keep several here (new or existing)",
                    OptionKind.SCHEDULE, max_length=16,
                ),
                OptionSpec(
                    "role", "A role or user group its posts mention (opt-in, managers)",
                    OptionKind.ROLE, max_length=100,
                ),
            ),
            admin=True,
            examples=("/daily set 09:00 Europe/Paris positive",
                      "/daily set 17:00 Europe/Paris negative days:fri id:pan"),
        ),
        CommandSpec("show", "This channel's daily quotes and their next posts",
                    options=(SCHEDULE_ID,)),
        CommandSpec("pause", "Pause a daily quote of this channel", options=(SCHEDULE_ID,),
                    admin=True),
        CommandSpec("resume", "Resume a daily quote of this channel", options=(SCHEDULE_ID,),
                    admin=True),
        CommandSpec("off", "Delete a daily quote of this channel", options=(SCHEDULE_ID,),
                    admin=True),
        CommandSpec(
            "skip",
            "Leave one date out: YYYY-MM-DD or next",
            options=(
                OptionSpec("date", "YYYY-MM-DD, or next for the next post", OptionKind.DATE,
                           required=True, max_length=16),
                SCHEDULE_ID,
            ),
            admin=True,
            examples=("/daily skip 2026-12-25", "/daily skip next"),
        ),
        CommandSpec("now", "Post one of this channel's daily quotes now (not the day's post)",
                    options=(SCHEDULE_ID,), admin=True, public=True),
    ),
)
REVIEW = CommandSpec(
    "review",
    "Quotes to check: members' reports and the scorer's least certain, with mood buttons",
    options=(FILM,),
    admin=True,
    examples=("/review", "/review Her (2013)"),
)
FILM_CMD = CommandSpec(
    "film",
    "Add a film's reviews from a link or a file, or remove a film",
    guild_only=True,
    subcommands=(
        CommandSpec(
            "add",
            "Add reviews from a link or an attached .txt/.html/.csv/.jsonl file",
            options=(
                OptionSpec("file", "A .txt, .html, .csv or .jsonl file", OptionKind.FILE),
                OptionSpec(
                    "film", "The film, as Title (Year); a dataset's rows can name theirs",
                    OptionKind.FILM, max_length=200,
                ),
                OptionSpec(
                    "source", "A link (https://…); at the console, a file path too",
                    OptionKind.TEXT, max_length=2000,
                ),
            ),
            admin=True,
            examples=('/film add https://example.com/review film:"Her (2013)"',),
        ),
        CommandSpec(
            "remove",
            "Remove a film with its quotes, stats and corrections",
            options=(
                OptionSpec("film", "The film to remove", OptionKind.FILM, required=True,
                           max_length=200),
                OptionSpec("confirm", "yes: remove without asking", OptionKind.CHOICE,
                           choices=("yes",)),
            ),
            admin=True,
            examples=('/film remove "Her (2013)"',),
        ),
    ),
)
FILMS = CommandSpec(
    "films",
    "The films here, with their quote counts and verdicts",
    options=(OptionSpec("page", "Which page (10 films each)", OptionKind.TEXT, max_length=6),),
    examples=("/films", "/films 2"),
)
HELP = CommandSpec("help", "What every command does", examples=("/help",))

COMMANDS: tuple[CommandSpec, ...] = (
    QUOTE, MOOD_CMD, VERDICT, DAILY, REVIEW, FILM_CMD, FILMS, HELP
)


def command(name: str) -> CommandSpec | None:
    return next((c for c in COMMANDS if c.name == name), None)
