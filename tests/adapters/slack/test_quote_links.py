"""A quote with a link back to its review, through the real slack-bolt stack: the context
line ends with <link|outlet>, the link escaped; an unsafe link is never sent."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import ReviewBot
from tests.adapters.slack.conftest import Driver


async def ingest_linked(core: ReviewBot, tmp_path: Path, url: str) -> None:
    rows = [{"film": "Linked (2020)", "text": "A moving, intelligent and beautiful film.",
             "label": "fresh", "critic": "Kim", "outlet": "Film <Weekly>", "url": url}]
    data = tmp_path / "linked.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    [result] = (await core.ingest([data])).results
    assert result.status == "added"


async def test_the_context_line_links_to_the_review(
    slack: Driver, core: ReviewBot, tmp_path: Path
) -> None:
    await ingest_linked(core, tmp_path, "https://films.example/arrival?id=1&x=2")
    message = await slack.command("/quote", "any Linked (2020)")
    context = message["blocks"][1]["elements"][0]["text"]
    assert context.endswith(" · <https://films.example/arrival?id=1&amp;x=2|Film &lt;Weekly&gt;>")


async def test_a_javascript_link_is_never_sent(
    slack: Driver, core: ReviewBot, tmp_path: Path
) -> None:
    await ingest_linked(core, tmp_path, "javascript:alert(document.cookie)")
    message = await slack.command("/quote", "any Linked (2020)")
    assert "javascript" not in json.dumps(message)
