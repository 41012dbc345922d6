"""Configuration from the environment and ``.env``.

Secrets live only here and in the adapters that use them; ``Settings.__repr__`` hides
them so a settings object can be logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

import platformdirs
from dotenv import dotenv_values

DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
SECRET_FIELDS = frozenset(
    {"discord_token", "slack_bot_token", "slack_app_token", "slack_signing_secret"}
)


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir("reviewbot")) / "reviewbot.sqlite3"


@dataclass(frozen=True)
class Settings:
    db_path: Path = field(default_factory=default_db_path)
    default_film: str | None = None
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    discord_token: str | None = None
    discord_guild_id: int | None = None
    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    slack_port: int | None = None
    slack_command_prefix: str = ""
    slack_admin_users: frozenset[str] = frozenset()
    log_level: str = "INFO"

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

        def get_int(name: str) -> int | None:
            value = get(name)
            if value is None:
                return None
            try:
                return int(value)
            except ValueError:
                raise ValueError(f"{name} must be a whole number, got {value!r}") from None

        db = get("REVIEWBOT_DB")
        return cls(
            db_path=Path(db).expanduser() if db else default_db_path(),
            default_film=get("REVIEWBOT_FILM"),
            max_file_bytes=get_int("REVIEWBOT_MAX_FILE_BYTES") or DEFAULT_MAX_FILE_BYTES,
            discord_token=get("DISCORD_TOKEN"),
            discord_guild_id=get_int("DISCORD_GUILD_ID"),
            slack_bot_token=get("SLACK_BOT_TOKEN"),
            slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_port=get_int("SLACK_PORT"),
            slack_command_prefix=get("SLACK_COMMAND_PREFIX") or "",
            slack_admin_users=frozenset(
                u.strip() for u in (get("SLACK_ADMIN_USERS") or "").split(",") if u.strip()
            ),
            log_level=(get("REVIEWBOT_LOG_LEVEL") or "INFO").upper(),
        )
