"""Configuration from the environment and ``.env``.

Secrets live only here and in the adapters that use them; ``Settings.__repr__`` hides
them so a settings object can be logged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs
from dotenv import dotenv_values

from bot.storage.database import is_postgresql

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
SECRET_FIELDS = frozenset(
    {"discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret"}
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Digits only, and no more than 2**64 has: a sign, a unit or a pasted token is refused
# before int(), which would take "+5" or "1_000" and fails past 4,300 digits.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,20}")


class SettingError(ValueError):
    """A setting that cannot be used, said as the variable's name and what it takes.

    Never with the value: a token pasted into the wrong variable would otherwise end up
    on a terminal, in CI output or in a bug report.
    """


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("reviewbot")) / "reviewbot.sqlite3"


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    # ``REVIEWBOT_DB=postgresql://…``: a PostgreSQL database that several processes share
    # (bot.storage.postgres); None keeps the SQLite file at ``db_path``.
    database_url: str | None = None
    default_film: str | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    # Whether links given in chat (/film add) may reach this machine and private networks:
    # off, so a member cannot make the bot fetch and quote back what only it can reach (a
    # router, a cloud's metadata service); on for a team whose reviews live on an intranet.
    allow_local_links: bool = False
    discord_token: str | None = None
    discord_guild_id: int | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_port: int | None = None
    # HTTP mode's listening address; all interfaces by default, for a host behind a TLS
    # proxy on another machine. 127.0.0.1 when the proxy runs on the same host.
    slack_host: str = "0.0.0.0"
    # The Web API root: Slack's own unless the workspace lives elsewhere (GovSlack:
    # https://slack-gov.com/api/); None keeps slack_sdk's default.
    slack_api_url: str | None = None
    slack_command_prefix: str = ""
    slack_admin_users: frozenset[str] = frozenset()
    log_level: str = "INFO"
    # The health and metrics endpoint (bot.metrics_server): off unless a port is given;
    # on this machine only unless the host says otherwise (a scraper elsewhere).
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"
    # Discord shards: how many the bot has in all, and which of them this process runs.
    # Both unset: discord.py asks Discord how many it recommends and runs them all here.
    discord_shard_count: int | None = None
    discord_shard_ids: tuple[int, ...] | None = None

    @property
    def database(self) -> Path | str:
        """What ``Database.open`` takes: the PostgreSQL URL, or else the SQLite file."""
        return self.database_url or self.db_path

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token)

    @property
    def slack_socket_mode(self) -> bool:
        return bool(self.slack_app_token and self.slack_bot_token)

    @property
    def slack_http_mode(self) -> bool:
        return bool(self.slack_signing_secret and self.slack_bot_token and self.slack_port)

    @property
    def slack_enabled(self) -> bool:
        return self.slack_socket_mode or self.slack_http_mode

    def __repr__(self) -> str:
        shown = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS and value:
                value = "***"
            shown.append(f"{f.name}={value!r}")
        return f"Settings({', '.join(shown)})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")
    ) -> Settings:
        """Read ``env`` (default ``os.environ``) over ``.env``: the real environment wins."""
        merged: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            merged.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        merged.update(os.environ if env is None else env)

        def get(name: str) -> str | None:
            value = merged.get(name, "").strip()
            return value or None

        def get_int(name: str, low: int, high: int, expected: str) -> int | None:
            """``name`` as a whole number from ``low`` to ``high``; None when unset."""
            value = get(name)
            if value is None:
                return None
            number = int(value) if _WHOLE_NUMBER.fullmatch(value) else None
            if number is None or not low <= number <= high:
                raise SettingError(f"{name} must be {expected}.")
            return number

        def get_choice(name: str, choices: tuple[str, ...], default: str) -> str:
            """``name`` as one of ``choices`` in any letter case; a level name logging does
            not know would otherwise fail only when logging is set up, with a traceback."""
            value = (get(name) or default).upper()
            if value not in choices:
                raise SettingError(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}.")
            return value

        max_file_bytes = get_int(
            "REVIEWBOT_MAX_FILE_BYTES", 1, 2**63 - 1, "a whole number of bytes above 0"
        )
        return cls(
            **_database(get("REVIEWBOT_DB")),
            default_film=get("REVIEWBOT_FILM"),
            max_file_bytes=DEFAULT_MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes,
            allow_local_links=get_choice(
                "REVIEWBOT_ALLOW_LOCAL_LINKS", ("YES", "NO"), "NO"
            ) == "YES",
            discord_token=get("DISCORD_TOKEN"),
            discord_guild_id=get_int(
                "DISCORD_GUILD_ID", 1, 2**64 - 1,
                "a Discord server id: the whole number Copy Server ID gives",
            ),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_port=get_int("SLACK_PORT", 1, 65535, "a port number from 1 to 65535"),
            slack_host=get("SLACK_HOST") or "0.0.0.0",
            slack_api_url=get("SLACK_API_URL"),
            slack_command_prefix=get("SLACK_COMMAND_PREFIX") or "",
            slack_admin_users=frozenset(
                u.strip() for u in (get("SLACK_ADMIN_USERS") or "").split(",") if u.strip()
            ),
            log_level=get_choice("REVIEWBOT_LOG_LEVEL", LOG_LEVELS, "INFO"),
            metrics_port=get_int(
                "REVIEWBOT_METRICS_PORT", 1, 65535, "a port number from 1 to 65535"
            ),
            metrics_host=get("REVIEWBOT_METRICS_HOST") or "127.0.0.1",
            **_shards(get("DISCORD_SHARD_IDS"), get_int(
                "DISCORD_SHARD_COUNT", 1, 65535, "the number of shards, a whole number above 0"
            )),
        )


def _database(value: str | None) -> dict[str, Any]:
    """``REVIEWBOT_DB``: a ``postgresql://`` URL, or a SQLite path with ``~`` expanded;
    unset, the file in the user data folder."""
    if value is None:
        return {}
    if is_postgresql(value):
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 (raises on a port that is not a number)
        except ValueError:
            raise SettingError(
                "REVIEWBOT_DB is not a valid PostgreSQL URL: write it as "
                "postgresql://user[:password]@host[:port]/database."
            ) from None
        return {"database_url": value}
    try:
        return {"db_path": Path(value).expanduser()}
    except RuntimeError:  # ~name of a user this machine does not know
        raise SettingError(
            "REVIEWBOT_DB starts with ~ but that home folder is unknown here: give a full path."
        ) from None


def _shards(ids: str | None, count: int | None) -> dict[str, Any]:
    """``DISCORD_SHARD_IDS`` (``0,1``) checked against ``DISCORD_SHARD_COUNT``: ids need a
    count (Discord routes a server to shard ``(guild_id >> 22) % count``, so a process
    cannot know its servers without it) and each must be below it."""
    if ids is None:
        return {"discord_shard_count": count, "discord_shard_ids": None}
    parts = [p.strip() for p in ids.split(",")]
    if not all(_WHOLE_NUMBER.fullmatch(p) for p in parts):
        raise SettingError("DISCORD_SHARD_IDS must be shard numbers separated by commas, "
                           "e.g. 0,1.")
    if count is None:
        raise SettingError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT: the number of "
                           "shards across all processes.")
    numbers = tuple(sorted({int(p) for p in parts}))
    if numbers[-1] >= count:
        raise SettingError("DISCORD_SHARD_IDS must all be below DISCORD_SHARD_COUNT "
                           "(shards are numbered from 0).")
    return {"discord_shard_count": count, "discord_shard_ids": numbers}
