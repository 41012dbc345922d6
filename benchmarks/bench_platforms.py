"""``/quote`` end to end through the real discord.py and slack-bolt stacks, against the
fake Discord and fake Slack of ``tests/fakes`` on 127.0.0.1.

One process runs the bot as in production (``run_discord``; the bolt app behind the
signed HTTP endpoint and behind Socket Mode) on a copy of the 1k-quote one-film corpus
(``/quote`` with no film named, as users mostly type it), and the fakes send what the
platforms send: an ``INTERACTION_CREATE`` on the gateway (timed until the
client's callback reaches the fake), a signed slash-command POST (until its response), a
Socket Mode envelope (until its acknowledgement, which carries the reply). The baseline
is the Slack app as it was, slack-bolt's default ``process_before_response=False``
(bolt polls every 10 ms for the listener's ``ack()``), in both modes.

For 1, 10 and 100 concurrent callers, every stack runs the same number of ``/quote``
calls in rounds (that many at once, each from its own user: no cooldowns), the stacks
taking turns round by round so noise hits them alike. Printed: latency p50/p99 per call
and commands/s over the rounds. The fakes' records are cleared between rounds (their
waits scan them).

Run: ``.venv/bin/python -m benchmarks.bench_platforms --calls 300``
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from adapters.discord.runner import run_discord
from adapters.slack import app as slack_app
from adapters.slack.http import EVENTS_PATH, build_web_app
from adapters.slack.socket_mode import DedupingSocketModeHandler
from benchmarks import corpus
from benchmarks.common import print_table, summary_ms
from bot.app import ReviewBot
from bot.settings import Settings
from bot.storage.seen import SeenOnce
from tests.fakes.discord_server import GUILD_ID, USER_ID, FakeDiscord, FakeUser
from tests.fakes.slack_payloads import SIGNING_SECRET, form_body, signed_headers, slash_command
from tests.fakes.slack_server import APP_TOKEN, BOT_TOKEN, FakeSlack

CONCURRENCY = (1, 10, 100)
WAIT = 30.0
Call = Callable[[int], Awaitable[None]]  # one /quote from caller number n


async def main_async(calls: int) -> list[list[object]]:
    async with AsyncExitStack() as stack:
        core = await _core(stack)
        stacks: dict[str, Call] = {"discord": await stack.enter_async_context(_discord(core))}
        fake_slack = FakeSlack()
        await fake_slack.start()
        stack.push_async_callback(fake_slack.close)
        fakes = [fake_slack]
        settings = replace(
            Settings(db_path=core.db.path), slack_api_url=fake_slack.base_url,
            slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN,
            slack_signing_secret=SIGNING_SECRET,
        )
        for name, polling in (("slack", False), ("slack, bolt default (baseline)", True)):
            build = _polling_app if polling else slack_app.build_app
            stacks[f"{name}: HTTP"] = await stack.enter_async_context(
                _http(build(core, settings), core.seen, fake_slack)
            )
            own = FakeSlack()  # a Socket Mode app connects to the fake its Web API names
            await own.start()
            stack.push_async_callback(own.close)
            fakes.append(own)
            app = build(core, replace(settings, slack_api_url=own.base_url))
            stacks[f"{name}: Socket Mode"] = await stack.enter_async_context(
                _socket(app, core.seen, own))
        users = itertools.count()
        rows: list[list[object]] = []
        for concurrent in CONCURRENCY:
            times: dict[str, list[float]] = {name: [] for name in stacks}
            spent: dict[str, float] = dict.fromkeys(stacks, 0.0)
            for _ in range(max(3, -(-calls // concurrent))):
                for name, call in stacks.items():
                    start = time.perf_counter()
                    times[name] += await asyncio.gather(
                        *(_timed(call, next(users)) for _ in range(concurrent))
                    )
                    spent[name] += time.perf_counter() - start
                    for fake in fakes:
                        fake.requests.clear()
                        fake.acks.clear()
            base50 = summary_ms(times["discord"])[0]
            for name in stacks:
                p50, _, p99 = summary_ms(times[name])
                rows.append([name, concurrent, len(times[name]), p50, p99,
                             len(times[name]) / spent[name], f"{p50 - base50:+.2f}"])
        return rows


async def _timed(call: Call, user: int) -> float:
    start = time.perf_counter()
    await call(user)
    return time.perf_counter() - start


async def _core(stack: AsyncExitStack) -> ReviewBot:
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
    path = folder / "bot.sqlite3"
    shutil.copyfile(await corpus.database("1k-1film"), path)  # closed: a plain copy is safe
    core = await ReviewBot.open(Settings(db_path=path), ingest_default_corpus=False)
    stack.push_async_callback(core.close)
    return core


@asynccontextmanager
async def _discord(core: ReviewBot) -> AsyncIterator[Call]:
    fake = FakeDiscord()
    await fake.start()
    stop = asyncio.Event()
    with pytest.MonkeyPatch.context() as patch:
        fake.redirect(patch)
        settings = replace(Settings(db_path=core.db.path), discord_token=fake.token,
                           discord_guild_id=GUILD_ID)
        task = asyncio.create_task(run_discord(core, settings, stop))
        await fake.wait_ready(WAIT)
        in_flight = 0

        async def call(user: int) -> None:
            nonlocal in_flight
            who = FakeUser(USER_ID + 1 + user, f"user{user}")
            in_flight += 1
            try:
                exchange = await fake.invoke("quote", user=who, timeout=WAIT)
            finally:
                in_flight -= 1
            if "embeds" not in exchange.data:
                raise RuntimeError(f"/quote on Discord failed: {exchange.data}")
            # The fake finds a callback by scanning what it recorded: cleared when no
            # call waits (a concurrent caller's callback, recorded but not yet read
            # back, would vanish), or every wait would scan the whole run.
            if not in_flight:
                fake.requests.clear()

        try:
            yield call
        finally:
            stop.set()
            await asyncio.wait_for(task, WAIT)
            await fake.close()


def _polling_app(core: ReviewBot, settings: Settings) -> AsyncApp:
    """The app as ``build_app`` made it before: slack-bolt's default runner."""
    def plain(*, guard: float = 0.0, **kwargs: Any) -> AsyncApp:
        return AsyncApp(**kwargs)

    with mock.patch.object(slack_app, "AnsweringApp", plain):
        return slack_app.build_app(core, settings)


@asynccontextmanager
async def _http(app: AsyncApp, seen: SeenOnce, fake: FakeSlack) -> AsyncIterator[Call]:
    runner = web.AppRunner(build_web_app(app, SignatureVerifier(SIGNING_SECRET), seen),
                           handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}{EVENTS_PATH}"
    async with aiohttp.ClientSession() as session:

        async def call(user: int) -> None:
            body = form_body(slash_command("/quote", response_url=fake.response_url(),
                                           user=f"U{user}"))
            async with session.post(url, data=body.encode(),
                                    headers=signed_headers(body, int(time.time()))) as resp:
                _check_reply(json.loads(await resp.text()))

        try:
            yield call
        finally:
            await runner.cleanup()


@asynccontextmanager
async def _socket(app: AsyncApp, seen: SeenOnce, fake: FakeSlack) -> AsyncIterator[Call]:
    handler = DedupingSocketModeHandler(app, APP_TOKEN, seen)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    await fake.wait_connected(1, WAIT)

    async def call(user: int) -> None:
        payload = slash_command("/quote", response_url=fake.response_url(), user=f"U{user}")
        envelope = await fake.send_envelope("slash_commands", payload)
        _check_reply((await fake.wait_ack(envelope, WAIT)).get("payload") or {})

    try:
        yield call
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


def _check_reply(reply: dict[str, Any]) -> None:
    if reply.get("response_type") != "in_channel":
        raise RuntimeError(f"/quote on Slack was not answered in its ack: {reply}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300,
                        help="/quote calls per stack and concurrency (at least 3 rounds)")
    args = parser.parse_args(argv)
    rows = asyncio.run(main_async(args.calls))
    print_table(
        f"/quote end to end through the platform stacks and the fakes, ms "
        f"({args.calls}+ calls per stack and concurrency, stacks alternating round by "
        "round); vs Discord = p50 minus Discord's p50 at that concurrency",
        ["stack", "concurrent", "calls", "p50", "p99", "commands/s", "p50 vs Discord"],
        rows,
    )


if __name__ == "__main__":
    main()
