"""Socket Mode with redelivery handled: every envelope runs once.

Slack resends an envelope whose acknowledgement it did not see, with the same
``envelope_id``. Running it again would answer a command twice, so a repeat is only
acknowledged again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

_log = logging.getLogger(__name__)


class DedupingSocketModeHandler(AsyncSocketModeHandler):
    """bolt's aiohttp Socket Mode handler, remembering the last ``remember`` envelopes.

    It asks Slack through ``app.client``, the Web API client the whole adapter shares.
    """

    def __init__(
        self, app: AsyncApp, app_token: str, *, ping_interval: float = 10.0, remember: int = 1000
    ) -> None:
        super().__init__(app, app_token=app_token, ping_interval=ping_interval)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._remember = remember

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        envelope_id = req.envelope_id
        if envelope_id in self._seen:
            _log.info("Envelope %s redelivered: acknowledged again, not run", envelope_id)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=envelope_id))
            return
        self._seen[envelope_id] = None
        while len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        await super().handle(client, req)
