"""What a parser makes of one document, before scoring and storage."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ingest.markup import without_markup
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
    outlet: str | None = None  # the site, for an HTML page that names itself
    url: str | None = None  # the page's link, checked with ``models.web_link``
    _texts: set[str] = field(default_factory=set, repr=False)

    def add(self, quote: ParsedQuote) -> None:
        """Keep the first of identical quotes (pages repeat comments); the one place a
        quote is created, so markup is dropped here for every format."""
        text = without_markup(quote.text)
        if text is None:
            return
        if text != quote.text:
            quote = ParsedQuote(text, quote.kind, quote.author)
        if quote.text not in self._texts:
            self._texts.add(quote.text)
            self.quotes.append(quote)
