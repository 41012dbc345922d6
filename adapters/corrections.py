"""The words Discord and Slack put on the correction controls, written once.

A select menu on Discord and a static select on Slack must name the same choices, in the
core's order (``WRONG_MOOD_CHOICES``, ``REVIEW_CHOICES``), so a manager moving between
them reads one vocabulary. Everything else shown about corrections (the /review lines,
the verdict's "checked by people") is worded by ``bot.render``.
"""

from __future__ import annotations

from bot.models import Correction

WRONG_MOOD_PROMPT = "Wrong mood?"


def choice_label(choice: Correction) -> str:
    """A button's or menu option's text: "Keep", "Positive", … "Hide"."""
    return choice.value.capitalize()
