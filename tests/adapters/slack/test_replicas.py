"""Slack replicas: two real ``reviewbot run`` processes on one database, in both modes.

HTTP mode: the test is the load balancer, sending each signed request to the next replica
in turn; any replica answers any request, including a button on another's message and a
retried event, and a captured request replayed at the other replica is refused there too.
Socket Mode: each process opens its own connection and the fake deals each envelope to
one of them, as Slack does; an envelope one replica answered but whose ack was lost is
not run again by the other when Slack redelivers it; when one process is killed, the
other answers what comes after, and what the dead one held unacknowledged when Slack
retries it. Each replica's ``/healthz`` reports Slack.

Every test runs on SQLite and on PostgreSQL: ``database`` is what every replica gets as
``REVIEWBOT_DB``, a copy of the default corpus on the test's backend.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.slack.blocks import ANOTHER_ACTION_ID
from adapters.slack.http import EVENTS_PATH
from bot.settings import Settings
from tests.adapters.discord.test_shards import free_port
from tests.adapters.discord.test_startup import reviewbot_command
from tests.adapters.slack.conftest import WAIT, HttpDriver, SocketDriver
from tests.adapters.slack.test_commands import _button
from tests.backends import both_backends as backend  # noqa: F401
from tests.fakes.slack_payloads import (
    SIGNING_SECRET,
    app_home_opened,
    block_action,
    block_texts,
    form_body,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

START_TIMEOUT = 30.0  # a process imports bolt and opens the database: seconds on 2 cores
QUOTES = 8  # /quote commands per test, spread evenly over the two replicas
HEALTHY = (200, {"database": "ok", "platforms": {"slack": True}})  # each replica's /healthz


@pytest.fixture
def database(settings: Settings) -> str:
    """``REVIEWBOT_DB`` for every replica: the test's own SQLite file or PostgreSQL
    database, copied from the template with the default corpus in."""
    return str(settings.database)


@dataclass
class Replica:
    """One ``reviewbot run`` process, with its log file and its metrics port."""

    process: asyncio.subprocess.Process
    log: Path
    metrics_port: int
    slack_port: int | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.slack_port}{EVENTS_PATH}"

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def until(self, ready: Callable[[], Awaitable[bool]]) -> None:
        """Poll ``ready`` until true; fail with the log if the process ends or is late."""
        deadline = time.monotonic() + START_TIMEOUT
        while not await ready():
            assert self.process.returncode is None, f"replica exited:\n{self.output()}"
            assert time.monotonic() < deadline, f"replica not ready:\n{self.output()}"
            await asyncio.sleep(0.05)

    async def listening(self) -> bool:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.slack_port)
        except OSError:
            return False
        writer.close()
        return True

    async def answered(self, command: str) -> float:
        """The process's own count of ``command`` answered ok, from its /metrics."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            text = await response.text()
        return sum(s.value for family in text_string_to_metric_families(text)
                   for s in family.samples if s.name == "reviewbot_commands_total"
                   and s.labels == {"command": command, "outcome": "ok"})

    async def healthz(self) -> tuple[int, dict[str, object]]:
        """What a load balancer's health check gets from this process."""
        url = f"http://127.0.0.1:{self.metrics_port}/healthz"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            return response.status, await response.json()

    async def stop(self) -> None:
        """SIGTERM, as a deploy stops it: a clean exit with no traceback."""
        self.process.terminate()
        code = await asyncio.wait_for(self.process.wait(), START_TIMEOUT)
        assert code == 0 and "Traceback" not in self.output(), self.output()


class Replicas:
    """Starts replicas one after the other (as a deploy rolls them out) and ends them."""

    def __init__(self, fake: FakeSlack, database: str, tmp_path: Path) -> None:
        self._fake = fake
        self._database = database
        self._tmp_path = tmp_path
        self.started: list[Replica] = []

    async def start(self, mode: str) -> Replica:
        """A replica in ``mode`` ("http" or "socket") configured as a user would, by env."""
        metrics_port = free_port()
        slack_port = free_port() if mode == "http" else None
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DISCORD_", "SLACK_", "REVIEWBOT_"))}
        env |= {
            "REVIEWBOT_DB": self._database,
            "REVIEWBOT_METRICS_PORT": str(metrics_port),
            "REVIEWBOT_LOG_LEVEL": "WARNING",
            "SLACK_API_URL": self._fake.base_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "PYTHONPATH": os.getcwd(),
        }
        if slack_port is None:
            env["SLACK_APP_TOKEN"] = APP_TOKEN
        else:
            env |= {"SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_HOST": "127.0.0.1",
                    "SLACK_PORT": str(slack_port)}
        log = self._tmp_path / f"replica-{len(self.started)}.log"
        with log.open("wb") as out:  # a file, not a pipe: a chatty process never blocks
            process = await asyncio.create_subprocess_exec(
                *reviewbot_command(), "run", stdin=asyncio.subprocess.DEVNULL, stdout=out,
                stderr=asyncio.subprocess.STDOUT, env=env, cwd=self._tmp_path,
            )
        replica = Replica(process, log, metrics_port, slack_port)
        self.started.append(replica)
        if slack_port is not None:
            await replica.until(replica.listening)
        else:
            count = self._fake.live_connections() + 1
            await replica.until(lambda: self._live(count))
        return replica

    async def _live(self, count: int) -> bool:
        return self._fake.live_connections() >= count

    async def close(self) -> None:
        for replica in self.started:
            if replica.process.returncode is None:
                replica.process.kill()
                await replica.process.wait()


@pytest.fixture
async def replicas(
    fake: FakeSlack, database: str, tmp_path: Path
) -> AsyncIterator[Replicas]:
    started = Replicas(fake, database, tmp_path)
    yield started
    await started.close()


class LoadBalancer(HttpDriver):
    """What sits in front of HTTP replicas: each request to the next one, in turn."""

    def __init__(self, fake: FakeSlack, urls: list[str], session: aiohttp.ClientSession) -> None:
        super().__init__(fake, urls[0], session)
        self._next_url = itertools.cycle(urls).__next__

    async def post(self, body: str, headers: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self._next_url(), data=body.encode(),
                                     headers=headers) as resp:
            return resp.status, await resp.text()


def event_headers(body: str, timestamp: int, retry: int | None = None) -> dict[str, str]:
    """What Slack sends with an Events API callback; a retry says which one it is."""
    headers = signed_headers(body, timestamp) | {"Content-Type": "application/json"}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


async def quotes(driver: HttpDriver | SocketDriver, count: int) -> None:
    """``count`` /quote at once, each by its own member: every one gets its quote."""
    messages = await asyncio.gather(*(driver.command("/quote", user=f"UQ{i}")
                                      for i in range(count)))
    for message in messages:
        assert message["response_type"] == "in_channel", message
        assert _button(message)["value"].startswith("any:")


async def test_http_replicas_behind_a_load_balancer(
    fake: FakeSlack, replicas: Replicas
) -> None:
    both = [await replicas.start("http") for _ in range(2)]
    assert [await r.healthz() for r in both] == [HEALTHY] * 2
    async with aiohttp.ClientSession() as session:
        balancer = LoadBalancer(fake, [r.url for r in both], session)
        await quotes(balancer, QUOTES)
        assert [await r.answered("quote") for r in both] == [QUOTES / 2] * 2

        # "Another" on a quote one replica posted, pressed twice: once at each replica,
        # each answered once through its response_url.
        first = await balancer.command("/quote", user="UQA")
        for _ in range(2):
            again = await balancer.click(_button(first)["value"], user="UQA")
            assert again["response_type"] == "in_channel"
            assert _button(again)["value"] == _button(first)["value"]
        assert all(len(fake.responses(f"http-{n}")) == 1 for n in (2 + QUOTES, 3 + QUOTES))

        # A captured press of "Another" replayed inside its 5-minute window, at the other
        # replica and at the one that served it: refused at both, posted once.
        body = form_body(block_action(ANOTHER_ACTION_ID, _button(first)["value"],
                                      response_url=fake.response_url("replayed"), user="UQR"))
        headers = signed_headers(body, int(time.time()))
        statuses = [(await HttpDriver(fake, r.url, session).post(body, headers))[0]
                    for r in (*both, both[0])]
        assert statuses == [200, 401, 401]
        replies = await fake.wait_for(lambda: fake.responses("replayed"), WAIT)
        assert _button(replies[0])["value"] == _button(first)["value"]
        assert len(fake.responses("replayed")) == 1

        # Set at one replica, shown by the other: the schedule is in the shared database.
        done = await balancer.command("/daily", "set 09:00 Europe/Paris id:morning",
                                      user="UADMIN")
        assert "morning" in done["text"], done
        shown = await balancer.command("/daily", "show", user="UADMIN")
        assert "morning: 09:00 Europe/Paris" in block_texts(shown), shown

        # An event, then Slack's retry of it at the other replica: both publish the same
        # tab (publishing a view is idempotent, so a retry is served, not dropped: the
        # first replica may have died before publishing) and nothing is posted.
        body = json.dumps(app_home_opened("UADMIN"))
        now = int(time.time())
        for retry in (None, 1):
            status, _ = await balancer.post(body, event_headers(body, now, retry))
            assert status == 200
            now += 1
        published = await fake.wait_calls("views.publish", 2, WAIT)
        assert [p["view"] for p in published] == [published[0]["view"]] * 2
        assert "morning: 09:00 Europe/Paris" in block_texts(published[0]["view"])
    assert fake.calls("chat.postMessage") == []
    for replica in both:
        await replica.stop()


async def test_socket_mode_replicas_share_envelopes_and_survive_a_kill(
    fake: FakeSlack, replicas: Replicas
) -> None:
    first, second = [await replicas.start("socket") for _ in range(2)]
    assert fake.live_connections() == 2
    driver = SocketDriver(fake)
    await quotes(driver, QUOTES)
    assert {e: fake.acked_on[e] for e in fake.delivered_on} == fake.delivered_on, \
        "each envelope acknowledged once, on the connection it went to"
    assert [c for [c] in fake.delivered_on.values()] == [1, 2] * (QUOTES // 2)
    assert [await r.answered("quote") for r in (first, second)] == [QUOTES / 2] * 2
    assert [await r.healthz() for r in (first, second)] == [HEALTHY] * 2

    # An envelope the first replica answered, whose ack the network lost: Slack sends it
    # again, to the other replica, which acknowledges it without running it a second time.
    fake.lose_acks(1)
    lost = await fake.send_envelope("slash_commands", slash_command(
        "/quote", response_url=fake.response_url(), user="UL"))
    [answer] = await fake.wait_for(lambda: fake.lost_acks, WAIT)
    assert answer["payload"]["response_type"] == "in_channel"
    assert await fake.redeliver_unacked() == [lost]
    assert "payload" not in await fake.wait_ack(lost, WAIT)
    assert fake.delivered_on[lost] == [1, 2] and fake.acked_on[lost] == [2]
    assert [await r.answered("quote") for r in (first, second)] == [QUOTES / 2 + 1, QUOTES / 2]

    # The second process freezes with an envelope in hand, then is killed: Slack retries
    # the unacknowledged envelope on the connection left, where it is answered once.
    second.process.send_signal(signal.SIGSTOP)
    sent = [await fake.send_envelope("slash_commands", slash_command(
        "/quote", response_url=fake.response_url(), user=f"UK{n}")) for n in (1, 2)]
    assert [fake.delivered_on[e] for e in sent] == [[1], [2]]
    await fake.wait_ack(sent[0], WAIT)
    second.process.kill()
    await second.process.wait()
    await fake.wait_for(lambda: fake.live_connections() == 1, WAIT)
    assert await fake.redeliver_unacked() == [sent[1]]
    ack = await fake.wait_ack(sent[1], WAIT)
    assert ack["payload"]["response_type"] == "in_channel"
    assert fake.acked_on[sent[1]] == [1]

    await quotes(driver, QUOTES)
    assert await first.answered("quote") == QUOTES / 2 + 3 + QUOTES
    assert all(len(acks) == 1 for acks in fake.acked_on.values())
    await first.stop()
