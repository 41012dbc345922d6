"""Format 1: one critic excerpt per line, the critics' consensus after ``@highlight``.

The format, exactly:

- Each non-blank line is one critic excerpt, except the lines described next.
- A line that is just ``@highlight`` is a marker, never a quote. The paragraph after it
  (blank lines right after the marker are skipped; the paragraph is the run of non-blank
  lines up to the next blank line, marker or end of file) is consensus, not excerpts.
- Lines after that paragraph are excerpts again, so a second ``@highlight`` section
  cannot swallow the excerpts that follow it.
- With several ``@highlight`` sections, the consensus is their paragraphs joined in
  order with a space (as in the CNN/Daily Mail files this marker comes from, where each
  section is one highlight of the summary).
"""

from __future__ import annotations

from bot.ingest.markup import without_markup
from bot.ingest.parsed import ParsedDocument, ParsedQuote
from bot.ingest.sentences import MAX_QUOTE_CHARS, chunk, normalize_space, split_sentences
from bot.models import DocumentKind, QuoteKind

MARKER = "@highlight"


def looks_like_excerpts(text: str) -> bool:
    return any(line.strip() == MARKER for line in text.splitlines())


def parse_excerpts(text: str) -> ParsedDocument:
    excerpts, highlights = _sections(text.splitlines())
    consensus = without_markup(" ".join(highlights)) if highlights else None
    doc = ParsedDocument(DocumentKind.EXCERPTS, consensus=consensus)
    for line in excerpts:
        # Excerpts are curated by the critic sites: kept whole unless too long for a message.
        pieces = [line] if len(line) <= MAX_QUOTE_CHARS else chunk(split_sentences(line))
        for piece in pieces:
            doc.add(ParsedQuote(piece, QuoteKind.CRITIC))
    return doc


def _sections(lines: list[str]) -> tuple[list[str], list[str]]:
    """The excerpt lines, and each ``@highlight`` paragraph as one line, in file order."""
    excerpts: list[str] = []
    highlights: list[str] = []
    paragraph: list[str] | None = None  # the consensus paragraph being read, if any
    for raw in lines:
        line = normalize_space(raw)
        if line == MARKER:
            if paragraph:
                highlights.append(" ".join(paragraph))
            paragraph = []
        elif paragraph is None:
            if line:
                excerpts.append(line)
        elif line:
            paragraph.append(line)
        elif paragraph:  # the blank line that ends the paragraph
            highlights.append(" ".join(paragraph))
            paragraph = None
        # else: a blank line between the marker and its paragraph
    if paragraph:
        highlights.append(" ".join(paragraph))
    return excerpts, highlights
