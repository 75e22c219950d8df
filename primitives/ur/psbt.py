"""The ``crypto-psbt`` registry type (BCR-2020-006): a PSBT as a CBOR byte string.

Sparrow, Keystone, Passport and Coldcard write ``ur:crypto-psbt``; the newer registry names
the same thing ``ur:psbt`` (tag 40310). Both are read; ``crypto-psbt`` is written, since every
signer in use reads it.
"""

from __future__ import annotations

from primitives.ur import cbor
from primitives.ur.errors import CborError, RegistryError
from primitives.ur.ur import UR

__all__ = ["PSBT_TYPES", "TAG_CRYPTO_PSBT", "TAG_PSBT", "psbt_from_ur", "psbt_to_ur"]

TAG_CRYPTO_PSBT = 310
TAG_PSBT = 40310
PSBT_TYPES = ("crypto-psbt", "psbt")


def psbt_to_ur(psbt: bytes, ur_type: str = "crypto-psbt") -> UR:
    """Return the binary ``psbt`` as a ``crypto-psbt`` (or ``psbt``) UR."""
    if ur_type not in PSBT_TYPES:
        raise RegistryError(f"{ur_type!r} is not a PSBT UR type.")
    return UR(ur_type, cbor.encode(psbt))


def psbt_from_ur(ur: UR) -> bytes:
    """Return the binary PSBT a ``crypto-psbt`` or ``psbt`` UR carries.

    The PSBT's own structure is not checked here (``primitives.psbt`` does that).

    Raises:
        RegistryError: the UR is of another type, or its CBOR is not a byte string.
    """
    if ur.type not in PSBT_TYPES:
        raise RegistryError(f"This UR is a {ur.type}, not a PSBT.")
    try:
        item = cbor.decode(ur.cbor)
    except CborError as err:
        raise RegistryError(f"The {ur.type} UR holds invalid CBOR: {err}") from err
    if isinstance(item, cbor.Tag) and item.tag in (TAG_CRYPTO_PSBT, TAG_PSBT):
        item = item.value  # some writers tag the top-level item; the spec does not
    if not isinstance(item, bytes) or not item:
        raise RegistryError(f"The {ur.type} UR does not hold the PSBT's bytes.")
    return item
