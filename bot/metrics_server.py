"""The health and metrics HTTP endpoint: ``/healthz`` for a load balancer or an
orchestrator, ``/metrics`` for Prometheus.

Off unless ``REVIEWBOT_METRICS_PORT`` is set, and on 127.0.0.1 by default: the counters
name commands and loggers, which is nobody's business outside the machine unless the
operator says so (``REVIEWBOT_METRICS_HOST``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from bot import metrics
from bot.errors import StartupRefused
from bot.storage.database import Database

_log = logging.getLogger(__name__)

# A database that does not answer a trivial read in this long is not healthy either
# (a file locked by another process, a stalled disk).
DB_CHECK_SECONDS = 2.0


async def database_ok(db: Database) -> bool:
    """Whether the database answers a read of its schema (a closed connection, a file
    replaced by something that is not a database, a stalled disk: not ok)."""
    try:
        await asyncio.wait_for(db.schema_version(), DB_CHECK_SECONDS)
    except Exception as exc:  # any failure at all is the answer "unhealthy"
        _log.warning("health check: the database does not answer: %s", exc)
        return False
    return True


def _app(db: Database) -> web.Application:
    async def healthz(request: web.Request) -> web.Response:
        ok = await database_ok(db)
        body = {"database": "ok" if ok else "unreachable", "platforms": metrics.platforms()}
        return web.json_response(body, status=200 if ok else 503)

    async def scrape(request: web.Request) -> web.Response:
        response = web.Response(body=metrics.exposition())
        response.headers["Content-Type"] = metrics.CONTENT_TYPE
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
    return app


@asynccontextmanager
async def serving(db: Database, host: str, port: int) -> AsyncIterator[int]:
    """Serve until the block ends; yields the port (the one the system chose for 0).

    A taken port or an address this machine does not have is ``StartupRefused``: one
    line naming the variables, and the bot does not start half-observable. ERROR records
    are counted from here on (``metrics.ErrorCounter``).
    """
    runner = web.AppRunner(_app(db), access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise StartupRefused(
                f"REVIEWBOT_METRICS_PORT / REVIEWBOT_METRICS_HOST: cannot listen on "
                f"{host}:{port}: {exc.strerror or exc}"
            ) from None
        bound = runner.addresses[0][1]
        counter = metrics.ErrorCounter()
        logging.getLogger().addHandler(counter)
        _log.info("health and metrics on http://%s:%d/healthz and /metrics", host, bound)
        try:
            yield int(bound)
        finally:
            logging.getLogger().removeHandler(counter)
    finally:
        await runner.cleanup()
