"""Fit the lexicon gate on MR: its rules' knobs and its two agreement cut-offs.

The gate only ever sees quotes the critic scorer has labelled, so it is fitted on those:
the scorer's out-of-fold labels of MR (``training.train_scorer``, the shipped recipe), and
for each candidate set of rules, the cut-off per label that maximises that label's
F0.5 at a loved film's prior (94% positive, as for *Her*). F0.5 weighs precision twice
as much as recall, because a pan served as praise (or praise as a pan) costs the team's
trust while a quote left "mixed" costs only choice; the prior, because on balanced MR a
negative label looks three times more precise than on a loved film. The seed excerpts are
never used: they are content, not tuning data.

Run (about a minute: the scorer's ten folds, then the grid):
``python -m bot.sentiment.gate_training --pos ../shared/eval/rt-polarity.pos
--neg ../shared/eval/rt-polarity.neg --out bot/data/gate.json``
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import logging
import platform
import sys
from collections.abc import Sequence
from importlib import metadata, resources
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.models import Label
from bot.sentiment.gate import (
    Cutoffs,
    Lexicon,
    LexiconGate,
    Rules,
    compound,
    confirmed,
    vader_lexicon,
    words,
)
from bot.sentiment.metrics import figures, prior_name, table
from bot.sentiment.training import Corpus, read_corpus, train_scorer

_log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]

FIT_PRIOR = 0.94
F_BETA = 0.5
# VADER's own constants are in each grid (0.74, 3, 0.293, 0.5/1.5) so that its rules stay
# possible; the others bracket them.
NEGATION_GRID = (0.5, 0.74, 1.0, 1.5)
SCOPE_GRID = (1, 2, 3, 5)
BOOSTER_GRID = (0.0, 0.293, 0.6)
CONTRAST_GRID = ((1.0, 1.0), (0.5, 1.5), (0.25, 1.75))


def rule_grid() -> list[Rules]:
    return [
        Rules(negation, scope, booster, before, after)
        for negation, scope, booster, (before, after) in itertools.product(
            NEGATION_GRID, SCOPE_GRID, BOOSTER_GRID, CONTRAST_GRID
        )
    ]


def fit_gate(
    texts: Sequence[str],
    gold: Sequence[int],
    said: Sequence[Label],
    lexicon: Lexicon | None = None,
    prior: float = FIT_PRIOR,
) -> LexiconGate:
    """The rules and cut-offs with the best summed F0.5 at ``prior`` over both labels.

    ``gold`` is 1 positive / 0 negative; ``said`` the scorer's labels of the same texts,
    which must be out of fold (a scorer's labels of its own training texts are too
    often right for the gate to learn where it is wrong). Ties go to the first rules in
    grid order, so the fit is deterministic.
    """
    lexicon = lexicon or vader_lexicon()
    toks = [words(t) for t in texts]
    y = np.asarray(gold, dtype=np.int64)
    labels = np.array([s.value for s in said])
    best: tuple[float, Rules, Cutoffs] | None = None
    for rules in rule_grid():
        c = np.array([compound(lexicon, rules, t) for t in toks])
        pos_cut, pos_f = best_cutoff(c, y, labels == Label.POSITIVE.value, Label.POSITIVE, prior)
        neg_cut, neg_f = best_cutoff(c, y, labels == Label.NEGATIVE.value, Label.NEGATIVE, prior)
        if best is None or pos_f + neg_f > best[0] + 1e-12:
            best = (pos_f + neg_f, rules, Cutoffs(pos_cut, neg_cut))
    assert best is not None
    _log.info("gate fitted: %s, %s (F0.5 sum %.4f)", best[1], best[2], best[0])
    return LexiconGate(lexicon, best[1], best[2])


def best_cutoff(
    compounds: Floats, gold: npt.NDArray[np.int64], said: npt.NDArray[np.bool_], label: Label,
    prior: float,
) -> tuple[float, float]:
    """The cut-off for ``label`` with the highest F0.5 at ``prior``, and that F0.5.

    Among the texts the scorer gave ``label`` (``said``), the gate keeps those with
    compound <= cut-off (NEGATIVE) or >= cut-off (POSITIVE). Each candidate keeps one
    more distinct compound value; the cut-off returned lies halfway to the next one, so
    a last-bit difference in a compound cannot flip a verdict.
    """
    sign = -1.0 if label is Label.NEGATIVE else 1.0
    right_class = 1 if label is Label.POSITIVE else 0
    share = prior if label is Label.POSITIVE else 1 - prior
    in_class = int(np.sum(gold == right_class))
    out_class = len(gold) - in_class
    if not in_class or not out_class or not np.any(said):
        return -sign, 0.0  # nothing to learn from: agree with everything
    # Oriented so that "kept" is always "value >= cut-off", sorted from the most sure.
    v = sign * compounds[said]
    right = gold[said] == right_class
    order = np.argsort(-v, kind="stable")
    v, right = v[order], right[order]
    distinct_end = np.flatnonzero(np.append(v[1:] != v[:-1], True))  # last index per value
    hits = np.cumsum(right)[distinct_end] * (share / in_class)
    misses = np.cumsum(~right)[distinct_end] * ((1 - share) / out_class)
    precision = hits / (hits + misses)
    recall = hits / share
    b2 = F_BETA * F_BETA
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(hits > 0, (1 + b2) * precision * recall / (b2 * precision + recall), 0.0)
    k = int(np.argmax(f))
    if k + 1 == len(distinct_end):
        return -sign, float(f[k])  # keeping all is best: agree with every compound
    cut = _between(float(v[distinct_end[k + 1]]), float(v[distinct_end[k]]))
    return sign * cut, float(f[k])


def _between(low: float, high: float) -> float:
    """A short number in (low, high]: the midpoint, rounded when rounding keeps it inside."""
    mid = (low + high) / 2
    for digits in (2, 3, 4, 6):
        r = round(mid, digits)
        if low < r <= high:
            return r
    return high


def fit_to_file(pos: Path, neg: Path, out: Path) -> LexiconGate:
    """Fit on the two files; write the gate to ``out`` and provenance beside it."""
    corpus = read_corpus(pos, neg)
    _log.info("scoring %d snippets out of fold with the shipped recipe", len(corpus.texts))
    scorer, p_positive = train_scorer(corpus.texts, corpus.labels)
    said = [scorer.thresholds.label(float(p)) for p in p_positive]
    gate = fit_gate(corpus.texts, corpus.labels, said)
    gate.meta = {
        "trained_on_sha256": corpus.sha256,
        "lexicon": f"vaderSentiment {metadata.version('vaderSentiment')}",
        "lexicon_sha256": _lexicon_digest(),
        "scorer_thresholds": {
            "positive": scorer.thresholds.positive,
            "negative": scorer.thresholds.negative,
        },
        "fit_prior": FIT_PRIOR,
        "f_beta": F_BETA,
    }
    gate.save(out)
    provenance = out.with_name(out.name.split(".", 1)[0] + ".PROVENANCE.md")
    provenance.write_text(_provenance(corpus, said, gate, out), encoding="utf-8")
    return gate


def _lexicon_digest() -> str:
    raw = (resources.files("vaderSentiment") / "vader_lexicon.txt").read_bytes()
    return hashlib.sha256(raw).hexdigest()


def _provenance(corpus: Corpus, said: list[Label], gate: LexiconGate, out: Path) -> str:
    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in corpus.labels]
    gated = confirmed(gate, corpus.texts, said)
    rows = [
        figures(name, gold, labels, prior=prior)
        for prior in (None, FIT_PRIOR)
        for name, labels in (("critic (out of fold)", said), ("critic+lexicon", gated))
    ]
    files = "\n".join(
        f"| `{name}` | {corpus.lines[name]:,} | `{digest}` |"
        for name, digest in corpus.sha256.items()
    )
    r, c = gate.rules, gate.cutoffs
    scorer_cut = gate.meta["scorer_thresholds"]
    return f"""# Provenance of `{out.name}`

The second opinion of the default install (`bot.sentiment.gate.LexiconGate`): a critic
scorer's positive or negative label stands only when this gate agrees; otherwise the quote
is "mixed". The file holds five rule knobs and two cut-offs, no text of any corpus. The
word valences are VADER's (Hutto & Gilbert 2014, MIT licence), read at run time from the
installed `{gate.meta["lexicon"]}` package (lexicon sha256 `{gate.meta["lexicon_sha256"]}`).

## Data

MR, as for the scorer (`scorer.PROVENANCE.md`, `shared/eval/README.md`), read from the
paths given and never copied into the project. The seed excerpts of *Her* were not used.

| file | lines | sha256 |
| --- | --- | --- |
{files}

## Command

    python -m bot.sentiment.gate_training --pos ../shared/eval/rt-polarity.pos \\
        --neg ../shared/eval/rt-polarity.neg --out bot/data/{out.name}

Deterministic: the scorer's out-of-fold labels come from the shipped recipe with its fixed
fold seed (`training.train_scorer`, thresholds P(pos) >= {scorer_cut["positive"]},
P(neg) >= {scorer_cut["negative"]}), the grid is searched in a fixed order and
ties keep the first; the same files give the same `{out.name}` byte for byte. Fitted with
Python {platform.python_version()}, numpy {np.__version__}.

## Recipe

- Text split into lowercase words and clause marks (`bot.sentiment.gate.words`), then each
  word rated in VADER's lexicon counts its valence, with VADER's rules: a negator among the
  {r.scope} word(s) before it in the same clause multiplies it by -{r.negation}; a degree adverb
  among the three before moves it by {r.booster} (damped 0.95 and 0.9 with distance); after
  the last "but" words count x{r.after}, before it x{r.before}. Compound = sum / sqrt(sum² + 15).
- Knobs: the point of `gate_training.rule_grid()` with the best summed F{F_BETA} of both
  labels at a prior of {prior_name(FIT_PRIOR)} positive:negative. The grid:
  negation {NEGATION_GRID}; scope {SCOPE_GRID}; booster {BOOSTER_GRID};
  before/after {CONTRAST_GRID}.
- Cut-offs: for each label, the one with the best F{F_BETA} at that prior among the MR
  snippets the scorer gave that label (out of fold).
  {_cutoff_sentence(c)}

## Figures on MR

The scorer's labels are out of fold; the gate's cut-offs were chosen on these same labels,
so its rows are slightly optimistic. For figures with everything refitted inside each
fold: `reviewbot eval --pos ... --neg ... --folds 10 --prior {FIT_PRIOR}`.

```
{table(rows[:2])}
```

At {prior_name(FIT_PRIOR)} (reweighted; see `bot.sentiment.metrics`):

```
{table(rows[2:])}
```
"""


def _cutoff_sentence(c: Cutoffs) -> str:
    """The fitted cut-offs in words; an end of the range means the gate never objects."""
    negative = (
        "It agrees with every negative label"
        if c.negative >= 1
        else f"It agrees with a negative label when compound <= {c.negative}"
    )
    positive = (
        "with every positive label: at this\n  prior no cut-off beat keeping them all (the "
        "scorer's positives are already ~99% right there)"
        if c.positive <= -1
        else f"with a positive one when compound >= {c.positive}"
    )
    return f"{negative}, {positive}."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pos", type=Path, required=True)
    parser.add_argument("--neg", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bot/data/gate.json"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    fit_to_file(args.pos, args.neg, args.out)
    print(f"gate written to {args.out} (provenance beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
