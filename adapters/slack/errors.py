"""Reading a Slack Web API failure without tripping over a non-JSON answer."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.errors import SlackApiError


def error_name(e: SlackApiError) -> str:
    """Slack's ``error`` string (``not_in_channel``), or "" when the body was not JSON (5xx)."""
    data = e.response.data
    return str(data.get("error") or "") if isinstance(data, Mapping) else ""
