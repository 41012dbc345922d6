"""Fetching a link for ingest: one page, under limits, or one line saying why not.

httpx with connect and read timeouts, a deadline for the whole transfer (a server that
trickles a byte a second never trips a read timeout), at most ``MAX_REDIRECTS``
redirects, the content type checked from the headers before the body is read, and the
size cap (``REVIEWBOT_MAX_FILE_BYTES``, the files' cap) counted while the body streams,
whatever Content-Length claims. The User-Agent names the bot and its version so a site
can tell who fetched the page.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING

from bot.ingest.datasets import dataset_format
from bot.ingest.reading import BadFile, human_size
from bot.models import web_link

if TYPE_CHECKING:
    import httpx

_log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
DATASET_TYPES = frozenset({
    "text/csv", "application/csv", "application/jsonl", "application/x-ndjson",
    "application/x-jsonlines", "application/json-lines", "application/jsonlines",
})
# Served for any file by many static hosts: accepted when the link's name says dataset.
_GENERIC_TYPES = frozenset({"application/octet-stream", "text/plain", "application/json"})


def _user_agent() -> str:
    try:
        meta = metadata.metadata("reviewbot")
        version = meta["Version"]
        home = (meta.get_all("Home-page") or [None])[0] or next(
            (u.split(",", 1)[1].strip() for u in meta.get_all("Project-URL") or []), None
        )
    except metadata.PackageNotFoundError:
        version, home = "dev", None
    return f"reviewbot/{version} (+{home or 'a self-hosted film-review chat bot'})"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class Limits:
    """How long and how much; tests shorten them."""

    connect: float = 10.0
    read: float = 20.0
    total: float = 60.0


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    body: bytes
    media_type: str  # "text/html", lower case, no parameters
    charset: str | None


def is_link(source: str) -> bool:
    return source[:8].lower().startswith(("http://", "https://"))


async def fetch(
    url: str, max_bytes: int, limits: Limits | None = None, *, local: bool = False
) -> Fetched:
    """The page at ``url``, or ``BadFile`` with one line (DNS, refused, timeout, an HTTP
    error, a type that is not a page or a dataset, too big).

    Unless ``local`` (the command line, whose user can read this machine anyway), a link
    or a redirect to this machine or a private network is refused: a chat command must
    not make the bot fetch (and quote back) pages only it can reach, such as a router's
    or a cloud's metadata service. Checked on every request, redirects included; a host
    whose DNS answer changes between the check and the connection is not caught.
    """
    import httpx  # on first use: it would add 0.06 s to every start of the bot

    if web_link(url) is None:
        raise BadFile("not a link that can be fetched (http or https, no spaces)")
    limits = limits or DEFAULT_LIMITS
    timeout = httpx.Timeout(limits.read, connect=limits.connect)
    hooks = {} if local else {"request": [_public_only]}
    try:
        async with asyncio.timeout(limits.total), httpx.AsyncClient(
            timeout=timeout, follow_redirects=True, max_redirects=MAX_REDIRECTS,
            headers={"User-Agent": USER_AGENT, "Accept": "text/html, text/plain;q=0.9,"
                     " text/csv;q=0.8, application/jsonl;q=0.8, */*;q=0.1"},
            event_hooks=hooks,
        ) as client, client.stream("GET", url) as response:
            return await _read(response, max_bytes)
    except socket.gaierror:
        raise BadFile("host not found (DNS)") from None
    except TimeoutError:
        raise BadFile(f"timed out: no whole page within {limits.total:.0f} s") from None
    except httpx.TooManyRedirects:
        raise BadFile(f"too many redirects (more than {MAX_REDIRECTS})") from None
    except httpx.TimeoutException as exc:
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for data"
        raise BadFile(f"timed out {what}") from None
    except httpx.ConnectError as exc:
        raise BadFile(_connect_reason(exc)) from None
    except httpx.UnsupportedProtocol:
        raise BadFile("a redirect to a link that is not http or https") from None
    except (httpx.HTTPError, ssl.SSLError, OSError) as exc:
        raise BadFile(f"could not be fetched ({type(exc).__name__}: {exc})"[:200]) from None


async def _public_only(request: httpx.Request) -> None:
    """Refuse a request whose host resolves to a loopback, private, link-local or other
    non-public address."""
    host = request.url.host
    port = request.url.port or (443 if request.url.scheme == "https" else 80)
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, address in answers:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if not ip.is_global:
            raise BadFile(f"{host[:60]} is on this machine or a private network; "
                          "only public pages are fetched")


async def _read(response: httpx.Response, max_bytes: int) -> Fetched:
    if response.status_code >= 400:
        phrase = response.reason_phrase or "error"
        raise BadFile(f"the server answered {response.status_code} {phrase}")
    media_type, charset = _content_type(response)
    final = str(response.url)
    if media_type not in TEXT_TYPES and media_type not in DATASET_TYPES and not (
        media_type in _GENERIC_TYPES and dataset_format(final)
    ):
        raise BadFile(f"not a web page or a dataset ({media_type or 'no content type'})")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(int(declared), max_bytes)
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise _too_big(None, max_bytes)
        chunks.append(chunk)
    if media_type in _GENERIC_TYPES and dataset_format(final):
        media_type = "text/csv" if dataset_format(final) == "csv" else "application/jsonl"
    return Fetched(final, b"".join(chunks), media_type, charset)


def _content_type(response: httpx.Response) -> tuple[str, str | None]:
    value = response.headers.get("content-type", "")
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.strip().partition("=")
        if key.lower() == "charset" and val:
            charset = val.strip('"').lower()
    return media_type.strip().lower(), charset


def _too_big(size: int | None, max_bytes: int) -> BadFile:
    shown = human_size(size) if size is not None else f"over {human_size(max_bytes)}"
    return BadFile(f"too large ({shown}; the limit is {human_size(max_bytes)}, "
                   "set REVIEWBOT_MAX_FILE_BYTES to raise it)")


def _connect_reason(exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "host not found (DNS)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text or (
        "name resolution" in text
    ):
        return "host not found (DNS)"
    if "refused" in text:
        return "connection refused"
    return f"could not connect ({exc})"[:200]
