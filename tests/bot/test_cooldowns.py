"""Per-user cooldowns on public commands, on the fake clock."""

from __future__ import annotations

from bot.app import ReviewBot
from bot.cooldowns import LIMIT, WINDOW
from bot.invocation import Invocation
from bot.replies import ErrorReply, QuoteReply, ScheduleReply
from tests.fakes.clock import FakeClock

ALICE = Invocation("discord", "C1", "alice", workspace="G1", can_manage=True)
BOB = Invocation("discord", "C1", "bob", workspace="G1")


async def test_a_member_is_slowed_down_after_the_limit(core: ReviewBot, clock: FakeClock) -> None:
    replies = [await core.handle_text(ALICE, "/quote") for _ in range(LIMIT)]
    assert all(isinstance(r, QuoteReply) for r in replies)
    refused = await core.handle_text(ALICE, "/verdict")
    assert isinstance(refused, ErrorReply) and refused.ephemeral and refused.usage
    assert f"Try again in {int(WINDOW)} s" in refused.message
    button = await core.another(ALICE, replies[0].another_value)  # type: ignore[union-attr]
    assert isinstance(button, ErrorReply)
    # Others, private answers and schedule changes are not held back.
    assert isinstance(await core.handle_text(BOB, "/quote"), QuoteReply)
    assert isinstance(await core.handle_text(ALICE, "/daily set 09:00"), ScheduleReply)
    clock.advance(seconds=WINDOW)
    assert isinstance(await core.handle_text(ALICE, "/quote"), QuoteReply)


async def test_the_window_slides(core: ReviewBot, clock: FakeClock) -> None:
    for _ in range(LIMIT):
        await core.handle_text(ALICE, "/mood")
        clock.advance(seconds=WINDOW / LIMIT)
    # The first call has just left the window: exactly one more is allowed.
    assert not isinstance(await core.handle_text(ALICE, "/mood"), ErrorReply)
    assert isinstance(await core.handle_text(ALICE, "/mood"), ErrorReply)


async def test_the_console_is_exempt(core: ReviewBot, admin: Invocation) -> None:
    assert admin.platform == "console"
    for _ in range(LIMIT * 3):
        assert isinstance(await core.handle_text(admin, "/quote"), QuoteReply)
