"""Offline sentence splitting and the rules that keep fragments out of the corpus.

TextBlob's ``.sentences`` needs NLTK's punkt data, which cannot be downloaded on locked
down hosts; pysbd ships its rules. TextBlob's pattern tagger ships its lexicon and is
used only to tell a sentence from a verbless, adjective-less fragment.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd
from textblob.en.taggers import PatternTagger

# Leaves room in one Discord message (2,000) or Slack section (3,000) for attribution.
MAX_QUOTE_CHARS = 1500
MIN_WORDS = 4

_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=1)
def _tagger() -> PatternTagger:
    return PatternTagger()


def normalize_space(text: str) -> str:
    return " ".join(text.split())


def split_sentences(text: str) -> list[str]:
    return [s for s in (normalize_space(x) for x in _segmenter().segment(text)) if s]


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def is_quotable(sentence: str) -> bool:
    """A whole thought: enough words, no URL, and a verb or an adjective somewhere."""
    if word_count(sentence) < MIN_WORDS or _URL.search(sentence):
        return False
    if sentence.rstrip().endswith(":"):
        return False  # introduces something (a link, a list) that is not there
    tags = _tagger().tag(sentence)
    return any(tag.startswith(("VB", "JJ", "MD")) for _, tag in tags)


def chunk(sentences: list[str], limit: int = MAX_QUOTE_CHARS) -> list[str]:
    """Join sentences into pieces of at most ``limit`` characters, cutting only between
    sentences (and between words for a single sentence longer than ``limit``)."""
    pieces: list[str] = []
    current = ""
    for sentence in sentences:
        for part in _split_long(sentence, limit):
            candidate = f"{current} {part}" if current else part
            if len(candidate) <= limit:
                current = candidate
            else:
                pieces.append(current)
                current = part
    if current:
        pieces.append(current)
    return pieces


def _split_long(sentence: str, limit: int) -> list[str]:
    if len(sentence) <= limit:
        return [sentence]
    parts: list[str] = []
    current = ""
    for word in sentence.split(" "):
        if current and len(current) + 1 + len(word) > limit:
            parts.append(current)
            current = word[:limit]
        else:
            current = f"{current} {word}" if current else word[:limit]
    if current:
        parts.append(current)
    return parts
