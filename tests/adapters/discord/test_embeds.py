"""Embeds built from reply objects, checked without a gateway."""

from __future__ import annotations

from dataclasses import replace

from adapters.discord.embeds import render_embed
from bot.models import Label, Mood, Quote, QuoteKind
from bot.replies import QuoteReply


def _reply(note: str | None) -> QuoteReply:
    quote = Quote(id=1, text="A cold, clinical bubble.", film="Her (2013)",
                  kind=QuoteKind.CRITIC, label=Label.NEGATIVE, polarity=-0.5, confidence=0.9,
                  author=None, outlet=None, published=None, source="seed")
    return QuoteReply(quote=quote, mood=Mood.NEGATIVE, film_id=1, remaining=3, pool_size=11,
                      note=note)


def test_a_small_pools_note_is_in_the_footer() -> None:
    """Honest answers reach Discord, not only the console."""
    note = "Her (2013) has only 11 confident negative critic quotes: critics loved it."
    footer = render_embed(_reply(note)).footer.text
    assert footer is not None and footer.endswith(note)
    assert "critics loved it" not in (render_embed(_reply(None)).footer.text or "")


def test_the_title_links_to_the_review_only_over_http() -> None:
    reply = _reply(None)
    linked = replace(reply, quote=replace(reply.quote, url="https://films.example/her"))
    assert render_embed(linked).url == "https://films.example/her"
    for bad in ("javascript:alert(1)", "data:text/html,x", "https://a b.example/", None):
        unsafe = replace(reply, quote=replace(reply.quote, url=bad))
        assert render_embed(unsafe).url is None
