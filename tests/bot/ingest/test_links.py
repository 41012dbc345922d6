"""Links end to end against a local web site (127.0.0.1): pages, datasets, and every way a
fetch fails, each one line while the other inputs still go in."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.ingest import fetch
from bot.ingest.pipeline import FileResult
from bot.models import Label, LabelSource, QuoteKind
from tests.bot.ingest.pages import ARTICLE, WORDPRESS
from tests.bot.ingest.test_datasets import RT_HEADER, rt_rows, write_csv
from tests.fakes.web_server import FakeWeb

FILM = "Her (2013)"


@pytest.fixture
async def site(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeWeb]:
    monkeypatch.setattr(fetch, "DEFAULT_LIMITS", fetch.Limits(connect=2, read=0.5, total=3))
    async with FakeWeb.running() as fake:
        yield fake


async def one(core: ReviewBot, url: str, film: str | None = FILM) -> FileResult:
    """As the command line ingests it: links to this machine allowed (the fake site)."""
    [result] = (await core.ingest([url], film, local_links=True)).results
    return result


async def test_a_review_page_by_link(core: ReviewBot, site: FakeWeb) -> None:
    url = site.page("/2014/her-review", WORDPRESS)
    result = await one(core, url)
    assert result.status == "added" and result.line() == f"{url}: added 5 quotes"
    film = next(f for f in await core.corpus.films() if f.name == FILM)
    quotes = [q for q in await core.corpus.quotes(film.id) if q.source == url]
    assert [q.text for q in quotes if q.kind is QuoteKind.REVIEW] == ARTICLE
    assert {q.link for q in quotes} == {url}  # the link it came from
    assert quotes[0].attribution == "Jane Critic, Reel Thoughts, 2014-01-12"
    agent = site.seen[0].headers["User-Agent"]
    assert agent.startswith("reviewbot/") and "(+" in agent
    assert (await one(core, url)).status == "unchanged"


async def test_redirects_are_followed_up_to_five(core: ReviewBot, site: FakeWeb) -> None:
    site.page("/final", WORDPRESS)
    for hop in range(5):
        site.redirect(f"/hop{hop}", f"/hop{hop + 1}" if hop < 4 else "/final")
    assert (await one(core, site.url("/hop0"))).status == "added"
    site.redirect("/loop", "/loop")
    assert (await one(core, site.url("/loop"))).reason == "too many redirects (more than 5)"


async def test_a_dataset_by_link(core: ReviewBot, site: FakeWeb, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "rt.csv", RT_HEADER, rt_rows()).read_bytes()
    url = site.page("/export", data, "text/csv; charset=utf-8")
    result = await one(core, url, None)
    assert (result.status, result.films, result.quotes) == ("added", 3, 6)
    film = next(f for f in await core.corpus.films() if f.name == "The Dark Knight")
    quotes = await core.corpus.quotes(film.id)
    assert [(q.label, q.label_source) for q in quotes] == [
        (Label.POSITIVE, LabelSource.SOURCE), (Label.NEGATIVE, LabelSource.SOURCE)]
    by_name = site.page("/files/more.jsonl", b'{"film": "Up (2009)", "text": "A lovely, '
                        b'moving and funny film."}\n', "application/octet-stream")
    assert (await one(core, by_name, None)).films == 1


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_every_failure_is_one_line_and_the_rest_go_in(
    core: ReviewBot, site: FakeWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo

    def no_such_host(host: object, *args: object, **kwargs: object) -> object:
        if host == "reviews.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    big = WORDPRESS + "<!-- padding -->" * 400_000  # over the 5 MB default cap
    cases = {
        "http://reviews.invalid/her": "host not found (DNS)",
        f"http://127.0.0.1:{closed_port()}/her": "connection refused",
        site.url("/missing"): "the server answered 404 Not Found",
        site.page("/broken", "oops", "text/plain", 500):
            "the server answered 500 Internal Server Error",
        site.page("/poster.png", b"\x89PNG\r\n\x1a\n", "image/png"):
            "not a web page or a dataset (image/png)",
        site.page("/slow", WORDPRESS, delay=2): "timed out waiting for data",
        site.page("/trickle", WORDPRESS, trickle=0.3, chunk=200): "timed out: no whole page",
        site.page("/big", big): "too large (6.1 MB; the limit is 5.0 MB",
        site.page("/big-chunked", big, declare_length=False, chunk=1 << 20):
            "too large (over 5.0 MB; the limit is 5.0 MB",
        site.page("/empty", b""): "empty",
        site.page("/binary", b"\x00\x01\x02" * 100): "binary (NUL bytes)",
        site.page("/nav", "<html><body><nav><a href='/'>Home</a></nav></body></html>"):
            "no article found",
        "javascript:alert(1)": "no such file or folder",
        "file:///etc/passwd": "only http and https links are fetched",
    }
    good = tmp_path / "good.txt"
    good.write_text("A tender, wise and lovely film.\n\n@highlight\n\nYes.\n")
    report = await core.ingest([*cases, str(good)], FILM, local_links=True)
    *failed, kept = report.results
    for (url, reason), result in zip(cases.items(), failed, strict=True):
        line = result.line()
        assert result.status == "failed" and line.startswith(f"{url}: skipped, {reason}"), line
        assert "\n" not in line
    assert kept.status == "added"


async def test_from_chat_a_link_to_this_machine_is_refused(
    core: ReviewBot, site: FakeWeb
) -> None:
    """A chat command's ingest (no ``local_links``) never fetches a page only the bot can
    reach, directly or through a redirect; nothing is requested from the site."""
    page = site.page("/admin", WORDPRESS)
    hop = site.redirect("/hop", page)
    report = await core.ingest([page, hop, "http://localhost:9/x", "http://[::1]/y"], FILM)
    for result in report.results:
        assert result.status == "failed" and result.reason is not None
        assert result.reason.endswith(
            "is on this machine or a private network; only public pages are fetched")
    assert site.seen == []
