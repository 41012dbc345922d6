"""FilmJobs: one job per film, progress to followers (throttled), the summary always last,
a failure shown with its error id; and /film add's refusals, through the real core."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.film_jobs import FilmJobs, OnFile, OnProgress, Upload
from bot.ingest.pipeline import FileResult, IngestReport
from bot.invocation import Invocation
from bot.replies import ErrorReply, FilmAddReply, JobState
from tests.backends import both_backends as backend  # noqa: F401

LINES = "A dazzling, tender film that moves you deeply.\nA dull, lifeless mess of a film.\n"


class Gate:
    """An ingest that reports ``steps`` progress calls and waits for ``open`` to finish."""

    def __init__(self, steps: int = 0, fail: bool = False) -> None:
        self.open = asyncio.Event()
        self.steps = steps
        self.fail = fail

    async def __call__(self, sources: Sequence[Path | str], film: str | None,
                       on_file: OnFile, on_progress: OnProgress) -> IngestReport:
        for step in range(1, self.steps + 1):
            on_progress(step, self.steps)
            await asyncio.sleep(0)
        await self.open.wait()
        if self.fail:
            raise RuntimeError("disk on fire")
        result = FileResult(Path(sources[0]), "added", 2)
        on_file(result)
        return IngestReport((result,))


def jobs(gate: Gate, tmp_path: Path, interval: float = 0) -> FilmJobs:
    return FilmJobs(gate, tmp_path / "uploads", 1000, interval=interval)


async def test_followers_get_progress_and_the_summary_last(tmp_path: Path) -> None:
    gate = Gate(steps=50)
    film_jobs = jobs(gate, tmp_path, interval=3600)  # at most one progress edit an hour
    seen: list[FilmAddReply] = []

    async def show(state: FilmAddReply) -> None:
        seen.append(state)

    started = film_jobs.start("X (2020)", [tmp_path / "a.txt"])
    assert film_jobs.follow(started.job_id, show)
    await asyncio.sleep(0)
    gate.open.set()
    final = await film_jobs.wait(started.job_id)

    assert final is not None and final.state is JobState.DONE
    assert [s.state for s in seen] == [JobState.RUNNING, JobState.DONE]  # throttled
    assert seen[-1] == final and final.quotes_added == 2
    assert [(r.source, r.status) for r in final.results] == [(str(tmp_path / "a.txt"), "added")]


async def test_a_late_follower_still_gets_the_summary(tmp_path: Path) -> None:
    gate = Gate()
    gate.open.set()
    film_jobs = jobs(gate, tmp_path)
    started = film_jobs.start("X (2020)", [tmp_path / "a.txt"])
    await film_jobs.wait(started.job_id)
    seen: list[FilmAddReply] = []

    async def show(state: FilmAddReply) -> None:
        seen.append(state)

    film_jobs.follow(started.job_id, show)
    await film_jobs.wait(started.job_id)
    assert [s.state for s in seen] == [JobState.DONE]


async def test_a_failing_job_shows_why_and_frees_the_film(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(fail=True)
    film_jobs = jobs(gate, tmp_path)
    seen: list[FilmAddReply] = []

    async def show(state: FilmAddReply) -> None:
        seen.append(state)

    started = film_jobs.start("X (2020)", [tmp_path / "a.txt"])
    film_jobs.follow(started.job_id, show)
    gate.open.set()
    await film_jobs.wait(started.job_id)

    final = seen[-1]
    assert final.state is JobState.FAILED and final.error is not None
    error_id = final.error.split("error id ")[1][:8]
    assert f"error {error_id}" in caplog.text and "disk on fire" in caplog.text
    assert film_jobs.running("X (2020)") is None


async def test_a_follower_that_fails_does_not_stop_the_job(tmp_path: Path) -> None:
    gate = Gate()
    film_jobs = jobs(gate, tmp_path)

    async def broken(state: FilmAddReply) -> None:
        raise ConnectionError("message deleted")

    started = film_jobs.start("X (2020)", [tmp_path / "a.txt"])
    film_jobs.follow(started.job_id, broken)
    gate.open.set()
    final = await film_jobs.wait(started.job_id)
    assert final is not None and final.state is JobState.DONE


async def test_a_second_add_of_the_same_film_waits_for_the_first(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    gate = Gate()
    core.film_jobs = core.ctx.film_jobs = jobs(gate, tmp_path)
    path = tmp_path / "a.txt"
    path.write_text(LINES, encoding="utf-8")

    first = await core.handle_text(admin, f"/film add {path} film:X (2020)")
    again = await core.handle_text(admin, f"/film add {path} film:x  (2020)")
    other = await core.handle_text(admin, f"/film add {path} film:Y (2020)")

    assert isinstance(first, FilmAddReply) and isinstance(other, FilmAddReply)
    assert isinstance(again, ErrorReply)
    assert again.message.startswith("X (2020) is already being added")
    gate.open.set()
    await core.film_jobs.wait(first.job_id)
    assert isinstance(await core.handle_text(admin, f"/film add {path} film:X (2020)"),
                      FilmAddReply)
    await core.film_jobs.close()


@pytest.mark.parametrize(("line", "message"), [
    ("/film add film:X (2020)", "Give a link or attach a file"),
    ("/film add /no/such/file.txt film:X (2020)", "'/no/such/file.txt': no such file"),
    ("/film add {path}", "Which film are these reviews about?"),
    ("/film add file:upload-123 film:X", "That attachment is no longer here"),
])
async def test_add_refusals(
    core: ReviewBot, admin: Invocation, tmp_path: Path, line: str, message: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(LINES, encoding="utf-8")
    reply = await core.handle_text(admin, line.format(path=path))
    assert isinstance(reply, ErrorReply) and reply.message.startswith(message), reply


async def test_a_path_is_read_only_at_the_console(core: ReviewBot, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(LINES, encoding="utf-8")
    slack = Invocation("slack", "C1", "U1", workspace="T1", can_manage=True)
    reply = await core.handle_text(slack, f"/film add {path} film:X (2020)")
    assert isinstance(reply, ErrorReply)
    assert reply.message.endswith("' is not a link: give one starting with https://.")
    assert await core.corpus.films_named("X (2020)") == []


async def test_members_may_list_but_not_add_or_remove(
    core: ReviewBot, member: Invocation
) -> None:
    for line in ("/film add https://example.org/a film:X", "/film remove Her"):
        reply = await core.handle_text(member, line)
        assert isinstance(reply, ErrorReply)
        assert reply.message.startswith("Only people who manage this server or workspace")
    assert not isinstance(await core.handle_text(member, "/films"), ErrorReply)


async def test_a_film_being_added_cannot_be_removed(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    gate = Gate()
    core.film_jobs = core.ctx.film_jobs = jobs(gate, tmp_path)
    path = tmp_path / "a.txt"
    path.write_text(LINES, encoding="utf-8")
    adding = await core.handle_text(admin, f"/film add {path} film:Her (2013)")
    asked = await core.handle_text(admin, "/film remove Her")

    assert isinstance(adding, FilmAddReply) and isinstance(asked, ErrorReply)
    assert asked.message == "Her (2013) is being added right now: remove it after the summary."
    gate.open.set()
    await core.film_jobs.wait(adding.job_id)
    assert not isinstance(await core.handle_text(admin, "/film remove Her"), ErrorReply)


async def test_shutting_down_tells_the_followers(tmp_path: Path) -> None:
    film_jobs = jobs(Gate(), tmp_path)  # never opened: the job is still running at close
    seen: list[FilmAddReply] = []

    async def show(state: FilmAddReply) -> None:
        seen.append(state)

    started = film_jobs.start("X (2020)", [tmp_path / "a.txt"])
    film_jobs.follow(started.job_id, show)
    await film_jobs.close()

    assert seen[-1].state is JobState.FAILED
    assert seen[-1].error == "stopped: the bot is shutting down"


async def test_a_film_named_in_other_letters_is_the_same_film(
    core: ReviewBot, admin: Invocation, tmp_path: Path
) -> None:
    path = tmp_path / "more.txt"
    path.write_text(LINES, encoding="utf-8")
    started = await core.handle_text(admin, f"/film add {path} film:her  (2013)")
    assert isinstance(started, FilmAddReply) and started.film == "Her (2013)"
    await core.film_jobs.wait(started.job_id)
    assert [f.name for f in await core.corpus.films()] == ["Her (2013)"]


async def test_a_changed_version_of_an_attached_file_replaces_its_quotes(
    core: ReviewBot, admin: Invocation
) -> None:
    core.film_jobs.interval = 0

    async def add(text: str) -> FilmAddReply:
        async def save(target: Path) -> None:
            target.write_text(text, encoding="utf-8")

        token = core.film_jobs.offer(Upload("excerpts.txt", len(text), save))
        started = await core.handle_text(admin, f"/film add file:{token} film:Up (2020)")
        assert isinstance(started, FilmAddReply)
        final = await core.film_jobs.wait(started.job_id)
        assert final is not None and final.state is JobState.DONE
        return final

    first = await add(LINES)
    second = await add(LINES + "The ending is quietly devastating and earns its tears.\n")

    assert [r.status for r in first.results + second.results] == ["added", "replaced"]
    [film] = await core.corpus.films_named("Up (2020)")
    assert len(await core.corpus.quotes(film.id)) == 3
    assert not any((core.settings.db_path.parent / "uploads").rglob("*.txt"))  # deleted
