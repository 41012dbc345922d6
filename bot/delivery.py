"""How the scheduler hands a daily quote to a platform, and how platforms say it failed.

Each adapter registers a ``Poster`` for its platform. The scheduler owns the
exactly-once bookkeeping; a poster only sends and classifies failures.
"""

from __future__ import annotations

from typing import Protocol

from bot.models import Schedule
from bot.replies import QuoteReply


class DeliveryError(Exception):
    """Base of the failures a poster reports."""


class PermanentDeliveryError(DeliveryError):
    """The channel cannot take posts (gone, no access, archived, token revoked).

    The scheduler pauses the schedule with ``reason`` (shown by ``/daily show``) and tells
    the person who set it; it never retries in a loop.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Worth trying again later (5xx after the library's own retries, a network error)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class UncertainDeliveryError(DeliveryError):
    """The platform may have posted (Slack ``fatal_error``): never resend for that day."""


class Poster(Protocol):
    platform: str

    async def post(self, schedule: Schedule, reply: QuoteReply) -> str:
        """Send ``reply`` to ``schedule.channel``; return the platform's message id."""

    async def notify(self, schedule: Schedule, message: str) -> None:
        """Tell ``schedule.created_by`` something went wrong (best effort, never raises)."""
