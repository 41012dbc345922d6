"""/film add with an attachment, /film remove with its buttons and /films' pages, through
the real discord.py client and the fake Discord (attachments served on 127.0.0.1)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from adapters.discord.film_views import FILM_REMOVAL_PREFIX, FILMS_PAGE_PREFIX
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.render import percent
from bot.replies import VerdictReply
from bot.settings import Settings
from tests.adapters.discord.components import components
from tests.adapters.discord.conftest import RunningBot
from tests.bot.ingest.pages import ARTICLE, COMMENTS, WORDPRESS
from tests.fakes.discord_server import CHANNEL_ID, MEMBER, OWNER, Exchange, FakeDiscord

NO_MENTIONS = {"parse": []}
UPDATE_MESSAGE = 7
EXCERPTS = (
    "A dazzling, tender film that moves you deeply.\n"
    "A dull and lifeless mess that wastes its talented cast.\n"
    "The performances are superb and the script is wonderful.\n"
    "@everyone this is the best film of the year, truly moving.\n"
)


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, max_file_bytes=10_000)


@pytest.fixture
def quick(core: ReviewBot) -> ReviewBot:
    """Progress shown as soon as it changes: the tests wait for the edits, not the clock."""
    core.film_jobs.interval = 0
    return core


def title(message: dict[str, Any]) -> str:
    return str(message["embeds"][0]["title"])


async def final_edit(exchange: Exchange) -> dict[str, Any]:
    """The response's edits until the job's summary; every one sent with no mentions."""
    while True:
        edit = await exchange.followup()
        assert edit.method == "PATCH" and edit.path.endswith("/messages/@original")
        assert edit.json["allowed_mentions"] == NO_MENTIONS
        if not title(edit.json).startswith("Adding reviews"):
            return dict(edit.json)


async def test_a_manager_adds_a_film_from_an_attached_file(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    attachment = fake.attach("excerpts.txt", EXCERPTS.encode())

    started = await fake.invoke("film", {"film": "Test Film (2020)"}, subcommand="add",
                                user=OWNER, files={"file": attachment})

    assert started.response_type == 4 and not started.ephemeral
    assert title(started.data) == "Adding reviews to Test Film (2020)…"
    summary = await final_edit(started)
    assert title(summary) == "Added 4 quotes to Test Film (2020)."
    assert summary["embeds"][0]["description"] == "excerpts.txt: added 4 quotes"
    assert fake.attachment_downloads == 1
    [film] = await quick.corpus.films_named("Test Film (2020)")
    texts = [q.text for q in await quick.corpus.quotes(film.id)]
    assert texts == EXCERPTS.splitlines()


async def test_the_same_file_again_adds_nothing(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    for expected in ("Added 4 quotes to Her (2013).", "Added 0 quotes to Her (2013)."):
        attachment = fake.attach("excerpts.txt", EXCERPTS.encode())
        started = await fake.invoke("film", {"film": "Her (2013)"}, subcommand="add",
                                    user=OWNER, files={"file": attachment})
        assert title(await final_edit(started)) == expected


async def test_members_cannot_add_and_nothing_is_downloaded(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    attachment = fake.attach("excerpts.txt", EXCERPTS.encode())

    refused = await fake.invoke("film", {"film": "Test Film (2020)"}, subcommand="add",
                                user=MEMBER, files={"file": attachment})

    assert refused.ephemeral
    assert refused.data["content"].startswith("Only people who manage this server")
    assert fake.attachment_downloads == 0


async def test_a_file_over_the_cap_is_refused_before_downloading(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    attachment = fake.attach("big.txt", EXCERPTS.encode(), size=10_001)

    refused = await fake.invoke("film", {"film": "Big (2020)"}, subcommand="add", user=OWNER,
                                files={"file": attachment})

    assert refused.ephemeral
    assert "10,001 bytes" in refused.data["content"]
    assert "REVIEWBOT_MAX_FILE_BYTES" in refused.data["content"]
    assert fake.attachment_downloads == 0


async def test_a_file_larger_than_discord_said_stops_at_the_cap(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    attachment = fake.attach("liar.txt", EXCERPTS.encode() * 1000, size=100)

    started = await fake.invoke("film", {"film": "Liar (2020)"}, subcommand="add", user=OWNER,
                                files={"file": attachment})

    summary = await final_edit(started)
    assert title(summary) == "Nothing was added to Liar (2020):"
    assert summary["embeds"][0]["description"] == (
        "liar.txt: skipped, could not download it: it is larger than 10,000 bytes"
    )
    assert await quick.corpus.films_named("Liar (2020)") == []


async def test_an_unknown_file_type_is_refused(fake: FakeDiscord, bot: RunningBot) -> None:
    attachment = fake.attach("reviews.pdf", b"%PDF-1.4")

    refused = await fake.invoke("film", {"film": "X (2020)"}, subcommand="add", user=OWNER,
                                files={"file": attachment})

    assert refused.data["content"] == "'reviews.pdf': I read .txt, .html, .csv and .jsonl files."


def button(message: dict[str, Any], prefix: str, label: str) -> dict[str, Any]:
    [found] = [c for c in components(message)
               if c["custom_id"].startswith(prefix) and c["label"] == label]
    return found


async def test_remove_asks_first_and_cancel_keeps_the_film(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    asked = await fake.invoke("film", {"film": "Her (2013)"}, subcommand="remove", user=OWNER)

    assert asked.ephemeral and title(asked.data) == "Remove Her (2013)?"
    cancel = button(asked.data, FILM_REMOVAL_PREFIX, "Cancel")
    kept = await fake.click(cancel["custom_id"], asked.data, user=OWNER)

    assert kept.response_type == UPDATE_MESSAGE
    assert kept.data["embeds"][0]["description"] == "Kept Her (2013): nothing was removed."
    assert kept.data["components"] == []
    assert [f.name for f in await core.corpus.films()] == ["Her (2013)"]


async def test_remove_confirmed_removes_the_film(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    asked = await fake.invoke("film", {"film": "Her"}, subcommand="remove", user=OWNER)
    confirm = button(asked.data, FILM_REMOVAL_PREFIX, "Remove")

    refused = await fake.click(confirm["custom_id"], asked.data, user=MEMBER)
    assert refused.response_type == 4 and refused.ephemeral
    assert await core.corpus.films() != []

    removed = await fake.click(confirm["custom_id"], asked.data, user=OWNER)
    assert removed.response_type == UPDATE_MESSAGE
    assert removed.data["embeds"][0]["description"].startswith("Removed Her (2013): ")
    assert await core.corpus.films() == []

    again = await fake.click(confirm["custom_id"], asked.data, user=OWNER)
    assert again.data["content"] == "That film is no longer here."


async def test_films_pages_with_previous_and_next(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, tmp_path: Path, admin: Invocation
) -> None:
    for number in range(11):
        path = tmp_path / f"film{number:02d}.txt"
        path.write_text(EXCERPTS, encoding="utf-8")
        await core.ingest([path], f"Film {number:02d} (2020)")

    first = await fake.invoke("films", user=MEMBER)

    assert first.ephemeral
    lines = first.data["embeds"][0]["description"].splitlines()
    assert lines[0] == "Film 00 (2020) — 4 quotes · no score yet"
    assert len(lines) == 10
    assert first.data["embeds"][0]["footer"]["text"] == "Page 1 of 2 · 12 films"
    assert button(first.data, FILMS_PAGE_PREFIX, "Previous")["disabled"] is True
    second = await fake.click(
        button(first.data, FILMS_PAGE_PREFIX, "Next")["custom_id"], first.data, user=MEMBER
    )
    assert second.response_type == UPDATE_MESSAGE
    lines = second.data["embeds"][0]["description"].splitlines()
    assert [line.split(" —")[0] for line in lines] == ["Film 10 (2020)", "Her (2013)"]
    verdict = await core.handle_text(admin, "/verdict Her (2013)")
    assert isinstance(verdict, VerdictReply) and verdict.score is not None
    assert lines[1].endswith(f"Fresh {percent(verdict.score)} of "
                             f"{verdict.critics.positive + verdict.critics.negative}")
    assert button(second.data, FILMS_PAGE_PREFIX, "Next")["disabled"] is True


DATASET = (
    "rotten_tomatoes_link,critic_name,top_critic,publisher_name,review_type,review_score,"
    "review_date,review_content\n"
    "m/casablanca,Ann Critic,True,Daily Planet,Fresh,4/5,2019-02-01,"
    "A timeless romance with superb performances and wit.\n"
    "m/casablanca,Bob Critic,False,Gazette,Rotten,2/5,2019-02-02,"
    "A creaky and tedious melodrama that has aged badly.\n"
    "m/the_room,Cid Critic,False,Herald,Rotten,1/5,2019-03-01,"
    "An incoherent mess with dreadful acting throughout.\n"
)


async def test_a_dataset_attached_names_its_own_films(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    attachment = fake.attach("reviews.csv", DATASET.encode())

    started = await fake.invoke("film", subcommand="add", user=OWNER,
                                files={"file": attachment})

    assert title(started.data) == "Adding reviews to the films the dataset names…"
    summary = await final_edit(started)
    assert title(summary) == "Added 3 quotes to the films the dataset names."
    assert summary["embeds"][0]["description"] == "reviews.csv: added 3 quotes of 2 films"
    names = {f.name for f in await quick.corpus.films()}
    assert {"Casablanca", "The Room"} <= names


async def test_when_the_response_cannot_be_edited_the_summary_goes_to_the_channel(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    # What Discord answers once the interaction token has expired (after 15 minutes).
    fake.force("PATCH", r"/webhooks/.*", 404, {"message": "Unknown Webhook", "code": 10015},
               times=100)
    attachment = fake.attach("excerpts.txt", EXCERPTS.encode())

    await fake.invoke("film", {"film": "Late (2020)"}, subcommand="add", user=OWNER,
                      files={"file": attachment})

    await fake.wait_until(lambda: fake.channel_messages())
    [posted] = fake.channel_messages()
    assert posted["embeds"][0]["title"] == "Added 4 quotes to Late (2020)."
    assert fake.find("POST", f"/channels/{CHANNEL_ID}/messages")[0].json[
        "allowed_mentions"] == NO_MENTIONS


async def test_a_saved_review_page_attached(
    fake: FakeDiscord, bot: RunningBot, quick: ReviewBot
) -> None:
    attachment = fake.attach("her-review.html", WORDPRESS.encode())

    started = await fake.invoke("film", {"film": "Page Film (2013)"}, subcommand="add",
                                user=OWNER, files={"file": attachment})

    summary = await final_edit(started)
    expected = len(ARTICLE) + len(COMMENTS)
    assert title(summary) == f"Added {expected} quotes to Page Film (2013)."
    [film] = await quick.corpus.films_named("Page Film (2013)")
    assert [q.text for q in await quick.corpus.quotes(film.id)] == ARTICLE + COMMENTS
