"""Reading a Slack Web API failure without tripping over a non-JSON answer."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.errors import SlackApiError

# Slack's answers that mean "not now" rather than "no": worth asking again.
_BUSY_ERRORS = frozenset({"ratelimited", "service_unavailable"})


def error_name(e: SlackApiError) -> str:
    """Slack's ``error`` string (``not_in_channel``), or "" when the body was not JSON (5xx)."""
    data = e.response.data
    return str(data.get("error") or "") if isinstance(data, Mapping) else ""


def describe(e: SlackApiError) -> str:
    """Slack's error name, or the HTTP status when there is none: for logs and messages."""
    return error_name(e) or f"HTTP {e.response.status_code}"


def is_busy(e: SlackApiError) -> bool:
    """A 429, a 5xx or Slack saying it is overloaded: the same call may work later."""
    status = e.response.status_code
    return status == 429 or status >= 500 or error_name(e) in _BUSY_ERRORS


def retry_after(e: SlackApiError, default: float = 1.0) -> float:
    """Seconds Slack asks to wait (``Retry-After``), or ``default`` when it does not say."""
    for name, value in e.response.headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return default
