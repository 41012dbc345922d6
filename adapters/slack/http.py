"""HTTP mode: an aiohttp app that checks Slack's signature before bolt reads a byte.

The check is Slack's v0 HMAC over ``v0:{timestamp}:{raw body}`` with a 300 s window,
done by slack_sdk's ``SignatureVerifier``. It lives here rather than in bolt's built-in
middleware so the verifier (and its clock) can be injected: Slack's published test
vector is from 2018 and only verifies against a clock set to that moment.

The verifier trusts its input (``int()`` on the timestamp, which takes ``"²"`` past
``str.isdigit`` and then raises), so the headers are parsed strictly first: anything but
ASCII digits and ``v0=`` with 64 hex digits is an unsigned request, refused with 401.
A valid signature is accepted once: the window would let anyone who saw a request send
it again for five minutes, so signatures are remembered for as long as they are fresh, in
the database every replica shares (a replay sent to another replica behind the load
balancer is refused too), with this process's own memory in front of it.
"""

from __future__ import annotations

import heapq
import logging
import re
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.storage.errors import StorageError
from bot.storage.seen import SeenOnce

_log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
WINDOW = 300  # seconds a timestamp stays acceptable either side of now (slack_sdk's rule)
REPLAY_CAPACITY = 100_000  # signatures remembered at most (~10 MB), far above Slack's rate

_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only; 12 is year 33658
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class ReplayGuard:
    """Which validly signed requests were already served, while they could still verify.

    A signature is kept until its timestamp is ``WINDOW`` seconds old, when the verifier
    rejects it anyway. Only signatures that verified get in, so nobody without the
    signing secret can fill either store. This process's memory answers a replay sent
    here again without a round trip (past ``capacity`` the signature closest to expiring
    goes); the shared ``seen`` store decides for a signature new here, which another
    replica may have served. When the database does not answer, this process's memory
    decides alone: the request is served rather than refused for a store that is down.
    """

    def __init__(
        self, verifier: SignatureVerifier, seen: SeenOnce, capacity: int = REPLAY_CAPACITY
    ) -> None:
        self._clock = verifier.clock
        self._shared = seen
        self._capacity = capacity
        self._expiries: list[tuple[int, str]] = []  # a heap, soonest expiry first
        self._seen: set[str] = set()

    def __len__(self) -> int:
        """How many signatures this process remembers (bounded by ``capacity``)."""
        return len(self._seen)

    async def first_use(self, signature: str, timestamp: int) -> bool:
        """True the first time ``signature`` is seen by any replica within its window,
        False on a replay."""
        now = self._clock.now()
        while self._expiries and (
            self._expiries[0][0] < now or len(self._expiries) >= self._capacity
        ):
            self._seen.discard(heapq.heappop(self._expiries)[1])
        if signature in self._seen:
            return False
        self._seen.add(signature)
        heapq.heappush(self._expiries, (timestamp + WINDOW, signature))
        key = "slack-sig:" + signature.removeprefix("v0=")
        try:
            return await self._shared.first(key, timestamp + WINDOW, now)
        except StorageError as e:
            _log.warning("Replays checked by this replica alone: the database failed (%s)", e)
            return True


def build_web_app(
    bolt_app: AsyncApp, verifier: SignatureVerifier, seen: SeenOnce, path: str = EVENTS_PATH
) -> web.Application:
    """An aiohttp application serving ``bolt_app`` at ``path`` for signed requests only,
    each once across the replicas sharing ``seen`` (the core's ``ReviewBot.seen``)."""
    replays = ReplayGuard(verifier, seen)

    async def handle(request: web.Request) -> web.Response:
        body = (await request.read()).decode("utf-8", errors="replace")
        if not is_signed(verifier, body, request.headers):
            _log.warning("Rejected a request with a missing or wrong Slack signature")
            return _unauthorized()
        timestamp = int(request.headers["X-Slack-Request-Timestamp"])
        if not await replays.first_use(request.headers["X-Slack-Signature"], timestamp):
            _log.warning("Rejected a replayed Slack request (its signature was already used)")
            return _unauthorized()
        bolt_request = AsyncBoltRequest(
            body=body, query=request.query_string, headers=dict(request.headers)
        )
        return await to_aiohttp_response(await bolt_app.async_dispatch(bolt_request))

    web_app = web.Application()
    web_app.router.add_post(path, handle)
    return web_app


def is_signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """True when the signature headers are well formed, match ``body`` and are fresh.

    A body that was not UTF-8 arrives here with replacement characters, so it fails.
    """
    timestamp = headers.get("X-Slack-Request-Timestamp") or ""
    signature = headers.get("X-Slack-Signature") or ""
    if not (_TIMESTAMP.fullmatch(timestamp) and _SIGNATURE.fullmatch(signature)):
        return False
    return bool(verifier.is_valid(body=body, timestamp=timestamp, signature=signature))


def _unauthorized() -> web.Response:
    return web.json_response({"error": "invalid request"}, status=401)
