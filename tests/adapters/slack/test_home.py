"""Slack's Home tab through the real bolt app and the fake Slack: ``views.publish``."""

from __future__ import annotations

import re
from typing import Any

from adapters.slack.home import MAX_BLOCKS, MORE, PAUSE, RESUME, SKIP_NEXT
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import ScheduleStatus
from tests.adapters.slack.conftest import WAIT, SocketDriver
from tests.fakes.slack_payloads import app_home_opened, block_action, block_texts
from tests.fakes.slack_server import TEAM_ID, FakeSlack


async def open_home(driver: SocketDriver, fake: FakeSlack, user: str) -> dict[str, Any]:
    """The view published after ``user`` opens the tab."""
    before = len(fake.calls("views.publish"))
    await fake.send_envelope("events_api", app_home_opened(user))
    published = await fake.wait_calls("views.publish", before + 1, WAIT)
    body = published[-1]
    assert body["user_id"] == user
    view: dict[str, Any] = body["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= MAX_BLOCKS
    return view


async def press(driver: SocketDriver, fake: FakeSlack, button: dict[str, Any],
                user: str) -> dict[str, Any]:
    """Press a button of the tab; the view published again after it."""
    before = len(fake.calls("views.publish"))
    payload = block_action(button["action_id"], button["value"], response_url="", user=user)
    assert await driver.deliver(payload) == {}
    published = await fake.wait_calls("views.publish", before + 1, WAIT)
    view: dict[str, Any] = published[-1]["view"]
    return view


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_a_manager_sees_the_schedules_with_buttons_and_the_films(
    socket_driver: SocketDriver, fake: FakeSlack, core: ReviewBot
) -> None:
    await socket_driver.command("/daily", "set 09:00 Europe/Paris positive days:mon-fri id:rave",
                                user="UADMIN")
    await socket_driver.command("/daily", "set 17:00 Europe/Paris negative days:fri id:pan",
                                user="UADMIN")
    view = await open_home(socket_driver, fake, "UADMIN")
    text = block_texts({"blocks": view["blocks"]})
    assert "<#C1>" in text
    assert "*rave: 09:00 Europe/Paris, weekdays, mood positive, Her (2013)*" in text
    assert "*pan: 17:00 Europe/Paris, Fri, mood negative, Her (2013)*" in text
    assert "<!date^" in text  # the preview, in each reader's zone
    assert re.search(r"Her \(2013\) — [0-9,]+ quotes · Fresh \d+% of \d+", text)
    assert [b["action_id"] for b in buttons(view)] == [PAUSE, SKIP_NEXT, PAUSE, SKIP_NEXT]

    # Pause "pan" from the tab: the core pauses it and the tab shows Resume.
    pan = [b for b in buttons(view) if b["action_id"] == PAUSE][1]
    after = await press(socket_driver, fake, pan, "UADMIN")
    saved = {s.name: s for s in await core.schedules.in_channel("slack", TEAM_ID, "C1")}
    assert saved["pan"].status is ScheduleStatus.PAUSED
    assert saved["rave"].status is ScheduleStatus.ACTIVE
    assert [b["action_id"] for b in buttons(after)] == [PAUSE, SKIP_NEXT, RESUME]

    # Skip rave's next post from the tab.
    skip = next(b for b in buttons(after) if b["action_id"] == SKIP_NEXT)
    skipped = await press(socket_driver, fake, skip, "UADMIN")
    assert len((await core.schedules.get("slack", TEAM_ID, "C1", "rave")
                or saved["rave"]).skipped) == 1
    assert "Skips 2026-03-03" in block_texts({"blocks": skipped["blocks"]})


async def test_a_member_sees_the_films_and_no_schedule_buttons(
    socket_driver: SocketDriver, fake: FakeSlack
) -> None:
    await socket_driver.command("/daily", "set 09:00", user="UADMIN")
    view = await open_home(socket_driver, fake, "U1")
    text = block_texts({"blocks": view["blocks"]})
    assert "Workspace managers see and change daily quotes here." in text
    assert "Her (2013)" in text and buttons(view) == []


async def test_a_member_pressing_an_old_button_changes_nothing(
    socket_driver: SocketDriver, fake: FakeSlack, core: ReviewBot
) -> None:
    await socket_driver.command("/daily", "set 09:00 id:rave", user="UADMIN")
    view = await open_home(socket_driver, fake, "UADMIN")
    after = await press(socket_driver, fake, buttons(view)[0], "U1")
    saved = await core.schedules.get("slack", TEAM_ID, "C1", "rave")
    assert saved is not None and saved.status is ScheduleStatus.ACTIVE
    assert "Only people who manage" in block_texts({"blocks": after["blocks"]})


async def test_many_channels_stay_within_100_blocks_and_page(
    socket_driver: SocketDriver, fake: FakeSlack, core: ReviewBot
) -> None:
    channels = [f"C{n:02d}" for n in range(12)]
    for channel in channels:
        admin = Invocation("slack", channel, "UADMIN", TEAM_ID, can_manage=True)
        for name in ("a", "b", "c", "d", "e"):
            await core.handle_text(admin, f"/daily set 09:00 id:{name}")
    view = await open_home(socket_driver, fake, "UADMIN")
    shown = [c for c in channels if f"<#{c}>" in block_texts({"blocks": view["blocks"]})]
    assert shown == channels[:5]
    more = [b for b in buttons(view) if b["action_id"] == MORE]
    assert [b["text"]["text"] for b in more] == ["More channels"]
    second = await press(socket_driver, fake, more[0], "UADMIN")
    assert len(second["blocks"]) <= MAX_BLOCKS
    text = block_texts({"blocks": second["blocks"]})
    assert [c for c in channels if f"<#{c}>" in text] == channels[5:10]
