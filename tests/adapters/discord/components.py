"""Finding the bot's components (buttons, selects) in a message it sent, by custom_id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.discord.views import CUSTOM_ID_PREFIX, WRONG_MOOD_CUSTOM_ID


def components(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every component of every action row, in order."""
    return [c for row in message.get("components", []) for c in row["components"]]


def component(message: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The one component whose custom_id starts with ``prefix``."""
    [found] = [c for c in components(message) if c["custom_id"].startswith(prefix)]
    return found


def another_id(message: Mapping[str, Any]) -> str:
    custom_id = component(message, CUSTOM_ID_PREFIX)["custom_id"]
    assert isinstance(custom_id, str)
    return custom_id


def wrong_mood_values(message: Mapping[str, Any]) -> list[str]:
    """The values of the "Wrong mood?" menu's options, in order."""
    select = component(message, WRONG_MOOD_CUSTOM_ID)
    assert select["type"] == 3 and select["placeholder"] == "Wrong mood?"
    return [option["value"] for option in select["options"]]
