"""From what a user typed to validated values, or one line saying what to type instead.

Words are read the way Discord's UI shows options: ``name:value`` pairs and positional
words in option order, in any mix. A positional word skips an optional option it cannot
be (``/quote Her`` is a film, not a mood); a FILM or TEXT option takes the rest of the
words. The same checks run on Discord's structured options, so every platform gives the
same answers. An error names every reading of a word ("'ecstatic' is neither a mood …
nor a film here") and quotes what was typed only as a short, printable, one-line excerpt.
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.commands.definitions import COMMANDS, CommandSpec, OptionKind, OptionSpec, command
from bot.models import Mood
from bot.safe_text import excerpt, quoted
from bot.schedule_times import canonical_zone, zone, zone_names, zone_suggestions
from bot.weekdays import EVERY_DAY, DaysError, parse_days

# Room for /mood's longest text (its option's max_length) with its options. Checked
# before shlex, which takes about a second on 50,000 characters: a pasted page is refused
# at once, not parsed.
MAX_LINE = 4000
_TIME = re.compile(r"^(?P<h>\d{1,2})[:h.](?P<m>\d{2})$")
# Lone surrogates: JSON (Discord's, Slack's) can carry them, but no encoder takes them, so
# SQLite or the terminal would fail on them far from here.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
MAX_MESSAGE = 300  # characters in any usage error: a line every chat and terminal shows whole
_ZONE_HINT_CHARS = 64  # the longest IANA name is 32 characters
_SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,15}$")
# The role ids each platform has; the console takes either (it mentions no one).
_ROLE_FITS: dict[str, Callable[[str], bool]] = {
    "discord": str.isdigit, "slack": lambda r: r.startswith("S"),
}
# A role or user group: Slack's <!subteam^ID|@name>, Discord's <@&ID>, or a bare id.
_ROLE = re.compile(r"^(?:<!subteam\^(?P<sub>S[A-Z0-9]{1,31})(?:\|[^>]{0,64})?>"
                   r"|<@&(?P<amp>\d{1,20})>|(?P<bare>S[A-Z0-9]{1,31}|\d{1,20}))$")


class UsageError(Exception):
    """A user mistake; ``str()`` is the one line they are shown.

    Whoever raises it, the message is made one printable line of at most ``MAX_MESSAGE``
    characters here, so no message can echo an escape sequence, several lines or a pasted
    page. Quote what the user typed with ``quoted``: its short excerpt leaves room for the
    advice that follows.
    """

    def __init__(self, message: str) -> None:
        super().__init__(excerpt(message, MAX_MESSAGE))


class NoMatch(UsageError):
    """``value`` names nothing of its option's kind: "No film matches 'x'".

    It keeps the option's name, so ``ParsedCommand.explain`` can tell the whole story when
    the value was a positional word that the options before it refused too.
    """

    def __init__(self, option: str, value: str, known: str) -> None:
        self.option, self.value, self.known = option, value, known
        super().__init__(f"No {option} matches {quoted(value)}. {option.capitalize()}s: {known}.")


@dataclass(frozen=True)
class ParsedCommand:
    spec: CommandSpec
    sub: CommandSpec | None
    values: dict[str, str] = field(default_factory=dict)
    # For an option a positional word went to: the optional options before it that refused
    # the word. "/quote ecstatic" reads 'ecstatic' as a film only because it is no mood.
    passed_over: dict[str, tuple[OptionSpec, ...]] = field(default_factory=dict)

    @property
    def target(self) -> CommandSpec:
        return self.sub or self.spec

    @property
    def usage(self) -> str:
        return self.target.usage(self.spec.name if self.sub else None)

    def explain(self, error: NoMatch) -> UsageError:
        """``error`` with every reading of the word: when other options refused it first,
        "'ecstatic' is neither a mood (…) nor a film here" rather than only "no film"."""
        passed = self.passed_over.get(error.option)
        if not passed or self.values.get(error.option) != error.value:
            return error
        readings = ", ".join(_reading(opt, error.value) for opt in passed)
        return UsageError(
            f"{quoted(error.value)} is neither {readings} nor a {error.option} here; "
            f"{error.option}s: {error.known}."
        )


def parse_line(line: str) -> ParsedCommand:
    """Parse ``/quote negative film:Her`` (the slash is optional)."""
    line = _readable(line)
    if len(line) > MAX_LINE:
        raise UsageError(f"That command is {len(line):,} characters; I read at most {MAX_LINE:,}.")
    try:
        words = shlex.split(line.strip())
    except ValueError:
        words = line.strip().split()
    if not words:
        raise UsageError("Type a command, for example /quote. /help lists them all.")
    name = words[0].lstrip("/").casefold()
    spec = command(name)
    if spec is None:
        raise UsageError(f"There is no {quoted('/' + name)}. Commands: {_known()}.")
    rest = words[1:]
    sub = None
    if spec.subcommands:
        if not rest:
            raise UsageError(f"/{spec.name} needs one of: {_subnames(spec)}.")
        sub = spec.subcommand(rest[0].casefold())
        if sub is None:
            raise UsageError(
                f"/{spec.name} {quoted(rest[0])} is not a thing: use {_subnames(spec)}."
            )
        rest = rest[1:]
    values, passed_over = _assign(sub or spec, rest, spec.name if sub else None)
    parsed = ParsedCommand(spec, sub, values, passed_over)
    _check_lengths(parsed)
    return parsed


def from_options(
    name: str, options: Mapping[str, str | None] | None, subcommand: str | None = None
) -> ParsedCommand:
    """Structured options (Discord's) into the same ``ParsedCommand``."""
    spec = command(_readable(name).casefold())
    if spec is None:
        raise UsageError(f"There is no {quoted('/' + name)}. Commands: {_known()}.")
    sub = None
    if spec.subcommands:
        sub = spec.subcommand(_readable(subcommand or "").casefold())
        if sub is None:
            raise UsageError(f"/{spec.name} needs one of: {_subnames(spec)}.")
    target = sub or spec
    values: dict[str, str] = {}
    for key, value in (options or {}).items():
        if value is None or not str(value).strip():
            continue
        opt = _option(target, _readable(key), spec.name if sub else None)
        values[opt.name] = _readable(str(value)).strip()
    parsed = ParsedCommand(spec, sub, values)
    _check_required(parsed)
    _check_lengths(parsed)
    return parsed


def _readable(text: str) -> str:
    """``text`` with each lone surrogate as U+FFFD, so it can be stored, matched and shown."""
    return _SURROGATES.sub("\ufffd", text)


def _assign(
    target: CommandSpec, words: list[str], parent: str | None
) -> tuple[dict[str, str], dict[str, tuple[OptionSpec, ...]]]:
    """The values ``words`` give, and the options each positional word passed over."""
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
    passed_over: dict[str, tuple[OptionSpec, ...]] = {}
    while positional:
        word = positional[0]
        passed: list[OptionSpec] = []
        while pending and not pending[0].required and not accepts(pending[0], word):
            passed.append(pending.pop(0))
        if not pending:
            raise UsageError(f"I don't know what {quoted(word)} is for. {_usage(target, parent)}")
        opt = pending.pop(0)
        if passed:
            passed_over[opt.name] = tuple(passed)
        if opt.kind is OptionKind.FILM:
            values[opt.name] = " ".join(positional)
            positional = []
        else:
            values[opt.name] = word
            positional.pop(0)
    missing = [o.name for o in target.options if o.required and o.name not in values]
    if missing:
        raise UsageError(f"{missing[0]} is missing. {_usage(target, parent)}")
    return values, passed_over


def _check_required(parsed: ParsedCommand) -> None:
    for opt in parsed.target.options:
        if opt.required and opt.name not in parsed.values:
            raise UsageError(f"{opt.name} is missing. Type: {parsed.usage}")


def _check_lengths(parsed: ParsedCommand) -> None:
    """Each option's ``max_length``, on every platform: Discord stops longer input at the
    keyboard, Slack and the console only here."""
    for opt in parsed.target.options:
        value = parsed.values.get(opt.name)
        if opt.max_length is not None and value is not None and len(value) > opt.max_length:
            raise UsageError(
                f"{opt.name} is {len(value):,} characters; "
                f"{_slash(parsed.target, parsed.spec.name if parsed.sub else None)} takes at "
                f"most {opt.max_length:,}."
            )


def _is_option_name(target: CommandSpec, key: str) -> bool:
    # Only known names: "Mission: Impossible" is a film and "Verdict: dull" is text.
    return key.casefold() in {o.name for o in target.options}


def _option(target: CommandSpec, key: str, parent: str | None) -> OptionSpec:
    for opt in target.options:
        if opt.name == key.casefold():
            return opt
    names = ", ".join(o.name for o in target.options) or "none"
    raise UsageError(
        f"{_slash(target, parent)} has no option {quoted(key)} (its options: {names}). "
        f"{_usage(target, parent)}"
    )


def accepts(opt: OptionSpec, word: str) -> bool:
    """Whether a bare word can fill the optional ``opt``; the console's Tab completion
    asks the same question, so it offers what the parser will read."""
    if opt.kind is OptionKind.CHOICE:
        return word.casefold() in opt.choices
    if opt.kind is OptionKind.TIME:
        return bool(_TIME.match(word))
    if opt.kind is OptionKind.TIMEZONE:
        return canonical_zone(word) is not None or "/" in word
    if opt.kind is OptionKind.DAYS:
        try:
            parse_days(word)
        except DaysError:
            return False
        return True
    if opt.kind is OptionKind.SCHEDULE:
        return bool(_SCHEDULE_NAME.match(word.casefold()))
    if opt.kind is OptionKind.ROLE:
        return word.startswith(("<!subteam^", "<@&")) and bool(_ROLE.match(word))
    return True


# -- typed values ------------------------------------------------------------------------


def mood_value(raw: str | None) -> Mood:
    if raw is None:
        return Mood.ANY
    try:
        return Mood(raw.casefold())
    except ValueError:
        raise UsageError(f"mood must be positive, negative or any, not {quoted(raw)}.") from None


def time_value(raw: str) -> tuple[int, int]:
    match = _TIME.match(raw.strip())
    if match:
        hour, minute = int(match["h"]), int(match["m"])
        if hour <= 23 and minute <= 59:
            return hour, minute
    raise UsageError(f"time must be 24-hour HH:MM such as 09:30 or 18:05, not {quoted(raw)}.")


def zone_value(raw: str | None) -> str:
    """The canonical IANA name for ``raw`` in any letter case, or a one-line UsageError.

    Only names in ``zone_names()`` pass: a folder of the zone tree ("Europe", "US"), a
    name too long for the file system, and files that are not zones ("localtime",
    "posixrules", "right/...") are usage errors, not a crash in ZoneInfo.
    """
    if raw is None:
        return "UTC"
    name = canonical_zone(raw)
    if name is not None and zone(name) is not None:
        return name
    typed = raw.strip()[:_ZONE_HINT_CHARS]  # difflib is quadratic in the text's length
    close = zone_suggestions(typed, limit=2) or difflib.get_close_matches(
        typed, sorted(zone_names()), n=2, cutoff=0.6
    )
    hint = f" Did you mean {' or '.join(close)}?" if close else ""
    raise UsageError(
        f"'{excerpt(raw.strip())}' is not a time zone I know: use an IANA name such as "
        f"Europe/Paris, America/New_York or UTC.{hint}"
    )


def days_value(raw: str | None) -> int:
    """The weekday mask ``raw`` names (``bot.weekdays``); every day when left out."""
    if raw is None:
        return EVERY_DAY
    try:
        return parse_days(raw)
    except DaysError as exc:
        raise UsageError(str(exc)) from None


def schedule_name_value(raw: str) -> str:
    """A schedule's short name within its channel: letters, digits, ``-`` and ``_``."""
    name = raw.strip().casefold()
    if not _SCHEDULE_NAME.match(name):
        raise UsageError(
            f"id must be a short name of letters, digits, - or _ (up to 16), such as rave or "
            f"2, not {quoted(raw)}."
        )
    return name


def role_value(raw: str | None, platform: str) -> str | None:
    """The id of the role or user group to mention, or None for "none".

    Discord sends a role option as its id (digits); Slack writes a user group picked in
    the message box as ``<!subteam^ID|@name>`` (ids start with S); ``<@&ID>`` is Discord's
    own mention syntax. An id of the other platform's kind is refused here rather than
    dropped silently by the poster.
    """
    if raw is None or raw.strip().casefold() == "none":
        return None
    match = _ROLE.match(raw.strip())
    role = str(match["sub"] or match["amp"] or match["bare"]) if match else None
    fits = _ROLE_FITS.get(platform)
    if role is None or (fits is not None and not fits(role)):
        raise UsageError(
            f"role must be a role (Discord) or a user group such as @team (Slack), or none, "
            f"not {quoted(raw)}."
        )
    return role


def text_value(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    return raw.strip()


# -- wording -----------------------------------------------------------------------------


def _slash(target: CommandSpec, parent: str | None) -> str:
    return f"/{parent} {target.name}" if parent else f"/{target.name}"


def _usage(target: CommandSpec, parent: str | None) -> str:
    return f"Type: {target.usage(parent)}"


def _reading(opt: OptionSpec, word: str) -> str:
    """What a word must be to fill ``opt``, for "'x' is neither … nor …"; for a zone, the
    one ``word`` most likely meant ("paris" → "did you mean Europe/Paris?")."""
    if opt.kind is OptionKind.CHOICE:
        return f"a {opt.name} ({', '.join(opt.choices)})"
    if opt.kind is OptionKind.TIMEZONE:
        likely = zone_suggestions(word[:_ZONE_HINT_CHARS], limit=1) if word.strip() else []
        if likely:
            return f"a time zone (did you mean {likely[0]}?)"
    readings = {
        OptionKind.TIME: "a time (HH:MM)",
        OptionKind.TIMEZONE: "a time zone (such as Europe/Paris)",
        OptionKind.FILM: "a film",
        OptionKind.TEXT: "text",
        OptionKind.FILE: "an attached file",
        OptionKind.DAYS: "days (such as mon-fri or weekends)",
        OptionKind.SCHEDULE: "a daily quote's id",
        OptionKind.ROLE: "a role or user group",
        OptionKind.DATE: "a date (YYYY-MM-DD or next)",
    }
    return readings[opt.kind]


def _example(opt: OptionSpec) -> str:
    examples = {
        OptionKind.CHOICE: f"{opt.name}:{opt.choices[0] if opt.choices else 'x'}",
        OptionKind.TIME: f"{opt.name}:09:30",
        OptionKind.TIMEZONE: f"{opt.name}:Europe/Paris",
        OptionKind.FILM: f'{opt.name}:"Her (2013)"',
        OptionKind.TEXT: f"{opt.name}:some words",
        OptionKind.FILE: f"{opt.name}: (attach one)",
        OptionKind.DAYS: f"{opt.name}:mon-fri",
        OptionKind.SCHEDULE: f"{opt.name}:rave",
        OptionKind.ROLE: f"{opt.name}:@team",
        OptionKind.DATE: f"{opt.name}:2026-12-25",
    }
    return examples[opt.kind]


def _known() -> str:
    return ", ".join(f"/{c.name}" for c in COMMANDS)


def _subnames(spec: CommandSpec) -> str:
    return ", ".join(s.name for s in spec.subcommands)
