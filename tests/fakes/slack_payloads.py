"""What Slack sends an app: slash command and block action payloads, signed HTTP bodies.

The same payload dicts go into a Socket Mode envelope as they are, or into an HTTP POST
form-encoded (slash commands) or as a ``payload=`` JSON field (interactivity).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlencode

from tests.fakes.slack_server import TEAM_ID

SIGNING_SECRET = "fake-signing-secret-9c41e0"

# Slack's published example ("Verifying requests from Slack"; slack_sdk's tests use it).
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = "1531420618"
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F"
    "T1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"


def slash_command(
    command: str,
    text: str = "",
    *,
    response_url: str,
    user: str = "U1",
    channel: str = "C1",
    team: str = TEAM_ID,
) -> dict[str, str]:
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0FAKE",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": "1.2.3",
    }


def block_action(
    action_id: str,
    value: str,
    *,
    response_url: str,
    user: str = "U1",
    channel: str = "C1",
    team: str = TEAM_ID,
    element: str = "button",
) -> dict[str, Any]:
    """A press of a button, or (``element`` "static_select" or "overflow") the choice of
    the option whose value is ``value``, as Slack reports each."""
    action: dict[str, Any] = {
        "type": element,
        "action_id": action_id,
        "block_id": "b1",
        "action_ts": "1767225601.000000",
    }
    if element == "button":
        action["value"] = value
    else:
        action["selected_option"] = {"text": {"type": "plain_text", "text": value},
                                     "value": value}
    return {
        "type": "block_actions",
        "token": "legacy-verification-token",
        "api_app_id": "A0FAKE",
        "team": {"id": team, "domain": "fake"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "channel": {"id": channel, "name": channel.lower()},
        "container": {"type": "message", "message_ts": "1767225600.000001"},
        "trigger_id": "1.2.3",
        "response_url": response_url,
        "actions": [action],
    }


def form_body(payload: dict[str, Any]) -> str:
    """HTTP body for ``payload``: slash commands are form fields, interactivity is JSON."""
    if payload.get("type") == "block_actions":
        return urlencode({"payload": json.dumps(payload)})
    return urlencode(payload)


def signed_headers(body: str, timestamp: int | str, secret: str = SIGNING_SECRET) -> dict[str, str]:
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": f"v0={digest}",
    }


def block_texts(message: dict[str, Any]) -> str:
    """All mrkdwn/plain text in a message's blocks, one string for assertions."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("mrkdwn", "plain_text"):
                out.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.get("blocks", []))
    return "\n".join(out)



def app_home_opened(user: str, *, team: str = TEAM_ID, tab: str = "home") -> dict[str, Any]:
    """The Events API callback Slack sends when ``user`` opens the app's Home tab."""
    return {
        "token": "legacy-verification-token",
        "team_id": team,
        "api_app_id": "A0FAKE",
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab,
                  "event_ts": "1767225600.000100"},
        "type": "event_callback",
        "event_id": f"Ev{user}{tab}",
        "event_time": 1767225600,
    }
