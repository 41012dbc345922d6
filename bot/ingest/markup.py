"""Telling an HTML page from text, and keeping stray markup out of every quote.

A saved page (whatever its name says) is recognised by ``looks_like_html`` and read by
``bot.ingest.html`` rather than as text. A text file can still carry a stray tag or
entity (copied from a page's source); ``without_markup`` is applied where every quote is
created (``ParsedDocument.add``, and each dataset row), so no quote and no consensus ever
holds a tag, and entities such as ``&nbsp;`` become the characters they stand for.
"""

from __future__ import annotations

import html
import re

from bot.safe_text import strip_controls

# An element tag, a closing tag, a comment or a declaration: "<p>", "</a>",
# '<div class="x">', "<br/>", "<!-- … -->", "<!DOCTYPE html>". Not "x < y" or "<3".
# A comment counts from its "<!--": scanning for its end made a line of "<!--" repeated
# cost quadratic time.
_TAG = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|!--|![A-Za-z][^<>]*>)")
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_PAGE_START = re.compile(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.IGNORECASE)
# Share of non-blank lines holding a tag above which a file is markup, not prose.
_TAG_LINE_SHARE = 0.3
_SNIFF_CHARS = 4096


def looks_like_html(text: str) -> bool:
    """A web page's source: a doctype or html/head/body tag near the start, or tags on
    a large share of its lines (a fragment without the outer tags)."""
    if _PAGE_START.search(text[:_SNIFF_CHARS]):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    tagged = sum(1 for line in lines if _TAG.search(line))
    return tagged >= 2 and tagged >= _TAG_LINE_SHARE * len(lines)


def without_markup(text: str) -> str | None:
    """``text`` with entities decoded, or ``None`` when it holds a tag (markup, not
    prose: a quote made of it would show raw HTML in chat)."""
    if "&" in text:
        # "&#27;" decodes to ESC: what an entity decodes to is held to the same rules.
        decoded = _ENTITY.sub(lambda m: strip_controls(html.unescape(m[0])), text)
        text = " ".join(decoded.split())
    if "<" in text and _TAG.search(text):
        return None
    return text or None
