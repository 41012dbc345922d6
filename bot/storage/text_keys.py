"""The key a correction is filed under: a quote's text, normalised.

Re-ingest of the same review must find its corrections again even when the file was
re-saved with other quotation marks, dashes, spacing or letter case, so the key keeps
only letters and digits, case-folded, with single spaces between words.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """``text`` case-folded (NFKC first), punctuation dropped, whitespace collapsed."""
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def text_hash(key: str) -> int:
    """A 64-bit signed integer for ``key``: what quotes store and index instead of the
    key itself, which would repeat every quote's text in an index. Two different keys of
    one film sharing a hash is a 2**-64 chance per pair."""
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
