"""A fake Slack on 127.0.0.1: the Web API, ``response_url``s and a Socket Mode websocket.

It speaks the real protocol, so the real slack_sdk and slack-bolt run against it:

- Web API at ``base_url`` (``http://127.0.0.1:PORT/api/``; the trailing slash matters to
  slack_sdk): ``auth.test``, ``apps.connections.open``, ``chat.postMessage``,
  ``chat.postEphemeral``, ``chat.update``, ``users.info``, ``conversations.info``,
  ``conversations.open``.
  Calls without the right token get ``invalid_auth``.
- ``response_url(key)``: a URL that records what is posted to it and, like Slack's,
  takes at most 5 posts.
- Socket Mode: ``apps.connections.open`` returns ``ws://.../socket``; the fake sends
  ``hello`` on connect, then whatever envelopes the test sends, and records every ack.
  Like Slack, it takes several connections at once (one per app process) and deals each
  envelope to exactly one of them, in turn; a connection it sent ``disconnect`` gets no
  more. Connections are numbered from 1 in the order they opened: ``delivered_on`` and
  ``acked_on`` say which one got and answered each envelope. ``lose_acks(n)`` drops the
  next ``n`` acks on the way (kept in ``lost_acks``), so the envelope counts as
  unacknowledged and ``redeliver_unacked`` sends it again, as after a network fault.

Off by default, a platform's pace: ``latency`` delays every Web API answer, and
``post_interval`` (seconds; Slack allows about one message a second in a channel) answers
a ``chat.postMessage`` to a channel that had one less than that ago with a 429 and
``Retry-After``, counting each in ``rate_limited``.

Failures are forced per request with ``fail_next`` (an ``ok: false`` error, a 429 with
``Retry-After``, a 5xx). Every request is recorded in ``requests`` for assertions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.loopback import Loopback

BOT_TOKEN = "xoxb-fake-bot-token-3f9a1c"
APP_TOKEN = "xapp-1-fake-app-token-7b2e4d"
TEAM_ID = "T0FAKE"
BOT_USER_ID = "UBOT"
RESPONSE_URL_LIMIT = 5


@dataclass(frozen=True)
class Recorded:
    """One request the fake received. ``method`` is the Web API method or ``respond:KEY``."""

    method: str
    body: dict[str, Any]
    token: str | None


@dataclass
class _Failure:
    error: str | None
    status: int
    retry_after: float | None
    times: int
    disconnect: bool


@dataclass
class _Connection:
    """One Socket Mode websocket; ``draining`` once told to disconnect."""

    number: int
    ws: web.WebSocketResponse
    draining: bool = False


@dataclass
class FakeSlack:
    bot_token: str = BOT_TOKEN
    app_token: str = APP_TOKEN
    team_id: str = TEAM_ID
    bot_user_id: str = BOT_USER_ID
    bot_name: str = "reviewbot"
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    delivered_on: dict[str, list[int]] = field(default_factory=dict)  # envelope -> connections
    acked_on: dict[str, list[int]] = field(default_factory=dict)  # envelope -> connections
    lost_acks: list[dict[str, Any]] = field(default_factory=list)  # dropped by ``lose_acks``
    connections_opened: int = 0
    latency: float = 0.0  # seconds before each Web API answer
    post_interval: float | None = None  # per channel, between accepted chat.postMessage
    rate_limited: int = 0  # chat.postMessage calls refused for ``post_interval``

    def __post_init__(self) -> None:
        self._last_post: dict[str, float] = {}  # channel -> loop time of its last post
        self._failures: dict[str, list[_Failure]] = {}
        self._sockets: list[_Connection] = []
        self._turn = itertools.count()  # round robin over the connections taking envelopes
        self._unacked: dict[str, dict[str, Any]] = {}  # id -> envelope as last sent
        self._acks_to_lose = 0
        self._server = Loopback()
        self._ts = itertools.count(1)

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{key}", self._respond)
        app.router.add_get("/socket", self._socket)
        await self._server.start(app)

    @property
    def port(self) -> int:
        return self._server.port

    async def close(self) -> None:
        for connection in list(self._sockets):
            await connection.ws.close()
        await self._server.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str | None = None) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{key or uuid.uuid4().hex[:8]}"

    # -- configuring ---------------------------------------------------------------

    def add_user(self, user_id: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "is_admin": admin,
            "is_owner": owner,
            "is_primary_owner": False,
            "is_bot": False,
        }

    def add_channel(self, channel_id: str, *, member: bool = True, archived: bool = False) -> None:
        self.channels[channel_id] = {
            "id": channel_id,
            "name": channel_id.lower(),
            "is_channel": True,
            "is_member": member,
            "is_archived": archived,
        }

    def fail_next(
        self,
        method: str,
        *,
        error: str | None = None,
        status: int = 200,
        retry_after: float | None = None,
        times: int = 1,
        disconnect: bool = False,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with an error instead.

        ``error`` alone gives Slack's ``{"ok": false, "error": ...}`` with 200; ``status=429``
        adds ``Retry-After``; a 5xx status gives a plain-text body as Slack's edge does;
        ``disconnect`` reads the request, then drops the connection without an answer.
        """
        if status == 429 and error is None:
            error = "ratelimited"
        failure = _Failure(error, status, retry_after, times, disconnect)
        self._failures.setdefault(method, []).append(failure)

    # -- reading -------------------------------------------------------------------

    def calls(self, method: str) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.method == method]

    def responses(self, key: str) -> list[dict[str, Any]]:
        """What was posted to ``response_url(key)``."""
        return self.calls(f"respond:{key}")

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait (bounded) until ``predicate()`` is truthy, and return its value."""
        return await self._server.wait_for(predicate, timeout)

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Any]:
        calls: list[Any] = await self.wait_for(
            lambda: (c := self.calls(method)) and len(c) >= count and c, timeout
        )
        return calls

    # -- Socket Mode ---------------------------------------------------------------

    async def wait_connected(self, count: int = 1, timeout: float = 5.0) -> None:
        """Until ``count`` connections were asked for and one of them takes envelopes."""
        await self.wait_for(
            lambda: self.connections_opened >= count and self._taking(), timeout
        )

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], envelope_id: str | None = None
    ) -> str:
        """Send an envelope (``slash_commands``, ``interactive`` ...) on one live connection,
        the next in turn, as Slack spreads envelopes over an app's connections."""
        envelope_id = envelope_id or uuid.uuid4().hex
        await self._deliver(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind in ("slash_commands", "interactive"),
                "retry_attempt": 0,
                "retry_reason": "",
            }
        )
        return envelope_id

    async def redeliver_unacked(self) -> list[str]:
        """Send again every envelope no connection acknowledged, each to the next live
        connection with ``retry_attempt`` one more, as Slack retries; their ids."""
        unacked = list(self._unacked.values())
        for message in unacked:
            await self._deliver(
                message | {"retry_attempt": message["retry_attempt"] + 1, "retry_reason": "timeout"}
            )
        return [m["envelope_id"] for m in unacked]

    def lose_acks(self, count: int = 1) -> None:
        """Drop the next ``count`` acks from any connection, as if the network lost them."""
        self._acks_to_lose += count

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the newest connection to reconnect; it gets no envelope after this."""
        connection = self._live()[-1]
        connection.draining = True
        await connection.ws.send_str(
            json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "fake"}})
        )

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        ack: dict[str, Any] = await self.wait_for(
            lambda: next((a for a in self.acks if a.get("envelope_id") == envelope_id), None),
            timeout,
        )
        return ack

    def live_connections(self) -> int:
        return len(self._live())

    def acks_for(self, envelope_id: str) -> list[dict[str, Any]]:
        return [a for a in self.acks if a.get("envelope_id") == envelope_id]

    def _live(self) -> list[_Connection]:
        return [c for c in self._sockets if not c.ws.closed]

    def _taking(self) -> list[_Connection]:
        return [c for c in self._live() if not c.draining]

    async def _deliver(self, envelope: dict[str, Any]) -> None:
        """``envelope`` on the next connection taking envelopes, in turn."""
        taking = self._taking()
        assert taking, "no Socket Mode connection"
        connection = taking[next(self._turn) % len(taking)]
        self._unacked[envelope["envelope_id"]] = envelope
        self.delivered_on.setdefault(envelope["envelope_id"], []).append(connection.number)
        await connection.ws.send_str(json.dumps(envelope))

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        connection = _Connection(len(self._sockets) + 1, ws)
        self._sockets.append(connection)
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": self.live_connections(),
                    "connection_info": {"app_id": "A0FAKE"},
                    "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                }
            )
        )
        await self._notify()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                if self._acks_to_lose:
                    self._acks_to_lose -= 1
                    self.lost_acks.append(ack)
                    await self._notify()
                    continue
                self.acks.append(ack)
                envelope_id = str(ack.get("envelope_id"))
                self._unacked.pop(envelope_id, None)
                self.acked_on.setdefault(envelope_id, []).append(connection.number)
                await self._notify()
        await self._notify()
        return ws

    # -- HTTP ----------------------------------------------------------------------

    async def _notify(self) -> None:
        await self._server.changed()

    async def _record(self, method: str, body: dict[str, Any], token: str | None) -> None:
        self.requests.append(Recorded(method, body, token))
        await self._notify()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _read_body(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else body.get("token")
        await self._record(method, body, token)
        too_soon = method == "chat.postMessage" and self._too_soon(str(body.get("channel", "")))
        if self.latency:
            await asyncio.sleep(self.latency)
        if too_soon:
            self.rate_limited += 1
            return _failure_response(_Failure("ratelimited", 429, 1.0, 1, False))

        failure = self._take_failure(method)
        if failure is not None and failure.disconnect:
            assert request.transport is not None
            request.transport.close()
            raise asyncio.CancelledError  # aiohttp's way to abandon a request
        if failure is not None:
            return _failure_response(failure)
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return _fail("invalid_auth" if token else "not_authed")
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return _fail("unknown_method")
        result: web.Response = handler(body)
        return result

    def _too_soon(self, channel: str) -> bool:
        """Whether a post to ``channel`` now breaks ``post_interval`` (else it counts)."""
        if self.post_interval is None:
            return False
        now = asyncio.get_running_loop().time()
        last = self._last_post.get(channel)
        if last is not None and now - last < self.post_interval:
            return True
        self._last_post[channel] = now
        return False

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _api_auth_test(self, body: dict[str, Any]) -> web.Response:
        return _ok(
            url="https://fake.slack.com/",
            team="Fake Team",
            user=self.bot_name,
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id="B0FAKE",
            is_enterprise_install=False,
        )

    def _api_apps_connections_open(self, body: dict[str, Any]) -> web.Response:
        self.connections_opened += 1
        return _ok(url=f"ws://127.0.0.1:{self.port}/socket?ticket={self.connections_opened}")

    def _api_chat_postMessage(self, body: dict[str, Any]) -> web.Response:
        channel = str(body.get("channel", ""))
        if channel in self.channels and not self.channels[channel]["is_member"]:
            return _fail("not_in_channel")
        ts = f"1767225600.{next(self._ts):06d}"
        return _ok(channel=channel, ts=ts, message={"text": body.get("text"), "ts": ts})

    def _api_views_publish(self, body: dict[str, Any]) -> web.Response:
        """Slack's limits on a Home tab: a user, a view of type home, at most 100 blocks
        (past that the real API answers ``invalid_arguments``)."""
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not body.get("user_id") or not isinstance(view, dict) or view.get("type") != "home":
            return _fail("invalid_arguments")
        if len(view.get("blocks") or []) > 100:
            return _fail("invalid_arguments")
        return _ok(view={"id": f"V{next(self._ts):06d}", **view})

    def _api_chat_update(self, body: dict[str, Any]) -> web.Response:
        return _ok(channel=body.get("channel"), ts=body.get("ts"), text=body.get("text"))

    def _api_chat_postEphemeral(self, body: dict[str, Any]) -> web.Response:
        return _ok(message_ts=f"1767225600.{next(self._ts):06d}")

    def _api_users_info(self, body: dict[str, Any]) -> web.Response:
        user = self.users.get(str(body.get("user", "")))
        return _ok(user=user) if user else _fail("user_not_found")

    def _api_conversations_info(self, body: dict[str, Any]) -> web.Response:
        channel = self.channels.get(str(body.get("channel", "")))
        return _ok(channel=channel) if channel else _fail("channel_not_found")

    def _api_conversations_open(self, body: dict[str, Any]) -> web.Response:
        user = str(body.get("users", ""))
        return _ok(channel={"id": "D" + user.removeprefix("U")})

    async def _respond(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        body = await _read_body(request)
        if len(self.responses(key)) >= RESPONSE_URL_LIMIT:
            return web.Response(status=404, text="used_url")
        await self._record(f"respond:{key}", body, None)
        return web.Response(text="ok", content_type="text/html")


async def _read_body(request: web.Request) -> dict[str, Any]:
    """Query string, form fields and JSON body merged, as Slack accepts all three."""
    body: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            body.update(await request.json())
        else:
            body.update(dict(await request.post()))
    for name in ("blocks", "attachments"):
        if isinstance(body.get(name), str):
            body[name] = json.loads(body[name])
    return body


def _ok(**fields: Any) -> web.Response:
    return web.json_response({"ok": True, **fields})


def _fail(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error})


def _failure_response(failure: _Failure) -> web.Response:
    if failure.status >= 500:
        return web.Response(status=failure.status, text="upstream error")
    headers = {}
    if failure.retry_after is not None:
        headers["Retry-After"] = str(int(failure.retry_after))
    return web.json_response(
        {"ok": False, "error": failure.error}, status=failure.status, headers=headers
    )
