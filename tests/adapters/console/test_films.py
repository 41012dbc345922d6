"""/film add, /film remove and /films at the console: a path or a link, progress lines,
the summary; removal only with confirm:yes."""

from __future__ import annotations

import io
from pathlib import Path

from adapters.console.console import ask
from bot.app import ReviewBot

EXCERPTS = (
    "A dazzling, tender film that moves you deeply.\n"
    "A dull and lifeless mess that wastes its talented cast.\n"
)


async def test_add_a_file_list_then_remove(core: ReviewBot, tmp_path: Path) -> None:
    path = tmp_path / "excerpts.txt"
    path.write_text(EXCERPTS, encoding="utf-8")
    out = io.StringIO()

    status = await ask(core, f'/film add "{path}" film:Console Film (2021)', False, out)
    assert status == 0
    assert out.getvalue() == (
        f"Added 2 quotes to Console Film (2021).\n{path}: added 2 quotes\n"
    )

    out = io.StringIO()
    assert await ask(core, "/films", False, out) == 0
    assert out.getvalue().splitlines()[0].startswith("Console Film (2021) — 2 quotes · ")

    out = io.StringIO()
    assert await ask(core, "/film remove Console Film", False, out) == 0
    assert out.getvalue().startswith("Remove Console Film (2021) with its 2 quotes?")
    assert await core.corpus.films_named("Console Film (2021)") != []

    out = io.StringIO()
    assert await ask(core, "/film remove Console Film confirm:yes", False, out) == 0
    assert out.getvalue().startswith("Removed Console Film (2021): 2 quotes from 1 document")
    assert await core.corpus.films_named("Console Film (2021)") == []


async def test_json_gives_the_summary(core: ReviewBot, tmp_path: Path) -> None:
    path = tmp_path / "excerpts.txt"
    path.write_text(EXCERPTS, encoding="utf-8")
    out = io.StringIO()

    assert await ask(core, f"/film add {path} film:J (2021)", True, out) == 0

    assert '"type": "film_add"' in out.getvalue() and '"state": "done"' in out.getvalue()
