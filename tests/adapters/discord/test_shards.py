"""Discord shards: automatic in one process, and split across two real processes."""

from __future__ import annotations

import asyncio
import os
import re
import socket
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics
from bot.app import ReviewBot
from bot.settings import Settings
from tests.adapters.discord.conftest import running
from tests.adapters.discord.test_startup import reviewbot_command
from tests.fakes.discord_server import FakeDiscord

SHARD_TIMEOUT = 30.0  # discord.py waits 5 s before identifying each shard after the first
# Loaded by each child's ``site`` module: points an unmodified ``reviewbot`` at the fake,
# REST and gateway (a fixed shard count skips GET /gateway/bot and uses the default URL).
SITECUSTOMIZE = """\
import os

import discord.gateway
import discord.http
import yarl

discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["FAKE_DISCORD_GATEWAY"])
"""


def identified(fake: FakeDiscord) -> list[list[int] | None]:
    return [frame["d"].get("shard") for frame in fake.gateway_ops(2)]


async def test_one_process_runs_every_recommended_shard(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    fake.recommended_shards = 2
    async with running(core, settings, fake):
        await fake.wait_until(lambda: len(fake.shard_sockets) == 2, SHARD_TIMEOUT)
        for shard in (0, 1):
            exchange = await fake.invoke("help", shard=shard)
            assert exchange.response_type == 4
            assert len(fake.find("POST", re.escape(
                f"/interactions/{exchange.interaction_id}/{exchange.token}/callback"))) == 1
    assert fake.find("GET", "/gateway/bot")
    assert sorted(map(str, identified(fake))) == ["[0, 2]", "[1, 2]"]


async def test_one_recommended_shard_is_one_connection_as_before(
    fake: FakeDiscord, core: ReviewBot, settings: Settings
) -> None:
    async with running(core, settings, fake) as bot:
        exchange = await fake.invoke("help")
        assert exchange.response_type == 4
        assert metrics.platforms()["discord"] is True  # as /healthz reports it
        await bot.stop()
    assert metrics.platforms()["discord"] is False
    assert identified(fake) == [[0, 1]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def helps_answered(port: int) -> float:
    """The process's own count of /help commands answered, from its /metrics."""
    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        text = await response.text()
    return sum(s.value for family in text_string_to_metric_families(text)
               for s in family.samples if s.name == "reviewbot_commands_total"
               and s.labels == {"command": "help", "outcome": "ok"})


async def start_process(
    fake: FakeDiscord, settings: Settings, tmp_path: Path, shard_ids: str, metrics_port: int
) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env |= {
        "DISCORD_TOKEN": fake.token,
        "DISCORD_SHARD_COUNT": "2",
        "DISCORD_SHARD_IDS": shard_ids,
        "REVIEWBOT_DB": str(settings.db_path),
        "REVIEWBOT_METRICS_PORT": str(metrics_port),
        "FAKE_DISCORD_API": fake.api_base,
        "FAKE_DISCORD_GATEWAY": fake.gateway_url,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()]),
    }
    return await asyncio.create_subprocess_exec(
        *reviewbot_command(), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        env=env, cwd=tmp_path,
    )


async def stopped(process: asyncio.subprocess.Process) -> tuple[int | None, str]:
    if process.returncode is None:
        process.terminate()
    _, err = await asyncio.wait_for(process.communicate(), SHARD_TIMEOUT)
    return process.returncode, err.decode()


async def test_two_processes_each_run_their_own_shard(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    ports = {0: free_port(), 1: free_port()}
    processes: dict[int, asyncio.subprocess.Process] = {}
    try:
        # One after the other, as a deploy would: both migrate the same new file otherwise.
        for shard in (0, 1):
            processes[shard] = await start_process(fake, settings, tmp_path, str(shard),
                                                   ports[shard])
            await fake.wait_until(lambda s=shard: s in fake.shard_sockets, SHARD_TIMEOUT)
        for shard in (0, 1):
            exchange = await fake.invoke("help", shard=shard)
            assert exchange.response_type == 4
            assert len(fake.find("POST", re.escape(
                f"/interactions/{exchange.interaction_id}/{exchange.token}/callback"))) == 1
        # Each process answered the interaction of its own shard, and only that one.
        assert [await helps_answered(ports[s]) for s in (0, 1)] == [1.0, 1.0]
    finally:
        results = {shard: await stopped(p) for shard, p in processes.items()}
    assert sorted(map(str, identified(fake))) == ["[0, 2]", "[1, 2]"]
    for code, stderr in results.values():
        assert code == 0, stderr
        assert "Traceback" not in stderr
