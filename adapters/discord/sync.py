"""Command sync at start, skipped when the commands have not changed since the last one.

Discord caps command creates at 200 a day per scope, so syncing on every start is a
footgun for a bot that restarts often. The payload discord.py would send is hashed and
compared to the hash stored, per application and scope, in a small JSON file next to the
database. A file rather than ``tree.fetch_commands()``: Discord's copy adds ids, versions
and defaulted fields, so comparing it to the local payload means re-implementing its
normalisation, while a local hash is exact for what this bot sends. The price: a command
changed by hand in the Developer Portal is not noticed; delete the file to force a sync.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

_log = logging.getLogger(__name__)


def state_path_for(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".discord-commands.json")


def payload_hash(tree: app_commands.CommandTree[Any], guild: discord.Object | None) -> str:
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    *,
    application_id: int,
    guild_id: int | None,
    state_path: Path,
) -> bool:
    """Sync to ``guild_id`` (instant, for development) or globally; True if it synced."""
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"{application_id}:{guild_id or 'global'}"
    digest = payload_hash(tree, guild)
    state = _load(state_path)
    if state.get(scope) == digest:
        _log.info("application commands unchanged for %s: not syncing", scope)
        return False
    synced = await tree.sync(guild=guild)
    _log.info("synced %d application commands to %s", len(synced), scope)
    state[scope] = digest
    _store(state_path, state)
    return True


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        _log.warning("unreadable command sync state %s: syncing again", path)
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _store(path: Path, state: dict[str, str]) -> None:
    """Write atomically, so a crash mid-write costs one extra sync, never a bad file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)
