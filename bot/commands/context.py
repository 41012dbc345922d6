"""What every command handler gets: the stores, the scorer, the clock and film lookup."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bot.clock import Clock
from bot.commands.parsing import NoMatch, UsageError
from bot.film_jobs import FilmJobs
from bot.models import Film
from bot.safe_text import excerpt, quoted
from bot.scheduler import Scheduler
from bot.sentiment import Scorer
from bot.storage.corpus import CorpusStore, best_film_matches
from bot.storage.corrections import CorrectionStore
from bot.storage.schedules import ScheduleStore

_LIST_CHARS = 100  # of film names in one message, so the advice around them still fits


@dataclass
class CommandContext:
    corpus: CorpusStore
    schedules: ScheduleStore
    scheduler: Scheduler
    scorer: Scorer
    clock: Clock
    rng: random.Random
    corrections: CorrectionStore
    film_jobs: FilmJobs  # /film add's background ingests
    default_film: str | None = None

    async def film(self, name: str | None) -> Film:
        """The film a command is about: the one named, else the configured or only one.

        The common cases (an exact name, or a corpus of one film) are index lookups; the
        whole film list is read only for a partial name or to say what went wrong.
        """
        query = name or self.default_film
        if query is not None:
            exact = await self.corpus.films_named(query)
            if len(exact) == 1:
                return exact[0]
        else:
            sole = await self.corpus.sole_film()
            if sole is not None:
                return sole
        films = await self.corpus.films()
        if not films:
            raise UsageError(
                "No films yet: add reviews with `reviewbot ingest PATH --film \"Title (Year)\"`."
            )
        if query is None:
            raise UsageError(f"Which film? Add film:NAME, one of: {_names(films)}.")
        hits = best_film_matches(films, query)
        if len(hits) == 1:
            return hits[0]
        if hits:
            raise UsageError(f"{quoted(query)} matches {_names(hits)}: type the full name.")
        raise NoMatch("film", query, _names(films))


def _names(films: list[Film]) -> str:
    """The first films' names, as many as fit in ``_LIST_CHARS``, and how many more."""
    shown: list[str] = []
    for film in films:
        name = excerpt(film.name)
        if shown and len(", ".join([*shown, name])) > _LIST_CHARS:
            break
        shown.append(name)
    more = len(films) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "")
