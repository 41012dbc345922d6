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

    def usage(self, parent: str | None = None) -> str:
        words = [f"/{parent} {self.name}" if parent else f"/{self.name}"]
        if self.subcommands:
            words.append("<" + "|".join(s.name for s in self.subcommands) + ">")
        for opt in self.options:
            shown = "|".join(opt.choices) if opt.choices else opt.name
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
DAILY = CommandSpec(
    "daily",
    "A quote posted to this channel every day",
    guild_only=True,
    subcommands=(
        CommandSpec(
            "set",
            "Post a quote here every day at HH:MM",
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
                FILM,
            ),
            admin=True,
            examples=("/daily set 09:00 Europe/Paris positive",),
        ),
        CommandSpec("show", "When the next daily quote will be posted here"),
        CommandSpec("pause", "Pause this channel's daily quote", admin=True),
        CommandSpec("resume", "Resume this channel's daily quote", admin=True),
        CommandSpec("off", "Delete this channel's daily quote", admin=True),
    ),
)
REVIEW = CommandSpec(
    "review",
    "Quotes to check: members' reports and the scorer's least certain, with mood buttons",
    options=(FILM,),
    admin=True,
    examples=("/review", "/review Her (2013)"),
)
HELP = CommandSpec("help", "What every command does", examples=("/help",))

COMMANDS: tuple[CommandSpec, ...] = (QUOTE, MOOD_CMD, VERDICT, DAILY, REVIEW, HELP)


def command(name: str) -> CommandSpec | None:
    return next((c for c in COMMANDS if c.name == name), None)
