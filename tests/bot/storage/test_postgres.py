"""The PostgreSQL backend's own behaviour: connections the server closes under the bot."""

from __future__ import annotations

from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.replies import QuoteReply, ScheduleReply, VerdictReply
from bot.storage.postgres import PostgresDatabase
from tests.backends import admin_url

INV = Invocation("discord", "c", "u", workspace="g")


async def close_every_connection(db: PostgresDatabase) -> int:
    """What a server restart or an idle timeout does to the pool: every connection of
    this database ended from the server's side."""
    name = urlsplit(db.url).path.lstrip("/")
    admin = await asyncpg.connect(admin_url())
    try:
        return int(await admin.fetchval(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = $1", name))
    finally:
        await admin.close()


async def test_commands_go_on_after_the_server_closed_the_pool(
    core: ReviewBot, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: a server closing its connections")
    assert isinstance(core.db, PostgresDatabase)
    assert isinstance(await core.handle_text(INV, "/quote"), QuoteReply)
    for round_ in range(3):
        assert await close_every_connection(core.db) >= 1
        # /quote: a cooldown write, reads, the deck's claim; /verdict: reads; /daily
        # set: a transaction. Each meets a closed connection first.
        reply = await core.handle_text(
            Invocation("discord", "c", f"u{round_}", workspace="g"), "/quote")
        assert isinstance(reply, QuoteReply), reply
        await close_every_connection(core.db)
        assert isinstance(await core.handle_text(INV, "/verdict"), VerdictReply)
        await close_every_connection(core.db)
        admin = Invocation("discord", f"d{round_}", "boss", workspace="g", can_manage=True)
        shown = await core.handle_text(admin, "/daily set 09:00 UTC")
        assert isinstance(shown, ScheduleReply), shown
