"""Tab completion at the console prompt: commands, subcommands, choices, zones, films, and
the console's own words with their choices (``wrong negative``, ``fix 12 hide``).

Every word offered comes from where the parser reads it: commands, subcommands, options
and moods from ``bot.commands.definitions.COMMANDS`` (the list the other adapters
register and ``/help`` prints), zones from ``bot.schedule_times`` and film names from the
database through ``ReviewBot.film_names``. So the console never offers a word the parser
would refuse, and a command added to the list completes without touching this module.

``plan`` is the pure part (what may replace the end of the line); ``CommandCompleter``
hands it to prompt_toolkit and looks film names up asynchronously, on the bot's loop.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from bot.commands.definitions import COMMANDS, CommandSpec, OptionKind, OptionSpec, command
from bot.commands.parsing import accepts
from bot.schedule_times import zone_names

FilmNames = Callable[[str], Awaitable[list[str]]]
# A console word -> the words that may follow it, one tuple per position.
ConsoleWords = Mapping[str, Sequence[Sequence[str]]]

_WORD = re.compile(r"\S+")
# Options that take the rest of the line: nothing after them is another option.
_OPEN_ENDED = (OptionKind.FILM, OptionKind.TEXT)


@dataclass(frozen=True)
class Plan:
    """What may replace the last ``length`` characters before the cursor.

    ``words`` are fixed candidates; ``film`` is set when a film title may be typed there
    (what is typed of it so far, to look up), and each film name found is offered after
    ``prefix`` (``film:`` when the user typed the option by name).
    """

    length: int
    words: tuple[str, ...] = ()
    film: str | None = None
    prefix: str = ""


NOTHING = Plan(0)


def plan(text: str, console_words: ConsoleWords | None = None) -> Plan:
    """Candidates for the end of ``text``, the line up to the cursor.

    ``console_words`` are first words the console understands besides the commands
    (``another``, ``wrong``, ``quit`` ...), each with the words Tab may offer after it,
    position by position (an empty tuple where anything goes, such as a quote id).
    """
    words = console_words or {}
    spans = [(m.start(), m.group()) for m in _WORD.finditer(text)]
    typing = "" if not text or text[-1].isspace() else spans.pop()[1]
    if not spans:
        names = [f"/{c.name}" for c in COMMANDS] + list(words)
        return Plan(len(typing), _matching(names, typing))
    arguments = words.get(spans[0][1].casefold())
    if arguments is not None:
        position = len(spans) - 1
        if position >= len(arguments):
            return NOTHING
        return Plan(len(typing), _matching(arguments[position], typing))
    spec = command(spans[0][1].lstrip("/").casefold())
    if spec is None:
        return NOTHING
    target: CommandSpec | None = spec
    given = spans[1:]
    if spec.subcommands:
        if not given:
            return Plan(len(typing), _matching([s.name for s in spec.subcommands], typing))
        target = spec.subcommand(given[0][1].casefold())
        given = given[1:]
    return NOTHING if target is None else _options(text, target, given, typing)


def _options(text: str, target: CommandSpec, given: list[tuple[int, str]], typing: str) -> Plan:
    """Candidates for an option of ``target`` after the words ``given``.

    Words are assigned the way the parser assigns them: ``name:value`` to that option,
    others positionally, skipping optional options the word cannot be.
    """
    pending = list(target.options)
    # With a text option (/mood), every positional word is the text: a film goes by name.
    positional = not any(o.kind is OptionKind.TEXT for o in target.options)
    for start, word in given:
        key, sep, _ = word.partition(":")
        named = _named(target, key) if sep else None
        if named is None:
            if not positional:
                return NOTHING
            while pending and not pending[0].required and not accepts(pending[0], word):
                pending.pop(0)
            if not pending:
                return NOTHING
            named = pending[0]
            key = ""
        if named.kind in _OPEN_ENDED:  # the rest of the line is this film or text
            if named.kind is OptionKind.TEXT:
                return NOTHING
            head = len(key) + 1 if key else 0
            return Plan(len(text) - start, film=text[start + head:], prefix=word[:head])
        if named in pending:
            pending.remove(named)
    key, sep, value = typing.partition(":")
    named = _named(target, key) if sep else None
    if named is not None:
        if named.kind is OptionKind.FILM:
            return Plan(len(typing), film=value, prefix=f"{key}:")
        return Plan(len(typing), _matching([f"{key}:{v}" for v in _values(named, value)], typing))
    words: list[str] = []
    film: str | None = None
    for opt in pending if positional else ():
        if opt.kind is OptionKind.FILM:
            film = typing
        else:
            words += _values(opt, typing)
        if opt.required:  # a positional word must fill it before any later option
            break
    if typing:  # Discord's way, name:value, once the user has started a word
        words += [f"{o.name}:" for o in pending]
    return Plan(len(typing), _matching(words, typing), film)


def _named(target: CommandSpec, key: str) -> OptionSpec | None:
    return next((o for o in target.options if o.name == key.casefold()), None)


def _values(opt: OptionSpec, typing: str) -> list[str]:
    """The fixed values of ``opt``: its choices, or zones once a letter is typed (~400)."""
    if opt.kind is OptionKind.CHOICE:
        return list(opt.choices)
    if opt.kind is OptionKind.TIMEZONE and typing:
        return sorted(zone_names())
    return []


def _matching(candidates: Iterable[str], typing: str) -> tuple[str, ...]:
    """Candidates that start with ``typing``, case-insensitively; ``ve`` finds ``/verdict``."""
    typed = typing.casefold()
    return tuple(
        c for c in candidates
        if c.casefold().startswith(typed) or c.lstrip("/").casefold().startswith(typed)
    )


class CommandCompleter(Completer):
    """prompt_toolkit's view of ``plan``, with film names from the database."""

    def __init__(self, film_names: FilmNames, console_words: ConsoleWords | None = None) -> None:
        self._film_names = film_names
        self._console_words = console_words

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        """The fixed words only: film names need the database, which only the async path reads."""
        found = plan(document.text_before_cursor, self._console_words)
        for word in found.words:
            yield Completion(word, -found.length)

    async def get_completions_async(
        self, document: Document, complete_event: CompleteEvent
    ) -> AsyncGenerator[Completion, None]:
        found = plan(document.text_before_cursor, self._console_words)
        for word in found.words:
            yield Completion(word, -found.length)
        if found.film is not None:
            for name in await self._film_names(found.film):
                yield Completion(found.prefix + name, -found.length, display=name)
