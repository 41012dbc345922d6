"""Format 3: a review page as HTML (a saved page or a fetched link), read by trafilatura.

trafilatura (well kept, used by research crawls) finds the article among the page's
navigation, share widgets, sidebars and comment forms, keeps the reader comments apart,
and reads the author, date, site name and canonical link from the page's metadata. Its
output then goes through the same rules as a page saved as text (``webpage.add_article``):
no fragments, no furniture, no markup. It works offline: nothing here fetches a URL
(links are fetched by ``bot.ingest.fetch`` under its own limits), and its date
extraction is rule-based. About 2 ms for a typical review page on this project's machine.
"""

from __future__ import annotations

import logging

from bot.ingest.parsed import ParsedDocument
from bot.ingest.reading import BadFile
from bot.ingest.sentences import normalize_space
from bot.ingest.webpage import add_article
from bot.models import DocumentKind, web_link

_log = logging.getLogger(__name__)
# trafilatura logs a page it cannot use at WARNING or ERROR; the one-line reason is ours.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

NO_ARTICLE = "no article found (not a review page, or the page is empty)"


def parse_html(html: str, url: str | None = None) -> ParsedDocument:
    """The article's sentences as review quotes and the comments as reader quotes, with
    the author, date, outlet and link the page declares; ``BadFile`` without an article."""
    # Imported on first use: it (and lxml) would add 0.12 s to every start of the bot.
    import trafilatura

    try:
        found = trafilatura.bare_extraction(
            html, url=url, include_comments=True, with_metadata=True, include_tables=False,
            include_images=False, include_links=False, deduplicate=False,
        )
    except (ValueError, TypeError) as exc:  # lxml refuses some malformed documents
        _log.info("trafilatura could not read a page: %s", exc)
        raise BadFile(NO_ARTICLE) from None
    if found is None:
        raise BadFile(NO_ARTICLE)
    found = found if isinstance(found, dict) else found.as_dict()
    if not str(found.get("text") or "").strip():
        raise BadFile(NO_ARTICLE)
    doc = ParsedDocument(DocumentKind.WEBPAGE)
    doc.author = _meta(found.get("author"))
    doc.published = _meta(found.get("date"))
    doc.outlet = _meta(found.get("sitename"))
    doc.url = web_link(url) or web_link(_meta(found.get("url")))
    article = _without_title(str(found["text"]), _meta(found.get("title")))
    add_article(doc, article, _meta_text(found.get("comments")))
    if not doc.quotes:
        raise BadFile(NO_ARTICLE)
    return doc


def _without_title(article: str, title: str | None) -> str:
    """The article without its headline: trafilatura keeps the page's <h1> as the first
    line, and a headline longer than the text format's heading rule (eight words) would
    otherwise be quoted as if the critic had written it as a sentence. The <title> often
    carries the site's name after a separator, so its first part counts too."""
    if not title:
        return article
    titles = {_key(title), *(_key(title.split(sep)[0]) for sep in (" | ", " - ", " — ", " – "))}
    return "\n".join(line for line in article.splitlines() if _key(line) not in titles)


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _meta_text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _meta(value: object) -> str | None:
    text = normalize_space(str(value)) if value else ""
    return text[:200] or None
