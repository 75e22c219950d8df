"""Error correction for codex32 checksums (BIP-93, "Error Correction"): a BCH decoder.

Both codex32 checksums are BCH codes over GF(32) whose generators have eight consecutive
powers of an element of GF(1024) among their roots, so any 4 substituted characters can be
located and repaired: syndromes at those roots, Berlekamp-Massey for the error locator, a
Chien search for the positions and Forney's formula for the values. The field is built here as
GF(32)[z] / (z^2 + z + 1); in it, ``w = 34`` (``2z + 2``) has order 1023, and:

- the short checksum (13 characters) has roots ``a^9 .. a^16`` for ``a = w^11`` (order 93),
- the long checksum (15 characters) has roots ``a^-4 .. a^3`` for ``a = w^277`` (order 1023).

``tests/unit/test_codex32.py`` checks those roots against the generators the BIP gives.
A decoder only finds the nearest codeword: with more than 4 changes it may find a wrong one,
which is why BIP-93 says a correction is shown to the person and never used unconfirmed.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "LONG_ROOTS",
    "MAX_ERRORS",
    "SHORT_ROOTS",
    "fill_erasures",
    "find_errors",
    "gf32_mul",
    "gf1024_mul",
    "gf1024_pow",
]

MAX_ERRORS = 4
_SYNDROMES = 2 * MAX_ERRORS
_ORDER = 1023
_PRIMITIVE = 34
# (log of the BCH element a to the base w, the first root's exponent j0): roots a^j0 .. a^(j0+7)
SHORT_ROOTS = (11, 9)
LONG_ROOTS = (277, 1019)


def gf32_mul(a: int, b: int) -> int:
    """Multiply in GF(32) with the bech32 modulus x^5 + x^3 + 1 (BIP-93 ``bech32_mul``)."""
    res = 0
    for i in range(5):
        res ^= a if (b >> i) & 1 else 0
        a <<= 1
        a ^= 41 if a >= 32 else 0
    return res


def _mul_slow(a: int, b: int) -> int:
    """Multiply ``a0 + a1 z`` by ``b0 + b1 z`` in GF(1024), where ``z^2 = z + 1``."""
    a0, a1, b0, b1 = a & 31, a >> 5, b & 31, b >> 5
    high = gf32_mul(a1, b1)
    return (gf32_mul(a0, b0) ^ high) | (gf32_mul(a0, b1) ^ gf32_mul(a1, b0) ^ high) << 5


def _tables() -> tuple[tuple[int, ...], tuple[int, ...]]:
    exp = [1]
    for _ in range(_ORDER - 1):
        exp.append(_mul_slow(exp[-1], _PRIMITIVE))
    log = [0] * 1024
    for i, v in enumerate(exp):
        log[v] = i
    return tuple(exp), tuple(log)


_EXP, _LOG = _tables()


def gf1024_mul(a: int, b: int) -> int:
    """Multiply in the GF(1024) described in the module docstring."""
    if a == 0 or b == 0:
        return 0
    return _EXP[(_LOG[a] + _LOG[b]) % _ORDER]


def _div(a: int, b: int) -> int:
    return 0 if a == 0 else _EXP[(_LOG[a] - _LOG[b]) % _ORDER]


def gf1024_pow(log: int) -> int:
    """Return ``w^log`` in the GF(1024) described in the module docstring."""
    return _EXP[log % _ORDER]


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    """Evaluate ``sum(c_i x^i)`` (lowest degree first)."""
    acc = 0
    for c in reversed(coefficients):
        acc = gf1024_mul(acc, x) ^ c
    return acc


def _berlekamp_massey(syndromes: Sequence[int]) -> list[int]:
    """Return the error locator polynomial (lowest degree first) for ``syndromes``."""
    locator, previous = [1], [1]
    length, shift, last = 0, 1, 1
    for n, syndrome in enumerate(syndromes):
        discrepancy = syndrome
        for i in range(1, length + 1):
            if i < len(locator):
                discrepancy ^= gf1024_mul(locator[i], syndromes[n - i])
        if discrepancy == 0:
            shift += 1
            continue
        scale = _div(discrepancy, last)
        updated = locator + [0] * max(0, len(previous) + shift - len(locator))
        for i, c in enumerate(previous):
            updated[i + shift] ^= gf1024_mul(scale, c)
        if 2 * length <= n:
            previous, last, length, shift = locator, discrepancy, n + 1 - length, 1
        else:
            shift += 1
        locator = updated
    while len(locator) > 1 and locator[-1] == 0:
        locator.pop()
    return locator


def find_errors(residue: int, size: int, length: int, long: bool) -> dict[int, int] | None:
    """Locate up to 4 substituted characters from a checksum's residue.

    Args:
        residue: the polymod of the received data XOR the code's constant (0 means valid),
            as ``size`` 5-bit coefficients, lowest degree in the lowest bits.
        size: the checksum length, 13 or 15.
        length: the number of characters of data and checksum (after ``ms1``).
        long: whether this is the long checksum.

    Returns:
        The data index of each changed character and the GF(32) value to XOR into it, or
        ``None`` when no pattern of at most 4 changes explains the residue.
    """
    alpha_log, first = LONG_ROOTS if long else SHORT_ROOTS
    coefficients = [(residue >> 5 * i) & 31 for i in range(size)]
    syndromes = [
        _evaluate(coefficients, gf1024_pow(alpha_log * (first + m))) for m in range(_SYNDROMES)
    ]
    if not any(syndromes):
        return None
    locator = _berlekamp_massey(syndromes)
    count = len(locator) - 1
    if not 1 <= count <= MAX_ERRORS:
        return None
    # Omega(x) = S(x) Lambda(x) mod x^8; Lambda' keeps the odd terms (characteristic 2).
    evaluator = [0] * _SYNDROMES
    for i, s in enumerate(syndromes):
        for j, c in enumerate(locator):
            if i + j < _SYNDROMES:
                evaluator[i + j] ^= gf1024_mul(s, c)
    derivative = [c if i % 2 == 1 else 0 for i, c in enumerate(locator)][1:]
    found: dict[int, int] = {}
    for index in range(length):
        degree = length - 1 - index
        inverse = gf1024_pow(-alpha_log * degree)
        if _evaluate(locator, inverse) != 0:
            continue
        denominator = _evaluate(derivative, inverse)
        if denominator == 0:
            return None
        # Forney with the first root at a^j0: e = X^(1 - j0) Omega(X^-1) / Lambda'(X^-1).
        value = gf1024_mul(
            gf1024_pow(alpha_log * degree * (1 - first)),
            _div(_evaluate(evaluator, inverse), denominator),
        )
        if value == 0 or value >= 32:  # a change is a nonzero element of GF(32)
            return None
        found[index] = value
    return found if len(found) == count else None


def _gf32_inverse(a: int) -> int:
    return next(b for b in range(1, 32) if gf32_mul(a, b) == 1)


def fill_erasures(columns: Sequence[int], target: int, size: int) -> list[int] | None:
    """Solve for the values of unreadable characters at known positions (erasures).

    BIP-93 "Error Correction": up to 8 erasures anywhere, or up to ``size`` in a row, are
    determined by the checksum. This solves ``sum(v_j * columns[j]) == target`` over GF(32),
    coefficient by coefficient, by Gaussian elimination.

    Args:
        columns: for each erased position, the residue a value of 1 there adds.
        target: the residue to explain (received polymod XOR the code's constant).
        size: the checksum length, 13 or 15.

    Returns:
        The value of each erased character (0 is a valid value, ``q``), or ``None`` when no
        values, or more than one set of values, make the string valid.
    """
    unknowns = len(columns)
    rows = [
        [(column >> 5 * i) & 31 for column in columns] + [(target >> 5 * i) & 31]
        for i in range(size)
    ]
    pivots: list[int] = []
    row = 0
    for col in range(unknowns):
        pivot = next((r for r in range(row, size) if rows[r][col]), None)
        if pivot is None:
            return None  # two fillings would both be valid: nothing to suggest
        rows[row], rows[pivot] = rows[pivot], rows[row]
        inverse = _gf32_inverse(rows[row][col])
        rows[row] = [gf32_mul(v, inverse) for v in rows[row]]
        for r in range(size):
            if r != row and rows[r][col]:
                factor = rows[r][col]
                rows[r] = [v ^ gf32_mul(factor, p) for v, p in zip(rows[r], rows[row], strict=True)]
        pivots.append(row)
        row += 1
    if any(rows[r][unknowns] for r in range(row, size)):
        return None  # inconsistent: other characters are wrong too
    return [rows[p][unknowns] for p in pivots]
