"""An admin is never told they may not manage schedules because Slack was busy.

``users.info`` rate limited or down is retried while the command's budget allows; past
that the user is told to try again, never refused.
"""

from __future__ import annotations

import pytest

from tests.adapters.slack.conftest import Driver
from tests.fakes.slack_payloads import block_texts
from tests.fakes.slack_server import FakeSlack

_REFUSAL = "Only people who manage"


async def test_rate_limited_lookup_is_retried_within_the_budget(
    slack: Driver, fake: FakeSlack
) -> None:
    fake.fail_next("users.info", status=429, retry_after=1)
    message = await slack.command("/daily", "set 09:00", user="UADMIN")
    assert "Status: active" in block_texts(message), block_texts(message)
    assert len(fake.calls("users.info")) == 2


async def test_server_error_is_retried(slack: Driver, fake: FakeSlack) -> None:
    fake.fail_next("users.info", status=503)
    message = await slack.command("/daily", "set 09:00", user="UADMIN")
    assert "Status: active" in block_texts(message), block_texts(message)


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param({"status": 429, "retry_after": 30}, id="retry-after-beyond-budget"),
        pytest.param({"status": 429, "retry_after": 1, "times": 5}, id="rate-limited-throughout"),
        pytest.param({"status": 503, "times": 50}, id="slack-down"),
        pytest.param({"disconnect": True, "times": 5}, id="connection-dropped"),
    ],
)
async def test_unanswered_lookup_says_try_again_not_no(
    slack: Driver, fake: FakeSlack, failure: dict[str, object]
) -> None:
    fake.fail_next("users.info", **failure)  # type: ignore[arg-type]
    message = await slack.command("/daily", "set 09:00", user="UADMIN")
    text = block_texts(message)
    assert message["response_type"] == "ephemeral"
    assert "Try again" in text and _REFUSAL not in text, text
    show = await slack.command("/daily", "show")
    assert "Status:" not in block_texts(show), "nothing was set"


async def test_a_real_no_is_still_a_refusal(slack: Driver, fake: FakeSlack) -> None:
    message = await slack.command("/daily", "set 09:00", user="UNOBODY")
    assert _REFUSAL in block_texts(message)
