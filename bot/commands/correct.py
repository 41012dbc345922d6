"""A "Wrong mood?" choice under a posted quote, or a button of /review.

A manager's choice is a correction: it applies at once, for every channel, and the
scorer never overwrites it. A member's is a report for the review queue: it changes
nothing yet, is answered only to them, and the same member reporting a quote again
updates their report instead of counting twice.
"""

from __future__ import annotations

import logging

from bot.commands.context import CommandContext
from bot.commands.parsing import UsageError
from bot.invocation import Invocation
from bot.models import Correction
from bot.replies import CorrectionReply
from bot.storage.corrections import HIDDEN, Actor, Applied

_log = logging.getLogger(__name__)

GONE = "That quote is no longer here."


async def run(ctx: CommandContext, inv: Invocation, quote_id: int, to: Correction
              ) -> CorrectionReply:
    stored = await ctx.corrections.quote(quote_id)
    if stored is None:
        raise UsageError(GONE)
    if inv.can_manage:
        applied = await ctx.corrections.apply(quote_id, to, manager(inv), ctx.clock.now())
        if applied is None:
            raise UsageError(GONE)
        return CorrectionReply(
            message=applied_message(applied, stored.quote.film), quote_id=quote_id, to=to,
            applied=True, ephemeral=True,
        )
    if to is Correction.KEEP:
        raise UsageError("Only people who manage this server or workspace can confirm a "
                         "quote's mood; choose the mood you think it has.")
    if stored.hidden:
        raise UsageError("A manager has already hidden that quote.")
    if stored.state == to.value:
        return CorrectionReply(
            message=f"That quote is already {to.value}; thanks for checking.",
            quote_id=quote_id, to=to, applied=False, ephemeral=True,
        )
    actor = Actor(inv.user, inv.platform, inv.channel_key)
    new = await ctx.corrections.report(quote_id, to, actor, ctx.clock.now())
    if new is None:
        raise UsageError(GONE)
    _log.info("report on quote %d: %s (%s)", quote_id, to.value, "new" if new else "again")
    message = ("Thanks — a manager will see it in /review." if new else
               "You had already reported this quote; your suggestion is updated and a "
               "manager will see it in /review.")
    return CorrectionReply(message=message, quote_id=quote_id, to=to, applied=False,
                           ephemeral=True)


def manager(inv: Invocation) -> Actor:
    """Who the audit names: the display name with the platform's id, which never changes."""
    who = f"{inv.user_name} ({inv.user})" if inv.user_name and inv.user_name != inv.user else (
        inv.user
    )
    return Actor(who, inv.platform, inv.channel_key)


def applied_message(applied: Applied, film: str) -> str:
    """"Moved to negative for every channel; 12 quotes of Her (2013) are now checked by
    people." and its variants."""
    if applied.after == HIDDEN:
        done = "Hidden from every channel" if applied.before != HIDDEN else "Kept hidden"
    elif applied.before == applied.after:
        done = f"Kept as {applied.after}"
    else:
        done = f"Moved to {applied.after} for every channel"
    n = applied.checked_by_people
    tally = f"{n} quote{'s' if n != 1 else ''} of {film} {'are' if n != 1 else 'is'} now"
    return f"{done}; {tally} checked by people."
