"""Format 2: a saved web page of one review, with reader comments and page furniture.

The page is read as blocks (paragraphs, list items). Furniture is recognised by what it
says (comment forms, share lines, rating widgets...) or by its shape (a short line with
no sentence punctuation is a heading, a cast name or a rating). The reviewer's prose ends
where the comments begin: a comments header or the first numbered/bulleted item. In the
comments, a bare short line names the commenter of the blocks that follow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.ingest.parsed import ParsedDocument, ParsedQuote
from bot.ingest.sentences import chunk, is_quotable, normalize_space, split_sentences
from bot.models import DocumentKind, QuoteKind

_BYLINE = re.compile(
    r"^\s*(?:posted|written|reviewed)\s+by:?\s*(?P<name>[^|•·]+?)\s*(?:[|•·]\s*(?P<date>.+?))?\s*$",
    re.IGNORECASE,
)
# Everything after these is a comment form: stop reading.
_END = re.compile(r"^\s*(leave a (reply|comment)|post a comment|add a comment)\b", re.IGNORECASE)
_FURNITURE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"fill in your details below",
        r"you are commenting using your",
        r"\blog (in|out)\b",
        r"connecting to %s",
        r"%d bloggers like this",
        r"\bbloggers? like this\b",
        r"your email address will not be published",
        r"required fields are marked",
        r"akismet",
        r"editorial guidelines",
        r"affiliate links",
        r"listed under categories",
        r"^\s*(follow|like|share|subscribe)\b.*\b(follow|like|share|subscribe)\b",
        r"^\s*(share|tweet|pin|email) (this|on)\b",
        r"\bnotify me of (new|follow-up)",
        r"^\s*user (review|rating)s?\b",
        r"^\s*average (user )?rating",
        r"^\s*rating breakdown",
        r"^\s*[•*-]?\s*\d\s*stars?\s*:\s*\d+\s*$",
        r"^\s*\d+(\.\d+)?\s*/\s*\d+\s*$",
        r"^\s*\d+\s*\(\d+\s*votes?\)",
        r"\bpeople listening\b",
        r"^\s*(\d+\.\s*)?\[(…|\.\.\.)\]",  # a pingback
        r"^\s*(rated|release date|duration|director|screenwriter|cast|genre|runtime|"
        r"running time|starring|written by|directed by|certificate)\s*:",
        r"^\s*(release details|cast and crew)\s*$",
        r"^\s*[—–-]+\s*\S",  # "— Her": the source line of a cited passage
        r"^\s*(this entry was posted|related posts?|you may also like|read more)\b",
        r"^\s*(loading|advertisement)\b",
    )
]
_COMMENTS_HEADER = re.compile(
    r"^\s*((\d+|one|no)\s+(comments?|responses?|replies|thoughts)|comments|responses|"
    r"reader comments|user reviews|livereviews\b.*)\s*$",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^(?P<indent>\s*)(?P<marker>\d{1,3}\.|[•*◦▪‣-])\s+(?P<text>\S.*)$")
_SENTENCE_END = re.compile(r"[.!?…)\"”’]\s*$")
_QUOTED = re.compile(r"^[\"“‘'].*[\"”’']$")


@dataclass
class _Block:
    text: str
    indent: int
    item: bool  # starts with a list marker


def parse_webpage(text: str) -> ParsedDocument:
    doc = ParsedDocument(DocumentKind.WEBPAGE)
    blocks = _blocks(text, doc)
    start = next(
        (i for i, b in enumerate(blocks) if b.item or _COMMENTS_HEADER.match(b.text)),
        len(blocks),
    )
    _add_prose(blocks[:start], doc)
    _parse_comments(blocks[start:], doc)
    return doc


def add_article(doc: ParsedDocument, article: str, comments: str | None) -> None:
    """Quotes of an article and its comments that an extractor (``bot.ingest.html``)
    already told apart, one paragraph or comment per line, under the same rules as a
    page saved as text: furniture and headings dropped, no fragments."""
    _add_prose(_blocks(_paragraphs(article), doc), doc)
    if comments:
        _parse_comments(_blocks(_paragraphs(comments), doc), doc)


def _paragraphs(text: str) -> str:
    """One block per line: extractors put one paragraph on each line."""
    return "\n\n".join(text.splitlines())


def _add_prose(blocks: list[_Block], doc: ParsedDocument) -> None:
    for block in blocks:
        if _is_heading(block.text) or _QUOTED.match(block.text):
            continue  # headings, cast lists, widgets; a cited line of dialogue
        for sentence in split_sentences(block.text):
            if is_quotable(sentence):
                for piece in chunk([sentence]):
                    doc.add(ParsedQuote(piece, QuoteKind.REVIEW, doc.author))


def _parse_comments(blocks: list[_Block], doc: ParsedDocument) -> None:
    commenter: str | None = None
    for i, block in enumerate(blocks):
        if _COMMENTS_HEADER.match(block.text):
            continue
        if not block.item and _is_heading(block.text):
            # A bare name introduces the next comment on pages that print names.
            follows = i + 1 < len(blocks) and not _is_heading(blocks[i + 1].text)
            commenter = _name(block.text) if follows else commenter
            continue
        sentences = [s for s in split_sentences(block.text) if is_quotable(s)]
        if not sentences:
            continue
        # A comment stays whole (its sentences lean on each other) unless too long.
        author = None if block.item else commenter
        for piece in chunk(sentences):
            doc.add(ParsedQuote(piece, QuoteKind.READER, author))


def _blocks(text: str, doc: ParsedDocument) -> list[_Block]:
    """Paragraphs and list items with furniture removed; fills in the byline."""
    blocks: list[_Block] = []
    current: list[str] = []
    indent = 0
    item = False

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append(_Block(normalize_space(" ".join(current)), indent, item))
        current = []

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _END.match(line):
            break
        byline = _BYLINE.match(line)
        if byline and doc.author is None:
            doc.author = normalize_space(byline["name"])
            doc.published = normalize_space(byline["date"]) if byline["date"] else None
            flush()
            continue
        if _COMMENTS_HEADER.match(line):
            flush()
            blocks.append(_Block(normalize_space(line), 0, False))
            continue
        if not line.strip() or any(p.search(line) for p in _FURNITURE):
            flush()
            continue
        marker = _ITEM.match(line)
        if marker:
            flush()
            indent, item = len(marker["indent"]), True
            current = [marker["text"]]
        elif current and not item:
            current.append(line)
        else:
            flush()
            indent, item = len(line) - len(line.lstrip()), False
            current = [line]
    flush()
    return blocks


def _is_heading(text: str) -> bool:
    """Short and without sentence punctuation: a title, a name, a label, a rating."""
    return len(text.split()) <= 8 and not _SENTENCE_END.search(text)


def _name(text: str) -> str | None:
    words = text.split()
    return text if 1 <= len(words) <= 4 and len(text) <= 40 else None
