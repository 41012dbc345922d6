"""``/film add`` runs in the background: one job per film, progress pushed to followers.

A chat command must be answered within seconds, and a dataset takes minutes. The
command starts a job here and answers at once with a ``FilmAddReply``; the adapter that
sent that reply ``follow``s the job and edits its message with every later state.
Progress edits are throttled (``interval``, one second by default: Discord rate-limits
edits); the final state is always delivered, last, as soon as the job ends. A job never
loses its error: an exception becomes a FAILED state with an error id, which the
followers show.

Attachments arrive as ``Upload``s: the platform's name and size (checked against the
size cap before a byte is fetched) and the adapter's download, run by the job. The file
is saved under a name derived from the film and the file name, so sending a changed
version of the same file replaces its quotes as ``reviewbot ingest`` would, and is
deleted once ingested. The folder is beside the database, the bot's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
import shutil
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.ingest.pipeline import FileResult, IngestReport
from bot.replies import FilmAddReply, JobState, SourceLine
from bot.safe_text import excerpt, safe_path

_log = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds between two edits of a progress message
_UPLOAD_TOKENS = 64  # uploads offered and not yet taken, kept at most (oldest dropped)
_CLOSE_GRACE = 5.0  # seconds for followers to show "stopped" when the bot shuts down
_KEPT_FINISHED = 32  # finished jobs kept so a late follower still gets the summary
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class DownloadFailed(Exception):
    """An adapter's download of an attachment failed; ``str()`` says why, in words."""


@dataclass(frozen=True)
class Upload:
    """A file attached on the platform, not yet downloaded."""

    filename: str
    size: int  # as the platform reports it: checked before downloading
    save: Callable[[Path], Awaitable[None]]  # the adapter's capped, timed-out download


Source = Path | str | Upload  # a path (console only), an http(s) link, an attachment
OnFile = Callable[[FileResult], None]
OnProgress = Callable[[int, int | None], None]
Ingest = Callable[[Sequence[Path | str], str | None, OnFile, OnProgress], Awaitable[IngestReport]]
Show = Callable[[FilmAddReply], Awaitable[None]]


def source_name(source: Source) -> str:
    """How a source is named to the manager: the file's name, the link, the path."""
    if isinstance(source, Upload):
        return excerpt(source.filename, 100)
    return excerpt(str(source), 200)


@dataclass
class _Job:
    key: str
    state: FilmAddReply
    sources: tuple[Source, ...]
    followers: list[Show] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    finished: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    shown_final: bool = False


class FilmJobs:
    def __init__(
        self, ingest: Ingest, upload_dir: Path, max_bytes: int, *, interval: float = INTERVAL
    ) -> None:
        self._ingest = ingest
        self.max_bytes = max_bytes  # an attachment's cap, checked before it is fetched
        self._upload_dir = upload_dir
        self.interval = interval
        self._jobs: dict[str, _Job] = {}  # by job id
        self._uploads: dict[str, Upload] = {}

    # -- uploads -----------------------------------------------------------------------

    def offer(self, upload: Upload) -> str:
        """Hold ``upload`` for the command about to run; its token goes in the ``file``
        option, so an attachment travels through the same parsing as typed options."""
        token = "upload-" + uuid.uuid4().hex
        self._uploads[token] = upload
        while len(self._uploads) > _UPLOAD_TOKENS:
            del self._uploads[next(iter(self._uploads))]
        return token

    def take(self, token: str) -> Upload | None:
        return self._uploads.pop(token, None)

    # -- jobs --------------------------------------------------------------------------

    def running(self, film: str | None) -> FilmAddReply | None:
        """The job adding ``film`` (None: a dataset naming its own films), if one runs."""
        key = _key(film)
        for job in self._jobs.values():
            if job.key == key and not job.finished.is_set():
                return job.state
        return None

    def start(self, film: str | None, sources: Sequence[Source]) -> FilmAddReply:
        """Start ingesting ``sources`` into ``film``; the caller checked ``running``."""
        state = FilmAddReply(
            job_id=uuid.uuid4().hex[:12], film=film,
            sources=tuple(source_name(s) for s in sources), state=JobState.RUNNING,
            ephemeral=False,
        )
        job = _Job(_key(film), state, tuple(sources))
        finished = [i for i, j in self._jobs.items() if j.finished.is_set()]
        for old in finished[:max(0, len(finished) - _KEPT_FINISHED)]:
            del self._jobs[old]
        self._jobs[state.job_id] = job
        job.tasks.append(asyncio.create_task(self._run(job), name=f"film-add-{state.job_id}"))
        job.tasks.append(asyncio.create_task(self._pump(job), name=f"film-show-{state.job_id}"))
        return state

    def follow(self, job_id: str, show: Show) -> bool:
        """Call ``show`` with the job's later states (throttled; the last always comes).

        A job that already finished shows its summary at once. False for an unknown job.
        """
        job = self._jobs.get(job_id)
        if job is None:
            return False
        job.followers.append(show)
        if job.shown_final:  # the pump is gone, having shown the summary to those it had
            job.tasks.append(asyncio.create_task(_show(show, job.state)))
        else:
            job.changed.set()
        return True

    async def wait(self, job_id: str) -> FilmAddReply | None:
        """The job's final state, once its followers have been shown it."""
        job = self._jobs.get(job_id)
        if job is None:
            return None
        await asyncio.gather(*job.tasks, return_exceptions=True)
        return job.state

    async def close(self) -> None:
        """Stop every job (the bot is shutting down): each document is its own
        transaction, so what was written stays and nothing is half written. Followers
        are shown that the job stopped, for up to ``_CLOSE_GRACE`` seconds."""
        stopping = [job for job in self._jobs.values() if not job.finished.is_set()]
        for job in stopping:
            job.tasks[0].cancel()
        await asyncio.gather(*(job.tasks[0] for job in stopping), return_exceptions=True)
        for job in stopping:  # a run cancelled before it started never got to say so
            self._finish(job, JobState.FAILED, "stopped: the bot is shutting down")
        rest = [t for job in self._jobs.values() for t in job.tasks if not t.done()]
        if rest:
            _, late = await asyncio.wait(rest, timeout=_CLOSE_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _run(self, job: _Job) -> None:
        saved_files: list[Path] = []
        by_path: dict[str, str] = {}
        try:
            inputs: list[Path | str] = []
            for source, name in zip(job.sources, job.state.sources, strict=True):
                if isinstance(source, Upload):
                    saved = await _download(source, self._upload_dir, job.state.film)
                    if isinstance(saved, SourceLine):
                        self._update(job, results=(*job.state.results, saved))
                        continue
                    saved_files.append(saved)
                    by_path[str(saved)] = name
                    inputs.append(saved)
                else:
                    by_path[str(source)] = name
                    inputs.append(source)

            def on_file(result: FileResult) -> None:
                name = _display(result.path, by_path)
                # The pipeline's own line, with the name the manager knows for the path.
                summary = name + result.line().removeprefix(safe_path(result.path))
                line = SourceLine(name, result.status, result.quotes, summary, result.notes)
                self._update(job, results=(*job.state.results, line))

            def on_progress(done: int, total: int | None) -> None:
                self._update(job, done=done, total=total)

            if inputs:
                await self._ingest(inputs, job.state.film, on_file, on_progress)
        except Exception:
            error_id = uuid.uuid4().hex[:8]
            _log.exception("error %s in /film add job %s", error_id, job.state.job_id)
            self._finish(
                job, JobState.FAILED,
                f"something went wrong on my side (error id {error_id}); it has been "
                "logged. What was added before stays.",
            )
        else:
            self._finish(job, JobState.DONE)
        finally:
            for saved in saved_files:
                shutil.rmtree(saved.parent, ignore_errors=True)

    def _finish(self, job: _Job, state: JobState, error: str | None = None) -> None:
        if not job.finished.is_set():
            self._update(job, state=state, error=error)
            job.finished.set()

    def _update(self, job: _Job, **changes: object) -> None:
        job.state = replace(job.state, **changes)  # type: ignore[arg-type]
        job.changed.set()

    async def _pump(self, job: _Job) -> None:
        """Show the job's state to its followers when it changes, progress at most once
        per ``interval``; ends after the final state is shown."""
        while True:
            await job.changed.wait()
            job.changed.clear()
            state, final = job.state, job.finished.is_set()
            for show in list(job.followers):
                await _show(show, state)
            if final and state.state is not JobState.RUNNING:
                job.shown_final = True
                return
            # Throttle progress, but not the summary: it goes out as soon as it exists.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.finished.wait(), self.interval)


async def _show(show: Show, state: FilmAddReply) -> None:
    try:
        await show(state)
    except Exception:
        # A message that cannot be edited any more (deleted, token expired) must not
        # stop the job; the next state may still get through.
        _log.exception("showing /film add job %s failed", state.job_id)


async def _download(upload: Upload, folder: Path, film: str | None) -> Path | SourceLine:
    """Save ``upload`` under a name fixed by the film and its file name, or the line
    saying why it could not be fetched."""
    digest = hashlib.sha256(f"{film}\0{upload.filename}".encode()).hexdigest()[:16]
    name = _UNSAFE_NAME.sub("_", Path(upload.filename).name).strip("._") or "upload"
    target = folder / digest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        await upload.save(target)
    except DownloadFailed as exc:
        _log.warning("download of %s failed: %s", source_name(upload), exc)
        shutil.rmtree(target.parent, ignore_errors=True)
        name = source_name(upload)
        return SourceLine(name, "failed", summary=f"{name}: skipped, could not download it: {exc}")
    return target


def _display(source: Path | str, names: dict[str, str]) -> str:
    return names.get(str(source)) or excerpt(str(source), 200)


def _key(film: str | None) -> str:
    return " ".join(film.split()).casefold() if film else ""
