"""/films: every film with its quote count and verdict, ``PAGE`` at a time.

Each line's figures are ``/verdict``'s (``verdict.verdict_of``), read from ``film_stats``
like it, so a page costs two indexed reads per film however many quotes they hold.
"""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.parsing import ParsedCommand, UsageError
from bot.commands.verdict import verdict_of
from bot.invocation import Invocation
from bot.replies import FilmEntry, FilmsReply
from bot.safe_text import quoted
from bot.storage.films import FilmStore

PAGE = 10


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> FilmsReply:
    raw = cmd.values.get("page")
    if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
        raise UsageError(f"page must be a number from 1, not {quoted(raw)}.")
    store = FilmStore(ctx.corpus.db)
    total = await store.count()
    pages = max(1, -(-total // PAGE))
    page = min(int(raw), pages) if raw is not None else 1
    entries = []
    for film in await store.page((page - 1) * PAGE, PAGE):
        verdict = await verdict_of(ctx, film)
        groups = (verdict.critics, verdict.reviews, verdict.readers)
        entries.append(FilmEntry(
            name=film.name, quotes=sum(g.count for g in groups), score=verdict.score,
            fresh=verdict.fresh, committed=verdict.critics.positive + verdict.critics.negative,
        ))
    return FilmsReply(entries=tuple(entries), page=page, pages=pages, total=total,
                      ephemeral=True)
