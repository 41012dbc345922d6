"""``run_slack`` end to end in both modes, the command prefix, and secrets kept out of logs."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.runner import run_slack
from bot.app import ReviewBot
from bot.settings import Settings
from tests.adapters.slack.conftest import WAIT, HttpDriver, SocketDriver
from tests.fakes.slack_payloads import SIGNING_SECRET, form_body, signed_headers, slash_command
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

SECRETS = (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def _stop(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    await asyncio.wait_for(task, WAIT)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _assert_no_secrets(caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "the test must have logged something to be meaningful"
    everything = caplog.text + "".join(str(r.args) + str(r.exc_info) for r in caplog.records)
    for secret in SECRETS:
        assert secret not in everything


async def test_socket_mode_serves_until_stopped(
    core: ReviewBot,
    settings: Settings,
    fake: FakeSlack,
    client: AsyncWebClient,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop, client=client))
    await fake.wait_connected(1, WAIT)
    assert "slack" in core.scheduler.posters
    message = await SocketDriver(fake).command("/quote")
    assert message["response_type"] == "in_channel"
    fake.fail_next("users.info", error="invalid_auth")
    denied = await SocketDriver(fake).command("/daily", "set 09:00", user="UADMIN")
    assert denied["response_type"] == "ephemeral"
    await _stop(task, stop)
    await fake.wait_for(lambda: fake.live_connections() == 0, WAIT)
    _assert_no_secrets(debug_logs)


async def test_http_mode_serves_until_stopped(
    core: ReviewBot,
    settings: Settings,
    fake: FakeSlack,
    client: AsyncWebClient,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    port = _free_port()
    settings = dataclasses.replace(settings, slack_app_token=None, slack_port=port)
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop, client=client, host="127.0.0.1"))
    url = f"http://127.0.0.1:{port}/slack/events"
    async with aiohttp.ClientSession() as session:
        driver = HttpDriver(fake, url, session)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                message = await driver.command("/quote")
                break
            except aiohttp.ClientConnectorError:
                assert time.monotonic() < deadline, "HTTP server never came up"
                await asyncio.sleep(0.05)
        assert message["response_type"] == "in_channel"
        body = form_body(slash_command("/quote", response_url=fake.response_url()))
        status, _ = await driver.post(body, signed_headers(body, int(time.time()) - 400))
        assert status == 401
    assert fake.connections_opened == 0
    await _stop(task, stop)
    _assert_no_secrets(debug_logs)


async def test_refused_token_fails_fast_without_leaking_it(
    core: ReviewBot, settings: Settings, fake: FakeSlack, debug_logs: pytest.LogCaptureFixture
) -> None:
    wrong = "xoxb-wrong-token-0000"
    client = AsyncWebClient(token=wrong, base_url=fake.base_url)
    with pytest.raises(SlackApiError) as raised:
        await asyncio.wait_for(run_slack(core, settings, asyncio.Event(), client=client), WAIT)
    assert raised.value.response["error"] == "invalid_auth"
    assert wrong not in str(raised.value)
    assert wrong not in debug_logs.text


async def test_refused_app_token_fails_fast_without_leaking_it(
    core: ReviewBot,
    settings: Settings,
    fake: FakeSlack,
    client: AsyncWebClient,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    wrong = "xapp-1-wrong-token-0000"
    settings = dataclasses.replace(settings, slack_app_token=wrong)
    with pytest.raises(SlackApiError) as raised:
        await asyncio.wait_for(run_slack(core, settings, asyncio.Event(), client=client), WAIT)
    assert raised.value.response["error"] == "invalid_auth"
    assert fake.connections_opened == 0
    assert wrong not in str(raised.value)
    assert wrong not in debug_logs.text


@pytest.fixture
async def prefixed(
    fake: FakeSlack, core: ReviewBot, settings: Settings, client: AsyncWebClient
) -> AsyncIterator[SocketDriver]:
    settings = dataclasses.replace(settings, slack_command_prefix="rb-")
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop, client=client))
    await fake.wait_connected(1, WAIT)
    yield SocketDriver(fake)
    await _stop(task, stop)


async def test_prefix_renames_every_command(prefixed: SocketDriver, fake: FakeSlack) -> None:
    message = await prefixed.command("/rb-quote", "negative")
    assert message["response_type"] == "in_channel"
    helped = await prefixed.command("/rb-help")
    text = str(helped["blocks"])
    assert "`/rb-quote" in text and "`/rb-daily" in text and "`/quote" not in text
    envelope_id = await fake.send_envelope(
        "slash_commands", slash_command("/quote", response_url=fake.response_url())
    )
    await asyncio.sleep(0.2)
    assert fake.acks_for(envelope_id) == [], "an unregistered name is not ours to answer"
