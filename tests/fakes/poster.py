"""A platform sink for daily posts that records them and fails on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.delivery import Claim, DeliveryError
from bot.models import Schedule
from bot.replies import QuoteReply


@dataclass
class RecordingPoster:
    platform: str = "console"
    posts: list[tuple[int, QuoteReply]] = field(default_factory=list)
    notices: list[tuple[int, str]] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)
    attempts: int = 0
    claims: list[Claim] = field(default_factory=list)  # of the posts that went out

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        self.posts.append((schedule.id, reply))
        self.claims.append(claim)
        return f"msg-{len(self.posts)}"

    async def notify(self, schedule: Schedule, message: str) -> None:
        self.notices.append((schedule.id, message))
