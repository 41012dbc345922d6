"""From what a user typed to validated values, or one line saying what to type instead.

Words are read the way Discord's UI shows options: ``name:value`` pairs and positional
words in option order, in any mix. A positional word skips an optional option it cannot
be (``/quote Her`` is a film, not a mood); a FILM or TEXT option takes the rest of the
words. The same checks run on Discord's structured options, so every platform gives the
same answers.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.commands.definitions import COMMANDS, CommandSpec, OptionKind, OptionSpec, command
from bot.models import Mood
from bot.schedule_times import zone, zone_names

MAX_TEXT = 2000
_TIME = re.compile(r"^(?P<h>\d{1,2})[:h.](?P<m>\d{2})$")


class UsageError(Exception):
    """A user mistake; ``str()`` is the one line they are shown."""


@dataclass(frozen=True)
class ParsedCommand:
    spec: CommandSpec
    sub: CommandSpec | None
    values: dict[str, str] = field(default_factory=dict)

    @property
    def target(self) -> CommandSpec:
        return self.sub or self.spec

    @property
    def usage(self) -> str:
        return self.target.usage(self.spec.name if self.sub else None)


def parse_line(line: str) -> ParsedCommand:
    """Parse ``/quote negative film:Her`` (the slash is optional)."""
    try:
        words = shlex.split(line.strip())
    except ValueError:
        words = line.strip().split()
    if not words:
        raise UsageError("Type a command, for example /quote. /help lists them all.")
    name = words[0].lstrip("/").casefold()
    spec = command(name)
    if spec is None:
        raise UsageError(f"There is no /{name}. Commands: {_known()}.")
    rest = words[1:]
    sub = None
    if spec.subcommands:
        if not rest:
            raise UsageError(f"/{spec.name} needs one of: {_subnames(spec)}.")
        sub = spec.subcommand(rest[0].casefold())
        if sub is None:
            raise UsageError(f"/{spec.name} {rest[0]} is not a thing: use {_subnames(spec)}.")
        rest = rest[1:]
    return ParsedCommand(spec, sub, _assign(sub or spec, rest, spec.name if sub else None))


def from_options(
    name: str, options: Mapping[str, str | None] | None, subcommand: str | None = None
) -> ParsedCommand:
    """Structured options (Discord's) into the same ``ParsedCommand``."""
    spec = command(name.casefold())
    if spec is None:
        raise UsageError(f"There is no /{name}. Commands: {_known()}.")
    sub = None
    if spec.subcommands:
        sub = spec.subcommand((subcommand or "").casefold())
        if sub is None:
            raise UsageError(f"/{spec.name} needs one of: {_subnames(spec)}.")
    target = sub or spec
    values: dict[str, str] = {}
    for key, value in (options or {}).items():
        if value is None or not str(value).strip():
            continue
        opt = _option(target, key, spec.name if sub else None)
        values[opt.name] = str(value).strip()
    parsed = ParsedCommand(spec, sub, values)
    _check_required(parsed)
    return parsed


def _assign(target: CommandSpec, words: list[str], parent: str | None) -> dict[str, str]:
    values: dict[str, str] = {}
    positional: list[str] = []
    open_ended: str | None = None  # a named film/text option still taking words
    for word in words:
        key, sep, value = word.partition(":")
        if sep and key and _is_option_name(target, key) and not _TIME.match(word):
            opt = _option(target, key, parent)
            if opt.name in values:
                raise UsageError(f"{opt.name} is given twice. {_usage(target, parent)}")
            if not value:
                raise UsageError(f"{opt.name}: needs a value, e.g. {_example(opt)}.")
            values[opt.name] = value
            # A quoted value (it holds a space) is complete; a bare one may go on.
            free = opt.kind in (OptionKind.FILM, OptionKind.TEXT) and " " not in value
            open_ended = opt.name if free else None
        elif open_ended:
            values[open_ended] += f" {word}"  # film:Her (2013), as Discord's UI shows it
        else:
            positional.append(word)
    text_opt = next((o for o in target.options if o.kind is OptionKind.TEXT), None)
    if text_opt and positional:
        if text_opt.name in values:
            raise UsageError(f"{text_opt.name} is given twice. {_usage(target, parent)}")
        values[text_opt.name] = " ".join(positional)
        positional = []
    pending = [o for o in target.options if o.name not in values and o.kind is not OptionKind.TEXT]
    while positional:
        word = positional[0]
        while pending and not pending[0].required and not _accepts(pending[0], word):
            pending.pop(0)
        if not pending:
            raise UsageError(f"I don't know what '{word}' is for. {_usage(target, parent)}")
        opt = pending.pop(0)
        if opt.kind is OptionKind.FILM:
            values[opt.name] = " ".join(positional)
            positional = []
        else:
            values[opt.name] = word
            positional.pop(0)
    missing = [o.name for o in target.options if o.required and o.name not in values]
    if missing:
        raise UsageError(f"{missing[0]} is missing. {_usage(target, parent)}")
    return values


def _check_required(parsed: ParsedCommand) -> None:
    for opt in parsed.target.options:
        if opt.required and opt.name not in parsed.values:
            raise UsageError(f"{opt.name} is missing. Type: {parsed.usage}")


def _is_option_name(target: CommandSpec, key: str) -> bool:
    # Only known names: "Mission: Impossible" is a film and "Verdict: dull" is text.
    return key.casefold() in {o.name for o in target.options}


def _option(target: CommandSpec, key: str, parent: str | None) -> OptionSpec:
    for opt in target.options:
        if opt.name == key.casefold():
            return opt
    names = ", ".join(o.name for o in target.options) or "none"
    raise UsageError(
        f"{_slash(target, parent)} has no option '{key}' (its options: {names}). "
        f"{_usage(target, parent)}"
    )


def _accepts(opt: OptionSpec, word: str) -> bool:
    if opt.kind is OptionKind.CHOICE:
        return word.casefold() in opt.choices
    if opt.kind is OptionKind.TIME:
        return bool(_TIME.match(word))
    if opt.kind is OptionKind.TIMEZONE:
        return zone(word) is not None or "/" in word
    return True


# -- typed values ------------------------------------------------------------------------


def mood_value(raw: str | None) -> Mood:
    if raw is None:
        return Mood.ANY
    try:
        return Mood(raw.casefold())
    except ValueError:
        raise UsageError(f"mood must be positive, negative or any, not '{raw}'.") from None


def time_value(raw: str) -> tuple[int, int]:
    match = _TIME.match(raw.strip())
    if match:
        hour, minute = int(match["h"]), int(match["m"])
        if hour <= 23 and minute <= 59:
            return hour, minute
    raise UsageError(f"time must be 24-hour HH:MM such as 09:30 or 18:05, not '{raw}'.")


def zone_value(raw: str | None) -> str:
    if raw is None:
        return "UTC"
    name = raw.strip()
    if zone(name) is not None:
        return name
    by_fold = {z.casefold(): z for z in zone_names()}
    if name.casefold() in by_fold:
        return by_fold[name.casefold()]
    close = difflib.get_close_matches(name, sorted(zone_names()), n=2, cutoff=0.6)
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise UsageError(
        f"'{name}' is not a time zone I know: use an IANA name such as Europe/Paris, "
        f"America/New_York or UTC.{hint}"
    )


def text_value(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_TEXT:
        raise UsageError(f"That text is {len(raw)} characters; /mood reads at most {MAX_TEXT}.")
    return raw.strip()


# -- wording -----------------------------------------------------------------------------


def _slash(target: CommandSpec, parent: str | None) -> str:
    return f"/{parent} {target.name}" if parent else f"/{target.name}"


def _usage(target: CommandSpec, parent: str | None) -> str:
    return f"Type: {target.usage(parent)}"


def _example(opt: OptionSpec) -> str:
    examples = {
        OptionKind.CHOICE: f"{opt.name}:{opt.choices[0] if opt.choices else 'x'}",
        OptionKind.TIME: f"{opt.name}:09:30",
        OptionKind.TIMEZONE: f"{opt.name}:Europe/Paris",
        OptionKind.FILM: f'{opt.name}:"Her (2013)"',
        OptionKind.TEXT: f"{opt.name}:some words",
    }
    return examples[opt.kind]


def _known() -> str:
    return ", ".join(f"/{c.name}" for c in COMMANDS)


def _subnames(spec: CommandSpec) -> str:
    return ", ".join(s.name for s in spec.subcommands)
