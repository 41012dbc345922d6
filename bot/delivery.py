"""How the scheduler hands a daily quote to a platform, and how platforms say it failed.

Each adapter registers a ``Poster`` for its platform. The scheduler owns the
exactly-once bookkeeping; a poster only sends and classifies failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.models import Schedule
from bot.replies import QuoteReply


@dataclass(frozen=True)
class Claim:
    """The (schedule, local date) a post is for: the unit of "at most once".

    A poster that can ask the platform to deduplicate (Discord's ``nonce`` with
    ``enforce_nonce``) derives the key from the claim, so that any resend of the same
    day's post carries the same key and the platform drops it.
    """

    schedule_id: int
    local_date: date

    @property
    def nonce(self) -> str:
        """At most 25 characters, as Discord requires: ``d<schedule id>-<yyyymmdd>``."""
        return f"d{self.schedule_id}-{self.local_date:%Y%m%d}"


class DeliveryError(Exception):
    """Base of the failures a poster reports."""


class PermanentDeliveryError(DeliveryError):
    """The channel cannot take posts (gone, no access, archived, token revoked).

    The scheduler pauses the schedule with ``reason`` (shown by ``/daily show``) and tells
    the person who set it; it never retries in a loop.
    """

    def __init__(self, reason: str, *, resumable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        # False when no fix on the user's side can bring the channel back (it was deleted):
        # the notice then does not suggest /daily resume.
        self.resumable = resumable


class TransientDeliveryError(DeliveryError):
    """Worth trying again later (5xx after the library's own retries, a network error)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class UncertainDeliveryError(DeliveryError):
    """The platform may have posted (Slack ``fatal_error``, a 5xx or a lost connection
    after the request went out): never resend for that day."""


class Poster(Protocol):
    platform: str

    async def post(self, schedule: Schedule, reply: QuoteReply, claim: Claim) -> str:
        """Send ``reply`` to ``schedule.channel``; return the platform's message id."""

    async def notify(self, schedule: Schedule, message: str) -> None:
        """Tell ``schedule.created_by`` something went wrong (best effort, never raises).

        ``message`` does not name the channel: the poster says which one, in its
        platform's mention syntax (``<#C123>``), and writes command names as they are
        typed on its platform.
        """
