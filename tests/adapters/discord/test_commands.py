"""Every command end to end: INTERACTION_CREATE in, the callback the client POSTs out."""

from __future__ import annotations

import re
from typing import Any

import discord

from adapters.discord.embeds import LABEL_COLOURS
from bot.app import ReviewBot
from bot.models import Label
from bot.schedule_times import zone
from tests.adapters.discord.conftest import RunningBot
from tests.fakes.discord_server import (
    CHANNEL_ID,
    GUILD_ID,
    MEMBER,
    OWNER,
    Exchange,
    FakeDiscord,
)

EPHEMERAL = 64
CHANNEL_MESSAGE = 4
NO_MENTIONS: dict[str, list[str]] = {"parse": []}


def single_embed(exchange: Exchange) -> dict[str, Any]:
    assert exchange.response_type == CHANNEL_MESSAGE, exchange.callback.json
    [embed] = exchange.data["embeds"]
    assert isinstance(embed, dict)
    return embed


async def test_quote_is_an_embed_with_another_and_wrong_mood(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    exchange = await fake.invoke("quote", {"mood": "positive"})

    embed = single_embed(exchange)
    assert not exchange.ephemeral
    assert exchange.elapsed < 3
    assert embed["title"] == "Her (2013)"
    assert "—" in str(embed["description"])  # the attribution follows the quote
    assert embed["color"] == LABEL_COLOURS[Label.POSITIVE].value
    another, wrong_mood = exchange.data["components"]  # a row each
    [button] = another["components"]
    assert button["label"] == "Another"
    assert button["custom_id"].startswith("reviewbot:another:positive:")
    [select] = wrong_mood["components"]
    assert select["placeholder"] == "Wrong mood?"
    assert exchange.data["allowed_mentions"] == NO_MENTIONS


async def test_negative_quote_is_red(fake: FakeDiscord, bot: RunningBot) -> None:
    embed = single_embed(await fake.invoke("quote", {"mood": "negative"}))
    assert embed["color"] == LABEL_COLOURS[Label.NEGATIVE].value


async def test_mood_of_a_text(fake: FakeDiscord, bot: RunningBot) -> None:
    exchange = await fake.invoke("mood", {"text": "a wonderful, moving, beautiful film"})
    embed = single_embed(exchange)
    assert embed["title"] == "Mood: positive"
    assert embed["description"] == "a wonderful, moving, beautiful film"
    assert {f["name"] for f in embed["fields"]} >= {"Polarity", "Confidence"}


async def test_mood_of_the_critics_without_text(fake: FakeDiscord, bot: RunningBot) -> None:
    embed = single_embed(await fake.invoke("mood"))
    assert embed["title"] == "The critics' mood: Her (2013)"
    assert "quotes" in embed["footer"]["text"]


async def test_verdict(fake: FakeDiscord, bot: RunningBot) -> None:
    embed = single_embed(await fake.invoke("verdict", {"film": "Her"}))
    assert embed["title"] == "Verdict: Her (2013)"
    assert embed["description"].startswith(("Fresh", "Rotten"))
    [voices] = embed["fields"]
    assert voices["value"].startswith("critics")


async def test_help_lists_every_command(fake: FakeDiscord, bot: RunningBot) -> None:
    embed = single_embed(await fake.invoke("help"))
    usages = " ".join(f["name"] for f in embed["fields"])
    for name in ("/quote", "/mood", "/verdict", "/daily", "/help"):
        assert name in usages


async def test_film_autocomplete(fake: FakeDiscord, bot: RunningBot) -> None:
    choices = await fake.autocomplete("quote", "film", "he")
    assert {"name": "Her (2013)", "value": "Her (2013)"} in choices


async def test_timezone_autocomplete_finds_a_zone_by_its_city(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    choices = await fake.autocomplete("daily", "timezone", "paris", subcommand="set", user=OWNER)
    assert choices[0] == {"name": "Europe/Paris", "value": "Europe/Paris"}

    offered = await fake.autocomplete("daily", "timezone", "", subcommand="set", user=OWNER)
    assert 0 < len(offered) <= 25
    assert all(zone(c["value"]) is not None for c in offered)


async def test_mood_text_is_shown_as_typed_not_as_markdown(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    typed = "**so** _dull_ ~~film~~ `x` > quoted <@123> @everyone"
    exchange = await fake.invoke("mood", {"text": typed})

    embed = single_embed(exchange)
    assert embed["description"] == discord.utils.escape_markdown(typed)
    assert "\\*\\*so\\*\\*" in embed["description"]
    assert exchange.data["allowed_mentions"] == NO_MENTIONS


async def test_unknown_film_is_answered_ephemerally(fake: FakeDiscord, bot: RunningBot) -> None:
    exchange = await fake.invoke("quote", {"film": "Nonexistent Film"})
    assert exchange.ephemeral
    assert "Nonexistent Film" in exchange.data["content"]
    assert "embeds" not in exchange.data or not exchange.data["embeds"]


async def test_daily_lifecycle(fake: FakeDiscord, bot: RunningBot, core: ReviewBot) -> None:
    created = await fake.invoke(
        "daily",
        {"time": "09:30", "timezone": "Europe/Paris", "mood": "positive"},
        subcommand="set",
        user=OWNER,
    )
    embed = single_embed(created)
    assert not created.ephemeral
    [field] = embed["fields"]
    assert field["name"] == "1: 09:30 Europe/Paris, every day, mood positive, Her (2013)"
    status, first, *later = field["value"].split("\n")
    assert status == "Status: active" and len(later) == 4
    assert re.fullmatch(r"<t:\d+:F> · 09:30 \+0[12]:00", first)
    saved = await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID))
    assert saved is not None and saved.created_by == str(OWNER.id)

    shown = await fake.invoke("daily", subcommand="show", user=MEMBER)
    assert shown.ephemeral
    assert single_embed(shown)["description"] == "This channel's daily quote:"

    paused = await fake.invoke("daily", subcommand="pause", user=OWNER)
    assert single_embed(paused)["fields"][0]["value"] == "Status: paused: paused by a member"

    resumed = await fake.invoke("daily", subcommand="resume", user=OWNER)
    assert single_embed(resumed)["fields"][0]["value"].startswith("Status: active\n<t:")

    off = await fake.invoke("daily", subcommand="off", user=OWNER)
    assert single_embed(off)["description"] == "Daily quote deleted for this channel."
    assert await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_daily_set_with_a_bad_time_is_ephemeral(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    exchange = await fake.invoke("daily", {"time": "25:99"}, subcommand="set", user=OWNER)
    assert exchange.ephemeral
    assert "25:99" in exchange.data["content"]
    assert await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_non_manager_cannot_set_a_daily_quote(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    exchange = await fake.invoke("daily", {"time": "09:00"}, subcommand="set", user=MEMBER)
    assert exchange.ephemeral
    assert "manage" in exchange.data["content"]
    assert await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_daily_set_checks_the_bot_can_post_there(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    without_embeds = discord.Permissions(view_channel=True, send_messages=True).value
    exchange = await fake.invoke(
        "daily", {"time": "09:00"}, subcommand="set", user=OWNER, app_permissions=without_embeds
    )
    assert exchange.ephemeral
    assert "Embed Links" in exchange.data["content"]
    assert "Send Messages" not in exchange.data["content"]
    assert await core.schedules.get("discord", str(GUILD_ID), str(CHANNEL_ID)) is None


async def test_every_answer_disarms_mentions(fake: FakeDiscord, bot: RunningBot) -> None:
    await fake.invoke("help")
    await fake.invoke("daily", {"time": "nope"}, subcommand="set", user=OWNER)
    callbacks = fake.find("POST", r"/interactions/.*/callback")
    assert len(callbacks) == 2
    assert all(r.json["data"]["allowed_mentions"] == NO_MENTIONS for r in callbacks)
