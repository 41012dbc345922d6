"""The console prints a quote's link back to its review, and only a safe one."""

from __future__ import annotations

from bot.models import Label, Mood, Quote, QuoteKind
from bot.render import render_text
from bot.replies import QuoteReply


def _reply(url: str | None) -> QuoteReply:
    quote = Quote(id=1, text="A tender, lovely film.", film="Her (2013)", kind=QuoteKind.CRITIC,
                  label=Label.POSITIVE, polarity=0.8, confidence=0.9, author="Ann",
                  outlet="The Paper", published="2014-01-02", source="x.csv", url=url)
    return QuoteReply(quote=quote, mood=Mood.ANY, film_id=1, remaining=0, pool_size=1)


def test_the_link_is_printed_under_the_attribution() -> None:
    text = render_text(_reply("https://films.example/her"))
    assert text.splitlines()[1:3] == ["— Ann, The Paper, 2014-01-02",
                                      "https://films.example/her"]


def test_an_unsafe_link_is_never_printed() -> None:
    for url in ("javascript:alert(1)", "file:///etc/passwd", "https://x.example/\x1b[31m"):
        text = render_text(_reply(url))
        assert len(text.splitlines()) == 3 and "javascript" not in text and "file:" not in text
