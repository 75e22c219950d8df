"""Blockchain Commons Uniform Resources: Bytewords, CBOR, fountain codes, registry types.

BCR-2020-005 (UR and multi-part fountain codes), BCR-2020-012 (Bytewords), BCR-2020-006
and BCR-2020-007/010/015 (registry types). Pure codecs: no network, no secrets.
"""

from primitives.ur.errors import (
    BytewordsError,
    CborError,
    FountainError,
    MixedPayloadsError,
    RegistryError,
    UrError,
)
from primitives.ur.fountain import Progress
from primitives.ur.ur import UR, UrDecoder, UrEncoder, decode_single, encode_single

__all__ = [
    "UR",
    "BytewordsError",
    "CborError",
    "FountainError",
    "MixedPayloadsError",
    "Progress",
    "RegistryError",
    "UrDecoder",
    "UrEncoder",
    "UrError",
    "decode_single",
    "encode_single",
]
