"""Per-user cooldowns on public commands, on the fake clock."""

from __future__ import annotations

from bot.app import ReviewBot
from bot.cooldowns import LIMIT, WINDOW, Cooldowns
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


def _member(i: int, channel: str = "C1") -> Invocation:
    return Invocation("slack", channel, f"U{i}", workspace="T1")


def test_the_limit_is_per_member_per_channel(clock: FakeClock) -> None:
    cooldowns = Cooldowns(clock)
    assert [cooldowns.wait(_member(1)) for _ in range(LIMIT)] == [0.0] * LIMIT
    assert cooldowns.wait(_member(1)) == WINDOW
    assert cooldowns.wait(_member(1, "C2")) == 0.0
    assert cooldowns.wait(_member(2)) == 0.0
    clock.advance(seconds=WINDOW / 4)
    # A refusal is not counted: the wait shrinks as the first reply ages.
    assert cooldowns.wait(_member(1)) == WINDOW * 3 / 4


def test_members_whose_window_passed_are_forgotten(clock: FakeClock) -> None:
    cooldowns = Cooldowns(clock)
    for i in range(1000):
        cooldowns.wait(_member(i))
    assert len(cooldowns) == 1000
    clock.advance(seconds=WINDOW)
    for i in range(1000, 1600):
        cooldowns.wait(_member(i))
    # Each call forgets up to two of the old members while adding one new one.
    assert len(cooldowns) == 600
    assert cooldowns.wait(_member(0)) == 0.0, "a forgotten member starts afresh"


def test_a_member_still_in_the_window_is_not_forgotten(clock: FakeClock) -> None:
    cooldowns = Cooldowns(clock)
    for _ in range(LIMIT):
        cooldowns.wait(_member(1))
    clock.advance(seconds=WINDOW / 2)
    for i in range(2, 200):
        cooldowns.wait(_member(i))
    clock.advance(seconds=WINDOW / 2)
    # The others are now older than the window, member 1's replies exactly WINDOW old.
    for i in range(200, 600):
        cooldowns.wait(_member(i))
    assert cooldowns.wait(_member(1)) == 0.0, "its window has just passed"
    clock.advance(seconds=WINDOW / 2 - 1)
    for i in range(600, 1000):
        cooldowns.wait(_member(i))
    assert cooldowns.wait(_member(1)) == 0.0, "one reply counted, five more allowed"
    for _ in range(LIMIT - 2):
        assert cooldowns.wait(_member(1)) == 0.0
    assert cooldowns.wait(_member(1)) > 0
