"""codex32 (BIP-93): checksummed, Shamir-shared BIP-32 master seeds.

A codex32 string is ``ms1`` + threshold digit + 4-character identifier + share index +
payload + checksum, all in the bech32 alphabet. The checksum is a BCH code over GF(32): 13
characters for data parts up to 93 characters ("Checksum"), 15 for the long form of 96 to 124
characters ("Long codex32"). Shares are points of a polynomial over GF(32) evaluated
character by character; the secret is the point at index ``s`` ("Recovering Secret").

Error correction (BIP-93, "Error Correction"): the code's distance of 9 lets up to 4
substituted characters be located and repaired (``primitives.codex32_bch``); the repair is
suggested, never applied, since the BIP says a correction must be confirmed by the person.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from primitives.codex32_bch import MAX_ERRORS, fill_erasures, find_errors
from primitives.codex32_bch import gf32_mul as _mul

__all__ = [
    "SHARE_INDICES",
    "Codex32ChecksumError",
    "Codex32Error",
    "Codex32MismatchError",
    "Codex32String",
    "Correction",
    "correct",
    "decode",
    "encode_secret",
    "interpolate",
    "recover_seed",
    "split_seed",
]

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_INDEX = {c: i for i, c in enumerate(CHARSET)}
# Share indices in the order BIP-93 "For a fresh secret" hands them out: letters
# alphabetically (a, c, d, ...), then digits; "s" is the secret and never a share.
SHARE_INDICES = "acdefghjklmnpqrtuvwxyz023456789"
_HRP = "ms"

_CONST = 0x10CE0795C2FD1E62A
_GEN = (0x19DC500CE73FDE210, 0x1BFAE00DEF77FE529, 0x1FBD920FFFE7BEE52, 0x1739640BDEEE3FDAD,
        0x07729A039CFC75F5A)  # fmt: skip
_LONG_CONST = 0x43381E570BF4798AB26
_LONG_GEN = (0x3D59D273535EA62D897, 0x7A9BECB6361C6C51507, 0x543F9B7E6C38D8A2A0E,
             0x0C577EAECCF1990D13C, 0x1887F74F8DC71B10651)  # fmt: skip
_INIT = 0x23181B3
_BECH32_INV = (0, 1, 20, 24, 10, 8, 12, 29, 5, 11, 4, 9, 6, 28, 26, 31,
               22, 18, 17, 23, 2, 25, 16, 19, 3, 21, 14, 30, 13, 7, 27, 15)  # fmt: skip
_SHORT_MAX_DATA = 93
_LONG_MIN_DATA = 96
_LONG_MAX_DATA = 124
_HEADER = 6


class Codex32Error(ValueError):
    """A codex32 string or set of shares is refused; the message says why."""


class Codex32ChecksumError(Codex32Error):
    """The checksum fails; ``correction`` holds the suggested string when one is found."""

    def __init__(self, message: str, correction: Correction | None = None) -> None:
        super().__init__(message)
        self.correction = correction


class Codex32MismatchError(Codex32Error):
    """Shares do not belong together (identifier, threshold, length or a repeated index)."""


@dataclass(frozen=True, slots=True)
class Correction:
    """A suggested repair of a damaged codex32 string.

    Attributes:
        corrected: the repaired string, in the case of the input.
        positions: 0-based positions of the changed characters in the whole string.
    """

    corrected: str = field(repr=False)
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Codex32String:
    """A valid codex32 string: a secret (index ``s``) or a share.

    Attributes:
        threshold: the threshold digit (0 for an unshared secret).
        identifier: the 4-character identifier, lowercase.
        share_index: the share index character, lowercase (``s`` for the secret).
        payload: the payload as 5-bit values (secret material: kept out of ``repr``).
    """

    threshold: int
    identifier: str
    share_index: str
    payload: tuple[int, ...] = field(repr=False)

    @property
    def is_secret(self) -> bool:
        """Return whether this is the secret itself (share index ``s``)."""
        return self.share_index == "s"

    @property
    def is_long(self) -> bool:
        """Return whether this string uses the long (15-character) checksum."""
        return _HEADER + len(self.payload) > _SHORT_MAX_DATA - 13

    def data(self) -> list[int]:
        """Return the data part without the checksum as 5-bit values."""
        header = str(self.threshold) + self.identifier + self.share_index
        return [_INDEX[c] for c in header] + list(self.payload)

    def __str__(self) -> str:
        return _encode_data(self.data())

    def seed(self) -> bytes:
        """Return the master seed this secret encodes (BIP-93 "Unshared Secret").

        Raises:
            Codex32Error: this is a share, not the secret.
        """
        if not self.is_secret:
            raise Codex32Error(f"Share {self.share_index.upper()} is a share, not the secret.")
        return _payload_bytes(self.payload)


def _polymod(values: Sequence[int], long: bool) -> int:
    gen, top, mask = (_LONG_GEN, 70, (1 << 70) - 1) if long else (_GEN, 60, (1 << 60) - 1)
    residue = _INIT
    for v in values:
        b = residue >> top
        residue = (residue & mask) << 5 ^ v
        for i in range(5):
            residue ^= gen[i] if (b >> i) & 1 else 0
    return residue


def _checksum_kind(length: int) -> bool | None:
    """Return ``True`` for the long checksum, ``False`` for the short, ``None`` if neither."""
    if length >= _LONG_MIN_DATA:
        return True if length <= _LONG_MAX_DATA else None
    return False if length <= _SHORT_MAX_DATA else None


def _verify(data: Sequence[int]) -> bool:
    long = _checksum_kind(len(data))
    if long is None:
        return False
    return _polymod(data, long) == (_LONG_CONST if long else _CONST)


def _create_checksum(data: Sequence[int]) -> list[int]:
    long = len(data) > _SHORT_MAX_DATA - 13
    size, const = (15, _LONG_CONST) if long else (13, _CONST)
    polymod = _polymod([*data, *([0] * size)], long) ^ const
    return [(polymod >> 5 * (size - 1 - i)) & 31 for i in range(size)]


def _encode_data(data: Sequence[int]) -> str:
    return _HRP + "1" + "".join(CHARSET[d] for d in [*data, *_create_checksum(data)])


def _payload_bytes(payload: Sequence[int]) -> bytes:
    bits = 5 * len(payload)
    acc = 0
    for v in payload:
        acc = acc << 5 | v
    size = bits // 8
    return (acc >> (bits - 8 * size)).to_bytes(size, "big")


def _payload_from_seed(seed: bytes) -> tuple[int, ...]:
    count = -(-8 * len(seed) // 5)
    acc = int.from_bytes(seed, "big") << (5 * count - 8 * len(seed))
    return tuple((acc >> 5 * (count - 1 - i)) & 31 for i in range(count))


def _and_list(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _where(position: int) -> str:
    """Name a 0-based position as a person finds it on paper: its number and group of 4."""
    return f"{position + 1} (group {position // 4 + 1})"


def _check_identifier(identifier: str) -> str:
    ident = identifier.lower()
    if (
        len(ident) != 4
        or any(c not in _INDEX for c in ident)
        or identifier not in (ident, ident.upper())
    ):
        shown = ascii(identifier) if len(identifier) <= 12 else f"of {len(identifier)} characters"
        raise Codex32Error(
            f"The identifier {shown} must be 4 characters of the bech32 alphabet ({CHARSET})."
        )
    return ident


def _check_seed(seed: bytes) -> None:
    if not 16 <= len(seed) <= 64:
        raise Codex32Error(f"A master seed has 16 to 64 bytes, not {len(seed)}.")


def decode(text: str) -> Codex32String:
    """Parse and check a codex32 string (BIP-93 ``ms32_decode`` and "Master seed format").

    Args:
        text: the string, all lowercase or all uppercase; spaces and dashes between groups
            are ignored.

    Returns:
        The parsed string.

    Raises:
        Codex32ChecksumError: the checksum fails, or characters outside the alphabet (``?``
            for an unreadable one) need filling in; ``correction`` holds a suggestion when up
            to 4 changed characters explain it, or the checksum determines the missing ones.
        Codex32Error: any other fault (case, prefix, length, threshold, padding).
    """
    compact = "".join(text.split()).replace("-", "")
    if any(not 33 <= ord(c) <= 126 for c in compact):
        raise Codex32Error("A codex32 string holds only printable ASCII characters.")
    if compact not in (compact.lower(), compact.upper()):
        raise Codex32Error("A codex32 string is all lowercase or all uppercase, not mixed.")
    lower = compact.lower()
    # BIP-93's decoder splits at the last "1"; as "1" never appears after the separator, a
    # valid string starts with "ms1" either way, and a stray "1" later is one to repair.
    if not lower.startswith(_HRP + "1"):
        raise Codex32Error("A codex32 master seed string starts with MS1.")
    pos = len(_HRP)
    body = lower[pos + 1 :]
    erased = [i for i, c in enumerate(body) if c not in _INDEX]
    data = [_INDEX.get(c, 0) for c in body]
    long = _checksum_kind(len(data))
    if long is None or len(data) < _HEADER + 26 + 13:
        raise Codex32Error(
            f"A codex32 string has 48 to 127 characters and never 97 or 98; this one has "
            f"{len(compact)}."
        )
    if erased:
        _suggest_filling(compact, data, erased, long)
    if not _verify(data):
        found = _find_correction(data, long)
        if found is None:
            raise Codex32ChecksumError(
                f"The checksum fails and more than {MAX_ERRORS} characters would have to "
                "change: check the share against the paper again."
            )
        fixed, where = found
        corrected = _HRP + "1" + "".join(CHARSET[v] for v in fixed)
        if compact.isupper():
            corrected = corrected.upper()
        positions = tuple(pos + 1 + p for p in where)
        # The message names the positions and the new characters, never the whole string: a
        # share is secret material and messages end up in logs.
        noun = "characters" if len(positions) > 1 else "character"
        raise Codex32ChecksumError(
            f"The checksum fails; changing {noun} {_and_list([_where(p) for p in positions])} "
            f"to {_and_list([corrected[p] for p in positions])} gives a valid string: check it "
            "against the paper and enter it again.",
            Correction(corrected, positions),
        )
    size = 15 if long else 13
    threshold_char, identifier, index = body[0], body[1:5], body[5]
    if not threshold_char.isdigit() or threshold_char == "1":
        raise Codex32Error(
            f"The threshold {threshold_char.upper()!r} must be a digit 2 to 9 (or 0 for an "
            "unshared secret)."
        )
    if threshold_char == "0" and index != "s":
        raise Codex32Error("A threshold of 0 is only allowed on the secret (share index S).")
    payload = tuple(data[_HEADER:-size])
    if 5 * len(payload) % 8 > 4 or not 16 <= 5 * len(payload) // 8 <= 64:
        raise Codex32Error(
            f"The payload of {len(payload)} characters is not a 16 to 64 byte master seed."
        )
    return Codex32String(int(threshold_char), identifier, index, payload)


def _suggest_filling(compact: str, data: list[int], erased: list[int], long: bool) -> NoReturn:
    """Refuse a string with characters outside the alphabet, suggesting what fits there.

    BIP-93 recommends reading ``?`` and other characters outside the alphabet as erasures
    (unreadable characters at known places) and suggesting the string that fills them in.
    """
    offset = len(_HRP) + 1
    size = 15 if long else 13
    rule = "(B, I, O and 1 never appear after MS1; ? marks an unreadable character)"
    if len(erased) > size:
        raise Codex32ChecksumError(
            f"{len(erased)} characters are not in the bech32 alphabet {rule}: too many for "
            "the checksum to fill in."
        )
    noun = "Characters" if len(erased) > 1 else "Character"
    what = (
        f"{noun} {_and_list([_where(offset + i) for i in erased])} "
        f"({_and_list([ascii(compact[offset + i]) for i in erased])}) "
        f"{'are' if len(erased) > 1 else 'is'} not in the bech32 alphabet {rule}"
    )
    zero = _polymod([0] * len(data), long)
    columns = []
    for i in erased:
        unit = [0] * len(data)
        unit[i] = 1
        columns.append(_polymod(unit, long) ^ zero)
    residue = _polymod(data, long) ^ (_LONG_CONST if long else _CONST)
    values = fill_erasures(columns, residue, size)
    fixed = list(data)
    for i, value in zip(erased, values or [], strict=False):
        fixed[i] = value
    if values is None or not _verify(fixed):
        raise Codex32ChecksumError(
            f"{what}, and nothing put there gives a valid string: check the share against "
            "the paper again."
        )
    corrected = _HRP + "1" + "".join(CHARSET[v] for v in fixed)
    if compact.isupper():
        corrected = corrected.upper()
    positions = tuple(offset + i for i in erased)
    raise Codex32ChecksumError(
        f"{what}; putting {_and_list([corrected[p] for p in positions])} there gives a valid "
        "string: check it against the paper and enter it again.",
        Correction(corrected, positions),
    )


def encode_secret(seed: bytes, threshold: int, identifier: str) -> Codex32String:
    """Encode a master seed as the codex32 secret, share index ``s`` (padding bits zero).

    Args:
        seed: the BIP-32 master seed, 16 to 64 bytes.
        threshold: 0 (unshared) or 2 to 9.
        identifier: 4 bech32 characters.

    Raises:
        Codex32Error: a bad seed length, threshold or identifier.
    """
    _check_seed(seed)
    if threshold != 0 and not 2 <= threshold <= 9:
        raise Codex32Error(f"The threshold must be 2 to 9 (or 0 for no shares), not {threshold}.")
    return Codex32String(threshold, _check_identifier(identifier), "s", _payload_from_seed(seed))


def interpolate(shares: Sequence[Codex32String], index: str) -> Codex32String:
    """Return the string at share ``index`` from exactly ``k`` shares (``ms32_interpolate``).

    Raises:
        Codex32MismatchError: the shares do not belong together.
    """
    _check_set(shares, exact=True)
    xs = [_INDEX[s.share_index] for s in shares]
    x = _INDEX[index]
    if x in xs:
        return shares[xs.index(x)]
    weights = _lagrange(xs, x)
    rows = [s.data() for s in shares]
    out = [0] * len(rows[0])
    for weight, row in zip(weights, rows, strict=True):
        for i, v in enumerate(row):
            out[i] ^= _mul(weight, v)
    return Codex32String(shares[0].threshold, shares[0].identifier, index, tuple(out[_HEADER:]))


def _lagrange(xs: Sequence[int], x: int) -> list[int]:
    """Return the Lagrange weights at ``x`` for points ``xs`` (BIP-93 ``bech32_lagrange``)."""
    n = 1
    denominators = []
    for i in xs:
        n = _mul(n, i ^ x)
        m = 1
        for j in xs:
            m = _mul(m, (x if i == j else i) ^ j)
        denominators.append(m)
    return [_mul(n, _BECH32_INV[d]) for d in denominators]


def _check_set(shares: Sequence[Codex32String], *, exact: bool) -> None:
    if not shares:
        raise Codex32MismatchError("No shares were given.")
    first = shares[0]
    for share in shares[1:]:
        if share.identifier != first.identifier:
            raise Codex32MismatchError(
                f"Share {share.share_index.upper()} is from set {share.identifier.upper()}, "
                f"the others from set {first.identifier.upper()}."
            )
        if share.threshold != first.threshold:
            raise Codex32MismatchError(
                f"Share {share.share_index.upper()} has threshold {share.threshold}, the "
                f"others {first.threshold}."
            )
        if len(share.payload) != len(first.payload):
            raise Codex32MismatchError(
                f"Share {share.share_index.upper()} has a different length from the others."
            )
    seen: set[str] = set()
    for share in shares:
        if share.share_index in seen:
            raise Codex32MismatchError(
                f"Share {share.share_index.upper()} was given twice; each share counts once."
            )
        seen.add(share.share_index)
    k = first.threshold
    if first.is_secret and len(shares) == 1:
        return
    if k == 0 or len(shares) < k or (exact and len(shares) != k):
        raise Codex32MismatchError(
            f"Set {first.identifier.upper()} needs {k} shares; {len(shares)} "
            f"{'was' if len(shares) == 1 else 'were'} given."
        )


def recover_seed(shares: Sequence[Codex32String]) -> bytes:
    """Return the master seed from the secret or from at least ``k`` shares of one set.

    Shares beyond the threshold must agree with the first ``k``: a share that does not is
    named rather than silently ignored.

    Raises:
        Codex32MismatchError: mixed sets or thresholds, a repeated index, too few shares, or
            a surplus share that does not fit the others.
    """
    secret = next((s for s in shares if s.is_secret), None)
    if secret is not None and len(shares) == 1:
        return secret.seed()
    _check_set(shares, exact=False)
    k = shares[0].threshold
    base = list(shares[:k])
    for extra in shares[k:]:
        if interpolate(base, extra.share_index).payload != extra.payload:
            raise Codex32MismatchError(
                f"Share {extra.share_index.upper()} does not fit the other shares of set "
                f"{extra.identifier.upper()}."
            )
    return interpolate(base, "s").seed()


def split_seed(
    seed: bytes,
    threshold: int,
    count: int,
    identifier: str,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> list[Codex32String]:
    """Split a master seed into ``count`` shares, any ``threshold`` of which restore it.

    BIP-93 "For an existing secret": the secret at index ``s`` and ``threshold - 1`` random
    shares at ``a``, ``c``, ... fix the polynomial; the remaining shares are interpolated.

    Args:
        seed: the BIP-32 master seed, 16 to 64 bytes.
        threshold: k, 2 to 9.
        count: n, from k to 31.
        identifier: 4 bech32 characters naming the set.
        random_bytes: the source of randomness for the free shares.

    Returns:
        The shares in index order (the secret itself is not among them).

    Raises:
        Codex32Error: a bad seed length, threshold, count or identifier.
    """
    secret = encode_secret(seed, threshold, identifier)
    if threshold == 0:
        raise Codex32Error("The threshold must be 2 to 9.")
    if not threshold <= count <= len(SHARE_INDICES):
        raise Codex32Error(
            f"The number of shares must be from the threshold ({threshold}) to "
            f"{len(SHARE_INDICES)}, not {count}."
        )
    size = len(secret.payload)
    free = [
        Codex32String(
            threshold,
            secret.identifier,
            index,
            tuple(b & 31 for b in random_bytes(size)),
        )
        for index in SHARE_INDICES[: threshold - 1]
    ]
    basis = [secret, *free]
    derived = [interpolate(basis, index) for index in SHARE_INDICES[threshold - 1 : count]]
    return [*free, *derived]


def _find_correction(data: list[int], long: bool) -> tuple[list[int], tuple[int, ...]] | None:
    size = 15 if long else 13
    residue = _polymod(data, long) ^ (_LONG_CONST if long else _CONST)
    errors = find_errors(residue, size, len(data), long)
    if errors is None:
        return None
    fixed = list(data)
    for index, value in errors.items():
        fixed[index] ^= value
    # The decoder's answer is checked again: a wrong repair must never be shown as valid.
    return (fixed, tuple(sorted(errors))) if _verify(fixed) else None


def correct(text: str) -> Correction | None:
    """Return the suggested repair of a damaged codex32 string, or ``None`` if it is valid.

    Raises:
        Codex32Error: the string cannot be repaired (the message says why).
    """
    try:
        decode(text)
    except Codex32ChecksumError as err:
        if err.correction is None:
            raise
        return err.correction
    return None
