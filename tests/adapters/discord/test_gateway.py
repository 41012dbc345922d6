"""The connection: command sync, resuming after a drop, the 3-second deadline, shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import pytest

from adapters.discord.sync import state_path_for
from bot.app import ReviewBot
from bot.errors import StartupRefused
from bot.invocation import Invocation
from bot.replies import Reply
from bot.settings import Settings
from tests.adapters.discord.conftest import RunningBot, running
from tests.fakes.discord_server import APP_ID, GUILD_ID, FakeDiscord

GUILD_COMMANDS = rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
MANAGE_GUILD = 1 << 5


def slow_down(core: ReviewBot, monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make every ``core.handle`` take ``seconds`` longer: a slow database, as Discord sees it."""
    handle = core.handle

    async def slow_handle(
        inv: Invocation,
        command: str,
        options: Mapping[str, str | None] | None = None,
        subcommand: str | None = None,
    ) -> Reply:
        await asyncio.sleep(seconds)
        return await handle(inv, command, options, subcommand)

    monkeypatch.setattr(core, "handle", slow_handle)


async def test_commands_are_synced_to_the_guild_once(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    async with running(core, settings, fake):
        pass
    [put] = fake.find("PUT", GUILD_COMMANDS)
    commands = {c["name"]: c for c in put.json}
    assert set(commands) == {"quote", "mood", "verdict", "daily", "review", "film", "films",
                             "help"}
    film = commands["film"]
    assert int(film["default_member_permissions"]) == MANAGE_GUILD
    add_options = {o["name"]: o for o in film["options"][0]["options"]}
    assert add_options["file"]["type"] == 11  # an attachment
    assert "default_member_permissions" not in commands["films"] or \
        commands["films"]["default_member_permissions"] is None
    # Managers only: Discord hides it from the rest by default; the core checks anyway.
    assert int(commands["review"]["default_member_permissions"]) == MANAGE_GUILD
    daily = commands["daily"]
    assert int(daily["default_member_permissions"]) == MANAGE_GUILD
    assert daily["contexts"] == [0]  # guild only
    assert [o["name"] for o in daily["options"]] == [
        "set", "show", "pause", "resume", "off", "skip", "now"]
    quote_options = {o["name"]: o for o in commands["quote"]["options"]}
    assert [c["value"] for c in quote_options["mood"]["choices"]] == ["positive", "negative", "any"]
    assert quote_options["film"]["autocomplete"] is True
    set_options = {o["name"]: o for o in daily["options"][0]["options"]}
    assert set_options["time"] == set_options["time"] | {"required": True, "max_length": 16}
    assert set_options["timezone"]["autocomplete"] is True
    assert set_options["timezone"]["max_length"] == 64
    assert "max_length" not in set_options["mood"]  # choices: nothing to type
    mood_options = {o["name"]: o for o in commands["mood"]["options"]}
    assert mood_options["text"]["max_length"] == 2000
    assert quote_options["film"]["max_length"] == 200
    assert state_path_for(settings.db_path).is_file()

    async with running(core, settings, fake):
        pass
    assert len(fake.find("PUT", GUILD_COMMANDS)) == 1  # unchanged: no second sync
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")


async def test_commands_are_synced_globally_without_a_guild(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    global_settings = Settings(db_path=settings.db_path, discord_token=settings.discord_token)
    async with running(core, global_settings, fake):
        pass
    assert len(fake.find("PUT", rf"/applications/{APP_ID}/commands")) == 1
    assert not fake.find("PUT", GUILD_COMMANDS)


async def test_a_dropped_connection_resumes_and_commands_still_work(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    [identify] = fake.gateway_ops(2)

    await fake.drop_connection()

    [resume] = fake.gateway_ops(6)
    assert resume["d"]["session_id"].startswith("session-")
    assert len(fake.gateway_ops(2)) == 1  # resumed, not identified again
    assert identify["d"]["intents"] == 1  # guilds only: nothing privileged
    exchange = await fake.invoke("help")
    assert exchange.response_type == 4


async def test_a_slow_core_gets_a_deferral_then_the_reply(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_down(core, monkeypatch, seconds=2.5)

    exchange = await fake.invoke("verdict")

    assert exchange.response_type == 5  # deferred: "reviewbot is thinking…"
    assert exchange.elapsed < 3
    edit = await exchange.followup()
    assert (edit.method, edit.path) == ("PATCH", f"{exchange.webhook_path}/messages/@original")
    assert edit.json["embeds"][0]["title"] == "Verdict: Her (2013)"
    assert edit.json["allowed_mentions"] == {"parse": []}


async def test_a_slow_error_replaces_the_public_placeholder_with_an_ephemeral_one(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow_down(core, monkeypatch, seconds=2.2)

    exchange = await fake.invoke("quote", {"film": "No Such Film"})

    assert exchange.response_type == 5
    delete = await exchange.followup()
    assert (delete.method, delete.path) == ("DELETE", f"{exchange.webhook_path}/messages/@original")
    followup = await exchange.followup()
    assert (followup.method, followup.path) == ("POST", exchange.webhook_path)
    assert followup.json["flags"] & 64
    assert "No Such Film" in followup.json["content"]


async def test_stop_closes_the_client_cleanly(fake: FakeDiscord, bot: RunningBot) -> None:
    await bot.stop()
    assert bot.task.result() is None
    await fake.wait_until(lambda: fake.connected is False)


async def test_the_token_is_never_logged(
    fake: FakeDiscord, core: ReviewBot, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(core, settings, fake):
        await fake.invoke("quote")
        await fake.drop_connection()
    assert caplog.records
    assert settings.discord_token is not None
    assert settings.discord_token not in caplog.text


async def test_a_wrong_token_ends_run_discord_with_one_line_naming_the_variable(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    wrong = Settings(db_path=settings.db_path, discord_token="not-the-token")
    with pytest.raises(StartupRefused) as refused:
        async with running(core, wrong, fake):
            pass
    message = str(refused.value)
    assert message.startswith("DISCORD_TOKEN was refused by Discord: ")
    assert "\n" not in message and "not-the-token" not in message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


async def test_a_revoked_token_is_refused_at_login(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    fake.force_error("GET", "/users/@me", 401, 0, "401: Unauthorized")
    with pytest.raises(StartupRefused, match=r"^DISCORD_TOKEN was refused by Discord: "):
        async with running(core, settings, fake):
            pass
    assert not fake.gateway_received  # never got as far as the gateway


async def test_a_rate_limited_response_is_retried_by_the_library(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    fake.force_rate_limit("POST", r"/interactions/\d+/[^/]+/callback", retry_after=0.2)

    exchange = await fake.invoke("help")

    assert exchange.callback.status == 429
    [limited, answered] = await fake.wait_for_request(
        "POST", rf"/interactions/{exchange.interaction_id}/[^/]+/callback", count=2
    )
    assert answered.status == 200
    assert answered.at - limited.at >= 0.2
    assert answered.json["type"] == 4
