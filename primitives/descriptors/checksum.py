"""The BIP-380 descriptor checksum: compute, verify and append.

An 8-character BCH code over the descriptor's characters (BIP-380 "Checksum"), in the form
Bitcoin Core's ``DescriptorChecksum`` computes it: each character contributes its position
in ``INPUT_CHARSET`` modulo 32, and every group of three characters adds their classes
(position divided by 32).
"""

from __future__ import annotations

from primitives.descriptors.errors import ChecksumError, DescriptorSyntaxError

__all__ = ["add_checksum", "descriptor_checksum", "split_checksum"]

_INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    'ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
)
_CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATORS = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)


def _polymod(c: int, value: int) -> int:
    top = c >> 35
    c = ((c & 0x7FFFFFFFF) << 5) ^ value
    for i, generator in enumerate(_GENERATORS):
        if (top >> i) & 1:
            c ^= generator
    return c


def descriptor_checksum(body: str) -> str:
    """Return the 8-character BIP-380 checksum of a descriptor without its ``#`` suffix.

    Raises:
        DescriptorSyntaxError: a character outside the descriptor character set (its
            position is given; the character is not echoed, it may belong to a key).
    """
    c = 1
    cls = 0
    count = 0
    for position, ch in enumerate(body):
        pos = _INPUT_CHARSET.find(ch)
        if pos < 0:
            raise DescriptorSyntaxError(
                f"Character {position} is not allowed in a descriptor.", position
            )
        c = _polymod(c, pos & 31)
        cls = cls * 3 + (pos >> 5)
        count += 1
        if count == 3:
            c = _polymod(c, cls)
            cls = 0
            count = 0
    if count:
        c = _polymod(c, cls)
    for _ in range(8):
        c = _polymod(c, 0)
    c ^= 1
    return "".join(_CHECKSUM_CHARSET[(c >> (5 * (7 - j))) & 31] for j in range(8))


def add_checksum(body: str) -> str:
    """Return ``body#checksum``.

    Raises:
        DescriptorSyntaxError: as ``descriptor_checksum``.
    """
    return f"{body}#{descriptor_checksum(body)}"


def split_checksum(text: str, require: bool = False) -> str:
    """Verify the checksum of ``text`` if it has one and return the descriptor without it.

    Args:
        text: a descriptor, with or without ``#checksum``.
        require: refuse a descriptor without a checksum.

    Raises:
        ChecksumError: a missing (when required), malformed or wrong checksum, or more than
            one ``#``.
        DescriptorSyntaxError: a character outside the descriptor character set.
    """
    body, sep, given = text.partition("#")
    if not sep:
        if require:
            raise ChecksumError("The descriptor has no checksum (#...).", len(text))
        descriptor_checksum(body)
        return body
    if "#" in given:
        raise ChecksumError(
            "The descriptor has more than one '#'.", len(body) + 1 + given.index("#")
        )
    if len(given) != 8:
        raise ChecksumError(
            f"A descriptor checksum has 8 characters; this one has {len(given)}.", len(body) + 1
        )
    expected = descriptor_checksum(body)
    if given != expected:
        raise ChecksumError(
            f"Provided checksum '{given}' does not match computed checksum '{expected}'.",
            len(body) + 1,
        )
    return body
