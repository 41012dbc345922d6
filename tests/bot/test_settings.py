"""Settings from the environment: a bad value is named and explained, never shown.

A token pasted into the wrong variable (``DISCORD_GUILD_ID=<the bot token>``) must not end
up on a terminal, in CI output or in a bug report, so no configuration error holds a value.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import DEFAULT_MAX_FILE_BYTES, Settings

SECRET = "xoxb-Zq9-SECRET"
INT_SETTINGS = ("DISCORD_GUILD_ID", "SLACK_PORT", "REVIEWBOT_MAX_FILE_BYTES")
CHECKED_SETTINGS = (*INT_SETTINGS, "REVIEWBOT_LOG_LEVEL", "REVIEWBOT_ALLOW_LOCAL_LINKS")


def from_env(**env: str) -> Settings:
    return Settings.from_env(env, dotenv=None)


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("DISCORD_GUILD_ID", SECRET, "a Discord server id"),
        ("DISCORD_GUILD_ID", "0", "a Discord server id"),
        ("DISCORD_GUILD_ID", "-42", "a Discord server id"),
        ("DISCORD_GUILD_ID", "1" * 30, "a Discord server id"),
        ("SLACK_PORT", "0", "from 1 to 65535"),
        ("SLACK_PORT", "-1", "from 1 to 65535"),
        ("SLACK_PORT", "65536", "from 1 to 65535"),
        ("SLACK_PORT", "http", "from 1 to 65535"),
        ("REVIEWBOT_MAX_FILE_BYTES", "0", "above 0"),
        ("REVIEWBOT_MAX_FILE_BYTES", "-5", "above 0"),
        ("REVIEWBOT_MAX_FILE_BYTES", "5MB", "above 0"),
        ("REVIEWBOT_MAX_FILE_BYTES", "9" * 5000, "above 0"),  # past int()'s digit limit
        ("REVIEWBOT_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("REVIEWBOT_LOG_LEVEL", "15", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
        ("REVIEWBOT_ALLOW_LOCAL_LINKS", "maybe", "YES or NO"),
    ],
)
def test_a_bad_value_is_named_and_explained(name: str, value: str, says: str) -> None:
    with pytest.raises(ValueError) as err:
        from_env(**{name: value})
    message = str(err.value)
    assert message.startswith(name) and says in message and "\n" not in message
    assert len(value) < 3 or value not in message  # "0" may well be in the advice


@given(st.sampled_from(CHECKED_SETTINGS), st.text(max_size=20), st.text(max_size=20))
def test_no_configuration_error_shows_the_value(name: str, before: str, after: str) -> None:
    try:
        from_env(**{name: before + SECRET + after})
    except ValueError as exc:
        assert SECRET not in str(exc) and "Zq9" not in str(exc) and name in str(exc)
    else:
        pytest.fail("a value holding letters was accepted")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DISCORD_GUILD_ID": " 123456789012345678 "}, {"discord_guild_id": 123456789012345678}),
        ({"SLACK_PORT": "3000"}, {"slack_port": 3000}),
        ({"SLACK_PORT": "65535"}, {"slack_port": 65535}),
        ({"REVIEWBOT_MAX_FILE_BYTES": "1024"}, {"max_file_bytes": 1024}),
        ({"REVIEWBOT_MAX_FILE_BYTES": ""}, {"max_file_bytes": DEFAULT_MAX_FILE_BYTES}),
        ({"SLACK_PORT": "  "}, {"slack_port": None}),
        ({"REVIEWBOT_LOG_LEVEL": "debug"}, {"log_level": "DEBUG"}),
        ({"REVIEWBOT_LOG_LEVEL": "warning"}, {"log_level": "WARNING"}),
        ({}, {"allow_local_links": False}),
        ({"REVIEWBOT_ALLOW_LOCAL_LINKS": "yes"}, {"allow_local_links": True}),
        ({"REVIEWBOT_ALLOW_LOCAL_LINKS": "No"}, {"allow_local_links": False}),
    ],
)
def test_good_values(env: dict[str, str], expected: dict[str, object]) -> None:
    settings = from_env(**env)
    assert {k: getattr(settings, k) for k in expected} == expected


def test_a_bad_value_in_dotenv_is_not_shown_either(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"SLACK_PORT={SECRET}\n")
    with pytest.raises(ValueError) as err:
        Settings.from_env({}, dotenv=dotenv)
    assert "SLACK_PORT" in str(err.value) and SECRET not in str(err.value)


# -- through the real command line -------------------------------------------------------


def _reviewbot() -> str:
    found = shutil.which("reviewbot", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("the reviewbot script is not installed next to this Python")
    return found


def _clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any bot setting, and a database of its own."""
    prefixes = ("DISCORD_", "SLACK_", "REVIEWBOT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, "REVIEWBOT_DB": str(tmp_path / "db.sqlite3"), **extra}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DISCORD_GUILD_ID", SECRET),
        ("SLACK_PORT", "-8080"),
        ("REVIEWBOT_MAX_FILE_BYTES", "-4096"),
        ("REVIEWBOT_LOG_LEVEL", SECRET),
    ],
)
def test_the_cli_refuses_a_bad_setting_in_one_line(
    tmp_path: Path, name: str, value: str
) -> None:
    done = subprocess.run(
        [_reviewbot(), "ask", "/help"], cwd=tmp_path, env=_clean_env(tmp_path, **{name: value}),
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert value not in done.stderr and name in done.stderr
    assert done.stderr.startswith("reviewbot: configuration error: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "db.sqlite3").exists()  # refused before anything started


def test_the_cli_reads_dotenv_and_hides_its_values_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DISCORD_GUILD_ID={SECRET}\n")
    done = subprocess.run(
        [_reviewbot(), "ask", "/help"], cwd=tmp_path, env=_clean_env(tmp_path),
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 2 and SECRET not in done.stderr + done.stdout
    assert "DISCORD_GUILD_ID" in done.stderr


def test_an_unknown_home_folder_in_the_database_path_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="REVIEWBOT_DB starts with ~") as err:
        from_env(REVIEWBOT_DB="~no-such-user-Zq9/db.sqlite3")
    assert "Zq9" not in str(err.value)
