"""The discord.py client: the command tree, the persistent components, the command sync."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord.attempts import request_trace
from adapters.discord.commands import build_commands
from adapters.discord.film_views import FilmRemovalButton, FilmsPageButton
from adapters.discord.films import replace_message
from adapters.discord.responses import invocation_for, respond, update_review
from adapters.discord.sync import state_path_for, sync_commands
from adapters.discord.views import AnotherButton, ReviewButton, WrongMoodSelect
from bot.app import ReviewBot
from bot.commands.definitions import COMMANDS
from bot.settings import Settings

_log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only the guilds intent: slash commands need no message content and no members."""
    return discord.Intents(guilds=True)


class ReviewBotClient(discord.AutoShardedClient):
    """A sharded ``discord.Client`` whose every message is sent with mentions disarmed.

    ``allowed_mentions=none()`` at the client level is the default for every send, reply,
    followup and daily post, so a quote containing ``@everyone`` cannot ping anyone.

    Sharded always, so one code path serves every size: with ``DISCORD_SHARD_COUNT`` and
    ``DISCORD_SHARD_IDS`` unset, discord.py asks Discord (``GET /gateway/bot``) how many
    shards it recommends and runs them all in this process; one recommended shard is one
    gateway connection, as an unsharded client has. ``DISCORD_SHARD_IDS`` splits them
    across processes.
    """

    def __init__(self, core: ReviewBot, settings: Settings, **options: Any) -> None:
        # The bot never joins voice: without these, every start logs two WARNING lines
        # about missing voice libraries (PyNaCl, davey) that look like a fault but are not.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        if settings.discord_shard_ids is not None:  # discord.py refuses shard_ids=None
            options["shard_ids"] = list(settings.discord_shard_ids)
        super().__init__(
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            # Lets the daily poster tell whether any of discord.py's retries went out.
            http_trace=request_trace(),
            shard_count=settings.discord_shard_count,
            **options,
        )
        self.core = core
        self.settings = settings
        self.tree: app_commands.CommandTree[ReviewBotClient] = app_commands.CommandTree(self)
        for command in build_commands(core, COMMANDS):
            self.tree.add_command(command)

    def connected(self) -> bool:
        """Whether every shard of this process holds an open gateway connection (for
        ``/healthz``; ``is_ready()`` would wait for every server to have streamed in)."""
        shards = self.shards.values()
        return bool(shards) and not self.is_closed() and all(not s.is_closed() for s in shards)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(
            AnotherButton, WrongMoodSelect, ReviewButton, FilmRemovalButton, FilmsPageButton
        )
        assert self.application_id is not None  # login() fetched the application
        try:
            await sync_commands(
                self.tree,
                application_id=self.application_id,
                guild_id=self.settings.discord_guild_id,
                state_path=state_path_for(self.settings.db_path),
            )
        except discord.HTTPException:
            # The commands Discord already has keep working; a failed sync must not keep
            # the bot offline. The next start tries again (the hash was not stored).
            _log.exception("application command sync failed; keeping the registered ones")

    async def on_reviewbot_another(self, interaction: discord.Interaction[Any], value: str) -> None:
        """Dispatched by ``AnotherButton``: the next quote for the same mood and film."""
        await respond(interaction, self.core.another(invocation_for(interaction), value))

    async def on_reviewbot_wrong_mood(
        self, interaction: discord.Interaction[Any], value: str
    ) -> None:
        """Dispatched by ``WrongMoodSelect``: a report, or a manager's correction, answered
        only to the person who chose (nobody else sees who reported what)."""
        await respond(
            interaction, self.core.correct(invocation_for(interaction), value), private=True
        )

    async def on_reviewbot_review(self, interaction: discord.Interaction[Any], value: str) -> None:
        """Dispatched by ``ReviewButton``: the correction, shown on the review itself."""
        await update_review(interaction, self.core.correct(invocation_for(interaction), value))

    async def on_reviewbot_film_removal(
        self, interaction: discord.Interaction[Any], value: str
    ) -> None:
        """Dispatched by ``FilmRemovalButton``: the question replaced by what was done."""
        await replace_message(
            interaction, self.core.confirm_film_removal(invocation_for(interaction), value)
        )

    async def on_reviewbot_films_page(self, interaction: discord.Interaction[Any], page: str
                                      ) -> None:
        """Dispatched by ``FilmsPageButton``: the list replaced by the page asked for."""
        await replace_message(
            interaction, self.core.handle(invocation_for(interaction), "films", {"page": page})
        )
