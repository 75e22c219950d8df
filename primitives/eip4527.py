"""EIP-4527 ``eth-sign-request`` and ``eth-signature``: EVM signing over BC-UR QR codes.

The watch-only side sends an ``eth-sign-request`` (the unsigned data, its type, the chain id,
the key path of the signing key, optionally the expected address and a request id); the
offline signer answers with an ``eth-signature`` (the request id and the 65-byte r, s, v).
CBOR maps as in the EIP's CDDL and Keystone's ``ur-registry-eth`` (the reference the EIP
names): request id as a UUID tagged 37, key path as ``crypto-keypath`` tagged 304.
Spec: https://eips.ethereum.org/EIPS/eip-4527.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from primitives.ur import cbor
from primitives.ur.cbor import CborValue, Tag
from primitives.ur.errors import CborError, RegistryError
from primitives.ur.keys import Keypath
from primitives.ur.ur import UR

__all__ = [
    "TAG_ETH_SIGNATURE",
    "TAG_ETH_SIGN_REQUEST",
    "TAG_UUID",
    "EthDataType",
    "EthSignRequest",
    "EthSignature",
]

TAG_ETH_SIGN_REQUEST = 401
TAG_ETH_SIGNATURE = 402
TAG_UUID = 37


class EthDataType(enum.IntEnum):
    """What ``sign_data`` is (EIP-4527 ``sign-data-type``)."""

    TRANSACTION = 1  # legacy transaction, RLP of the unsigned fields
    TYPED_DATA = 2  # EIP-712 typed data, the JSON document's bytes
    RAW_BYTES = 3  # a message for EIP-191 personal_sign
    TYPED_TRANSACTION = 4  # EIP-2718 typed transaction, type byte + RLP


def _fields(data: bytes, what: str, tag: int) -> dict[CborValue, CborValue]:
    try:
        item = cbor.decode(data)
    except CborError as err:
        raise RegistryError(f"The {what} holds invalid CBOR: {err}") from err
    if isinstance(item, Tag) and item.tag == tag:
        item = item.value
    if not isinstance(item, dict):
        raise RegistryError(f"An {what} is not a CBOR map.")
    return item


def _uuid(value: CborValue, what: str) -> bytes:
    if isinstance(value, Tag) and value.tag == TAG_UUID:
        value = value.value
    if not isinstance(value, bytes) or len(value) != 16:
        raise RegistryError(f"The {what} request id is not a 16-byte UUID.")
    return value


@dataclass(frozen=True, slots=True)
class EthSignRequest:
    """An ``eth-sign-request``."""

    sign_data: bytes
    data_type: EthDataType
    chain_id: int
    derivation_path: Keypath
    request_id: bytes | None = None
    address: bytes | None = None
    origin: str | None = None

    def cbor(self) -> bytes:
        """Return the CBOR an ``ur:eth-sign-request`` carries."""
        m: dict[CborValue, CborValue] = {
            2: self.sign_data,
            3: int(self.data_type),
            4: self.chain_id,
            5: self.derivation_path.to_item(),
        }
        if self.request_id is not None:
            m[1] = Tag(TAG_UUID, self.request_id)
        if self.address is not None:
            m[6] = self.address
        if self.origin is not None:
            m[7] = self.origin
        return cbor.encode(m)

    def ur(self) -> UR:
        """Return the request as an ``eth-sign-request`` UR."""
        return UR("eth-sign-request", self.cbor())

    @classmethod
    def from_cbor(cls, data: bytes) -> EthSignRequest:
        """Read an ``eth-sign-request`` from its CBOR.

        Raises:
            RegistryError: a field is missing or malformed (an unknown data type, an
                address that is not 20 bytes, a request id that is not a UUID...).
        """
        m = _fields(data, "eth-sign-request", TAG_ETH_SIGN_REQUEST)
        sign_data = m.get(2)
        if not isinstance(sign_data, bytes) or not sign_data:
            raise RegistryError("An eth-sign-request carries no data to sign.")
        raw_type = m.get(3, 1)
        if not isinstance(raw_type, int) or raw_type not in {t.value for t in EthDataType}:
            raise RegistryError(f"An eth-sign-request has an unknown data type {raw_type!r}.")
        chain_id = m.get(4, 1)
        if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id < 0:
            raise RegistryError("An eth-sign-request's chain id is not a number.")
        if 5 not in m:
            raise RegistryError("An eth-sign-request has no derivation path.")
        address = m.get(6)
        if address is not None and (not isinstance(address, bytes) or len(address) != 20):
            raise RegistryError("An eth-sign-request's address is not 20 bytes.")
        origin = m.get(7)
        if origin is not None and not isinstance(origin, str):
            raise RegistryError("An eth-sign-request's origin is not text.")
        return cls(
            sign_data,
            EthDataType(raw_type),
            chain_id,
            Keypath.from_item(m[5]),
            None if m.get(1) is None else _uuid(m[1], "eth-sign-request"),
            address,
            origin,
        )

    @classmethod
    def from_ur(cls, ur: UR) -> EthSignRequest:
        """Read an ``eth-sign-request`` UR.

        Raises:
            RegistryError: the UR is of another type, or malformed.
        """
        if ur.type != "eth-sign-request":
            raise RegistryError(f"This UR is a {ur.type}, not an eth-sign-request.")
        return cls.from_cbor(ur.cbor)


@dataclass(frozen=True, slots=True)
class EthSignature:
    """An ``eth-signature``: the answer to the request ``request_id``."""

    signature: bytes
    request_id: bytes | None = None
    origin: str | None = None

    def cbor(self) -> bytes:
        """Return the CBOR an ``ur:eth-signature`` carries."""
        m: dict[CborValue, CborValue] = {2: self.signature}
        if self.request_id is not None:
            m[1] = Tag(TAG_UUID, self.request_id)
        if self.origin is not None:
            m[3] = self.origin
        return cbor.encode(m)

    def ur(self) -> UR:
        """Return the signature as an ``eth-signature`` UR."""
        return UR("eth-signature", self.cbor())

    @classmethod
    def from_cbor(cls, data: bytes) -> EthSignature:
        """Read an ``eth-signature`` from its CBOR.

        Raises:
            RegistryError: the signature is missing or not 65 bytes, or a field is malformed.
        """
        m = _fields(data, "eth-signature", TAG_ETH_SIGNATURE)
        signature = m.get(2)
        if not isinstance(signature, bytes) or len(signature) != 65:
            raise RegistryError("An eth-signature's signature is not 65 bytes (r, s, v).")
        origin = m.get(3)
        if origin is not None and not isinstance(origin, str):
            raise RegistryError("An eth-signature's origin is not text.")
        request_id = None if m.get(1) is None else _uuid(m[1], "eth-signature")
        return cls(signature, request_id, origin)

    @classmethod
    def from_ur(cls, ur: UR) -> EthSignature:
        """Read an ``eth-signature`` UR.

        Raises:
            RegistryError: the UR is of another type, or malformed.
        """
        if ur.type != "eth-signature":
            raise RegistryError(f"This UR is a {ur.type}, not an eth-signature.")
        return cls.from_cbor(ur.cbor)
