"""Errors of the UR codecs: every one is a ``ValueError`` naming what is wrong."""

from __future__ import annotations

__all__ = [
    "BytewordsError",
    "CborError",
    "FountainError",
    "MixedPayloadsError",
    "RegistryError",
    "UrError",
]


class UrError(ValueError):
    """Root of the errors of ``primitives.ur``: the input is not a valid UR."""


class BytewordsError(UrError):
    """The text is not valid Bytewords (an unknown word, too short, a bad checksum)."""


class CborError(UrError):
    """The bytes are not the CBOR this codec reads (malformed, or not deterministic)."""


class FountainError(UrError):
    """A multi-part UR frame is malformed or inconsistent with itself."""


class MixedPayloadsError(FountainError):
    """A frame belongs to another message than the frames already received."""


class RegistryError(UrError):
    """A registry type (crypto-psbt, crypto-hdkey, ...) has missing or invalid fields."""
