"""What the bot counts for Prometheus: commands, their latency, daily posts, errors.

The core calls ``command`` and ``daily_post`` where these things end; the counters live
in one registry of this module's own (not prometheus_client's global one, so a test or a
library importing prometheus_client cannot add series to ours). The HTTP side that
serves them is ``bot.metrics_server``; counting costs a few microseconds whether or not
anyone scrapes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.replies import ErrorReply, Reply

CONTENT_TYPE = CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry()
_COMMANDS = Counter(
    "reviewbot_commands", "Commands answered, by command and outcome (ok, usage, error).",
    ["command", "outcome"], registry=REGISTRY,
)
# Buckets from a cached /quote (milliseconds) to an ingest a chat command waits on.
_LATENCY = Histogram(
    "reviewbot_command_seconds", "Time from a command's arrival to its reply object.",
    ["command"], registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_DAILY_POSTS = Counter(
    "reviewbot_daily_posts", "Daily posts settled, by outcome (sent, no_quote, uncertain, "
    "claimed).", ["outcome"], registry=REGISTRY,
)
_ERRORS = Counter(
    "reviewbot_errors", "Records logged at ERROR or above, by logger.", ["logger"],
    registry=REGISTRY,
)
_CONNECTED = Gauge(
    "reviewbot_platform_connected", "1 while the platform's connection is up.", ["platform"],
    registry=REGISTRY,
)
# The adapters' answers to "are you connected", read at each /healthz and scrape.
_PLATFORMS: dict[str, Callable[[], bool]] = {}


def outcome(reply: Reply) -> str:
    """``ok``, ``usage`` (the person's mistake, answered in one line) or ``error`` (ours)."""
    if isinstance(reply, ErrorReply):
        return "usage" if reply.usage else "error"
    return "ok"


def command(name: str, result: str, seconds: float) -> None:
    """One command answered: ``name`` as in ``COMMANDS`` (or ``unknown`` when the line
    did not parse), ``result`` from ``outcome``."""
    _COMMANDS.labels(name, result).inc()
    _LATENCY.labels(name).observe(seconds)


def daily_post(result: str) -> None:
    """One daily post settled with the outcome the database records for it."""
    _DAILY_POSTS.labels(result).inc()


def platform(name: str, connected: Callable[[], bool]) -> None:
    """An adapter tells how to know whether it is connected (Discord: a live gateway)."""
    _PLATFORMS[name] = connected
    _CONNECTED.labels(name).set_function(lambda: float(connected()))


def platforms() -> dict[str, bool]:
    """Each platform that registered, and whether it is connected now."""
    return {name: connected() for name, connected in _PLATFORMS.items()}


def exposition() -> bytes:
    """The registry in Prometheus' text format, for ``/metrics``."""
    return generate_latest(REGISTRY)


class ErrorCounter(logging.Handler):
    """Counts ERROR records by logger: every failure the bot logs (a command's error id,
    a daily post that raised, an adapter that stopped) without a call at each place."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        _ERRORS.labels(record.name).inc()
