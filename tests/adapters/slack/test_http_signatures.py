"""HTTP mode checks Slack's v0 signature before bolt (or the core) sees anything.

A malformed header of any kind is a 401 (never a 500 and a traceback), and a validly
signed request is served once: a replay inside the five-minute window is a 401 too.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from yarl import URL

from adapters.slack.http import WINDOW, ReplayGuard
from bot.app import ReviewBot
from tests.adapters.slack.conftest import WAIT, HttpDriver, SecondsClock
from tests.backends import read_only
from tests.fakes.slack_payloads import (
    VECTOR_BODY,
    VECTOR_SECRET,
    VECTOR_SIGNATURE,
    VECTOR_TIMESTAMP,
    form_body,
    signed_headers,
    slash_command,
)
from tests.fakes.slack_server import FakeSlack


@pytest.fixture
def verifier() -> SignatureVerifier:
    """Pinned one minute after Slack's published example was signed."""
    return SignatureVerifier(VECTOR_SECRET, clock=SecondsClock(int(VECTOR_TIMESTAMP) + 60))


@pytest.fixture
def seen(bolt_app: AsyncApp) -> list[dict[str, Any]]:
    """Commands that reached bolt: the published example is a ``/webhook-collect``."""
    seen: list[dict[str, Any]] = []

    @bolt_app.command("/webhook-collect")
    async def collect(ack: Any, command: dict[str, Any]) -> None:
        seen.append(command)
        await ack("collected")

    return seen


def _vector_headers() -> dict[str, str]:
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": VECTOR_TIMESTAMP,
        "X-Slack-Signature": VECTOR_SIGNATURE,
    }


def _signed(timestamp: int) -> dict[str, str]:
    return signed_headers(VECTOR_BODY, timestamp, VECTOR_SECRET)


async def test_published_vector_is_accepted(
    http_driver: HttpDriver, seen: list[dict[str, Any]]
) -> None:
    status, text = await http_driver.post(VECTOR_BODY, _vector_headers())
    assert (status, text) == (200, "collected")
    assert [c["user_name"] for c in seen] == ["roadrunner"]


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda b, h: (b.replace("roadrunner", "coyote"), h), id="tampered-body"),
        pytest.param(
            lambda b, h: (b, {**h, "X-Slack-Signature": "v0=" + "0" * 64}), id="wrong-signature"
        ),
        pytest.param(
            lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Slack-Signature"}),
            id="missing-signature",
        ),
        pytest.param(
            lambda b, h: (b, {k: v for k, v in h.items() if k != "X-Slack-Request-Timestamp"}),
            id="missing-timestamp",
        ),
        pytest.param(
            lambda b, h: (b, {**h, "X-Slack-Request-Timestamp": "yesterday"}),
            id="garbled-timestamp",
        ),
    ],
)
async def test_bad_requests_are_rejected_before_bolt(
    http_driver: HttpDriver, seen: list[dict[str, Any]], fake: FakeSlack, tamper: Any
) -> None:
    body, headers = tamper(VECTOR_BODY, _vector_headers())
    status, _ = await http_driver.post(body, headers)
    assert status == 401
    assert seen == []
    assert fake.requests == [], "bolt did not even authorize (no auth.test)"


async def test_stale_timestamp_is_rejected(
    http_driver: HttpDriver, seen: list[dict[str, Any]], fake: FakeSlack
) -> None:
    # Correctly signed, but 301 s older than the verifier's clock.
    stale = int(VECTOR_TIMESTAMP) + 60 - 301
    status, _ = await http_driver.post(
        VECTOR_BODY, signed_headers(VECTOR_BODY, stale, VECTOR_SECRET)
    )
    assert status == 401
    fresh = int(VECTOR_TIMESTAMP) + 60 - 299
    status, _ = await http_driver.post(
        VECTOR_BODY, signed_headers(VECTOR_BODY, fresh, VECTOR_SECRET)
    )
    assert status == 200
    assert len(seen) == 1


async def test_real_clock_rejects_the_2018_vector(
    fake: FakeSlack, bolt_app: AsyncApp, seen: list[dict[str, Any]]
) -> None:
    """Without an injected clock the example is far outside the 300 s window."""
    from adapters.slack.http import is_signed

    headers = _vector_headers()
    assert not is_signed(SignatureVerifier(VECTOR_SECRET), VECTOR_BODY, headers)
    assert is_signed(
        SignatureVerifier(VECTOR_SECRET, clock=SecondsClock(int(VECTOR_TIMESTAMP))),
        VECTOR_BODY,
        headers,
    )


async def test_our_commands_run_only_when_signed(http_driver: HttpDriver, fake: FakeSlack) -> None:
    body = form_body(slash_command("/quote", response_url=fake.response_url("x")))
    when = int(VECTOR_TIMESTAMP) + 30
    status, _ = await http_driver.post(body, signed_headers(body, when, "not-the-secret"))
    assert status == 401
    assert fake.requests == []
    status, text = await http_driver.post(body, signed_headers(body, when, VECTOR_SECRET))
    assert status == 200
    assert '"response_type": "in_channel"' in text or fake.responses("x")


async def _raw_post(url: str, headers: list[tuple[str, bytes]], body: str) -> int:
    """POST with header bytes exactly as given (aiohttp's client would refuse non-ASCII)."""
    parsed = URL(url)
    reader, writer = await asyncio.open_connection(parsed.host, parsed.port)
    data = body.encode()
    head = [f"POST {parsed.path} HTTP/1.1".encode(), f"Host: {parsed.host}".encode()]
    head += [name.encode() + b": " + value for name, value in headers]
    head += [b"Content-Type: application/x-www-form-urlencoded",
             f"Content-Length: {len(data)}".encode(), b"Connection: close"]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + data)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), WAIT)
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


_TS = VECTOR_TIMESTAMP.encode()
_SIG = VECTOR_SIGNATURE.encode()


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param([("X-Slack-Request-Timestamp", "²".encode()), ("X-Slack-Signature", _SIG)],
                     id="superscript-two-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", "١٥٣١٤٢٠٦١٨".encode()),
                      ("X-Slack-Signature", _SIG)], id="arabic-indic-digits"),
        pytest.param([("X-Slack-Request-Timestamp", "１５３１４２０６１８".encode()),
                      ("X-Slack-Signature", _SIG)], id="fullwidth-digits"),
        pytest.param([("X-Slack-Request-Timestamp", b"9" * 5000), ("X-Slack-Signature", _SIG)],
                     id="huge-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", b"1531420618.0"),
                      ("X-Slack-Signature", _SIG)], id="fractional-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", b"+1531420618"),
                      ("X-Slack-Signature", _SIG)], id="signed-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", b"1_531_420_618"),
                      ("X-Slack-Signature", _SIG)], id="underscored-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", b"\xff\xfe"), ("X-Slack-Signature", _SIG)],
                     id="non-utf8-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", b""), ("X-Slack-Signature", _SIG)],
                     id="empty-timestamp"),
        pytest.param([("X-Slack-Request-Timestamp", _TS),
                      ("X-Slack-Signature", b"v0=" + "é".encode() * 64)],
                     id="non-ascii-signature"),
        pytest.param([("X-Slack-Request-Timestamp", _TS),
                      ("X-Slack-Signature", _SIG[:-1] + "²".encode())], id="unicode-digit-sig"),
        pytest.param([("X-Slack-Request-Timestamp", _TS), ("X-Slack-Signature", b"\xff" * 67)],
                     id="non-utf8-signature"),
        pytest.param([("X-Slack-Request-Timestamp", _TS), ("X-Slack-Signature", _SIG * 60)],
                     id="huge-signature"),
        pytest.param([("X-Slack-Request-Timestamp", _TS), ("X-Slack-Signature", _SIG.upper())],
                     id="uppercase-signature"),
        pytest.param([("X-Slack-Request-Timestamp", _TS), ("X-Slack-Signature", b"v0=")],
                     id="empty-digest"),
        pytest.param([], id="no-headers"),
    ],
)
async def test_malformed_signature_headers_are_401_without_a_traceback(
    http_driver: HttpDriver,
    seen: list[dict[str, Any]],
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    headers: list[tuple[str, bytes]],
) -> None:
    status = await _raw_post(http_driver.url, headers, VECTOR_BODY)
    assert status == 401
    assert seen == [] and fake.requests == []
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    # The server is still fine: the genuine request goes through afterwards.
    assert await http_driver.post(VECTOR_BODY, _vector_headers()) == (200, "collected")


async def test_a_replayed_request_is_refused(
    http_driver: HttpDriver, seen: list[dict[str, Any]]
) -> None:
    assert await http_driver.post(VECTOR_BODY, _vector_headers()) == (200, "collected")
    status, _ = await http_driver.post(VECTOR_BODY, _vector_headers())
    assert status == 401, "the same signed request, sent again inside the window"
    # A new request (another timestamp, so another signature) is still welcome.
    later = int(VECTOR_TIMESTAMP) + 1
    assert await http_driver.post(VECTOR_BODY, _signed(later)) == (200, "collected")
    assert len(seen) == 2


async def test_replay_memory_is_bounded_and_forgets_stale_signatures(core: ReviewBot) -> None:
    clock = SecondsClock(1_000_000)
    guard = ReplayGuard(SignatureVerifier("s", clock=clock), core.seen, capacity=3)
    for i in range(10):
        assert await guard.first_use(f"v0={i:064x}", 1_000_000)
        assert len(guard) <= 3
    assert not await guard.first_use(f"v0={9:064x}", 1_000_000), "the newest are remembered"
    assert not await guard.first_use(f"v0={0:064x}", 1_000_000), \
        "one this process forgot is still refused: the database remembers it"
    clock._now = 1_000_000 + WINDOW + 1  # every stored signature is now too old to verify
    assert await guard.first_use("v0=" + "f" * 64, clock._now)
    assert len(guard) == 1
    rows = await core.db.fetchall("SELECT key FROM seen_once")
    assert [r[0] for r in rows] == ["slack-sig:" + "f" * 64], "the stale ones are forgotten"


async def test_replays_are_still_refused_here_when_the_database_fails(
    http_driver: HttpDriver, seen: list[dict[str, Any]], core: ReviewBot,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with read_only(core.db):
        assert await http_driver.post(VECTOR_BODY, _vector_headers()) == (200, "collected")
        status, _ = await http_driver.post(VECTOR_BODY, _vector_headers())
    assert status == 401 and len(seen) == 1
    assert "Replays checked by this replica alone" in caplog.text
