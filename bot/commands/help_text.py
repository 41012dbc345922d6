"""/help, generated from the command definitions the adapters register."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.definitions import COMMANDS
from bot.commands.parsing import ParsedCommand
from bot.invocation import Invocation
from bot.replies import HelpEntry, HelpReply


async def run(ctx: CommandContext, inv: Invocation, cmd: ParsedCommand) -> HelpReply:
    return help_reply(attachments=inv.platform == "discord")


def help_reply(attachments: bool = False) -> HelpReply:
    entries = []
    for spec in COMMANDS:
        if spec.subcommands:
            entries += [HelpEntry(s.usage(spec.name, attachments), s.description)
                        for s in spec.subcommands]
        else:
            entries.append(HelpEntry(spec.usage(attachments=attachments), spec.description))
    return HelpReply(entries=tuple(entries), ephemeral=True)
