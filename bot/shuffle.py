"""A seeded pseudo-random permutation of ``range(n)`` computed one index at a time.

A channel's "no repeat until every quote was seen" deck is then just (seed, position):
the quote at ``position`` is ``permute(seed, n, position)``, so nothing of size n is
stored or shuffled, and a draw costs the same at a thousand quotes or a million.
It is a 4-round Feistel network over the next even power of two, cycle-walking back into
``range(n)`` (fewer than 4 steps on average).
"""

from __future__ import annotations

import hashlib

_ROUNDS = 4


def _round(seed: int, r: int, half: int, bits: int) -> int:
    digest = hashlib.blake2b(
        half.to_bytes(8, "little"), digest_size=8, key=seed.to_bytes(8, "little") + bytes([r])
    ).digest()
    return int.from_bytes(digest, "little") & ((1 << bits) - 1)


def permute(seed: int, n: int, index: int) -> int:
    """The ``index``-th element of the permutation of ``range(n)`` chosen by ``seed``."""
    if not 0 <= index < n:
        raise IndexError(f"index {index} outside range({n})")
    if n == 1:
        return 0
    half_bits = max(1, ((n - 1).bit_length() + 1) // 2)
    mask = (1 << half_bits) - 1
    x = index
    while True:
        left, right = x >> half_bits, x & mask
        for r in range(_ROUNDS):
            left, right = right, left ^ _round(seed, r, right, half_bits)
        x = (left << half_bits) | right
        if x < n:
            return x
