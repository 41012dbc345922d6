"""What a parser makes of one document, before scoring and storage."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import DocumentKind, QuoteKind


@dataclass(frozen=True)
class ParsedQuote:
    text: str
    kind: QuoteKind
    author: str | None = None


@dataclass
class ParsedDocument:
    kind: DocumentKind
    quotes: list[ParsedQuote] = field(default_factory=list)
    consensus: str | None = None
    author: str | None = None
    published: str | None = None

    def add(self, quote: ParsedQuote) -> None:
        """Keep the first of identical quotes (pages repeat comments)."""
        if all(q.text != quote.text for q in self.quotes):
            self.quotes.append(quote)
