"""/film add and /film remove: managers bring a film's reviews in, or take a film out.

``add`` checks everything it can before a job starts (who asks, a link or a file, its
type and size, the film, no job already adding that film) and answers with the job's
first state; the ingest runs in ``FilmJobs``. ``remove`` asks first: the reply carries
Confirm/Cancel values for ``ReviewBot.confirm_film_removal``; ``confirm:yes`` (the
console's way) removes at once. Daily posts that used a removed film are paused with the
reason, never left to post from whatever film comes next.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError
from bot.film_jobs import Source, Upload
from bot.ingest.fetch import is_link
from bot.invocation import Invocation
from bot.models import Film
from bot.replies import FilmAddReply, FilmRemovalReply
from bot.safe_text import excerpt, quoted
from bot.storage.films import DEFAULT_CORPUS_FILM, FilmStore

TYPES = (".txt", ".html", ".htm", ".csv", ".jsonl")
DATASETS = (".csv", ".jsonl")  # their rows name their films: no film option needed
LOCAL_PLATFORM = "console"  # the only place a path names a file the person may read


async def run(
    ctx: CommandContext, inv: Invocation, cmd: ParsedCommand
) -> FilmAddReply | FilmRemovalReply:
    assert cmd.sub is not None
    if not inv.can_manage:
        raise UsageError(
            f"Only people who manage this server or workspace can use /film {cmd.sub.name}; "
            "/films lists the films for everyone."
        )
    if cmd.sub.name == "add":
        return await _add(ctx, inv, cmd)
    film = await ctx.film(cmd.values["film"])
    _not_being_added(ctx, film)
    if cmd.values.get("confirm") == "yes":
        return await remove(ctx, film)
    contents = await FilmStore(ctx.corpus.db).contents(film.id)
    return FilmRemovalReply(
        film=film.name, film_id=film.id, documents=contents.documents, quotes=contents.quotes,
        schedules=contents.schedules,
        message=f"Remove {film.name} with its {_quotes(contents.quotes)}"
                f"{_schedules_note(contents.schedules)}? This cannot be undone.",
        ephemeral=True,
    )


async def remove(ctx: CommandContext, film: Film) -> FilmRemovalReply:
    """Remove ``film`` now (the manager confirmed)."""
    _not_being_added(ctx, film)
    reason = f"its film {film.name} was removed; /daily set with another film"
    removed = await FilmStore(ctx.corpus.db).remove(
        film.id, reason, default_corpus=film.name == DEFAULT_CORPUS_FILM
    )
    if removed is None:
        raise UsageError(f"{film.name} was already removed.")
    paused = ""
    if removed.schedules:
        posts = "1 daily post that used it is" if removed.schedules == 1 else \
            f"{removed.schedules} daily posts that used it are"
        paused = f" {posts} paused: /daily set with another film."
    return FilmRemovalReply(
        film=film.name, film_id=film.id, documents=removed.documents, quotes=removed.quotes,
        schedules=removed.schedules, removed=True,
        message=f"Removed {film.name}: {_quotes(removed.quotes)} from "
                f"{removed.documents} document{'s' if removed.documents != 1 else ''}, with "
                f"its stats and corrections.{paused}",
        ephemeral=True,
    )


def _quotes(count: int) -> str:
    return f"{count:,} quote{'' if count == 1 else 's'}"


def _not_being_added(ctx: CommandContext, film: Film) -> None:
    """A job adding the film would create it again with its next document."""
    if ctx.film_jobs.running(film.name) is not None:
        raise UsageError(f"{film.name} is being added right now: remove it after the "
                         "summary.")


def cancelled(film: Film) -> FilmRemovalReply:
    return FilmRemovalReply(
        film=film.name, film_id=film.id, documents=0, quotes=0, schedules=0, removed=False,
        message=f"Kept {film.name}: nothing was removed.", ephemeral=True,
    )


async def _add(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> FilmAddReply:
    sources: list[Source] = []
    token = cmd.values.get("file")
    if token is not None:
        upload = ctx.film_jobs.take(token)
        if upload is None:
            raise UsageError("That attachment is no longer here: attach the file again.")
        sources.append(_checked_upload(ctx, upload))
    link = cmd.values.get("source")
    if link is not None:
        sources.append(_checked_source(inv, link))
    if not sources:
        raise UsageError(
            'Give a link or attach a file: /film add https://… film:"Title (Year)".'
        )
    film = cmd.values.get("film")
    if film is None and not all(_suffix(s) in DATASETS for s in sources):
        raise UsageError('Which film are these reviews about? Add film:"Title (Year)".')
    if film is not None:
        film = await _known_spelling(ctx, film)
    running = ctx.film_jobs.running(film)
    if running is not None:
        raise UsageError(
            f"{excerpt(running.film or 'A dataset')} is already being added "
            f"({', '.join(running.sources)}): wait for its summary, then add more."
        )
    return ctx.film_jobs.start(film, sources)


async def _known_spelling(ctx: CommandContext, film: str) -> str:
    """The stored name of the film ``film`` names but for letter case and spacing: the
    store matches names exactly, and "her (2013)" must not become a second Her."""
    wanted = " ".join(film.split()).casefold()
    same = [f for f in await ctx.corpus.films_named(film) if f.name.casefold() == wanted]
    return same[0].name if len(same) == 1 else film


def _checked_upload(ctx: CommandContext, upload: Upload) -> Upload:
    name = quoted(upload.filename)
    if _suffix(upload) not in TYPES:
        raise UsageError(f"{name}: I read .txt, .html, .csv and .jsonl files.")
    cap = ctx.film_jobs.max_bytes
    if upload.size > cap:
        raise UsageError(
            f"{name} is {_size(upload.size)}; the limit is {_size(cap)} "
            "(REVIEWBOT_MAX_FILE_BYTES). Nothing was downloaded."
        )
    return upload


def _checked_source(inv: Invocation, text: str) -> Source:
    if is_link(text):
        if not urlsplit(text).hostname or any(c.isspace() for c in text):
            raise UsageError(f"{quoted(text)} is not a link I can fetch: https://host/page.")
        return text
    if inv.platform != LOCAL_PLATFORM:
        raise UsageError(
            f"{quoted(text)} is not a link: give one starting with https://"
            + (", or attach a file." if inv.platform == "discord" else ".")
        )
    path = Path(text).expanduser()
    if not path.exists():
        raise UsageError(f"{quoted(text)}: no such file or folder.")
    return path


def _suffix(source: Source) -> str:
    name = source.filename if isinstance(source, Upload) else str(source)
    if isinstance(source, str):
        name = urlsplit(source).path  # a link's query says nothing of its type
    return PurePosixPath(name).suffix.casefold()


def _schedules_note(schedules: int) -> str:
    if not schedules:
        return ""
    return (f" ({schedules} daily post{'s' if schedules != 1 else ''} using it will be "
            "paused)")


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB" if count >= 100_000 else f"{count:,} bytes"
