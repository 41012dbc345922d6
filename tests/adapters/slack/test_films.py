"""/film add with a link, /film remove with its buttons and /films' pages, through the
real bolt app in both modes, the fake Slack, and a page served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.blocks import FILM_REMOVAL_ACTION_PREFIX, FILMS_PAGE_ACTION_PREFIX
from bot.app import ReviewBot
from bot.settings import Settings
from tests.adapters.slack.conftest import WAIT, Driver
from tests.fakes.slack_server import FakeSlack
from tests.fakes.web_server import FakeWeb

EXCERPTS = (
    "A dazzling, tender film that moves you deeply.\n"
    "A dull and lifeless mess that wastes its talented cast.\n"
    "The performances are superb and the script is wonderful.\n"
    "Tender & wise, this is the best film of the year, truly moving.\n"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The fake site is on 127.0.0.1: allowed as an intranet's review pages would be."""
    return replace(settings, allow_local_links=True)


@pytest.fixture
async def site() -> AsyncIterator[str]:
    """A web site on 127.0.0.1 serving the excerpts at /excerpts.txt (and 404 else)."""
    async with FakeWeb.running() as web:
        web.page("/excerpts.txt", EXCERPTS, "text/plain; charset=utf-8")
        yield web.url("")


@pytest.fixture
def quick(core: ReviewBot) -> ReviewBot:
    """Progress shown as soon as it changes: the tests wait for the edits, not the clock."""
    core.film_jobs.interval = 0
    return core


async def summary(fake: FakeSlack) -> dict[str, Any]:
    """The job's channel message once it holds the summary (posted, then updated)."""
    def done() -> list[dict[str, Any]]:
        bodies = fake.calls("chat.postMessage") + fake.calls("chat.update")
        return [b for b in bodies if not str(b["text"]).startswith("Adding reviews")]

    found: list[dict[str, Any]] = await fake.wait_for(done, WAIT)
    return found[-1]


async def test_a_manager_adds_a_film_from_a_link(
    slack: Driver, fake: FakeSlack, site: str, quick: ReviewBot
) -> None:
    link = f"{site}/excerpts.txt"

    started = await slack.command("/film", f"add {link} film:Link Film (2020)", user="UADMIN")

    assert started["response_type"] == "ephemeral"
    assert started["text"] == "Adding reviews to Link Film (2020)…"
    final = await summary(fake)
    assert final["text"] == f"Added 4 quotes to Link Film (2020).\n{link}: added 4 quotes"
    [posted] = fake.calls("chat.postMessage")
    assert posted["channel"] == "C1"
    assert all(u["ts"] for u in fake.calls("chat.update"))
    [film] = await quick.corpus.films_named("Link Film (2020)")
    texts = [q.text for q in await quick.corpus.quotes(film.id)]
    assert texts == EXCERPTS.splitlines()


async def test_a_broken_link_is_one_line(
    slack: Driver, fake: FakeSlack, site: str, quick: ReviewBot
) -> None:
    await slack.command("/film", f"add {site}/gone.txt film:Gone (2020)", user="UADMIN")

    final = await summary(fake)
    head, line = final["text"].split("\n")
    assert head == "Nothing was added to Gone (2020):"
    assert line.startswith(f"{site}/gone.txt: skipped, ") and "404" in line
    assert await quick.corpus.films_named("Gone (2020)") == []


async def test_members_cannot_add_a_film(slack: Driver, fake: FakeSlack, site: str) -> None:
    refused = await slack.command("/film", f"add {site}/excerpts.txt film:X (2020)", user="U1")

    assert refused["response_type"] == "ephemeral"
    assert "Only people who manage this server or workspace" in refused["text"]
    assert fake.calls("chat.postMessage") == []


def action_value(message: dict[str, Any], action_id: str) -> str:
    [value] = [e["value"] for b in message["blocks"] if b["type"] == "actions"
               for e in b["elements"] if e["action_id"] == action_id]
    return str(value)


async def test_remove_asks_then_cancel_or_remove(slack: Driver, core: ReviewBot) -> None:
    asked = await slack.command("/film", "remove Her", user="UADMIN")
    assert asked["response_type"] == "ephemeral"
    assert asked["text"].startswith("Remove Her (2013) with its ")
    cancel = action_value(asked, FILM_REMOVAL_ACTION_PREFIX + "no")
    confirm = action_value(asked, FILM_REMOVAL_ACTION_PREFIX + "yes")

    kept = await slack.click(cancel, user="UADMIN", action_id=FILM_REMOVAL_ACTION_PREFIX + "no")
    assert kept["replace_original"] is True
    assert kept["text"] == "Kept Her (2013): nothing was removed."
    refused = await slack.click(confirm, user="U1", action_id=FILM_REMOVAL_ACTION_PREFIX + "yes")
    assert refused["replace_original"] is False
    assert len(await core.corpus.films()) == 1

    removed = await slack.click(confirm, user="UADMIN",
                                action_id=FILM_REMOVAL_ACTION_PREFIX + "yes")
    assert removed["replace_original"] is True
    assert removed["text"].startswith("Removed Her (2013): ")
    assert not [b for b in removed["blocks"] if b["type"] == "actions"]
    assert await core.corpus.films() == []


async def test_films_pages(slack: Driver, core: ReviewBot, tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(EXCERPTS, encoding="utf-8")
    for number in range(11):
        await core.ingest([path], f"Film {number:02d} (2020)")

    first = await slack.command("/films")
    assert first["response_type"] == "ephemeral"
    assert first["text"].splitlines()[0] == "Film 00 (2020) — 4 quotes · no score yet"
    assert first["text"].splitlines()[-1] == "Page 1 of 2 · 12 films"
    with pytest.raises(ValueError):
        action_value(first, FILMS_PAGE_ACTION_PREFIX + "previous")
    next_page = action_value(first, FILMS_PAGE_ACTION_PREFIX + "next")

    second = await slack.click(next_page, action_id=FILMS_PAGE_ACTION_PREFIX + "next")
    assert second["replace_original"] is True
    names = [line.split(" —")[0] for line in second["text"].splitlines()[:-1]]
    assert names == ["Film 10 (2020)", "Her (2013)"]
    assert action_value(second, FILMS_PAGE_ACTION_PREFIX + "previous") == "1"


async def test_where_the_bot_cannot_post_the_summary_comes_privately(
    slack: Driver, fake: FakeSlack, site: str, quick: ReviewBot
) -> None:
    await slack.command("/film", f"add {site}/excerpts.txt film:Quiet (2020)", user="UADMIN",
                        channel="COUT")

    def privately() -> list[dict[str, Any]]:
        return [r.body for r in fake.requests if r.method.startswith("respond:")
                and str(r.body.get("text", "")).startswith("Added")]

    [sent] = await fake.wait_for(privately, WAIT)
    assert sent["response_type"] == "ephemeral" and sent["replace_original"] is False
    assert sent["text"].startswith("Added 4 quotes to Quiet (2020).")
    assert fake.calls("chat.update") == []
