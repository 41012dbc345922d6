"""HTTP mode checks Slack's v0 signature before bolt (or the core) sees anything."""

from __future__ import annotations

from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

from tests.adapters.slack.conftest import HttpDriver, SecondsClock
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
