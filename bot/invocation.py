"""Who asked, where: the only platform facts a command needs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Invocation:
    """Built by an adapter for every command or button press.

    ``channel`` and ``user`` are the platform's own ids; the core qualifies them with
    ``platform`` so a Discord channel and a Slack channel never share state.
    ``can_manage`` is the adapter's answer to "may this person change this channel's
    schedule" (Manage Server on Discord, admin/owner or allow-list on Slack).
    """

    platform: str
    channel: str
    user: str
    workspace: str | None = None
    user_name: str | None = None
    can_manage: bool = False
    in_guild: bool = True

    @property
    def channel_key(self) -> str:
        return f"{self.platform}:{self.workspace or '-'}:{self.channel}"
