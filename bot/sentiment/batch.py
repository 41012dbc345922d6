"""The evidence of many texts at once, in numpy: what ``CriticScorer`` sums, bit for bit.

Per text, the scorer looks up every distinct word's total weight (its own and its
character n-grams', ~20 lookups for a new word), builds and looks up every distinct
bigram, and sums the lot exactly (``math.fsum``). On real vocabulary most words of a
large ingest are new, and that costs 60-80 µs a quote in pure Python. Here a batch's words
become integers once, and all n-grams and bigrams are looked up at once in hash tables
of the model's (``_Table``); only the exact sums stay per text and per word, in C
(``_exact_sums``).

The integers are exact, not hashes, so a match is the very feature: no collision to rule
out, no string to compare. A character is its rank in the alphabet of the model's
n-grams (1 .. B-1, B = that alphabet's size + 1), any other character 0, and an n-gram
is the number its digits spell in base B: different n-grams of one length spell
different numbers, and one with a 0 digit spells none of the model's (each length has its
own table: a 5-gram starting with a 0 digit would spell a 4-gram's number). The model's
65 characters give 66**5 < 2**31. A bigram is the pair of its words' rows in a table of
the model's words (``BatchModel._rows``), as one number.

The terms summed are the very values the per-text path sums, and ``math.fsum`` is exact
whatever their order, so the result is the same to the last bit
(tests/bot/sentiment/test_scorer_batch.py). Imported by the first batch only: numpy is
kept out of the bot's cold start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain, compress, count, repeat
from math import fsum
from operator import methodcaller
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from bot.sentiment.tokenizer import CHAR_MIN_LEN, CHAR_SIZES

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


class BatchModel:
    """A linear model's weight table, arranged for looking up a batch at once."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        grams = [f for f, w in weights.items() if f[:1] == "#" and len(f) - 1 in CHAR_SIZES and w]
        alphabet = sorted(set("".join(grams)))  # their "#" too: a digit for nothing
        self._base = len(alphabet) + 1
        if self._base ** max(CHAR_SIZES) > np.iinfo(np.int64).max:
            raise ValueError(f"{len(alphabet)} characters: n-grams overflow 64-bit integers")
        # Code point -> digit; every code point past the last letter reads the final 0.
        self._digit = np.zeros(max(map(ord, alphabet), default=0) + 2, np.int64)
        self._digit[[ord(c) for c in alphabet]] = np.arange(1, len(alphabet) + 1)
        self._grams: list[tuple[int, _Table]] = []
        for n in CHAR_SIZES:
            names = [f for f in grams if len(f) == n + 1]  # "#" and n characters
            keys = self._keys(self._digits("".join(names)), n)[1 :: n + 1]
            self._grams.append((n, _Table.of(keys, [weights[f] for f in names])))
        # Words -> a row of ``_own``; the halves of the bigrams (keys "a b" of one space)
        # get rows too, of weight 0 if they have none. No token has a space, nor a "#"
        # but "#" itself (``tokenizer.tokens``): the n-grams are left out.
        words = [f for f in weights if " " not in f and (f[:1] != "#" or f == "#")]
        self._rows = dict(zip(words, count()))
        pairs = [f for f, w in weights.items() if w and f.count(" ") == 1]
        split = methodcaller("split", " ")  # two strings a bigram: made twice, not kept
        self._rows.update(zip([h for h in dict.fromkeys(chain.from_iterable(map(split, pairs)))
                               if h not in self._rows], count(len(words))))
        self._own = np.zeros(len(self._rows))
        self._own[: len(words)] = np.fromiter(map(weights.__getitem__, words), np.float64,
                                              len(words))
        rows = np.fromiter(map(self._rows.__getitem__, chain.from_iterable(map(split, pairs))),
                           np.int64, 2 * len(pairs))
        self._bigrams = _Table.of(rows[0::2] * len(self._own) + rows[1::2],
                                  [weights[f] for f in pairs])

    def sums(self, segments: Sequence[list[str]]) -> tuple[list[float], list[int]]:
        """For each segment (a clause's negation-marked tokens): the exact sum of its
        distinct words' total weights (``word_totals``) and its distinct bigrams'
        weights, and its number of distinct words."""
        tokens = list(chain.from_iterable(segments))
        index: dict[str, int] = {}  # word -> the first of its tokens
        first = np.fromiter(map(index.setdefault, tokens, count()), np.int64, len(tokens))
        words = list(index)
        renumber = np.zeros(len(tokens), np.int64)
        renumber[np.fromiter(index.values(), np.int64, len(words))] = np.arange(len(words))
        ids = renumber[first]  # each token's word, 0 .. len(words) - 1
        rows = np.fromiter(map(self._rows.get, words, repeat(-1)), np.int64, len(words))
        totals = self.word_totals(words, np.where(rows >= 0, self._own[rows], 0.0))
        owner = np.repeat(np.arange(len(segments)), [len(s) for s in segments])
        # Distinct words of each segment: (segment, word) pairs, once each.
        word_owner, word = np.divmod(_distinct(owner * len(words) + ids), len(words))
        # Bigrams: neighbouring tokens of one segment, both words with a row.
        row = rows[ids]
        pair = np.flatnonzero((owner[:-1] == owner[1:]) & (row[:-1] >= 0) & (row[1:] >= 0))
        found, at = self._bigrams.find_at(row[pair] * len(self._own) + row[pair + 1])
        seen = _distinct(owner[pair[found]] * len(self._bigrams.keys) + at)
        bigram_owner, bigram = np.divmod(seen, len(self._bigrams.keys))
        sums = _exact_sums([word_owner, bigram_owner],
                           [totals[word], self._bigrams.values[bigram]], len(segments))
        return sums.tolist(), np.bincount(word_owner, minlength=len(segments)).tolist()

    def word_totals(self, words: Sequence[str], own: Floats) -> Floats:
        """Each word's own weight (``own``) plus its character n-grams' (none under
        ``CHAR_MIN_LEN`` letters), summed exactly: ``CriticScorer._word_weight``."""
        totals = np.where(own == 0, 0.0, own)  # -0.0 too: no term at all sums to 0.0
        lengths = np.fromiter(map(len, words), np.int64, len(words))
        long = np.flatnonzero(lengths >= CHAR_MIN_LEN)
        if not len(long):
            return totals
        # "<w1> <w2> ...": padded as char_grams pads; a separator's digit is set to 0
        # below, so no n-gram across two words matches, whatever the separator.
        starts = np.cumsum(lengths[long] + 3) - (lengths[long] + 3)
        digits = self._digits(
            "<" + "> <".join(compress(words, (lengths >= CHAR_MIN_LEN).tolist())) + ">")
        digits[starts[1:] - 1] = 0
        own_long = totals[long]
        groups, terms = [np.flatnonzero(own_long)], [own_long[own_long != 0]]
        for n, table in self._grams:
            found, values = table.find(self._keys(digits, n))
            groups.append(np.searchsorted(starts, found, "right") - 1)
            terms.append(values)
        totals[long] = _exact_sums(groups, terms, len(long))
        return totals

    def _digits(self, text: str) -> Ints:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
        digits: Ints = self._digit[np.minimum(codes, len(self._digit) - 1)]
        return digits

    def _keys(self, digits: Ints, n: int) -> Ints:
        """The number each run of ``n`` digits spells, one per start position."""
        count = max(0, len(digits) - n + 1)
        keys = digits[:count].copy()
        for k in range(1, n):
            keys *= self._base
            keys += digits[k : k + count]
        return keys


class _Table(NamedTuple):
    """Features as sorted distinct numbers with their weights, and a hash table on them.

    ``np.searchsorted`` costs ~150 ns a query (a binary search in ~40,000 numbers): too
    much for ~20 n-grams a word. ``slot`` answers for nearly all queries first: a slot
    per multiplicative hash of a number (Knuth), 8 times as many slots as numbers,
    holding the index of the one number that hashes there, -1 for none (most queries
    of new words stop there), -2 for several, which are then searched.
    """

    keys: Ints
    values: Floats
    slot: npt.NDArray[np.int32]
    shift: np.uint64

    @classmethod
    def of(cls, keys: Ints, values: Sequence[float]) -> _Table:
        order = np.argsort(keys)
        bits = max(1, (8 * len(keys)).bit_length())
        table = cls(keys[order], np.array(values, np.float64)[order],
                    np.full(1 << bits, -1, np.int32), np.uint64(64 - bits))
        slots = table.slots(table.keys)
        table.slot[slots] = np.arange(len(keys), dtype=np.int32)
        table.slot[np.bincount(slots, minlength=len(table.slot)) > 1] = -2
        return table

    def slots(self, keys: Ints) -> npt.NDArray[np.uint64]:
        hashed: npt.NDArray[np.uint64] = keys.view(np.uint64) * _GOLDEN
        return hashed >> self.shift

    def find_at(self, keys: Ints) -> tuple[Ints, Ints]:
        """Which of ``keys`` are the table's, and where in it (in no particular order)."""
        at = self.slot[self.slots(keys)]
        alone = np.flatnonzero(at >= 0)
        alone = alone[self.keys[at[alone]] == keys[alone]]
        shared = np.flatnonzero(at == -2)
        searched = np.minimum(np.searchsorted(self.keys, keys[shared]), len(self.keys) - 1)
        hit = self.keys[searched] == keys[shared]
        return (np.concatenate([alone, shared[hit]]),
                np.concatenate([at[alone], searched[hit]]).astype(np.int64))

    def find(self, keys: Ints) -> tuple[Ints, Floats]:
        """Which of ``keys`` are the table's, and their weights."""
        found, at = self.find_at(keys)
        return found, self.values[at]


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio, odd


def _exact_sums(groups: Sequence[Ints], terms: Sequence[Floats], count: int) -> Floats:
    """``math.fsum`` of each group's terms (``groups[i][j]`` is the group of
    ``terms[i][j]``), for groups 0 .. count - 1: one sort, then one C call per group of
    two terms or more (the sum of none is 0.0, of one that term)."""
    group = np.concatenate(groups)
    values = np.concatenate(terms)[np.argsort(group, kind="stable")]
    sizes = np.bincount(group, minlength=count)
    ends = np.cumsum(sizes)
    sums = np.zeros(count)
    sums[sizes == 1] = values[ends[sizes == 1] - 1]
    many = np.flatnonzero(sizes > 1)
    flat: list[float] = values.tolist()
    slices = map(slice, (ends - sizes)[many].tolist(), ends[many].tolist())
    sums[many] = np.fromiter(map(fsum, map(flat.__getitem__, slices)), np.float64, len(many))
    return sums


def _distinct(keys: Ints) -> Ints:
    """``np.unique(keys)``, 20x as fast on 25,000 numbers (numpy 2.4)."""
    ordered = np.sort(keys)
    first = np.ones(len(ordered), np.bool_)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first]
