"""The five shipped documents: counts per kind and per page, and no page furniture."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.app import ReviewBot, default_corpus_dir
from bot.ingest.pipeline import parse_document
from bot.ingest.reading import read_text
from bot.models import QuoteKind

SEEDS = default_corpus_dir()

# Counted by hand from the pages: (review sentences, reader quotes).
PAGES = {
    "001_d802ae2ce15f84e2.txt": (35, 31),
    "002_b2ee2825f15f1a83.txt": (24, 17),
    "003_cfa6ed860b4c0232.txt": (30, 1),
    "004_20320435d926fcb2.txt": (26, 4),
}

BOILERPLATE = [
    "Leave a Reply", "Leave a comment", "Fill in your details", "commenting using",
    "Log Out", "Change )", "Connecting to", "bloggers like this", "email address",
    "Required fields", "Akismet", "Editorial Guidelines", "affiliate links",
    "Listed Under Categories", "Follow, Like and Subscribe", "User Review", "0 votes",
    "Average User Rating", "Rating Breakdown", "5 star", "LiveReviews", "people listening",
    "Release details", "Rated: 15", "Release date", "Duration:", "Cast and crew",
    "Director:", "Screenwriter:", "[…]", "Posted by", "One Comment", "Review (with Spoilers)",
    "Characters & Story", "Collected Quotes", "Overall: Worth Seeing", "@highlight",
    "flash film reviews which I posted yesterday:",
]


def parse(name: str):  # type: ignore[no-untyped-def]
    return parse_document(read_text(SEEDS / name, 10**7)[0])


def test_excerpt_file_has_251_critic_quotes_and_the_consensus() -> None:
    doc = parse("000_1bfe4dd77af393da.txt")
    assert len(doc.quotes) == 251
    assert {q.kind for q in doc.quotes} == {QuoteKind.CRITIC}
    assert doc.consensus is not None and doc.consensus.startswith("Sweet, soulful, and smart")
    assert doc.quotes[0].text.startswith("There are times when Her feels like genius")


@pytest.mark.parametrize(("name", "expected"), sorted(PAGES.items()))
def test_page_counts(name: str, expected: tuple[int, int]) -> None:
    kinds = Counter(q.kind for q in parse(name).quotes)
    assert (kinds[QuoteKind.REVIEW], kinds[QuoteKind.READER]) == expected


def test_byline_gives_author_and_date_of_review_sentences() -> None:
    doc = parse("001_d802ae2ce15f84e2.txt")
    assert (doc.author, doc.published) == ("ckckred", "January 13, 2014")
    reviews = [q for q in doc.quotes if q.kind is QuoteKind.REVIEW]
    assert all(q.author == "ckckred" for q in reviews)


def test_readers_are_attributed_to_the_names_the_page_prints() -> None:
    doc = parse("002_b2ee2825f15f1a83.txt")
    names = {q.author for q in doc.quotes if q.kind is QuoteKind.READER}
    assert names == {"jimbo g", "Augis S", "Desmond F", "kp", "david glowacki", "Maria Costa",
                     "sonia Claris", "Linda Popcorn Royles"}
    kp = [q.text for q in doc.quotes if q.author == "kp"]
    assert kp == ["Novel idea yes, stylish looking yes, not the worst film yes, but overlong, "
                  "sickly and dull...."]


def test_a_comment_printed_twice_is_kept_once() -> None:
    doc = parse("002_b2ee2825f15f1a83.txt")
    linda = [q for q in doc.quotes if q.author == "Linda Popcorn Royles"]
    assert len(linda) == 1


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_quote_is_furniture_a_fragment_a_marker_or_a_name(name: str) -> None:
    for quote in parse(name).quotes:
        for needle in BOILERPLATE:
            assert needle.casefold() not in quote.text.casefold(), (needle, quote.text)
        assert len(quote.text.split()) >= 4, quote.text
        assert not quote.text[:3].strip().rstrip(".").isdigit(), quote.text
        assert not quote.text.startswith(("•", "http", "www.", "—")), quote.text
        assert quote.text != "From the mind of Spike Jonze."


async def test_default_corpus_is_ingested_into_an_empty_database(core: ReviewBot) -> None:
    films = await core.corpus.films()
    assert [f.name for f in films] == ["Her (2013)"]
    assert films[0].consensus and films[0].consensus.startswith("Sweet, soulful")
    quotes = await core.corpus.quotes(films[0].id)
    kinds = Counter(q.kind for q in quotes)
    assert kinds[QuoteKind.CRITIC] == 251
    assert kinds[QuoteKind.REVIEW] == sum(r for r, _ in PAGES.values())
    assert kinds[QuoteKind.READER] == sum(r for _, r in PAGES.values())
    for q in quotes:
        assert -1.0 <= q.polarity <= 1.0 and 0.0 <= q.confidence <= 1.0


def test_seeds_ship_inside_the_package() -> None:
    assert sorted(p.name for p in Path(SEEDS).glob("*.txt")) == sorted(
        ["000_1bfe4dd77af393da.txt", *PAGES]
    )
