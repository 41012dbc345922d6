"""``run_slack`` end to end in both modes, the command prefix, secrets kept out of logs,
and a refused start said in one line (through the fake and through a real process)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.slack.runner import run_slack
from bot import metrics
from bot.app import ReviewBot
from bot.errors import StartupRefused
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
    core: ReviewBot, settings: Settings, fake: FakeSlack, debug_logs: pytest.LogCaptureFixture
) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop))
    await fake.wait_connected(1, WAIT)
    assert "slack" in core.scheduler.posters
    message = await SocketDriver(fake).command("/quote")
    assert message["response_type"] == "in_channel"
    assert metrics.platforms()["slack"] is True  # as /healthz reports it
    fake.fail_next("users.info", error="invalid_auth")
    denied = await SocketDriver(fake).command("/daily", "set 09:00", user="UADMIN")
    assert denied["response_type"] == "ephemeral"
    await _stop(task, stop)
    await fake.wait_for(lambda: fake.live_connections() == 0, WAIT)
    assert metrics.platforms()["slack"] is False
    _assert_no_secrets(debug_logs)


async def test_http_mode_serves_until_stopped(
    core: ReviewBot, settings: Settings, fake: FakeSlack, debug_logs: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    settings = dataclasses.replace(
        settings, slack_app_token=None, slack_port=port, slack_host="127.0.0.1"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop))
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
        assert metrics.platforms()["slack"] is True
        body = form_body(slash_command("/quote", response_url=fake.response_url()))
        status, _ = await driver.post(body, signed_headers(body, int(time.time()) - 400))
        assert status == 401
    assert fake.connections_opened == 0
    await _stop(task, stop)
    assert metrics.platforms()["slack"] is False
    _assert_no_secrets(debug_logs)


async def test_refused_token_fails_fast_without_leaking_it(
    core: ReviewBot, settings: Settings, fake: FakeSlack, debug_logs: pytest.LogCaptureFixture
) -> None:
    wrong = "xoxb-wrong-token-0000"
    settings = dataclasses.replace(settings, slack_bot_token=wrong)
    with pytest.raises(StartupRefused) as raised:
        await asyncio.wait_for(run_slack(core, settings, asyncio.Event()), WAIT)
    assert str(raised.value) == "SLACK_BOT_TOKEN was refused by Slack: invalid_auth"
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert wrong not in debug_logs.text
    assert "slack" not in core.scheduler.posters


async def test_refused_app_token_fails_fast_without_leaking_it(
    core: ReviewBot, settings: Settings, fake: FakeSlack, debug_logs: pytest.LogCaptureFixture
) -> None:
    wrong = "xapp-1-wrong-token-0000"
    settings = dataclasses.replace(settings, slack_app_token=wrong)
    with pytest.raises(StartupRefused) as raised:
        await asyncio.wait_for(run_slack(core, settings, asyncio.Event()), WAIT)
    assert str(raised.value) == "SLACK_APP_TOKEN was refused by Slack: invalid_auth"
    assert fake.connections_opened == 0
    assert wrong not in debug_logs.text


async def test_slack_down_at_start_is_one_line_too(
    core: ReviewBot, settings: Settings, fake: FakeSlack
) -> None:
    fake.fail_next("auth.test", status=503)
    with pytest.raises(StartupRefused, match=r"^Slack could not check SLACK_BOT_TOKEN just now"):
        await asyncio.wait_for(run_slack(core, settings, asyncio.Event()), WAIT)


async def test_http_mode_listens_on_slack_host_only(
    core: ReviewBot, settings: Settings, fake: FakeSlack
) -> None:
    """SLACK_HOST=127.0.0.2: that address answers, 127.0.0.1 (another interface) does not."""
    port = _free_port()
    settings = dataclasses.replace(
        settings, slack_app_token=None, slack_port=port, slack_host="127.0.0.2"
    )
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop))
    deadline = time.monotonic() + WAIT
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.2", port)
            break
        except OSError:
            assert time.monotonic() < deadline, "HTTP server never came up on 127.0.0.2"
            await asyncio.sleep(0.05)
    writer.close()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    await _stop(task, stop)


async def test_a_port_in_use_is_one_line(
    core: ReviewBot, settings: Settings, fake: FakeSlack
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = dataclasses.replace(
            settings, slack_app_token=None, slack_port=port, slack_host="127.0.0.1"
        )
        with pytest.raises(StartupRefused, match=rf"^cannot listen on SLACK_HOST=127.0.0.1 "
                           rf"SLACK_PORT={port}: "):
            await asyncio.wait_for(run_slack(core, settings, asyncio.Event()), WAIT)


def test_slack_host_setting(tmp_path: Path) -> None:
    assert Settings.from_env({}, dotenv=None).slack_host == "0.0.0.0"
    env = {"SLACK_HOST": " 127.0.0.1 ", "SLACK_API_URL": "https://slack-gov.com/api/"}
    read = Settings.from_env(env, dotenv=None)
    assert read.slack_host == "127.0.0.1"
    assert read.slack_api_url == "https://slack-gov.com/api/"


async def test_no_token_warning_when_the_token_is_in_the_environment(
    core: ReviewBot,
    settings: Settings,
    fake: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """bolt reads SLACK_BOT_TOKEN itself; handing it a client as well made it warn."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    caplog.set_level(logging.INFO)
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop))
    await fake.wait_connected(1, WAIT)
    await _stop(task, stop)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def _reviewbot(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The real ``reviewbot`` entry point in its own process, Slack configured by ``env``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    base.update(REVIEWBOT_DB=str(tmp_path / "bot.sqlite3"), REVIEWBOT_LOG_LEVEL="WARNING", **env)
    script = Path(sys.executable).with_name("reviewbot")
    return subprocess.run(
        [str(script), "run"], capture_output=True, text=True, env=base, cwd=tmp_path, timeout=60
    )


@pytest.mark.parametrize(
    ("variable", "wrong"),
    [("SLACK_BOT_TOKEN", "xoxb-wrong-0000"), ("SLACK_APP_TOKEN", "xapp-1-wrong-0000")],
)
async def test_reviewbot_process_says_which_token_in_one_line(
    fake: FakeSlack, tmp_path: Path, variable: str, wrong: str
) -> None:
    env = {
        "SLACK_API_URL": fake.base_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        variable: wrong,
    }
    result = await asyncio.to_thread(_reviewbot, tmp_path, env)
    assert result.returncode == 1, result.stderr
    # At WARNING, so bolt's "token will be unused" warning would show here too.
    lines = [line for line in result.stderr.splitlines() if "reviewbot: database" not in line]
    assert lines == [f"reviewbot: {variable} was refused by Slack: invalid_auth"]
    assert wrong not in result.stderr + result.stdout


@pytest.fixture
async def prefixed(
    fake: FakeSlack, core: ReviewBot, settings: Settings
) -> AsyncIterator[SocketDriver]:
    settings = dataclasses.replace(settings, slack_command_prefix="rb-")
    stop = asyncio.Event()
    task = asyncio.create_task(run_slack(core, settings, stop))
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
