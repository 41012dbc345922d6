"""The "Another" button, in the same process and after a restart."""

from __future__ import annotations

from bot.app import ReviewBot
from bot.settings import Settings
from tests.adapters.discord.components import another_id
from tests.adapters.discord.conftest import RunningBot, running
from tests.fakes.clock import FakeClock
from tests.fakes.discord_server import FakeDiscord


async def test_another_gives_a_new_quote_with_its_own_button(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    first = await fake.invoke("quote", {"mood": "negative"})
    custom_id = another_id(first.data)

    second = await fake.click(custom_id, first.data)

    assert second.response_type == 4
    [embed] = second.data["embeds"]
    assert embed["title"] == "Her (2013)"
    assert embed["description"] != first.data["embeds"][0]["description"]
    assert another_id(second.data) == custom_id
    assert second.data["allowed_mentions"] == {"parse": []}


async def test_another_still_works_after_a_restart(
    fake: FakeDiscord, settings: Settings, clock: FakeClock
) -> None:
    core = await ReviewBot.open(settings, clock=clock)
    try:
        async with running(core, settings, fake):
            custom_id = another_id((await fake.invoke("quote")).data)
    finally:
        await core.close()
    identifies = len(fake.gateway_ops(2))

    core = await ReviewBot.open(settings, clock=clock)
    try:
        async with running(core, settings, fake):
            assert len(fake.gateway_ops(2)) == identifies + 1  # a new session, not a resume
            clicked = await fake.click(custom_id)
    finally:
        await core.close()

    assert clicked.response_type == 4
    [embed] = clicked.data["embeds"]
    assert embed["title"] == "Her (2013)"


async def test_an_out_of_date_button_is_answered_ephemerally(
    fake: FakeDiscord, bot: RunningBot
) -> None:
    clicked = await fake.click("reviewbot:another:positive:999999")
    assert clicked.ephemeral
    assert "/quote" in clicked.data["content"]
