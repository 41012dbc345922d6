"""Running the Discord side of the bot until the CLI's ``stop`` event is set."""

from __future__ import annotations

import asyncio
import logging

from adapters.discord.client import ReviewBotClient
from adapters.discord.poster import DiscordPoster
from bot.app import ReviewBot
from bot.settings import Settings

_log = logging.getLogger(__name__)


async def run_discord(core: ReviewBot, settings: Settings, stop: asyncio.Event) -> None:
    """Log in, sync commands, register the daily poster and serve until ``stop``.

    Returns after the client is closed; the caller owns ``core`` and closes it. A failure
    that ends the connection by itself (a rejected token, a refused intent) is raised.
    """
    if not settings.discord_token:
        raise ValueError("DISCORD_TOKEN is not set")
    client = ReviewBotClient(core, settings)
    try:
        await client.login(settings.discord_token)
        core.scheduler.register(DiscordPoster(client))
        connection = asyncio.create_task(client.connect(), name="discord-gateway")
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            _log.info("stopping the Discord client")
    finally:
        await client.close()
    await connection  # connect() returns once the client is closed, or raises its failure
