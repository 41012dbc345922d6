"""ReviewBot: the one object adapters talk to.

It owns the database, the scorer and the scheduler, turns a command (typed words or
structured options) into a reply object, and guarantees that no exception and no
internal text reaches a user: mistakes become one-line answers, failures an error id.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path

from bot import metrics
from bot.clock import Clock, SystemClock
from bot.commands import correct, daily, film, films, help_text, mood, quote, review, verdict
from bot.commands.context import CommandContext
from bot.commands.parsing import NoMatch, ParsedCommand, UsageError, from_options, parse_line
from bot.cooldowns import Cooldowns
from bot.film_jobs import FilmJobs, OnFile, OnProgress
from bot.ingest.columns import ColumnMap
from bot.ingest.pipeline import FileResult, IngestReport, file_digests, ingest_paths
from bot.invocation import Invocation
from bot.models import Correction, Mood, Schedule
from bot.replies import ErrorReply, QuoteReply, Reply
from bot.scheduler import Scheduler
from bot.sentiment import Scorer, default_scorer, fingerprint
from bot.sentiment.workers import ScoringWorker
from bot.settings import Settings
from bot.storage import Database, film_search
from bot.storage.cooldowns import CooldownStore
from bot.storage.corpus import CorpusStore
from bot.storage.corrections import CorrectionStore
from bot.storage.database import is_row_id
from bot.storage.errors import StorageError
from bot.storage.films import DEFAULT_CORPUS_FILM, FilmStore
from bot.storage.labeller import LabellerStore
from bot.storage.schedules import ScheduleStore
from bot.storage.seen import SeenOnce

_log = logging.getLogger(__name__)

DEFAULT_FILM = DEFAULT_CORPUS_FILM

Handler = Callable[[CommandContext, Invocation, ParsedCommand], Awaitable[Reply]]
_HANDLERS: dict[str, Handler] = {
    "quote": quote.run,
    "mood": mood.run,
    "verdict": verdict.run,
    "daily": daily.run,
    "review": review.run,
    "help": help_text.run,
    "film": film.run,
    "films": films.run,
}


def default_corpus_dir() -> Path:
    return Path(str(resources.files("bot") / "data" / "seeds"))


class ReviewBot:
    def __init__(self, settings: Settings, db: Database, scorer: Scorer, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.corpus = CorpusStore(db)
        self.corrections = CorrectionStore(self.corpus)
        self.labeller = LabellerStore(db)
        self.schedules = ScheduleStore(db)
        # Deliveries a platform may repeat, served once by whichever process is first.
        self.seen = SeenOnce(db)
        self.scheduler = Scheduler(self.schedules, self._compose_daily, clock)
        self.cooldowns = Cooldowns(CooldownStore(db), clock)
        # Large ingests score in a process of its own, started when one needs it.
        self.workers = ScoringWorker()
        self.film_jobs = FilmJobs(
            self._ingest_sources, settings.db_path.parent / "uploads", settings.max_file_bytes
        )
        self.ctx = CommandContext(
            corpus=self.corpus, schedules=self.schedules, scheduler=self.scheduler,
            scorer=scorer, clock=clock, rng=random.Random(), corrections=self.corrections,
            film_jobs=self.film_jobs, default_film=settings.default_film,
        )

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        scorer: Scorer | None = None,
        ingest_default_corpus: bool = True,
    ) -> ReviewBot:
        """Open the database (migrations applied) and ingest the default corpus into a new
        one, or finish it when an earlier start died half-way (a film with some of its
        documents, or none): each document is its own transaction and ingest skips the
        ones already stored, so finishing is just ingesting again. A default corpus a
        manager removed (``/film remove``) stays removed."""
        scorer = scorer or default_scorer()  # before the database: a failure leaves no thread
        db = await Database.open(settings.database)
        bot = cls(settings, db, scorer, clock or SystemClock())
        try:
            # A new database's quotes are all labelled by this scorer: nothing to follow.
            labelled = await bot.labeller.holds_quotes()
            seeds = [default_corpus_dir()]
            if ingest_default_corpus and not await FilmStore(db).default_corpus_removed() \
                    and await bot.corpus.lacks_documents(
                DEFAULT_FILM, file_digests(seeds, settings.max_file_bytes)
            ):
                report = await bot.ingest(seeds, DEFAULT_FILM)
                _log.info("default corpus: %d quotes of %s", report.quotes_added, DEFAULT_FILM)
            if labelled:
                await bot.labeller.follow(fingerprint(scorer), scorer.score_many)
            else:
                await bot.labeller.record(fingerprint(scorer))
            await bot.corpus.rebuild_dirty_pools()
        except BaseException:
            await db.close()
            raise
        return bot

    async def close(self) -> None:
        await self.film_jobs.close()
        await asyncio.to_thread(self.workers.close)
        await self.db.close()

    async def ingest(
        self,
        sources: Sequence[Path | str],
        film: str | None = None,
        on_file: Callable[[FileResult], None] | None = None,
        *,
        columns: ColumnMap | None = None,
        on_progress: Callable[[int, int | None], None] | None = None,
        local_links: bool | None = None,
    ) -> IngestReport:
        """Ingest files, folders and http(s) links (strings); one ``FileResult`` per input.

        ``film`` is the film of the documents (datasets name their own films; for a
        dataset ``film`` may also name its film column); ``None`` means the configured
        film or the only one, and a document with neither fails with one line.
        ``columns`` maps a dataset's columns. ``on_progress(done, total)`` counts
        documents and dataset rows, ``total`` ``None`` until every input is counted: a
        chat command edits its progress message from it. Links to this machine or a
        private network are refused unless ``local_links`` (the command line's user can
        read them anyway; a chat member must not reach them through the bot), which
        defaults to the ``REVIEWBOT_ALLOW_LOCAL_LINKS`` setting.
        """
        if film is None:
            film = self.settings.default_film
            if film is None:
                sole = await self.corpus.sole_film()
                film = sole.name if sole else None
        return await ingest_paths(
            self.corpus, self.ctx.scorer, sources, film,
            max_bytes=self.settings.max_file_bytes, columns=columns, on_file=on_file,
            on_progress=on_progress,
            local_links=self.settings.allow_local_links if local_links is None else local_links,
            workers=self.workers,
        )

    async def handle(
        self,
        inv: Invocation,
        command: str,
        options: Mapping[str, str | None] | None = None,
        subcommand: str | None = None,
    ) -> Reply:
        """Run a command from structured options (Discord). Never raises."""
        return await self._run(inv, lambda: from_options(command, options, subcommand))

    async def handle_text(self, inv: Invocation, line: str) -> Reply:
        """Run a command typed as words: ``/quote negative film:Her``. Never raises."""
        return await self._run(inv, lambda: parse_line(line))

    async def another(self, inv: Invocation, value: str) -> Reply:
        """The "Another" button: ``value`` is ``QuoteReply.another_value``.

        The value comes back from the platform and can be doctored: anything that is not
        a mood and a film id SQLite could hold is an out-of-date button, not an error.
        """
        mood, _, film_id = value.partition(":")
        if mood not in {m.value for m in Mood} or not is_row_id(film_id):
            return ErrorReply("That button is out of date. Try /quote.", ephemeral=True)

        async def pick() -> Reply:
            await self._cool_down(inv)
            film = await self.corpus.film(int(film_id))
            if film is None:
                raise UsageError("That film is no longer here. Try /quote.")
            return await quote.pick(self.ctx, inv.channel_key, film, Mood(mood))

        return await self._guard(inv, "another", pick)

    async def correct(self, inv: Invocation, value: str) -> Reply:
        """A "Wrong mood?" choice or a /review button; ``value`` is ``correction_value``.

        A manager's correction applies at once, in every pool for every channel; a
        member's goes to the review queue. Never raises; a doctored value is "out of date".
        """
        to, _, quote_id = value.partition(":")
        if to not in {c.value for c in Correction} or not is_row_id(quote_id):
            return ErrorReply("That button is out of date.", ephemeral=True)

        async def apply() -> Reply:
            await self._cool_down(inv)
            return await correct.run(self.ctx, inv, int(quote_id), Correction(to))

        return await self._guard(inv, "correct", apply)

    async def confirm_film_removal(self, inv: Invocation, value: str) -> Reply:
        """A /film remove Confirm or Cancel button; ``value`` is the reply's
        ``confirm_value`` or ``cancel_value``. Never raises; a doctored value is out of date."""
        answer, _, film_id = value.partition(":")
        if answer not in ("yes", "no") or not is_row_id(film_id):
            return ErrorReply("That button is out of date.", ephemeral=True)

        async def decide() -> Reply:
            if not inv.can_manage:
                raise UsageError("Only people who manage this server or workspace can "
                                 "remove a film.")
            found = await self.corpus.film(int(film_id))
            if found is None:
                raise UsageError("That film is no longer here.")
            return await film.remove(self.ctx, found) if answer == "yes" else film.cancelled(found)

        return await self._guard(inv, "film removal", decide)

    async def _ingest_sources(
        self, sources: Sequence[Path | str], film_name: str | None,
        on_file: OnFile, on_progress: OnProgress,
    ) -> IngestReport:
        """``FilmJobs``' way into ``ingest``."""
        return await self.ingest(sources, film_name, on_file, on_progress=on_progress)

    async def film_names(self, prefix: str = "", limit: int = 25) -> list[str]:
        """Film names for autocomplete: names starting with ``prefix``, then names
        containing it (indexed, so each keystroke costs the same at 10,000 films)."""
        return await film_search.film_names(self.db, prefix, limit)

    async def _run(self, inv: Invocation, parse: Callable[[], ParsedCommand]) -> Reply:
        started, name = time.perf_counter(), "unknown"  # "unknown": the line did not parse

        async def call() -> Reply:
            nonlocal name
            cmd = parse()
            name = cmd.spec.name
            if cmd.target.public:
                await self._cool_down(inv)
            try:
                return await _HANDLERS[cmd.spec.name](self.ctx, inv, cmd)
            except NoMatch as exc:
                # Only the parse knows what else the word could have been: say it here,
                # once, for every handler that looks a value up.
                raise cmd.explain(exc) from None

        reply = await self._guard(inv, "command", call)
        metrics.command(name, metrics.outcome(reply), time.perf_counter() - started)
        return reply

    async def _guard(
        self, inv: Invocation, what: str, call: Callable[[], Awaitable[Reply]]
    ) -> Reply:
        try:
            return await call()
        except UsageError as exc:
            return ErrorReply(str(exc), ephemeral=True)
        except StorageError as exc:
            # The sentence names the file, what is wrong and what to do; SQLite's
            # traceback adds only length, so it is logged at debug level. The record
            # carries the error for a front end that prints it its own way (the CLI).
            error_id = uuid.uuid4().hex[:8]
            _log.error("error %s in %s on %s channel %s: %s", error_id, what, inv.platform,
                       inv.channel, exc, extra={"storage_error": exc})
            _log.debug("error %s", error_id, exc_info=True)
            return ErrorReply(
                f"Something went wrong on my side (error id {error_id}); it has been logged.",
                error_id=error_id, usage=False, ephemeral=True,
            )
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            _log.exception("error %s in %s on %s channel %s", error_id, what, inv.platform,
                           inv.channel)
            return ErrorReply(
                f"Something went wrong on my side (error id {error_id}); it has been logged.",
                error_id=error_id, usage=False, ephemeral=True,
            )

    async def _cool_down(self, inv: Invocation) -> None:
        wait = await self.cooldowns.wait(inv)
        if wait > 0:
            limit, window = self.cooldowns.limit, self.cooldowns.window
            raise UsageError(
                f"Easy there: {limit} posts per {window:.0f} s each keeps the channel "
                f"readable. Try again in {math.ceil(wait)} s."
            )

    async def _compose_daily(self, schedule: Schedule) -> QuoteReply | None:
        film = await self.corpus.film(schedule.film_id) if schedule.film_id else None
        if film is None:
            try:
                film = await self.ctx.film(None)
            except UsageError:
                return None
        channel_key = Invocation(schedule.platform, schedule.channel, schedule.created_by,
                                 schedule.workspace).channel_key
        try:
            return await quote.pick(self.ctx, channel_key, film, schedule.mood)
        except UsageError:
            return None
