"""Running the Discord side of the bot until the CLI's ``stop`` event is set."""

from __future__ import annotations

import asyncio
import logging

import discord

from adapters.discord.client import ReviewBotClient
from adapters.discord.poster import DiscordPoster
from bot import metrics
from bot.app import ReviewBot
from bot.errors import StartupRefused
from bot.settings import Settings

_log = logging.getLogger(__name__)

TOKEN_REFUSED = (
    "DISCORD_TOKEN was refused by Discord: 401 Unauthorized. Copy the bot's token again "
    "from the Developer Portal (Bot page, Reset Token)"
)


async def run_discord(core: ReviewBot, settings: Settings, stop: asyncio.Event) -> None:
    """Log in, sync commands, register the daily poster and serve until ``stop``.

    Returns after the client is closed; the caller owns ``core`` and closes it. A failure
    that ends the connection by itself is raised: a rejected token as ``StartupRefused``
    (one line for the person running the bot: the code is fine, the setting is not), the
    rest with their traceback.
    """
    if not settings.discord_token:
        raise ValueError("DISCORD_TOKEN is not set")
    client = ReviewBotClient(core, settings)
    try:
        try:
            await client.login(settings.discord_token)
        except discord.LoginFailure:
            # discord.py raises it for a 401 on GET /users/@me; the token is not echoed.
            raise StartupRefused(TOKEN_REFUSED) from None
        core.scheduler.register(DiscordPoster(client))
        metrics.platform("discord", client.connected)
        connection = asyncio.create_task(client.connect(), name="discord-gateway")
        stopping = asyncio.create_task(stop.wait(), name="discord-stop")
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            _log.info("stopping the Discord client")
    finally:
        await client.close()
    await connection  # connect() returns once the client is closed, or raises its failure
