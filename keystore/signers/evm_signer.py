"""EVM transaction signing: EIP-1559 (type 2) and legacy EIP-155, with the signer's own review.

The signer trusts nothing it is told. Before it signs it:

1. checks the request's chain id against the network it was given (EIP-155 replay
   protection; a transaction for another chain is refused, the chain id is never chosen or
   changed here);
2. checks every field's type and range (EIP-2681 caps the nonce at 2**64 - 1);
3. recomputes the human summary from the transaction itself: the recipient and value, token
   transfers decoded from the call data (ERC-20 ``transfer``, ERC-721 ``safeTransferFrom`` /
   ``transferFrom``, ERC-1155 ``safeTransferFrom``), an ``approve``, or any other call in
   words, and the maximum fee (gas limit times the fee cap);
4. refuses a mismatch with the summary the online side showed (``ctx.expected``);
5. asks the person (``ctx.prompt``); a "no" is ``SigningCancelled``.

Then it signs the Keccak-256 digest of the EIP-2718 payload with libsecp256k1 (RFC 6979
nonces, low-s as EIP-2 requires) and returns the serialised transaction and its hash.
The hot path is RLP, one Keccak and one ``sign_recoverable``: nothing else heavy runs.
EIP-191 ``personal_sign`` message signing is here too (``sign_personal_message``).
"""

from __future__ import annotations

from dataclasses import replace

from coincurve import PrivateKey, PublicKey

from keystore.errors import SigningCancelled, SigningRefused
from keystore.signers.base import SigningContext
from keystore.types import EvmParams, EvmTxRequest, SignedEvmTx, SummaryOutput, TxSummary
from primitives.hashes import keccak256
from primitives.rlp import RlpError, decode, decode_int, encode_bytes, encode_int, list_prefix

__all__ = [
    "decode_signed",
    "personal_message_hash",
    "sign_evm_with_key",
    "sign_personal_message",
    "signing_hash",
    "summarize",
]

_U64 = 2**64 - 1
_U256 = 2**256 - 1
_HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
_HEX = frozenset("0123456789abcdefABCDEF")
_EMPTY = b"\x80"

# Function selectors (Solidity ABI, "Function Selector"), checked against keccak in the tests.
_TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256), EIP-20
_APPROVE = bytes.fromhex("095ea7b3")  # approve(address,uint256), EIP-20
_TRANSFER_FROM = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256), EIP-20/721
_SAFE_721 = bytes.fromhex("42842e0e")  # safeTransferFrom(address,address,uint256), EIP-721
_SAFE_721_DATA = bytes.fromhex("b88d4fde")  # safeTransferFrom(address,address,uint256,bytes)
_SAFE_1155 = bytes.fromhex("f242432a")  # safeTransferFrom(address,address,uint256,uint256,bytes)


# -- addresses (EIP-55) ------------------------------------------------------------------------


_DIGITS = b"0123456789abcdef"
_NIBBLE_HIGH = bytes.maketrans(_DIGITS, b"\x00" * 8 + b"\x20" * 8)  # hash digit >= 8
_IS_LETTER = bytes.maketrans(_DIGITS, b"\x00" * 10 + b"\x20" * 6)  # a-f


def _checksum(raw: bytes) -> str:
    """Return the EIP-55 mixed-case form of a 20-byte address.

    EIP-55 capitalises the i-th letter when the i-th hex digit of the Keccak-256 of the
    lowercase hex is 8 or more; flipping bit 0x20 of those letters at once, as one integer,
    keeps this off the signing hot path's profile.
    """
    lower = raw.hex().encode()
    digest = keccak256(lower).hex().encode()[:40]
    flips = int.from_bytes(digest.translate(_NIBBLE_HIGH), "big") & int.from_bytes(
        lower.translate(_IS_LETTER), "big"
    )
    return "0x" + (int.from_bytes(lower, "big") ^ flips).to_bytes(40, "big").decode()


def _address_bytes(text: str, what: str) -> bytes:
    """Parse an address of the request; mixed case must be its EIP-55 checksum."""
    if not isinstance(text, str) or len(text) != 42 or text[:2] not in ("0x", "0X"):
        raise SigningRefused(f"The {what} is not an EVM address (0x and 40 hex digits).")
    body = text[2:]
    if not _HEX.issuperset(body):
        raise SigningRefused(f"The {what} is not an EVM address (0x and 40 hex digits).")
    raw = bytes.fromhex(body)
    if body != body.lower() and body != body.upper() and _checksum(raw)[2:] != body:
        raise SigningRefused(f"The {what} {text} fails its EIP-55 checksum.")
    return raw


def _sender_of(public_key: bytes) -> str:
    return _checksum(keccak256(public_key[1:])[12:])


# -- field checks and the EIP-2718 payloads ----------------------------------------------------


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
        item = encode_bytes(_address_bytes(address, "access list address"))
        item += list_prefix(len(key_items)) + key_items
        entries.append(list_prefix(len(item)) + item)
    payload = b"".join(entries)
    return list_prefix(len(payload)) + payload


def _fields(tx: EvmTxRequest) -> tuple[list[bytes], bytes | None]:
    """Check the request and return its RLP-encoded fields (payload order) and recipient.

    Raises:
        SigningRefused: a field of the wrong type or out of range, or fee fields of both
            (or neither) kinds.
    """
    chain_id = _quantity(tx.chain_id, _U256, "chain id")
    if chain_id == 0:
        raise SigningRefused("A transaction without a chain id has no replay protection.")
    nonce = _quantity(tx.nonce, _U64 - 1, "nonce")  # EIP-2681
    gas = _quantity(tx.gas, _U64, "gas limit")
    value = _quantity(tx.value, _U256, "value")
    if not isinstance(tx.data, bytes):
        raise SigningRefused("The transaction's data is not bytes.")
    to = None if tx.to is None else _address_bytes(tx.to, "recipient")
    to_item = _EMPTY if to is None else b"\x94" + to
    if tx.gas_price is not None:
        if tx.max_fee_per_gas is not None or tx.max_priority_fee_per_gas is not None:
            raise SigningRefused("A transaction has legacy or EIP-1559 fee fields, not both.")
        if tx.access_list:
            raise SigningRefused("A legacy transaction carries no access list.")
        price = _quantity(tx.gas_price, _U256, "gas price")
        _check_fee(gas, price)
        fields = [encode_int(nonce), encode_int(price), encode_int(gas), to_item]
        return [*fields, encode_int(value), encode_bytes(tx.data)], to
    if tx.max_fee_per_gas is None or tx.max_priority_fee_per_gas is None:
        raise SigningRefused("An EIP-1559 transaction needs both of its fee fields.")
    fee_cap = _quantity(tx.max_fee_per_gas, _U256, "fee cap")
    tip = _quantity(tx.max_priority_fee_per_gas, _U256, "priority fee")
    if tip > fee_cap:
        raise SigningRefused("The priority fee is above the fee cap (EIP-1559).")
    _check_fee(gas, fee_cap)
    fields = [encode_int(chain_id), encode_int(nonce), encode_int(tip), encode_int(fee_cap)]
    fields += [encode_int(gas), to_item, encode_int(value), encode_bytes(tx.data)]
    fields.append(_access_list(tx) if tx.access_list else b"\xc0")
    return fields, to


def _check_fee(gas: int, fee_per_gas: int) -> None:
    # The maximum fee is a uint256 for every node: a larger product can never be paid.
    if gas * fee_per_gas > _U256:
        raise SigningRefused("The gas limit times the fee per gas overflows 256 bits.")


def _list(items: list[bytes]) -> bytes:
    payload = b"".join(items)
    return list_prefix(len(payload)) + payload


def _unsigned(tx: EvmTxRequest, fields: list[bytes]) -> bytes:
    if tx.gas_price is not None:  # EIP-155: the chain id, 0, 0 join the signed fields
        return _list([*fields, encode_int(tx.chain_id), _EMPTY, _EMPTY])
    return b"\x02" + _list(fields)


def signing_hash(tx: EvmTxRequest) -> bytes:
    """Return the digest a signature covers (EIP-155 or EIP-1559 "signing data").

    Raises:
        SigningRefused: the request's fields are invalid.
    """
    fields, _ = _fields(tx)
    return keccak256(_unsigned(tx, fields))


# -- the summary, recomputed from the transaction ----------------------------------------------


def _word_address(word: bytes) -> str | None:
    return _checksum(word[12:]) if word[:12] == bytes(12) else None


def _words(data: bytes, count: int) -> list[bytes] | None:
    if len(data) < 4 + 32 * count:
        return None
    return [data[4 + 32 * i : 36 + 32 * i] for i in range(count)]


def _empty_bytes_tail(data: bytes, head_words: int, offset_word: bytes) -> bool:
    """Whether the dynamic ``bytes`` argument is canonically encoded and empty."""
    expected_offset = 32 * head_words
    return int.from_bytes(offset_word, "big") == expected_offset and data[
        4 + expected_offset :
    ] == bytes(32)


def _decoded_calls(data: bytes, sender: str, contract: str) -> list[list[SummaryOutput]] | str:
    """Return the possible readings of a token transfer, or a description of another call.

    ``transferFrom`` has one selector for ERC-20 and ERC-721: both readings are returned, and
    the expected summary must match one of them.
    """
    selector = data[:4]
    if selector == _TRANSFER and len(data) == 68:
        w = _words(data, 2)
        to = _word_address(w[0]) if w else None
        if w and to:
            return [[SummaryOutput(to, int.from_bytes(w[1], "big"), contract=contract)]]
    elif selector in (_TRANSFER_FROM, _SAFE_721) and len(data) == 100:
        w = _words(data, 3)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to:
            number = int.from_bytes(w[2], "big")
            nft = [SummaryOutput(to, 1, contract=contract, token_id=number)]
            if selector == _SAFE_721:
                return [nft]
            return [[SummaryOutput(to, number, contract=contract)], nft]
    elif selector == _SAFE_721_DATA and len(data) == 4 + 32 * 5:
        w = _words(data, 4)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to and _empty_bytes_tail(data, 4, w[3]):
            token_id = int.from_bytes(w[2], "big")
            return [[SummaryOutput(to, 1, contract=contract, token_id=token_id)]]
    elif selector == _SAFE_1155 and len(data) == 4 + 32 * 6:
        w = _words(data, 5)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to and _empty_bytes_tail(data, 5, w[4]):
            token_id, amount = int.from_bytes(w[2], "big"), int.from_bytes(w[3], "big")
            return [[SummaryOutput(to, amount, contract=contract, token_id=token_id)]]
    elif selector == _APPROVE and len(data) == 68:
        w = _words(data, 2)
        spender = _word_address(w[0]) if w else None
        if w and spender:
            amount = int.from_bytes(w[1], "big")
            shown = "any amount" if amount == _U256 else f"{amount} base units"
            return f"approve: let {spender} spend {shown} of the token {contract}"
    return f"contract call {selector.hex() or 'without data'} ({len(data)} bytes of data)"


def _candidates(tx: EvmTxRequest, network: EvmParams, sender: str) -> list[TxSummary]:
    fee_per_gas = tx.gas_price if tx.gas_price is not None else tx.max_fee_per_gas
    fee = tx.gas * (fee_per_gas or 0)
    base = TxSummary(network.name, (), fee, chain_id=tx.chain_id, nonce=tx.nonce)
    if tx.to is None:
        return [replace(base, contract_call=f"contract creation ({len(tx.data)} bytes of code)")]
    to = _checksum(_address_bytes(tx.to, "recipient"))
    native = (SummaryOutput(to, tx.value),) if tx.value or not tx.data else ()
    if not tx.data:
        return [replace(base, outputs=native)]
    readings = _decoded_calls(tx.data, sender, to)
    if isinstance(readings, str):
        return [replace(base, outputs=(SummaryOutput(to, tx.value),), contract_call=readings)]
    return [replace(base, outputs=(*native, *outputs)) for outputs in readings]


def _checked_part(summary: TxSummary) -> tuple[object, ...]:
    """What of a summary the signer verifies; asset names and decimals are labels only."""
    outputs = tuple((o.address, o.amount, o.contract, o.token_id) for o in summary.outputs)
    return (
        summary.network,
        summary.chain_id,
        summary.fee,
        summary.nonce,
        summary.contract_call,
        outputs,
    )


def _labelled(summary: TxSummary, expected: TxSummary) -> TxSummary:
    """Return the signer's summary with the expected one's token labels (symbol, decimals)."""
    outputs = tuple(
        replace(mine, asset=theirs.asset, decimals=theirs.decimals)
        if mine.contract is not None
        else mine
        for mine, theirs in zip(summary.outputs, expected.outputs, strict=True)
    )
    return replace(summary, outputs=outputs)


def summarize(
    tx: EvmTxRequest, network: EvmParams, sender: str, expected: TxSummary | None = None
) -> TxSummary:
    """Recompute the human summary of ``tx`` from the transaction itself.

    Args:
        tx: the request.
        network: the network it is for (its chain id is checked first).
        sender: the address signing (token transfers ``from`` someone else are not read as
            transfers).
        expected: the online side's summary; when it matches, its token labels are kept.

    Returns:
        The summary the person is asked to approve.

    Raises:
        SigningRefused: another chain id, invalid fields, or a mismatch with ``expected``.
    """
    _check_chain(tx, network)
    _fields(tx)
    return _review(tx, network, sender, expected)


def _check_chain(tx: EvmTxRequest, network: EvmParams) -> None:
    # EIP-155: the chain id is what makes a signature worthless on every other chain, so it
    # comes from the network the wallet names, and a request for another chain is refused.
    if tx.chain_id != network.chain_id:
        raise SigningRefused(
            f"The transaction is for chain id {tx.chain_id}, not {network.title} "
            f"(chain id {network.chain_id}); it was not signed."
        )


def _review(
    tx: EvmTxRequest, network: EvmParams, sender: str, expected: TxSummary | None
) -> TxSummary:
    candidates = _candidates(tx, network, sender)
    if expected is None:
        return candidates[0]
    wanted = _checked_part(expected)
    for candidate in candidates:
        if _checked_part(candidate) == wanted:
            return _labelled(candidate, expected)
    raise SigningRefused(
        "The transaction does not match the summary that was shown (recipient, amount, "
        "token, fee, nonce or network differ); it was not signed."
    )


# -- signing -----------------------------------------------------------------------------------


def _serialised(tx: EvmTxRequest, fields: list[bytes], recid: int, r: bytes, s: bytes) -> bytes:
    sig = [encode_bytes(r.lstrip(b"\x00")), encode_bytes(s.lstrip(b"\x00"))]
    if tx.gas_price is not None:
        v = recid + 35 + 2 * tx.chain_id  # EIP-155
        return _list([*fields, encode_int(v), *sig])
    return b"\x02" + _list([*fields, encode_int(recid), *sig])


def sign_evm_with_key(private_key: bytes, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
    """Review and sign an EVM transaction with one private key.

    Args:
        private_key: the 32-byte secp256k1 key (from the keystore; never leaves it).
        tx: the unsigned request.
        ctx: the network (``EvmParams``), the expected summary and the prompt.

    Returns:
        The serialised transaction (EIP-2718 type 2, or legacy with EIP-155 ``v``), its hash
        and its sender.

    Raises:
        SigningRefused: not an EVM network, another chain id, invalid fields, or a summary
            that does not match ``ctx.expected``.
        SigningCancelled: the person declined.
    """
    network = ctx.network
    if not isinstance(network, EvmParams):
        raise SigningRefused("An EVM transaction can only be signed for an EVM network.")
    _check_chain(tx, network)
    fields, _to = _fields(tx)
    key = PrivateKey(private_key)
    sender = _sender_of(key.public_key.format(compressed=False))
    if ctx.expected is not None or ctx.prompt is not None:
        summary = _review(tx, network, sender, ctx.expected)
        if ctx.prompt is not None and not ctx.prompt.confirm_transaction(summary):
            raise SigningCancelled("You declined to sign the transaction.")
    signature = key.sign_recoverable(keccak256(_unsigned(tx, fields)), hasher=None)
    r, s, recid = signature[:32], signature[32:64], signature[64]
    if int.from_bytes(s, "big") > _HALF_ORDER:  # pragma: no cover - libsecp256k1 signs low-s
        raise SigningRefused("The signature is not in low-s form (EIP-2).")
    raw = _serialised(tx, fields, recid, r, s)
    return SignedEvmTx(raw, "0x" + keccak256(raw).hex(), sender)


# -- reading a signed transaction back ---------------------------------------------------------


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
    return _checksum(item)


def decode_signed(raw: bytes, chain_id: int | None = None) -> tuple[EvmTxRequest, str]:
    """Parse a signed transaction (type 2, or legacy with EIP-155) and recover its sender.

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
        typed = raw[:1] == b"\x02"
        items = decode(raw[1:] if typed else raw)
        if not isinstance(items, list) or len(items) != (12 if typed else 9):
            raise RlpError("not a transaction of a supported type")
        tx, recid = _typed_request(items) if typed else _legacy_request(items)
        r = _int_field(items[-2], _U256).to_bytes(32, "big")
        s = _int_field(items[-1], _U256).to_bytes(32, "big")
        if int.from_bytes(s, "big") > _HALF_ORDER:
            raise RlpError("the signature is not in low-s form (EIP-2)")
        public = PublicKey.from_signature_and_message(
            r + s + bytes([recid]), signing_hash(tx), hasher=None
        )
    except (RlpError, ValueError) as err:
        raise SigningRefused(f"This is not a valid signed EVM transaction: {err}.") from None
    if chain_id is not None and tx.chain_id != chain_id:
        raise SigningRefused(f"The transaction is for chain id {tx.chain_id}, not {chain_id}.")
    return tx, _sender_of(public.format(compressed=False))


def _typed_request(items: list[object]) -> tuple[EvmTxRequest, int]:
    """Read the fields of an EIP-1559 transaction; return the request and its y parity."""
    if not isinstance(items[8], list):
        raise RlpError("the access list is not a list")
    access: list[tuple[str, tuple[bytes, ...]]] = []
    for entry in items[8]:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[1], list):
            raise RlpError("an access list entry is malformed")
        keys = tuple(k for k in entry[1] if isinstance(k, bytes) and len(k) == 32)
        address = _to_field(entry[0])
        if address is None or len(keys) != len(entry[1]):
            raise RlpError("an access list entry is malformed")
        access.append((address, keys))
    tx = EvmTxRequest(
        chain_id=_int_field(items[0], _U256),
        nonce=_int_field(items[1], _U64 - 1),  # EIP-2681
        max_priority_fee_per_gas=_int_field(items[2], _U256),
        max_fee_per_gas=_int_field(items[3], _U256),
        gas=_int_field(items[4], _U64),
        to=_to_field(items[5]),
        value=_int_field(items[6], _U256),
        data=_bytes_field(items[7]),
        access_list=tuple(access),
    )
    return tx, _int_field(items[9], 1)


def _legacy_request(items: list[object]) -> tuple[EvmTxRequest, int]:
    """Read the fields of a legacy transaction; ``v`` carries the chain id (EIP-155)."""
    v = _int_field(items[6], _U256)
    if v < 37:
        raise RlpError("a legacy transaction without EIP-155 replay protection")
    tx = EvmTxRequest(
        chain_id=(v - 35) // 2,
        nonce=_int_field(items[0], _U64 - 1),  # EIP-2681
        gas_price=_int_field(items[1], _U256),
        gas=_int_field(items[2], _U64),
        to=_to_field(items[3]),
        value=_int_field(items[4], _U256),
        data=_bytes_field(items[5]),
    )
    return tx, (v - 35) % 2


def _bytes_field(item: object) -> bytes:
    if not isinstance(item, bytes):
        raise RlpError("the data field is a list")
    return item


# -- EIP-191 messages --------------------------------------------------------------------------


def personal_message_hash(message: bytes) -> bytes:
    """Return the EIP-191 version 0x45 digest: keccak of the prefix, length and message."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def sign_personal_message(private_key: bytes, message: bytes) -> bytes:
    """Sign a message as ``personal_sign`` does (EIP-191 version 0x45).

    Returns:
        65 bytes: ``r``, ``s`` and ``v`` (27 or 28).
    """
    signature = PrivateKey(private_key).sign_recoverable(
        personal_message_hash(message), hasher=None
    )
    return signature[:64] + bytes([27 + signature[64]])
