"""A quote with a link back to its review, through the real discord.py client: the
embed's title links to the review; an unsafe link never reaches Discord."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import ReviewBot
from tests.adapters.discord.conftest import RunningBot
from tests.adapters.discord.test_commands import single_embed
from tests.fakes.discord_server import FakeDiscord


async def ingest_linked(core: ReviewBot, tmp_path: Path, url: str) -> None:
    row = {"film": "Linked (2020)", "text": "A moving, intelligent and beautiful film.",
           "label": "fresh", "critic": "Kim", "outlet": "Film Weekly", "url": url}
    data = tmp_path / "linked.jsonl"
    data.write_text(json.dumps(row) + "\n")
    assert (await core.ingest([data])).results[0].status == "added"


async def test_the_title_links_to_the_review(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, tmp_path: Path
) -> None:
    await ingest_linked(core, tmp_path, "https://films.example/arrival?id=1&x=2")
    embed = single_embed(await fake.invoke("quote", {"film": "Linked (2020)"}))
    assert embed["url"] == "https://films.example/arrival?id=1&x=2"
    assert embed["description"].endswith("— Kim, Film Weekly")


async def test_an_unsafe_link_never_reaches_discord(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, tmp_path: Path
) -> None:
    await ingest_linked(core, tmp_path, "javascript:alert(1)")
    embed = single_embed(await fake.invoke("quote", {"film": "Linked (2020)"}))
    assert "url" not in embed and "javascript" not in json.dumps(embed)
