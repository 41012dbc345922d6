"""HTTP mode: an aiohttp app that checks Slack's signature before bolt reads a byte.

The check is Slack's v0 HMAC over ``v0:{timestamp}:{raw body}`` with a 300 s window,
done by slack_sdk's ``SignatureVerifier``. It lives here rather than in bolt's built-in
middleware so the verifier (and its clock) can be injected: Slack's published test
vector is from 2018 and only verifies against a clock set to that moment.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

_log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def build_web_app(
    bolt_app: AsyncApp, verifier: SignatureVerifier, path: str = EVENTS_PATH
) -> web.Application:
    """An aiohttp application serving ``bolt_app`` at ``path`` for signed requests only."""

    async def handle(request: web.Request) -> web.Response:
        body = (await request.read()).decode("utf-8", errors="replace")
        if not is_signed(verifier, body, request.headers):
            _log.warning("Rejected a request with a missing or wrong Slack signature")
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(path, handle)
    return web_app


def is_signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """True when the signature headers match ``body`` and the timestamp is fresh.

    A body that was not UTF-8 arrives here with replacement characters, so it fails.
    """
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    return bool(verifier.is_valid(body=body, timestamp=timestamp, signature=signature))
