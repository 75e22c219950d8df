"""The random generator of BC-UR fountain codes (BCR-2020-005): Xoshiro256** and a sampler.

Both sides of an animated QR must draw the very same numbers: the generator is seeded from
SHA-256 (the four state words read big-endian, as the reference ``bc-ur`` does), doubles are
``next() / 2**64``, and the degree sampler is Vose's alias method built in the reference's
order. Any difference makes frames that another wallet cannot decode.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

__all__ = ["RandomSampler", "Xoshiro256"]

_MASK = (1 << 64) - 1


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK


class Xoshiro256:
    """Xoshiro256** (Blackman and Vigna), seeded from 32 bytes."""

    __slots__ = ("_s",)

    def __init__(self, seed32: bytes) -> None:
        """Seed from exactly 32 bytes: four big-endian 64-bit words."""
        if len(seed32) != 32:
            raise ValueError("Xoshiro256 needs a 32-byte seed.")
        self._s = [int.from_bytes(seed32[i : i + 8], "big") for i in range(0, 32, 8)]

    @classmethod
    def from_bytes(cls, data: bytes) -> Xoshiro256:
        """Return a generator seeded with SHA-256 of ``data``."""
        return cls(hashlib.sha256(data).digest())

    def next(self) -> int:
        """Return the next 64-bit output."""
        s = self._s
        result = (_rotl((s[1] * 5) & _MASK, 7) * 9) & _MASK
        t = (s[1] << 17) & _MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def next_double(self) -> float:
        """Return a float in [0, 1): the next output over 2**64."""
        return float(self.next()) / 18446744073709551616.0

    def next_int(self, low: int, high: int) -> int:
        """Return an integer in [low, high], as the reference draws it (from a double)."""
        return int(self.next_double() * (high - low + 1)) + low

    def next_byte(self) -> int:
        """Return a byte (0..255)."""
        return self.next_int(0, 255)

    def next_data(self, count: int) -> bytes:
        """Return ``count`` bytes."""
        return bytes(self.next_byte() for _ in range(count))


class RandomSampler:
    """Draw an index with the given weights (Vose's alias method, as in ``bc-ur``)."""

    __slots__ = ("_aliases", "_probs")

    def __init__(self, weights: Sequence[float]) -> None:
        """Build the alias tables for ``weights`` (non-negative, not all zero)."""
        n = len(weights)
        total = 0.0
        for w in weights:
            total += w
        scaled = [w * n / total for w in weights]
        small = [i for i in range(n - 1, -1, -1) if scaled[i] < 1.0]
        large = [i for i in range(n - 1, -1, -1) if scaled[i] >= 1.0]
        probs = [0.0] * n
        aliases = [0] * n
        while small and large:
            a = small.pop()
            g = large.pop()
            probs[a] = scaled[a]
            aliases[a] = g
            scaled[g] += scaled[a] - 1.0
            (small if scaled[g] < 1.0 else large).append(g)
        for i in large + small:
            probs[i] = 1.0
        self._probs = probs
        self._aliases = aliases

    def next(self, draw: Callable[[], float]) -> int:
        """Return an index, drawing two doubles from ``draw``."""
        r1 = draw()
        r2 = draw()
        i = int(len(self._probs) * r1)
        return i if r2 < self._probs[i] else self._aliases[i]
