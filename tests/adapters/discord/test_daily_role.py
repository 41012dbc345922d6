"""A daily quote's opt-in role mention: that role may be pinged, nothing else, ever."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.app import ReviewBot
from tests.adapters.discord.conftest import RunningBot
from tests.adapters.discord.test_mentions import FILM, PINGS, ingest_pinging_quotes
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import CHANNEL_ID, GUILD_ID, MEMBER, OWNER, FakeDiscord, role

CHANNEL_MESSAGES = rf"/channels/{CHANNEL_ID}/messages"
CRITICS = 777000000000000001


async def test_only_the_schedules_role_may_be_mentioned(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot, clock: FakeClock, tmp_path: Path
) -> None:
    await ingest_pinging_quotes(core, tmp_path)  # quotes that say "@everyone <@&123> <@456>"
    set_ = await fake.invoke("daily", {"time": "09:00", "film": FILM, "id": "critics"},
                             subcommand="set", user=OWNER, roles={"role": role(CRITICS, "critics")})
    assert not set_.ephemeral, set_.data
    plain = await fake.invoke("daily", {"time": "09:00", "film": FILM, "id": "plain"},
                              subcommand="set", user=OWNER)
    assert not plain.ephemeral, plain.data
    saved = {s.name: s.role for s in await core.schedules.in_channel(
        "discord", str(GUILD_ID), str(CHANNEL_ID))}
    assert saved == {"critics": str(CRITICS), "plain": None}

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert await core.scheduler.run_due() == 2
    posts = {p.json.get("content"): p.json for p in fake.find("POST", CHANNEL_MESSAGES)}
    # The role's post: the bot's own <@&ID> as content, and discord.py's allowed_mentions
    # allow exactly that role: no @everyone, no users, not the <@&123> in the quote.
    mentioned = posts[f"<@&{CRITICS}>"]
    assert mentioned["allowed_mentions"] == {"parse": [], "roles": [CRITICS]}
    assert PINGS in mentioned["embeds"][0]["description"]
    # The other schedule's post allows nothing.
    assert posts[None]["allowed_mentions"] == {"parse": []}


async def test_a_member_cannot_attach_a_role(fake: FakeDiscord, bot: RunningBot,
                                             core: ReviewBot) -> None:
    refused = await fake.invoke("daily", {"time": "09:00"}, subcommand="set", user=MEMBER,
                                roles={"role": role(CRITICS, "critics")})
    assert refused.ephemeral
    assert await core.schedules.in_channel("discord", str(GUILD_ID), str(CHANNEL_ID)) == []


async def test_id_autocomplete_offers_the_channels_schedules(
    fake: FakeDiscord, bot: RunningBot, core: ReviewBot
) -> None:
    for name, days in (("rave", "mon-fri"), ("pan", "fri")):
        await fake.invoke("daily", {"time": "09:00", "id": name, "days": days},
                          subcommand="set", user=OWNER)
    offered = await fake.autocomplete("daily", "id", "", subcommand="pause", user=OWNER)
    assert [(c["value"], c["name"]) for c in offered] == [
        ("rave", "rave (09:00 UTC, weekdays)"), ("pan", "pan (09:00 UTC, Fri)")]
    assert [c["value"] for c in await fake.autocomplete(
        "daily", "id", "p", subcommand="skip", user=OWNER)] == ["pan"]


async def test_days_autocomplete_explains_each_choice_and_keeps_what_is_typed(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    offered = await fake.autocomplete("daily", "days", "", subcommand="set", user=OWNER)
    assert offered[:3] == [{"name": "daily (every day)", "value": "daily"},
                           {"name": "mon-fri (weekdays)", "value": "mon-fri"},
                           {"name": "weekends (weekends)", "value": "weekends"}]
    typed = await fake.autocomplete("daily", "days", "mon,thu", subcommand="set", user=OWNER)
    assert typed == [{"name": "mon,thu (Mon, Thu)", "value": "mon,thu"}]
    assert await fake.autocomplete("daily", "days", "blursday", subcommand="set",
                                   user=OWNER) == []
