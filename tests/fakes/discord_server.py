"""A fake Discord on loopback: the real discord.py talks to it over HTTP and a websocket.

It speaks just enough of the gateway (HELLO, heartbeat ACK, IDENTIFY -> READY +
GUILD_CREATE, RESUME -> RESUMED, INTERACTION_CREATE) and of the REST API (users,
application, command sync, interaction callbacks, webhooks, channel messages, DMs) for a
bot built on slash commands, buttons and select menus. Every REST request is recorded,
and a test can force the next answers of a route (a 429 with ``retry_after``, a 500, a
403 with a JSON error code, a connection dropped without an answer) to see how the client
copes; a forced answer can be ``committed``: the request takes effect (the message is
created) and only the answer is lost or wrong, as when Discord posts and then fails.

Channel messages honour ``enforce_nonce`` as Discord does: the same nonce from the same
author in the same channel within ``NONCE_WINDOW`` returns the message already created
instead of a second one. ``messages`` holds only the messages really created.

Off by default, a platform's pace: ``latency`` delays every REST answer, and
``global_limit`` (requests per second, 50 on Discord) answers a request over it with a
global 429 as Discord does (``Via``, ``X-RateLimit-Global``, ``retry_after`` in the body),
counting each in ``global_violations``; interaction callbacks and webhooks are exempt, as
on Discord.

Use ``FakeDiscord.redirect(monkeypatch)`` to point discord.py at it (``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY``: both class attributes, see
``/work/shared/notes/platform-fakes.md``).
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
import pytest
import yarl
from aiohttp import WSMsgType, web

from tests.fakes.loopback import Loopback

API_PREFIX = "/api/v10"
GATEWAY_PATH = "/gateway"
ATTACHMENTS_PATH = "/attachments"  # Discord's CDN, served by the fake too

APP_ID = 900000000000000001
BOT_ID = 900000000000000001  # Discord gives a bot user the application's id
GUILD_ID = 910000000000000001
CHANNEL_ID = 920000000000000001
OWNER_ID = 930000000000000001
USER_ID = 930000000000000002

# What a fresh invite with the permissions docs/discord.md asks for gives the bot.
BOT_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True).value
MANAGER_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, manage_guild=True
).value
MEMBER_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True).value

JSON = "application/json"  # exactly: discord.py parses a body only for this content type
DEFAULT_TIMEOUT = 5.0
GLOBAL_WINDOW = 1.0  # seconds over which ``global_limit`` requests are allowed
# Routes outside the global limit: interactions answer through these.
GLOBAL_EXEMPT = re.compile(r"/(interactions|webhooks)/.*")

# Discord deduplicates an enforced nonce "for a few minutes" (not documented more exactly):
# tests must not rely on a resend later than this being dropped.
NONCE_WINDOW = 120.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # without the /api/v10 prefix and without the query string
    query: Mapping[str, str]
    json: Any
    headers: Mapping[str, str]
    at: float  # loop time when the request arrived
    status: int  # what the fake answered


@dataclass
class ForcedResponse:
    method: str
    path: re.Pattern[str]
    status: int
    body: Any
    headers: Mapping[str, str]
    times: int
    committed: bool = False  # the request takes effect before this answer replaces the real one
    drop: bool = False  # close the connection instead of answering


@dataclass(frozen=True)
class NonceRecord:
    at: float  # the fake's ``now()`` when the message was created
    message: dict[str, Any]


@dataclass(frozen=True)
class FakeUser:
    id: int = USER_ID
    name: str = "member"
    permissions: int = MEMBER_PERMISSIONS

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "global_name": self.name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }


OWNER = FakeUser(OWNER_ID, "owner", MANAGER_PERMISSIONS)
MEMBER = FakeUser()


@dataclass
class Exchange:
    """One interaction sent by the fake, and what the client answered."""

    fake: FakeDiscord
    interaction_id: int
    token: str
    sent_at: float
    callback: RecordedRequest
    _seen: int = field(default=0)

    @property
    def elapsed(self) -> float:
        """Seconds from dispatch to the first response: Discord's limit is 3."""
        return self.callback.at - self.sent_at

    @property
    def response_type(self) -> int:
        return int(self.callback.json["type"])

    @property
    def data(self) -> dict[str, Any]:
        """The callback's message data (content, embeds, components, flags ...)."""
        data = self.callback.json.get("data") or {}
        assert isinstance(data, dict)
        return data

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags", 0)) & 64)

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{APP_ID}/{self.token}"

    def webhook_requests(self) -> list[RecordedRequest]:
        return [r for r in self.fake.requests if r.path.startswith(self.webhook_path)]

    async def followup(self, timeout: float = DEFAULT_TIMEOUT) -> RecordedRequest:
        """The next request on this interaction's webhook (followup, edit, delete)."""
        index = self._seen
        self._seen += 1
        await self.fake.wait_until(lambda: len(self.webhook_requests()) > index, timeout=timeout)
        return self.webhook_requests()[index]


class FakeDiscord:
    def __init__(
        self, token: str = "fake-token", now: Callable[[], float] = time.monotonic
    ) -> None:
        """``now`` (seconds) times the nonce window: pass the test's fake clock so that a
        resend "minutes later" in the test's time is judged as Discord would judge it."""
        self.token = token
        self.now = now
        self.requests: list[RecordedRequest] = []
        self.messages: list[dict[str, Any]] = []  # created by POST /channels/{id}/messages
        self._nonces: dict[tuple[str, str, str], NonceRecord] = {}
        self._answered: set[str] = set()  # interactions with a first response
        self.gateway_received: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope -> registered commands
        self.heartbeat_interval_ms = 41250
        self._forced: list[ForcedResponse] = []
        self._ids = itertools.count(1_000_000_000_000_000_000)
        self._server = Loopback()
        self._ws: web.WebSocketResponse | None = None
        # Sharding: what GET /gateway/bot recommends, and each identified shard's socket.
        self.recommended_shards = 1
        self.shard_sockets: dict[int, web.WebSocketResponse] = {}
        self._session_id: str | None = None
        self._sequence = 0
        self.attachments: dict[str, bytes] = {}  # attachment id -> bytes served
        self.attachment_downloads = 0
        self.latency = 0.0  # seconds before each REST answer
        self.global_limit: int | None = None  # requests per GLOBAL_WINDOW, None: no limit
        self.global_violations = 0  # requests refused with a global 429
        self._served: collections.deque[float] = collections.deque()  # arrival times

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(GATEWAY_PATH, self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get(ATTACHMENTS_PATH + "/{id}/{name}", self._attachment)
        await self._server.start(app)

    @property
    def port(self) -> int:
        return self._server.port

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        await self._server.stop()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{GATEWAY_PATH}"

    def redirect(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Point discord.py's REST and gateway URLs at this fake for one test."""
        monkeypatch.setattr(discord.http.Route, "BASE", self.api_base)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url)
        )

    async def refuse_connections(self) -> None:
        """Stop listening: a new connection is refused (open ones stay as they are)."""
        runner = self._server._runner
        assert runner is not None, "not started"
        for site in list(runner.sites):
            await site.stop()

    # -- forcing answers -----------------------------------------------------------------

    def force(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        committed: bool = False,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and the ``path`` regex.

        ``committed``: handle the request first (a message is created, or the existing one
        found by its nonce), then answer with the forced status anyway.
        """
        self._forced.append(
            ForcedResponse(
                method.upper(), re.compile(path), status, body, headers or {}, times, committed
            )
        )

    def force_disconnect(
        self, method: str, path: str, *, committed: bool = True, times: int = 1
    ) -> None:
        """Close the connection without answering the next ``times`` matching requests: by
        default after handling them, the case where the client cannot know it posted."""
        self._forced.append(
            ForcedResponse(
                method.upper(), re.compile(path), 0, None, {}, times, committed, drop=True
            )
        )

    def force_rate_limit(
        self, method: str, path: str, retry_after: float, *, is_global: bool = False
    ) -> None:
        """A 429 as Discord sends it: a ``Via`` header and ``retry_after`` in the body."""
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": is_global,
            "code": 0,
        }
        self.force(method, path, 429, body, headers={"Via": "1.1 google"})

    def force_error(self, method: str, path: str, status: int, code: int, message: str) -> None:
        self.force(method, path, status, {"message": message, "code": code})

    # -- waiting and querying ------------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        await self._server.wait_for(predicate, timeout)

    def answered_interactions(self) -> int:
        """How many interactions got a first response (a second one is refused, 40060)."""
        return len(self._answered)

    def channel_messages(self, channel_id: int = CHANNEL_ID) -> list[dict[str, Any]]:
        """The messages really created in a channel (a deduplicated resend adds none)."""
        return [m for m in self.messages if m["channel_id"] == str(channel_id)]

    def find(self, method: str, path: str) -> list[RecordedRequest]:
        """Recorded requests with ``method`` whose path fully matches the ``path`` regex."""
        pattern = re.compile(path)
        return [r for r in self.requests if r.method == method and pattern.fullmatch(r.path)]

    async def wait_for_request(
        self, method: str, path: str, count: int = 1, timeout: float = DEFAULT_TIMEOUT
    ) -> list[RecordedRequest]:
        await self.wait_until(lambda: len(self.find(method, path)) >= count, timeout)
        return self.find(method, path)

    def gateway_ops(self, op: int) -> list[dict[str, Any]]:
        return [m for m in self.gateway_received if m.get("op") == op]

    @property
    def connected(self) -> bool:
        """Whether a client holds a live gateway session."""
        return self._ws is not None

    async def wait_ready(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Until a session is established (READY or RESUMED sent on a live socket)."""
        await self.wait_until(
            lambda: self._ws is not None and self._session_id is not None, timeout
        )

    # -- attachments ---------------------------------------------------------------------

    def attach(self, filename: str, data: bytes, *, size: int | None = None) -> dict[str, Any]:
        """An attachment as Discord resolves it in an interaction, its bytes served on
        127.0.0.1; ``size`` is what Discord reports (the real length unless given)."""
        attachment_id = str(next(self._ids))
        self.attachments[attachment_id] = data
        url = f"http://127.0.0.1:{self.port}{ATTACHMENTS_PATH}/{attachment_id}/{filename}"
        return {
            "id": attachment_id,
            "filename": filename,
            "size": len(data) if size is None else size,
            "url": url,
            "proxy_url": url,
            "content_type": "text/plain; charset=utf-8",
        }

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["id"])
        if data is None:
            return web.Response(status=404)
        self.attachment_downloads += 1
        return web.Response(body=data, content_type="application/octet-stream")

    # -- interactions --------------------------------------------------------------------

    async def invoke(
        self,
        name: str,
        options: Mapping[str, str] | None = None,
        *,
        subcommand: str | None = None,
        user: FakeUser = MEMBER,
        app_permissions: int = BOT_PERMISSIONS,
        channel_id: int = CHANNEL_ID,
        timeout: float = DEFAULT_TIMEOUT,
        files: Mapping[str, dict[str, Any]] | None = None,
        roles: Mapping[str, dict[str, Any]] | None = None,
        shard: int | None = None,
    ) -> Exchange:
        """Run ``/name [subcommand] options`` as ``user`` and wait for the first response.

        ``files``: attachment options (type 11), option name -> ``attach(...)``'s payload,
        carried in ``resolved.attachments`` as Discord sends them. ``roles``: role options
        (type 8), option name -> ``role(...)``'s payload, in ``resolved.roles``."""
        opts = _string_options(options or {})
        opts += [{"name": n, "type": 11, "value": a["id"]} for n, a in (files or {}).items()]
        opts += [{"name": n, "type": 8, "value": r["id"]} for n, r in (roles or {}).items()]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data = {
            "id": str(self._command_id(name)),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": str(GUILD_ID),
        }
        if files:
            data["resolved"] = {"attachments": {a["id"]: a for a in files.values()}}
        if roles:
            resolved = data.setdefault("resolved", {})
            assert isinstance(resolved, dict)
            resolved["roles"] = {r["id"]: r for r in roles.values()}
        return await self._interact(2, data, user, app_permissions, channel_id, None, timeout,
                                    shard)

    async def autocomplete(
        self,
        name: str,
        focused: str,
        value: str,
        *,
        subcommand: str | None = None,
        user: FakeUser = MEMBER,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[dict[str, Any]]:
        """Type ``value`` into option ``focused`` of ``/name [subcommand]``; the choices
        offered."""
        opts: list[dict[str, Any]] = [
            {"name": focused, "type": 3, "value": value, "focused": True}
        ]
        if subcommand is not None:
            opts = [{"name": subcommand, "type": 1, "options": opts}]
        data = {
            "id": str(self._command_id(name)),
            "name": name,
            "type": 1,
            "options": opts,
            "guild_id": str(GUILD_ID),
        }
        exchange = await self._interact(4, data, user, BOT_PERMISSIONS, CHANNEL_ID, None, timeout)
        assert exchange.response_type == 8, exchange.callback.json
        choices = exchange.data["choices"]
        assert isinstance(choices, list)
        return choices

    async def click(
        self,
        custom_id: str,
        message: Mapping[str, Any] | None = None,
        *,
        user: FakeUser = MEMBER,
        channel_id: int = CHANNEL_ID,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Exchange:
        """Press the button ``custom_id`` on a message.

        ``message`` is that message as the bot sent it (the JSON of its send, e.g.
        ``exchange.data``); by default a message holding only the button, which is what a
        click on a message sent by an earlier process looks like to a new one.
        """
        if message is None:
            button = {"type": 2, "style": 2, "label": "Another", "custom_id": custom_id}
            message = {"components": [{"type": 1, "components": [button]}]}
        full = self.message_payload(channel_id, message, webhook=True)
        data = {"custom_id": custom_id, "component_type": 2}
        return await self._interact(3, data, user, BOT_PERMISSIONS, channel_id, full, timeout)

    async def choose(
        self,
        custom_id: str,
        value: str,
        message: Mapping[str, Any] | None = None,
        *,
        user: FakeUser = MEMBER,
        channel_id: int = CHANNEL_ID,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> Exchange:
        """Pick ``value`` in the string select ``custom_id`` of a message.

        ``message`` is that message as the bot sent it; by default a message holding only
        a select with that one option, as a message sent by an earlier process looks to
        a new one.
        """
        if message is None:
            select = {
                "type": 3,
                "custom_id": custom_id,
                "options": [{"label": value, "value": value}],
                "min_values": 1,
                "max_values": 1,
            }
            message = {"components": [{"type": 1, "components": [select]}]}
        full = self.message_payload(channel_id, message, webhook=True)
        data = {"custom_id": custom_id, "component_type": 3, "values": [value]}
        return await self._interact(3, data, user, BOT_PERMISSIONS, channel_id, full, timeout)

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        user: FakeUser,
        app_permissions: int,
        channel_id: int,
        message: dict[str, Any] | None,
        timeout: float,
        shard: int | None = None,
    ) -> Exchange:
        interaction_id = next(self._ids)
        token = f"interaction-token-{interaction_id}"
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "guild_id": str(GUILD_ID),
            "guild": {"id": str(GUILD_ID), "locale": "en-US", "features": []},
            "channel_id": str(channel_id),
            "channel": self._channel_payload(channel_id),
            "member": {
                "user": user.payload(),
                "roles": [],
                "joined_at": _now_iso(),
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": str(user.permissions),
            },
            "app_permissions": str(app_permissions),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }
        if message is not None:
            payload["message"] = message
        callback_path = f"/interactions/{interaction_id}/{token}/callback"
        loop = asyncio.get_running_loop()
        sent_at = loop.time()
        await self.dispatch("INTERACTION_CREATE", payload, shard)
        [callback] = await self.wait_for_request("POST", re.escape(callback_path), 1, timeout)
        return Exchange(self, interaction_id, token, sent_at, callback)

    def _command_id(self, name: str) -> int:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return int(command["id"])
        return next(self._ids)

    # -- gateway -------------------------------------------------------------------------

    async def dispatch(self, event: str, data: Mapping[str, Any], shard: int | None = None
                       ) -> None:
        """Send ``event`` on the latest session, or on shard ``shard``'s."""
        ws = self._ws if shard is None else self.shard_sockets.get(shard)
        assert ws is not None, "no gateway connection"
        self._sequence += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": self._sequence, "d": data}))

    async def drop_connection(self, *, code: int = 4000, wait_resume: bool = True) -> None:
        """Close the gateway socket as Discord does on a hiccup; the client must RESUME."""
        ws = self._ws
        assert ws is not None, "no gateway connection"
        resumes = len(self.gateway_ops(6))
        self._ws = None
        await ws.close(code=code)
        if wait_resume:
            await self.wait_until(
                lambda: len(self.gateway_ops(6)) > resumes and self._ws is not None
            )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(
            json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
        )
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            await self._record_gateway(frame)
            op = frame.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, frame["d"])
            elif op == 6:
                await self._resume(ws, frame["d"])
        if self._ws is ws:
            self._ws = None
        for shard_id in [i for i, socket in self.shard_sockets.items() if socket is ws]:
            del self.shard_sockets[shard_id]
        await self._server.changed()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self._ws = ws
        self._sequence = 0
        session_id = f"session-{next(self._ids)}"
        shard = data.get("shard")  # [id, count] when the client shards
        if shard is not None:
            self.shard_sockets[int(shard[0])] = ws
        ready = {
            "v": 10,
            "user": {
                "id": str(BOT_ID),
                "username": "reviewbot",
                "discriminator": "0",
                "global_name": None,
                "avatar": None,
                "bot": True,
                "flags": 0,
            },
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": session_id,
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if shard is not None:
            ready["shard"] = list(shard)
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild_payload())
        self._session_id = session_id
        await self._server.changed()

    async def _resume(self, ws: web.WebSocketResponse, data: Mapping[str, Any]) -> None:
        if data.get("session_id") != self._session_id or data.get("token") != self.token:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        self._ws = ws
        await self._server.changed()
        await self.dispatch("RESUMED", {})

    async def _record_gateway(self, frame: dict[str, Any]) -> None:
        self.gateway_received.append(frame)
        await self._server.changed()

    # -- REST ----------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.can_read_body and request.content_type == JSON:
            body = await request.json()
        refusal = self._over_global_limit(path)
        headers: Mapping[str, str]
        if refusal is not None:
            status, answer, headers, drop = 429, refusal, _global_headers(refusal), False
        else:
            status, answer, headers, drop = self._answer(request.method, path, body, request)
        self.requests.append(
            RecordedRequest(
                request.method,
                path,
                dict(request.query),
                body,
                dict(request.headers),
                asyncio.get_running_loop().time(),
                status,
            )
        )
        await self._server.changed()
        if self.latency:
            await asyncio.sleep(self.latency)
        if drop:
            assert request.transport is not None
            request.transport.abort()  # the client sees the server disconnect, no status
        if answer is None:
            return web.Response(status=status, headers=headers)
        return web.Response(
            status=status,
            body=json.dumps(answer).encode(),
            headers={"Content-Type": JSON, **headers},
        )

    def _over_global_limit(self, path: str) -> dict[str, Any] | None:
        """The 429 body when this request is one more than ``global_limit`` in the last
        ``GLOBAL_WINDOW`` seconds of served requests, else None (and it counts)."""
        if self.global_limit is None or GLOBAL_EXEMPT.fullmatch(path):
            return None
        now = asyncio.get_running_loop().time()
        while self._served and self._served[0] <= now - GLOBAL_WINDOW:
            self._served.popleft()
        if len(self._served) < self.global_limit:
            self._served.append(now)
            return None
        self.global_violations += 1
        retry_after = max(0.001, self._served[0] + GLOBAL_WINDOW - now)
        return {
            "message": "You are being rate limited.",
            "retry_after": round(retry_after, 3),
            "global": True,
            "code": 0,
        }

    def _answer(
        self, method: str, path: str, body: Any, request: web.Request
    ) -> tuple[int, Any, Mapping[str, str], bool]:
        """(status, JSON body or None, headers, whether to drop the connection instead)."""
        for forced in self._forced:
            if forced.method == method and forced.path.fullmatch(path):
                forced.times -= 1
                if forced.times <= 0:
                    self._forced.remove(forced)
                if forced.committed:
                    self._handle(method, path, body, request)
                return forced.status, forced.body, forced.headers, forced.drop
        status, answer = self._handle(method, path, body, request)
        return status, answer, {}, False

    def _handle(self, method: str, path: str, body: Any, request: web.Request) -> tuple[int, Any]:
        if request.headers.get("Authorization", "Bot " + self.token) != "Bot " + self.token:
            return 401, {"message": "401: Unauthorized", "code": 0}
        for route_method, pattern, handler in self._routes():
            match = pattern.fullmatch(path)
            if route_method == method and match:
                status, answer = handler(body, **match.groupdict())
                return status, answer
        return 404, {"message": "404: Not Found", "code": 0}

    def _routes(self) -> Iterable[tuple[str, re.Pattern[str], Callable[..., tuple[int, Any]]]]:
        app = str(APP_ID)
        return (
            ("GET", re.compile(r"/users/@me"), self._get_me),
            ("GET", re.compile(r"/gateway/bot"), self._get_gateway_bot),
            ("GET", re.compile(r"/oauth2/applications/@me"), self._get_application),
            ("PUT", re.compile(rf"/applications/{app}/commands"), self._put_commands),
            ("GET", re.compile(rf"/applications/{app}/commands"), self._get_commands),
            (
                "PUT",
                re.compile(rf"/applications/{app}/guilds/(?P<guild>\d+)/commands"),
                self._put_commands,
            ),
            (
                "GET",
                re.compile(rf"/applications/{app}/guilds/(?P<guild>\d+)/commands"),
                self._get_commands,
            ),
            (
                "POST",
                re.compile(r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback"),
                self._post_callback,
            ),
            ("POST", re.compile(rf"/webhooks/{app}/(?P<token>[^/]+)"), self._post_webhook),
            (
                "PATCH",
                re.compile(rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)"),
                self._patch_webhook,
            ),
            (
                "GET",
                re.compile(rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)"),
                self._patch_webhook,
            ),
            (
                "DELETE",
                re.compile(rf"/webhooks/{app}/(?P<token>[^/]+)/messages/(?P<mid>[^/]+)"),
                self._delete,
            ),
            ("POST", re.compile(r"/channels/(?P<channel>\d+)/messages"), self._post_message),
            ("POST", re.compile(r"/users/@me/channels"), self._create_dm),
        )

    def _get_gateway_bot(self, body: Any) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url,
            "shards": self.recommended_shards,
            "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                    "max_concurrency": 1},
        }

    def _get_me(self, body: Any) -> tuple[int, Any]:
        return 200, {
            "id": str(BOT_ID),
            "username": "reviewbot",
            "discriminator": "0",
            "global_name": None,
            "avatar": None,
            "bot": True,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }

    def _get_application(self, body: Any) -> tuple[int, Any]:
        return 200, {
            "id": str(APP_ID),
            "name": "reviewbot",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": {
                "id": str(OWNER_ID),
                "username": "owner",
                "discriminator": "0",
                "avatar": None,
                "global_name": None,
            },
            "interactions_endpoint_url": None,
            "flags": 0,
            "team": None,
        }

    def _put_commands(self, body: Any, guild: str | None = None) -> tuple[int, Any]:
        registered = [
            {
                **command,
                "id": str(next(self._ids)),
                "application_id": str(APP_ID),
                "version": str(next(self._ids)),
                **({"guild_id": guild} if guild else {}),
            }
            for command in body
        ]
        self.commands[guild or "global"] = registered
        return 200, registered

    def _get_commands(self, body: Any, guild: str | None = None) -> tuple[int, Any]:
        return 200, self.commands.get(guild or "global", [])

    def _post_callback(self, body: Any, iid: str, token: str) -> tuple[int, Any]:
        if iid in self._answered:
            return 400, {"message": "Interaction has already been acknowledged.", "code": 40060}
        self._answered.add(iid)
        kind = int(body["type"])
        flags = int((body.get("data") or {}).get("flags", 0))
        interaction: dict[str, Any] = {
            "id": iid,
            "type": 2,
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool(flags & 64),
        }
        answer: dict[str, Any] = {"interaction": interaction}
        if kind in (4, 5, 7):  # 7 updates the message the component is on: same shape
            message = self.message_payload(CHANNEL_ID, body.get("data") or {}, webhook=True)
            interaction["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return 200, answer

    def _post_webhook(self, body: Any, token: str) -> tuple[int, Any]:
        return 200, self.message_payload(CHANNEL_ID, body or {}, webhook=True)

    def _patch_webhook(self, body: Any, token: str, mid: str) -> tuple[int, Any]:
        return 200, self.message_payload(CHANNEL_ID, body or {}, webhook=True)

    def _delete(self, body: Any, **_: str) -> tuple[int, Any]:
        return 204, None

    def _post_message(self, body: Any, channel: str) -> tuple[int, Any]:
        sent = body or {}
        nonce = sent.get("nonce")
        key = (channel, str(BOT_ID), str(nonce))
        if nonce is not None and sent.get("enforce_nonce"):
            earlier = self._nonces.get(key)
            if earlier is not None and self.now() - earlier.at <= NONCE_WINDOW:
                return 200, earlier.message
        message = self.message_payload(int(channel), sent)
        self.messages.append(message)
        if nonce is not None:
            self._nonces[key] = NonceRecord(self.now(), message)
        return 200, message

    def _create_dm(self, body: Any) -> tuple[int, Any]:
        recipient = str(body["recipient_id"])
        return 200, {
            "id": str(next(self._ids)),
            "type": 1,
            "last_message_id": None,
            "recipients": [
                {
                    "id": recipient,
                    "username": "someone",
                    "discriminator": "0",
                    "avatar": None,
                    "global_name": None,
                }
            ],
        }

    # -- payloads ------------------------------------------------------------------------

    def message_payload(
        self, channel_id: int, sent: Mapping[str, Any], *, webhook: bool = False
    ) -> dict[str, Any]:
        """A message object as Discord returns it for ``sent`` (a send's JSON body)."""
        return {
            "id": str(next(self._ids)),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": {
                "id": str(BOT_ID),
                "username": "reviewbot",
                "discriminator": "0",
                "avatar": None,
                "bot": True,
                "global_name": None,
            },
            "content": sent.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": sent.get("embeds") or [],
            "components": sent.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": int(sent.get("flags") or 0),
            **({"nonce": sent["nonce"]} if sent.get("nonce") is not None else {}),
            **({"webhook_id": str(APP_ID), "application_id": str(APP_ID)} if webhook else {}),
        }

    def _channel_payload(self, channel_id: int) -> dict[str, Any]:
        return {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(GUILD_ID),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _guild_payload(self) -> dict[str, Any]:
        return {
            "id": str(GUILD_ID),
            "name": "Film club",
            "icon": None,
            "owner_id": str(OWNER_ID),
            "unavailable": False,
            "member_count": 3,
            "large": False,
            "joined_at": _now_iso(),
            "features": [],
            "emojis": [],
            "stickers": [],
            "members": [],
            "presences": [],
            "voice_states": [],
            "threads": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "roles": [
                {
                    "id": str(GUILD_ID),
                    "name": "@everyone",
                    "permissions": "0",
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [self._channel_payload(CHANNEL_ID)],
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "preferred_locale": "en-US",
            "system_channel_id": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "system_channel_flags": 0,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "splash": None,
            "discovery_splash": None,
            "premium_subscription_count": 0,
            "max_members": 500000,
        }


def role(role_id: int, name: str) -> dict[str, Any]:
    """A role as Discord resolves it in an interaction's ``resolved.roles``."""
    return {"id": str(role_id), "name": name, "color": 0, "hoist": False, "position": 1,
            "permissions": "0", "managed": False, "mentionable": True, "flags": 0}


def _string_options(options: Mapping[str, str]) -> list[dict[str, Any]]:
    return [{"name": name, "type": 3, "value": value} for name, value in options.items()]


def _global_headers(refusal: Mapping[str, Any]) -> dict[str, str]:
    """What Discord sends with a global 429 (discord.py needs ``Via`` to trust it)."""
    return {
        "Via": "1.1 google",
        "X-RateLimit-Global": "true",
        "X-RateLimit-Scope": "global",
        "Retry-After": str(max(1, round(refusal["retry_after"]))),
    }


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()
