"""Turn real quote text into the token form of the MR training corpus.

The scorer is trained on Pang & Lee's MR snippets, which were lowercased and tokenized
by their authors ("it's a dull , lifeless film ."). Real quotes arrive with capitals,
attached punctuation, curly quotes, em dashes and ellipses; unless they are folded into
MR's form, most of their n-grams would never match a trained feature. The same function
is applied to MR lines at training time, where it is close to the identity.
"""

from __future__ import annotations

import re

# Typographic characters mapped to what MR's authors wrote instead.
_FOLD = str.maketrans(
    {
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’
        "\u201a": "'",  # ‚
        "\u2032": "'",  # ′
        "\u0060": "'",  # `
        "\u00b4": "'",  # ´
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u00ab": '"',  # «
        "\u00bb": '"',  # »
        "\u2013": " -- ",  # – (MR mostly writes dashes as "--")
        "\u2014": " -- ",  # —
        "\u2015": " -- ",  # ―
        "\u2026": " . . . ",  # …
        "\u00a0": " ",
    }
)
_ELLIPSIS = re.compile(r"\.\s*\.\s*\.")
_SPACED_HYPHEN = re.compile(r"(?:^|\s)-{1,3}(?=\s|$)|-{2,}")
# A word keeps inner apostrophes and hyphens (MR keeps "doesn't", "film's", "co-writer");
# everything else that is not a space is a token of its own.
_TOKEN = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*|--|\S")

NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "nothing",
        "nor",
        "neither",
        "without",
        "hardly",
        "barely",
        "cannot",
        "nobody",
        "nowhere",
    }
)
# Negation scope ends at the first punctuation mark, as in Das & Chen (2001) and Pang et al.
_SCOPE_END = frozenset({".", ",", ";", ":", "!", "?", "--", "(", ")", '"'})
NEGATED = "not_"


def tokens(text: str) -> list[str]:
    """MR-style tokens of ``text``: lowercase words, punctuation split off, ASCII quotes."""
    folded = text.translate(_FOLD).lower()
    folded = _ELLIPSIS.sub(" . . . ", folded)
    folded = _SPACED_HYPHEN.sub(" -- ", folded)
    return _TOKEN.findall(folded)


def is_negator(token: str) -> bool:
    return token in NEGATORS or token.endswith("n't")


def mark_negation(toks: list[str]) -> list[str]:
    """Prefix words inside a negation's scope so "not good" cannot count as "good".

    Bigrams already see "not good", but not "not very good" or "never once funny";
    the prefix carries the negation to every word up to the next punctuation mark.
    """
    out: list[str] = []
    negated = False
    for tok in toks:
        if tok in _SCOPE_END:
            negated = False
            out.append(tok)
        elif is_negator(tok):
            negated = True
            out.append(tok)
        else:
            out.append(NEGATED + tok if negated else tok)
    return out


def features(text: str, negation: bool) -> list[str]:
    """The distinct unigrams and bigrams of ``text``, as the model's vocabulary spells them.

    Presence rather than counts: on snippets this short, Wang & Manning (2012) found
    binarized features better, and a set keeps scoring to one lookup per n-gram.
    """
    toks = tokens(text)
    if negation:
        toks = mark_negation(toks)
    grams = dict.fromkeys(toks)
    grams.update(dict.fromkeys(f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)))
    return list(grams)
