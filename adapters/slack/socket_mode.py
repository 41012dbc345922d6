"""Socket Mode with redelivery handled: every envelope runs once, across replicas.

Slack resends an envelope whose acknowledgement it did not see, with the same
``envelope_id``, and with several processes connected the copy may go to another one.
Running it again would answer a command twice, so the envelope id is claimed in the
database every replica shares before it runs (``SeenOnce``); a repeat, here or in any
other process, is only acknowledged again. This process's memory answers a repeat sent
back here without a round trip.

What that costs: a process that claims an envelope and dies before acknowledging it
leaves it unanswered (Slack's retry finds it claimed); at most once, never twice.
When the database does not answer, this process's memory decides alone.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.storage.errors import StorageError
from bot.storage.seen import SeenOnce

_log = logging.getLogger(__name__)

# Slack retries an unacknowledged envelope a few times over about five minutes (as the
# Events API does: at once, after 1 minute, after 5); its id is remembered for longer.
REDELIVERY_WINDOW = 900.0


class DedupingSocketModeHandler(AsyncSocketModeHandler):
    """bolt's aiohttp Socket Mode handler, running each envelope id once across the
    replicas sharing ``seen`` (the core's ``ReviewBot.seen``) and remembering the last
    ``remember`` here.

    It asks Slack through ``app.client``, the Web API client the whole adapter shares.
    """

    def __init__(
        self,
        app: AsyncApp,
        app_token: str,
        seen: SeenOnce,
        *,
        ping_interval: float = 10.0,
        remember: int = 1000,
    ) -> None:
        super().__init__(app, app_token=app_token, ping_interval=ping_interval)
        self._shared = seen
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    def connected(self) -> bool:
        """Whether the websocket to Slack is open now (for ``/healthz``): slack_sdk's
        ``is_connected`` without its ping check, which is a coroutine."""
        client = self.client
        session = client.current_session
        return not client.closed and not client.stale and session is not None \
            and not session.closed

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        envelope_id = req.envelope_id
        if not await self._first(envelope_id):
            _log.info("Envelope %s redelivered: acknowledged again, not run", envelope_id)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
            return
        await super().handle(client, req)

    async def _first(self, envelope_id: str) -> bool:
        """Whether no process ran ``envelope_id`` yet (claiming it if so)."""
        if envelope_id in self._seen:
            return False
        self._seen[envelope_id] = None
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        now = time.time()
        try:
            return await self._shared.first(
                f"slack-envelope:{envelope_id}", now + REDELIVERY_WINDOW, now
            )
        except StorageError as e:
            _log.warning("Envelope %s checked by this replica alone: the database failed (%s)",
                         envelope_id, e)
            return True
