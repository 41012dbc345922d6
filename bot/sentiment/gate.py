"""A second opinion that must agree before a quote is labelled positive or negative.

The critic scorer's mistakes on a film critics loved are praise it calls negative ("I
haven't stopped thinking about Her…"): a learned bag of n-grams reads "stopped" and
"haven't" as pan words. A second model built differently, whose mistakes are not the
same ones, catches many of them. The default gate is VADER's (Hutto & Gilbert 2014)
hand-rated word valences with VADER-style rules (a negator flips and damps the next
words, degree adverbs boost them, the clause after "but" outweighs the one before):
human ratings rather than weights learned from MR, rules rather than n-grams. Only the
rules' few knobs and the two agreement cut-offs are fitted on MR
(``bot.sentiment.gate_training``); the lexicon ships inside the ``vaderSentiment``
package, so nothing is downloaded.

Any model that can say "I agree with this label" plugs in through ``Gate`` (a heavier
``[deep]`` gate would be a second implementation); ``scorer.GatedScorer`` applies one.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from bot.models import Label

FORMAT = "reviewbot-lexicon-gate/1"
SHIPPED = "gate.json"
# VADER's normalisation constant: compound = s / sqrt(s² + 15) lies in (-1, 1).
_ALPHA = 15.0
# VADER damps a degree adverb two and three words back (x0.95, x0.9).
_BOOST_DISTANCE = (1.0, 0.95, 0.9)
# Words (inner apostrophes kept: "haven't") and the marks that end a clause. Simpler than
# the critic scorer's MR folding, and three times faster: the lexicon is single words.
_TOKEN = re.compile(r"\w+(?:'\w+)*|--|[.,;:!?()\"\u201c\u201d\u2013\u2014\u2026]")
# A negation's reach stops at a clause boundary, as in the critic scorer's tokenizer.
_CLAUSE_END = frozenset(".,;:!?()\"\u201c\u201d\u2013\u2014\u2026") | {"--"}


class Gate(Protocol):
    """A second opinion: for each text and the label the scorer chose, does it agree?

    Batched, so that a gate which runs a neural model can score many texts per call;
    only POSITIVE and NEGATIVE labels are ever asked about.
    """

    name: str

    def agree(self, texts: Sequence[str], labels: Sequence[Label]) -> list[bool]: ...


@dataclass(frozen=True)
class Rules:
    """VADER-style rules; the defaults are VADER's own constants, the shipped ones fitted.

    ``negation``: a lexicon word with a negator among the ``scope`` words before it (in
    the same clause) counts ``-negation`` times its valence. ``booster``: a degree adverb
    ("very", "barely") among the three words before moves the valence by this much, away
    from or towards zero. ``before``/``after``: the words before and after the last "but"
    are weighted so.
    """

    negation: float = 0.74
    scope: int = 3
    booster: float = 0.293
    before: float = 0.5
    after: float = 1.5


@dataclass(frozen=True)
class Cutoffs:
    """Agree with POSITIVE when compound >= ``positive``, with NEGATIVE when <= ``negative``.

    -1 and 1, the ends of the compound's range, agree with every text.
    """

    positive: float
    negative: float


@dataclass(frozen=True)
class Lexicon:
    """VADER's word valences (-4..4), its negators and its degree adverbs (±1 each)."""

    valence: Mapping[str, float]
    negators: frozenset[str]
    boosters: Mapping[str, float]


@functools.cache
def vader_lexicon() -> Lexicon:
    """Read the lexicon from the installed ``vaderSentiment`` package (MIT licence).

    Only the single-word entries matter here: the text is tokenized into words, and the
    emoticons VADER also rates never occur in critics' quotes.
    """
    from vaderSentiment import vaderSentiment as vader  # type: ignore[import-untyped]

    text = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_text(encoding="utf-8")
    valence: dict[str, float] = {}
    for line in text.splitlines():
        word, mean, *_ = line.split("\t")
        valence[word] = float(mean)
    boosters = {
        word: math.copysign(1.0, float(value))
        for word, value in vader.BOOSTER_DICT.items()
        if " " not in word
    }
    return Lexicon(valence, frozenset(vader.NEGATE), boosters)


class LexiconGate:
    """VADER-style lexicon rules in pure Python: ~10 µs a quote, no numpy."""

    name = "lexicon"

    def __init__(
        self,
        lexicon: Lexicon,
        rules: Rules,
        cutoffs: Cutoffs,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.rules = rules
        self.cutoffs = cutoffs
        self.meta = meta or {}

    def compound(self, text: str) -> float:
        """VADER's compound score of ``text`` in (-1, 1): below 0 reads negative."""
        return compound(self.lexicon, self.rules, words(text))

    def agree(self, texts: Sequence[str], labels: Sequence[Label]) -> list[bool]:
        return [self.agrees(t, label) for t, label in zip(texts, labels, strict=True)]

    def agrees(self, text: str, label: Label) -> bool:
        """Whether the gate lets ``label`` stand for ``text``.

        A cut-off at the end of the compound's range (-1 for positive, 1 for negative)
        agrees with everything, and the text is then not read at all.
        """
        if label is Label.POSITIVE:
            return self.cutoffs.positive <= -1 or self.compound(text) >= self.cutoffs.positive
        if label is Label.NEGATIVE:
            return self.cutoffs.negative >= 1 or self.compound(text) <= self.cutoffs.negative
        return True  # an abstention needs no second opinion

    def save(self, path: Path) -> None:
        """Plain JSON: a handful of numbers, readable in a diff. The lexicon is not copied."""
        doc = {
            "format": FORMAT,
            "meta": self.meta,
            "rules": asdict(self.rules),
            "cutoffs": asdict(self.cutoffs),
        }
        path.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, lexicon: Lexicon | None = None) -> LexiconGate:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file: format={doc.get('format')!r}")
        return cls(
            lexicon or vader_lexicon(),
            Rules(**doc["rules"]),
            Cutoffs(**doc["cutoffs"]),
            doc.get("meta", {}),
        )


def confirmed(gate: Gate, texts: Sequence[str], said: Sequence[Label]) -> list[Label]:
    """``said`` with each label the gate disagrees with turned into an abstention.

    Only polar labels are asked about, in one batch.
    """
    asked = [i for i, s in enumerate(said) if s is not Label.NEUTRAL]
    out = list(said)
    if asked:
        verdicts = gate.agree([texts[i] for i in asked], [said[i] for i in asked])
        for i, agrees in zip(asked, verdicts, strict=True):
            if not agrees:
                out[i] = Label.NEUTRAL
    return out


def words(text: str) -> list[str]:
    """Lowercase words and clause marks of ``text``, typographic apostrophes made ASCII."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def compound(lexicon: Lexicon, rules: Rules, toks: Sequence[str]) -> float:
    """Sum the rated words of ``toks`` under ``rules``, normalised as VADER does.

    Differences from VADER itself, each because the text is a critic's sentence: no
    capitals or "!" emphasis (MR, the data the knobs are fitted on, is lowercased and has
    almost no "!"), and a negation stops at punctuation instead of reaching across it.
    """
    valence = lexicon.valence
    negators = lexicon.negators
    boosters = lexicon.boosters
    turn = _last_but(toks)
    total = 0.0
    for i, tok in enumerate(toks):
        v = valence.get(tok)
        if v is None or tok in boosters:
            continue
        sign = 1.0 if v > 0 else -1.0
        negated = False
        for back in range(1, min(rules.scope, i) + 1):
            prev = toks[i - back]
            if prev in _CLAUSE_END:
                break
            if back <= len(_BOOST_DISTANCE) and prev in boosters:
                v += sign * boosters[prev] * rules.booster * _BOOST_DISTANCE[back - 1]
            if prev in negators or prev.endswith("n't"):
                negated = True
        if negated:
            v *= -rules.negation
        if turn >= 0:
            v *= rules.before if i < turn else rules.after
        total += v
    return total / math.sqrt(total * total + _ALPHA)


def _last_but(toks: Sequence[str]) -> int:
    """Index of the last "but" that has words after it, or -1."""
    for i in range(len(toks) - 2, 0, -1):
        if toks[i] == "but":
            return i
    return -1


@functools.cache
def default_gate() -> LexiconGate:
    """The shipped gate, its knobs read from package data once per process."""
    with resources.as_file(resources.files("bot") / "data" / SHIPPED) as path:
        return LexiconGate.load(path)
