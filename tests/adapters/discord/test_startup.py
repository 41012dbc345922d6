"""The real ``reviewbot`` process with a token Discord refuses: one line, exit status 1."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from bot.settings import Settings
from tests.fakes.discord_server import FakeDiscord

PROCESS_TIMEOUT = 60.0
# Loaded by the child's ``site`` module from PYTHONPATH before the CLI starts: the one way
# to point an unmodified ``reviewbot`` at the fake, as ``FakeDiscord.redirect`` does in
# process.
SITECUSTOMIZE = """\
import os

import discord.http

discord.http.Route.BASE = os.environ["FAKE_DISCORD_API"]
"""


def reviewbot_command() -> list[str]:
    """The installed console script, next to this interpreter; else the module."""
    script = shutil.which("reviewbot", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "adapters.cli"]


async def test_a_refused_token_prints_one_line_naming_the_variable_and_exits_1(
    fake: FakeDiscord, settings: Settings, tmp_path: Path
) -> None:
    (tmp_path / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env |= {
        "DISCORD_TOKEN": "a-wrong-token",
        "REVIEWBOT_DB": str(settings.db_path),
        "FAKE_DISCORD_API": fake.api_base,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), os.getcwd()]),
    }
    process = await asyncio.create_subprocess_exec(
        *reviewbot_command(),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        cwd=tmp_path,  # no .env here
    )
    out, err = await asyncio.wait_for(process.communicate(), PROCESS_TIMEOUT)

    stderr = err.decode()
    assert process.returncode == 1, stderr
    assert fake.find("GET", "/users/@me")  # it did ask the fake
    [refusal] = [line for line in stderr.splitlines() if "DISCORD_TOKEN" in line]
    assert refusal.startswith("reviewbot: DISCORD_TOKEN was refused by Discord: ")
    assert "Traceback" not in stderr
    assert "a-wrong-token" not in stderr + out.decode()
