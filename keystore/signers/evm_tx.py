"""EVM transactions as the signer sees them: field checks, EIP-2718 payloads, and reading back.

Every field of a request is checked for type and range before anything is encoded (EIP-2681
caps the nonce at 2**64 - 1; a maximum fee must fit 256 bits); the payloads are EIP-1559
(type 2), EIP-2930 (type 1: a gas price and an access list) and legacy with EIP-155 replay
protection. ``decode_signed`` parses a signed transaction and recovers its sender, so the
wallet can check what any signer returned.
"""

from __future__ import annotations

from coincurve import PublicKey

from keystore.errors import SigningRefused
from keystore.types import EvmTxRequest
from primitives.evm_address import evm_address_from_pubkey, is_valid_checksum, to_checksum_address
from primitives.hashes import keccak256
from primitives.rlp import RlpError, decode, decode_int, encode_bytes, encode_int, list_prefix

__all__ = [
    "HALF_ORDER",
    "U256",
    "address_bytes",
    "decode_signed",
    "encoded_fields",
    "recover_sender",
    "signed_payload",
    "signing_hash",
    "unsigned_payload",
]

_U64 = 2**64 - 1
U256 = 2**256 - 1
"""The largest uint256: the bound of values, fees and chain ids."""
HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
"""Half the secp256k1 group order: EIP-2 refuses signatures with ``s`` above it."""
_HEX = frozenset("0123456789abcdefABCDEF")
_EMPTY = b"\x80"


def address_bytes(text: str, what: str) -> bytes:
    """Parse an address of the request; mixed case must be its EIP-55 checksum.

    Args:
        text: the address as the request gives it.
        what: what the address is, for the refusal ("recipient").

    Raises:
        SigningRefused: not 0x and 40 hex digits, or mixed case that is not its checksum.
    """
    if not isinstance(text, str) or len(text) != 42 or text[:2] not in ("0x", "0X"):
        raise SigningRefused(f"The {what} is not an EVM address (0x and 40 hex digits).")
    body = text[2:]
    if not _HEX.issuperset(body):
        raise SigningRefused(f"The {what} is not an EVM address (0x and 40 hex digits).")
    if not is_valid_checksum(body):
        raise SigningRefused(f"The {what} {text} fails its EIP-55 checksum.")
    return bytes.fromhex(body)


def _quantity(value: object, limit: int, what: str) -> int:
    if type(value) is not int or not 0 <= value <= limit:
        raise SigningRefused(f"The transaction's {what} is not a whole number in range.")
    return value


def _access_list(tx: EvmTxRequest) -> bytes:
    """Return the RLP of the EIP-2930 access list: [[address, [key, ...]], ...]."""
    entries = []
    for entry in tx.access_list:
        if len(entry) != 2:
            raise SigningRefused("An access list entry is an address and its storage keys.")
        address, keys = entry
        key_items = b""
        for key in keys:
            if not isinstance(key, bytes) or len(key) != 32:
                raise SigningRefused("An access list storage key is 32 bytes.")
            key_items += b"\xa0" + key
        item = encode_bytes(address_bytes(address, "access list address"))
        item += list_prefix(len(key_items)) + key_items
        entries.append(list_prefix(len(item)) + item)
    payload = b"".join(entries)
    return list_prefix(len(payload)) + payload


def encoded_fields(tx: EvmTxRequest) -> tuple[list[bytes], bytes | None]:
    """Check the request and return its RLP-encoded fields (payload order) and recipient.

    Raises:
        SigningRefused: a field of the wrong type or out of range, or fee fields of both
            (or neither) kinds.
    """
    chain_id = _quantity(tx.chain_id, U256, "chain id")
    if chain_id == 0:
        raise SigningRefused("A transaction without a chain id has no replay protection.")
    nonce = _quantity(tx.nonce, _U64 - 1, "nonce")  # EIP-2681
    gas = _quantity(tx.gas, _U64, "gas limit")
    value = _quantity(tx.value, U256, "value")
    if not isinstance(tx.data, bytes):
        raise SigningRefused("The transaction's data is not bytes.")
    to = None if tx.to is None else address_bytes(tx.to, "recipient")
    to_item = _EMPTY if to is None else b"\x94" + to
    if tx.eip2930 and tx.gas_price is None:
        raise SigningRefused("An EIP-2930 transaction has a gas price, not EIP-1559 fee fields.")
    if tx.gas_price is not None:
        if tx.max_fee_per_gas is not None or tx.max_priority_fee_per_gas is not None:
            raise SigningRefused("A transaction has legacy or EIP-1559 fee fields, not both.")
        if tx.access_list and not tx.eip2930:
            raise SigningRefused("A legacy transaction carries no access list.")
        price = _quantity(tx.gas_price, U256, "gas price")
        _check_fee(gas, price)
        fields = [encode_int(nonce), encode_int(price), encode_int(gas), to_item]
        fields += [encode_int(value), encode_bytes(tx.data)]
        if tx.eip2930:  # EIP-2930: chain id first, access list last
            access = _access_list(tx) if tx.access_list else b"\xc0"
            return [encode_int(chain_id), *fields, access], to
        return fields, to
    if tx.max_fee_per_gas is None or tx.max_priority_fee_per_gas is None:
        raise SigningRefused("An EIP-1559 transaction needs both of its fee fields.")
    fee_cap = _quantity(tx.max_fee_per_gas, U256, "fee cap")
    tip = _quantity(tx.max_priority_fee_per_gas, U256, "priority fee")
    if tip > fee_cap:
        raise SigningRefused("The priority fee is above the fee cap (EIP-1559).")
    _check_fee(gas, fee_cap)
    fields = [encode_int(chain_id), encode_int(nonce), encode_int(tip), encode_int(fee_cap)]
    fields += [encode_int(gas), to_item, encode_int(value), encode_bytes(tx.data)]
    fields.append(_access_list(tx) if tx.access_list else b"\xc0")
    return fields, to


def _check_fee(gas: int, fee_per_gas: int) -> None:
    # The maximum fee is a uint256 for every node: a larger product can never be paid.
    if gas * fee_per_gas > U256:
        raise SigningRefused("The gas limit times the fee per gas overflows 256 bits.")


def _list(items: list[bytes]) -> bytes:
    payload = b"".join(items)
    return list_prefix(len(payload)) + payload


def unsigned_payload(tx: EvmTxRequest, fields: list[bytes]) -> bytes:
    """Return the bytes a signature covers (hashed with Keccak-256): EIP-155, 2930 or 1559."""
    if tx.eip2930:
        return b"\x01" + _list(fields)
    if tx.gas_price is not None:  # EIP-155: the chain id, 0, 0 join the signed fields
        return _list([*fields, encode_int(tx.chain_id), _EMPTY, _EMPTY])
    return b"\x02" + _list(fields)


def signing_hash(tx: EvmTxRequest) -> bytes:
    """Return the digest a signature covers (EIP-155 or EIP-1559 "signing data").

    Raises:
        SigningRefused: the request's fields are invalid.
    """
    fields, _ = encoded_fields(tx)
    return keccak256(unsigned_payload(tx, fields))


def signed_payload(tx: EvmTxRequest, fields: list[bytes], recid: int, r: bytes, s: bytes) -> bytes:
    """Return the signed transaction: EIP-2718 type 2 or 1, or legacy with EIP-155 ``v``."""
    sig = [encode_bytes(r.lstrip(b"\x00")), encode_bytes(s.lstrip(b"\x00"))]
    if tx.eip2930:
        return b"\x01" + _list([*fields, encode_int(recid), *sig])
    if tx.gas_price is not None:
        v = recid + 35 + 2 * tx.chain_id  # EIP-155
        return _list([*fields, encode_int(v), *sig])
    return b"\x02" + _list([*fields, encode_int(recid), *sig])


def _int_field(item: object, limit: int) -> int:
    if not isinstance(item, bytes):
        raise RlpError("a transaction field is a list where a number belongs")
    value = decode_int(item)
    if value > limit:
        raise RlpError("a transaction field is out of range")
    return value


def _to_field(item: object) -> str | None:
    if item == b"":
        return None
    if not isinstance(item, bytes) or len(item) != 20:
        raise RlpError("the recipient is not 20 bytes")
    return to_checksum_address(item)


def decode_signed(raw: bytes, chain_id: int | None = None) -> tuple[EvmTxRequest, str]:
    """Parse a signed transaction (type 2 or 1, or legacy with EIP-155); recover its sender.

    The wallet uses it to check what any signer (hot, air-gapped, hardware) returns against
    the request it sent out.

    Args:
        raw: the serialised transaction.
        chain_id: if given, a transaction for another chain is refused.

    Returns:
        The request the signature covers, and the sender's EIP-55 address.

    Raises:
        SigningRefused: not canonical RLP, an unsupported type, a pre-EIP-155 legacy
            transaction, another chain id, invalid fields, or a signature that does not
            recover.
    """
    try:
        kind = raw[0] if raw[:1] in (b"\x01", b"\x02") else 0
        items = decode(raw[1:] if kind else raw)
        if not isinstance(items, list) or len(items) != {0: 9, 1: 11, 2: 12}[kind]:
            raise RlpError("not a transaction of a supported type")
        if kind == 2:
            tx, recid = _typed_request(items)
        elif kind == 1:
            tx, recid = _type1_request(items)
        else:
            tx, recid = _legacy_request(items)
        r = _int_field(items[-2], U256).to_bytes(32, "big")
        s = _int_field(items[-1], U256).to_bytes(32, "big")
        if int.from_bytes(s, "big") > HALF_ORDER:
            raise RlpError("the signature is not in low-s form (EIP-2)")
        public = PublicKey.from_signature_and_message(
            r + s + bytes([recid]), signing_hash(tx), hasher=None
        )
    except (RlpError, ValueError) as err:
        raise SigningRefused(f"This is not a valid signed EVM transaction: {err}.") from None
    if chain_id is not None and tx.chain_id != chain_id:
        raise SigningRefused(f"The transaction is for chain id {tx.chain_id}, not {chain_id}.")
    return tx, evm_address_from_pubkey(public.format(compressed=False))


def _access_field(item: object) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    if not isinstance(item, list):
        raise RlpError("the access list is not a list")
    access: list[tuple[str, tuple[bytes, ...]]] = []
    for entry in item:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
            raise RlpError("an access list entry is malformed")
        keys = tuple(k for k in entry[1] if isinstance(k, bytes) and len(k) == 32)
        address = _to_field(entry[0])
        if address is None or len(keys) != len(entry[1]):
            raise RlpError("an access list entry is malformed")
        access.append((address, keys))
    return tuple(access)


def _type1_request(items: list[object]) -> tuple[EvmTxRequest, int]:
    """Read the fields of an EIP-2930 transaction; return the request and its y parity."""
    tx = EvmTxRequest(
        chain_id=_int_field(items[0], U256),
        nonce=_int_field(items[1], _U64 - 1),  # EIP-2681
        gas_price=_int_field(items[2], U256),
        gas=_int_field(items[3], _U64),
        to=_to_field(items[4]),
        value=_int_field(items[5], U256),
        data=_bytes_field(items[6]),
        access_list=_access_field(items[7]),
        eip2930=True,
    )
    return tx, _int_field(items[8], 1)


def recover_sender(raw: bytes) -> tuple[int, int | None, str]:
    """Recover the sender of any signed transaction, historical ones included.

    Besides what ``decode_signed`` reads, a legacy transaction signed before EIP-155
    (``v`` 27 or 28, no chain id) is read too: only to name its sender. Signing one stays
    refused (``encoded_fields``).

    Returns:
        The EIP-2718 type (0, 1 or 2), the chain id (``None`` before EIP-155) and the
        sender's EIP-55 address.

    Raises:
        SigningRefused: not a valid signed transaction of those types.
    """
    try:
        items = decode(raw) if raw[:1] not in (b"\x01", b"\x02") else None
        if isinstance(items, list) and len(items) == 9 and items[6] in (b"\x1b", b"\x1c"):
            unsigned = _list([encode_bytes(_checked_bytes(item)) for item in items[:6]])
            _legacy_request([*items[:6], b"\x25", *items[7:]])  # the fields' own checks
            r = _int_field(items[7], U256).to_bytes(32, "big")
            s = _int_field(items[8], U256).to_bytes(32, "big")
            if int.from_bytes(s, "big") > HALF_ORDER:
                raise RlpError("the signature is not in low-s form (EIP-2)")
            public = PublicKey.from_signature_and_message(
                r + s + bytes([items[6][0] - 27]), keccak256(unsigned), hasher=None
            )
            return 0, None, evm_address_from_pubkey(public.format(compressed=False))
    except (RlpError, ValueError, IndexError) as err:
        raise SigningRefused(f"This is not a valid signed EVM transaction: {err}.") from None
    tx, sender = decode_signed(raw)
    return tx.tx_type, tx.chain_id, sender


def _checked_bytes(item: object) -> bytes:
    if not isinstance(item, bytes):
        raise RlpError("a transaction field is a list where bytes belong")
    return item


def _typed_request(items: list[object]) -> tuple[EvmTxRequest, int]:
    """Read the fields of an EIP-1559 transaction; return the request and its y parity."""
    tx = EvmTxRequest(
        chain_id=_int_field(items[0], U256),
        nonce=_int_field(items[1], _U64 - 1),  # EIP-2681
        max_priority_fee_per_gas=_int_field(items[2], U256),
        max_fee_per_gas=_int_field(items[3], U256),
        gas=_int_field(items[4], _U64),
        to=_to_field(items[5]),
        value=_int_field(items[6], U256),
        data=_bytes_field(items[7]),
        access_list=_access_field(items[8]),
    )
    return tx, _int_field(items[9], 1)


def _legacy_request(items: list[object]) -> tuple[EvmTxRequest, int]:
    """Read the fields of a legacy transaction; ``v`` carries the chain id (EIP-155)."""
    v = _int_field(items[6], U256)
    if v < 37:
        raise RlpError("a legacy transaction without EIP-155 replay protection")
    tx = EvmTxRequest(
        chain_id=(v - 35) // 2,
        nonce=_int_field(items[0], _U64 - 1),  # EIP-2681
        gas_price=_int_field(items[1], U256),
        gas=_int_field(items[2], _U64),
        to=_to_field(items[3]),
        value=_int_field(items[4], U256),
        data=_bytes_field(items[5]),
    )
    return tx, (v - 35) % 2


def _bytes_field(item: object) -> bytes:
    if not isinstance(item, bytes):
        raise RlpError("the data field is a list")
    return item
