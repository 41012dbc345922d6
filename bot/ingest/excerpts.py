"""Format 1: one critic excerpt per line, the critics' consensus after ``@highlight``."""

from __future__ import annotations

from bot.ingest.parsed import ParsedDocument, ParsedQuote
from bot.ingest.sentences import MAX_QUOTE_CHARS, chunk, normalize_space, split_sentences
from bot.models import DocumentKind, QuoteKind

MARKER = "@highlight"


def looks_like_excerpts(text: str) -> bool:
    return any(line.strip() == MARKER for line in text.splitlines())


def parse_excerpts(text: str) -> ParsedDocument:
    lines = text.splitlines()
    cut = next(i for i, line in enumerate(lines) if line.strip() == MARKER)
    consensus = normalize_space(" ".join(lines[cut + 1 :]))
    doc = ParsedDocument(DocumentKind.EXCERPTS, consensus=consensus or None)
    for line in lines[:cut]:
        line = normalize_space(line)
        if not line:
            continue
        # Excerpts are curated by the critic sites: kept whole unless too long for a message.
        pieces = [line] if len(line) <= MAX_QUOTE_CHARS else chunk(split_sentences(line))
        for piece in pieces:
            doc.add(ParsedQuote(piece, QuoteKind.CRITIC))
    return doc
