"""Saved HTML review pages end to end: the article, its author, date and outlet, reader
comments apart, no furniture, no markup, the page's own link kept, and nothing fetched."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.app import ReviewBot
from bot.ingest.html import parse_html
from bot.models import QuoteKind
from tests.bot.ingest.pages import ARTICLE, COMMENTS, NEWS, NEWS_ARTICLE, WORDPRESS

FURNITURE = ("Share", "Twitter", "Like", "Leave a Reply", "email address", "Recent Posts",
             "Home", "Reviews", "cookies", "Sign up", "Most viewed", "WordPress", "Reply",
             "says", "Four stars", "<", "&")


async def test_a_wordpress_review_with_comments(core: ReviewBot, tmp_path: Path) -> None:
    page = tmp_path / "her-review.html"
    page.write_text(WORDPRESS, encoding="utf-8")
    [result] = (await core.ingest([page], "Her (2013)")).results
    assert result.status == "added" and result.quotes == 5
    film = next(f for f in await core.corpus.films() if f.name == "Her (2013)")
    quotes = [q for q in await core.corpus.quotes(film.id) if q.source == str(page.resolve())]
    reviews = [q for q in quotes if q.kind is QuoteKind.REVIEW]
    readers = [q for q in quotes if q.kind is QuoteKind.READER]
    assert [q.text for q in reviews] == ARTICLE
    assert [q.text for q in readers] == COMMENTS
    assert {q.attribution for q in reviews} == {"Jane Critic, Reel Thoughts, 2014-01-12"}
    assert {q.attribution for q in readers} == {"a reader"}
    assert {q.link for q in quotes} == {"https://reelthoughts.example/2014/01/her-review/"}
    for q in quotes:
        assert not any(word in q.text for word in FURNITURE), q.text


def test_a_news_sites_review_page() -> None:
    doc = parse_html(NEWS)
    assert [q.text for q in doc.quotes] == NEWS_ARTICLE
    assert (doc.author, doc.published, doc.outlet) == (
        "Lois Lane", "2008-07-18", "The Daily Planet")
    assert doc.url == "https://dailyplanet.example/culture/film/dark-knight-review"
    assert all(q.kind is QuoteKind.REVIEW and q.author == "Lois Lane" for q in doc.quotes)


def test_the_link_a_page_was_fetched_from_wins_and_a_javascript_link_is_dropped() -> None:
    assert parse_html(NEWS, "https://mirror.example/dk").url == "https://mirror.example/dk"
    hostile = NEWS.replace("https://dailyplanet.example/culture/film/dark-knight-review",
                           "javascript:alert(1)")
    assert parse_html(hostile).url is None


def test_reading_a_page_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the extractor tried the network")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert len(parse_html(WORDPRESS).quotes) == 5


async def test_a_windows_1252_page_decodes(core: ReviewBot, tmp_path: Path) -> None:
    page = tmp_path / "cp.htm"
    text = WORDPRESS.replace('charset="UTF-8"', 'charset="windows-1252"').replace(
        "tender and strange", "tender – “strange”")
    page.write_bytes(text.encode("cp1252"))
    [result] = (await core.ingest([page], "Her (2013)")).results
    assert result.status == "added"
    film = next(f for f in await core.corpus.films() if f.name == "Her (2013)")
    texts = [q.text for q in await core.corpus.quotes(film.id)]
    assert ARTICLE[0].replace("tender and strange", "tender – “strange”") in texts


def test_a_long_headline_is_not_quoted() -> None:
    """trafilatura keeps the <h1> as the article's first line; nine words and no full stop
    pass the text format's heading rule, so the page's title is what tells it apart."""
    headline = "Her review: a love story for the digital age we live in"
    page = (
        f"<html><head><title>{headline} | The Film Blog</title></head><body><article>"
        f"<h1>{headline}</h1>"
        "<p>Spike Jonze's Her is a tender, melancholy and often very funny film about a "
        "lonely writer who falls in love with his computer's operating system.</p>"
        "<p>Joaquin Phoenix gives one of the most delicate performances of his career, and "
        "Scarlett Johansson, heard but never seen, is a revelation.</p>"
        "</article></body></html>"
    )
    texts = [q.text for q in parse_html(page).quotes]
    assert len(texts) == 2 and texts[0].startswith("Spike Jonze's Her")
    assert not any("love story for the digital age" in t for t in texts)
