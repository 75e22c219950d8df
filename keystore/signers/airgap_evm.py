"""EIP-4527 on both sides of the air gap: ``eth-sign-request`` out, ``eth-signature`` back.

The request carries the unsigned transaction exactly as it is signed (EIP-2718 type 2 or 1
payload, or the legacy EIP-155 list), the chain id, the key's derivation path with the
master fingerprint, and a request id. The offline side reads the transaction back from
those bytes (``decode_unsigned``: the bytes must re-encode to themselves, so what is shown
is what is signed), checks the chain id in the request against the one in the transaction,
and signs with its own review; the answer is the 65-byte ``r || s || v`` (``v`` = 27 + the
recovery id) for that request id. The host rebuilds the signed transaction from its own
request and the signature, and the wallet checks the sender.
"""

from __future__ import annotations

import uuid

from keystore.errors import SigningRefused
from keystore.signers.evm_tx import encoded_fields, signed_payload, unsigned_payload
from keystore.types import EvmTxRequest, SignedEvmTx
from primitives.eip4527 import EthDataType, EthSignature, EthSignRequest
from primitives.evm_address import to_checksum_address
from primitives.hashes import keccak256
from primitives.rlp import RlpError, decode, decode_int
from primitives.ur.account import Keypath, PathStep
from primitives.ur.errors import UrError

__all__ = [
    "decode_unsigned",
    "read_eth_sign_request",
    "read_eth_signature",
    "sign_request_for",
    "signature_answer",
    "signed_from_answer",
]

_HARDENED = 0x80000000


def _int(item: object) -> int:
    if not isinstance(item, bytes):
        raise RlpError("a number field is a list")
    return decode_int(item)


def _to(item: object) -> str | None:
    if item == b"":
        return None
    if not isinstance(item, bytes) or len(item) != 20:
        raise RlpError("the recipient is not 20 bytes")
    return to_checksum_address(item)


def _access(item: object) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    if not isinstance(item, list):
        raise RlpError("the access list is not a list")
    out = []
    for entry in item:
        if not isinstance(entry, list) or len(entry) != 2:
            raise RlpError("an access list entry is not [address, keys]")
        address, keys = entry
        if not isinstance(address, bytes) or len(address) != 20 or not isinstance(keys, list):
            raise RlpError("an access list entry is malformed")
        if not all(isinstance(k, bytes) and len(k) == 32 for k in keys):
            raise RlpError("an access list storage key is not 32 bytes")
        out.append((to_checksum_address(address), tuple(k for k in keys if isinstance(k, bytes))))
    return tuple(out)


def _data(item: object) -> bytes:
    if not isinstance(item, bytes):
        raise RlpError("the call data is a list")
    return item


def decode_unsigned(payload: bytes) -> EvmTxRequest:
    """Read an unsigned transaction (EIP-1559, EIP-2930 or legacy EIP-155) from its bytes.

    Raises:
        SigningRefused: not a transaction of those forms, or bytes that do not re-encode to
            themselves (a second reading could show something else than what is signed).
    """
    try:
        if payload[:1] == b"\x02":
            items = decode(payload[1:])
            if not isinstance(items, list) or len(items) != 9:
                raise RlpError("an EIP-1559 transaction has 9 fields")
            chain, nonce, tip, cap, gas, to, value, data, access = items
            tx = EvmTxRequest(
                _int(chain), _int(nonce), _to(to), _int(value), _data(data), _int(gas),
                max_fee_per_gas=_int(cap), max_priority_fee_per_gas=_int(tip),
                access_list=_access(access),
            )  # fmt: skip
        elif payload[:1] == b"\x01":
            items = decode(payload[1:])
            if not isinstance(items, list) or len(items) != 8:
                raise RlpError("an EIP-2930 transaction has 8 fields")
            chain, nonce, price, gas, to, value, data, access = items
            tx = EvmTxRequest(
                _int(chain), _int(nonce), _to(to), _int(value), _data(data), _int(gas),
                gas_price=_int(price), access_list=_access(access), eip2930=True,
            )  # fmt: skip
        else:
            items = decode(payload)
            if not isinstance(items, list) or len(items) != 9:
                raise RlpError("an EIP-155 transaction has 9 fields (chain id, 0, 0 last)")
            nonce, price, gas, to, value, data, chain, zero1, zero2 = items
            if zero1 != b"" or zero2 != b"":
                raise RlpError("an EIP-155 transaction ends in its chain id, 0 and 0")
            tx = EvmTxRequest(
                _int(chain), _int(nonce), _to(to), _int(value), _data(data), _int(gas),
                gas_price=_int(price),
            )  # fmt: skip
    except (RlpError, ValueError) as err:
        raise SigningRefused(f"The request's transaction cannot be read: {err}.") from None
    fields, _ = encoded_fields(tx)
    if unsigned_payload(tx, fields) != payload:
        raise SigningRefused("The request's transaction is not in its one canonical encoding.")
    return tx


def _keypath(path: tuple[int, ...], fingerprint: bytes) -> Keypath:
    steps = tuple(PathStep(i & ~_HARDENED, bool(i & _HARDENED)) for i in path)
    return Keypath(steps, int.from_bytes(fingerprint, "big"), len(steps))


def sign_request_for(
    tx: EvmTxRequest, path: tuple[int, ...], fingerprint: bytes, address: str | None
) -> EthSignRequest:
    """Return the ``eth-sign-request`` of a transaction (a fresh request id)."""
    fields, _ = encoded_fields(tx)
    payload = unsigned_payload(tx, fields)
    kind = EthDataType.TRANSACTION if tx.tx_type == 0 else EthDataType.TYPED_TRANSACTION
    return EthSignRequest(
        sign_data=payload,
        data_type=kind,
        chain_id=tx.chain_id,
        derivation_path=_keypath(path, fingerprint),
        request_id=uuid.uuid4().bytes,
        address=None if address is None else bytes.fromhex(address[2:]),
        origin="Coffer",
    )


def read_eth_sign_request(data: bytes) -> tuple[EthSignRequest, EvmTxRequest, tuple[int, ...]]:
    """Read an ``eth-sign-request`` and the transaction it carries; return them and the path.

    Raises:
        SigningRefused: malformed, not a transaction, a path with a wildcard, or a chain id
            in the request that is not the transaction's (a request replayed for another
            chain).
    """
    try:
        request = EthSignRequest.from_cbor(data)
    except UrError as err:
        raise SigningRefused(f"The eth-sign-request cannot be read: {err}") from None
    if request.data_type not in (EthDataType.TRANSACTION, EthDataType.TYPED_TRANSACTION):
        raise SigningRefused(
            "This eth-sign-request is a message or typed data, not a transaction: sign it "
            "with coffer sign-message."
        )
    tx = decode_unsigned(request.sign_data)
    if tx.chain_id != request.chain_id:
        raise SigningRefused(
            f"The request says chain id {request.chain_id}, but its transaction is for chain "
            f"id {tx.chain_id}: it was altered or replayed for another chain. Not signed."
        )
    steps = request.derivation_path.components
    if any(step.index is None for step in steps):
        raise SigningRefused("The request's derivation path has a wildcard.")
    path = tuple((s.index or 0) | (_HARDENED if s.hardened else 0) for s in steps)
    return request, tx, path


def _signature_of(raw: bytes, tx: EvmTxRequest) -> bytes:
    """Return ``r || s || v`` (v = 27 + recovery id) of a signed transaction."""
    body = raw[1:] if tx.tx_type else raw
    items = decode(body)
    assert isinstance(items, list)  # noqa: S101 - our own signer's output
    v, r, s = (_int(i) for i in items[-3:])
    recid = v if tx.tx_type else v - 35 - 2 * tx.chain_id
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + recid])


def signature_answer(request: EthSignRequest, tx: EvmTxRequest, signed: SignedEvmTx) -> bytes:
    """Return the ``eth-signature`` CBOR answering ``request`` with ``signed``'s signature."""
    return EthSignature(_signature_of(signed.raw, tx), request.request_id, "Coffer").cbor()


def read_eth_signature(data: bytes) -> EthSignature:
    """Read an ``eth-signature``.

    Raises:
        SigningRefused: malformed.
    """
    try:
        return EthSignature.from_cbor(data)
    except UrError as err:
        raise SigningRefused(f"The eth-signature cannot be read: {err}") from None


def signed_from_answer(
    request: EthSignRequest, tx: EvmTxRequest, answer: EthSignature
) -> SignedEvmTx:
    """Rebuild the signed transaction from the host's own request and the signature.

    Raises:
        SigningRefused: an answer to another request, or a signature value out of range.
    """
    if answer.request_id != request.request_id:
        raise SigningRefused("The eth-signature answers another request; nothing was accepted.")
    sig = answer.signature
    v = sig[64]
    recid = v - 27 if v >= 27 else v
    if recid not in (0, 1):
        raise SigningRefused("The eth-signature's v is not a recovery id.")
    fields, _ = encoded_fields(tx)
    raw = signed_payload(tx, fields, recid, sig[:32], sig[32:64])
    return SignedEvmTx(raw, "0x" + keccak256(raw).hex(), "")
