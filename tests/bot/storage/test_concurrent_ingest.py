"""Ingest into a film while another process serves it (issue 13): a reader on its own
connection sees the film's old document or its new one, never half of either, and the
film's stats always agree with its quotes."""

from __future__ import annotations

import asyncio

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import QuoteReply
from bot.settings import Settings
from tests.bot.storage.test_pool_growth import FILM, film_id, store

SIZES = (200, 300)  # the document's quotes, alternately
ROUNDS = 8


async def test_a_reader_elsewhere_sees_the_old_or_the_new_document(
    core: ReviewBot, settings: Settings
) -> None:
    await store(core, "doc", [f"Version 0 line {i} is fine." for i in range(SIZES[0])])
    film = await film_id(core)
    other = await ReviewBot.open(settings)  # another process's connection(s)
    seen: set[tuple[int, float]] = set()
    served = 0
    writing = True

    async def write() -> None:
        nonlocal writing
        try:
            for n in range(1, ROUNDS + 1):
                size = SIZES[n % 2]
                assert await store(core, "doc", [f"Version {n} line {i} is fine."
                                                 for i in range(size)]) == "replaced"
                await asyncio.sleep(0)
        finally:
            writing = False

    async def read() -> None:
        nonlocal served
        inv = Invocation("console", "reader", "u", can_manage=True)
        while writing:
            # One statement: one snapshot on either engine.
            row = await other.db.fetchone(
                "SELECT (SELECT COUNT(*) FROM quotes WHERE film_id = ?),"
                " (SELECT SUM(count) FROM film_stats WHERE film_id = ?)", (film, film))
            assert row is not None
            seen.add((int(row[0]), float(row[1])))
            reply = await other.handle_text(inv, f"/quote film:{FILM}")
            assert isinstance(reply, QuoteReply), reply
            assert reply.quote.text.startswith("Version ")
            served += 1

    try:
        await asyncio.gather(write(), read())
    finally:
        await other.close()
    assert seen <= {(size, float(size)) for size in SIZES}, seen
    assert served > 0
