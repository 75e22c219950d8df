"""A Coffer EVM account where web3.py expects a local account (``eth_account.LocalAccount``).

``Web3Account`` has the methods a web3.py user calls on a local account: ``address``,
``sign_transaction`` on the dict ``contract.functions.f(...).build_transaction()`` returns,
``sign_message`` on an EIP-191 ``SignableMessage`` and ``sign_typed_data``. Each goes to the
account's signer as any Coffer signature does: the signer checks the chain id, recomputes
the summary and asks the prompt. Signing a bare hash (``unsafe_sign_hash``) is refused: the
signer could show nothing. The results carry the attributes web3.py reads
(``raw_transaction``, ``hash``, ``r``, ``s``, ``v``; ``message_hash``, ``signature``).

This module imports neither web3 nor eth-account: it reads the values they pass by name
(``SignableMessage`` is a named tuple of ``version``, ``header`` and ``body``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.signers.evm_tx import address_bytes
from keystore.types import EvmParams, EvmTxRequest, MessageFormat, MessageRequest
from primitives.eip712 import DOMAIN_FIELDS, parse_typed_data, typed_data_digest
from primitives.evm_address import to_checksum_address
from primitives.hashes import keccak256
from primitives.rlp import RlpError, decode, decode_int
from primitives.signmessage import eip191_hash
from wallet.accounts import EvmAccount
from wallet.errors import InvalidTransactionField, SigningRefused, WalletError, translate_errors
from wallet.messages.sign import message_bytes

__all__ = ["SignedMessage", "SignedTransaction", "Web3Account", "evm_request"]


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """A signed transaction as eth-account returns one: ``raw_transaction`` is what to send."""

    raw_transaction: bytes
    hash: bytes
    r: int
    s: int
    v: int


@dataclass(frozen=True, slots=True)
class SignedMessage:
    """A signed message as eth-account returns one; ``signature`` is ``r || s || v``."""

    message_hash: bytes
    r: int
    s: int
    v: int
    signature: bytes


def _quantity(fields: Mapping[str, object], name: str) -> int | None:
    value = fields.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidTransactionField(f"The transaction's {name} is not a number.", name)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16) if value[:2] in ("0x", "0X") else int(value)
        except ValueError:
            pass
    raise InvalidTransactionField(f"The transaction's {name} is not a whole number.", name)


def _data(fields: Mapping[str, object]) -> bytes:
    value = fields.get("data", fields.get("input", b""))
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return bytes.fromhex(value[2:] if value[:2] in ("0x", "0X") else value)
        except ValueError:
            pass
    raise InvalidTransactionField("The transaction's data is not hex or bytes.", "data")


def _address(value: object, name: str) -> str:
    if isinstance(value, (bytes, bytearray)) and len(value) == 20:
        return to_checksum_address(bytes(value))
    if not isinstance(value, str):
        raise InvalidTransactionField(f"The transaction's {name} is not an address.", name)
    with translate_errors():
        return to_checksum_address(address_bytes(value, name))


def _access_list(fields: Mapping[str, object]) -> tuple[tuple[str, tuple[bytes, ...]], ...]:
    entries = fields.get("accessList") or ()
    if not isinstance(entries, (list, tuple)):
        raise InvalidTransactionField("The access list is not a list.", "accessList")
    parsed = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise InvalidTransactionField("An access list entry is not an object.", "accessList")
        keys = entry.get("storageKeys") or ()
        if not isinstance(keys, (list, tuple)):
            raise InvalidTransactionField("storageKeys is not a list.", "accessList")
        slots = tuple(_data({"data": key}) for key in keys)
        parsed.append((_address(entry.get("address"), "access list address"), slots))
    return tuple(parsed)


def evm_request(fields: Mapping[str, object], sender: str) -> EvmTxRequest:
    """Return the request a web3.py transaction dict describes (types 0, 1 and 2).

    Raises:
        InvalidTransactionField: a missing or malformed field, or ``from`` another address.
    """
    if "from" in fields and _address(fields["from"], "sender").lower() != sender.lower():
        raise InvalidTransactionField(
            f"The transaction is from {fields['from']}, not {sender}.", "from"
        )
    required = {name: _quantity(fields, name) for name in ("chainId", "nonce", "gas")}
    for name, value in required.items():
        if value is None:
            raise InvalidTransactionField(f"The transaction has no {name}.", name)
    kind = _quantity(fields, "type")
    to = fields.get("to")
    access = _access_list(fields)
    return EvmTxRequest(
        chain_id=required["chainId"] or 0,
        nonce=required["nonce"] or 0,
        to=None if to in (None, "", b"") else _address(to, "recipient"),
        value=_quantity(fields, "value") or 0,
        data=_data(fields),
        gas=required["gas"] or 0,
        max_fee_per_gas=_quantity(fields, "maxFeePerGas"),
        max_priority_fee_per_gas=_quantity(fields, "maxPriorityFeePerGas"),
        gas_price=_quantity(fields, "gasPrice"),
        access_list=access,
        eip2930=kind == 1 or (kind is None and "gasPrice" in fields and "accessList" in fields),
    )


def _signature_numbers(raw: bytes) -> tuple[int, int, int]:
    try:
        items = decode(raw[1:] if raw[0] in (1, 2) else raw)
        assert isinstance(items, list)  # noqa: S101 - the signer's own output
        v, r, s = (decode_int(item) for item in items[-3:] if isinstance(item, bytes))
    except (RlpError, ValueError) as err:  # pragma: no cover - the signer's own output
        raise SigningRefused(f"The signer returned an unreadable transaction: {err}.") from None
    return r, s, v


def _typed_document(
    domain_data: Mapping[str, object] | None,
    message_types: Mapping[str, object] | None,
    message_data: Mapping[str, object] | None,
) -> dict[str, object]:
    """Build the full EIP-712 document from eth-account's three-part form."""
    domain = dict(domain_data or {})
    types = dict(message_types or {})
    types.setdefault(
        "EIP712Domain", [{"name": n, "type": t} for n, t in DOMAIN_FIELDS if n in domain]
    )
    referenced = {
        str(member.get("type", "")).split("[")[0]
        for name, members in types.items()
        if isinstance(members, list)
        for member in members
        if isinstance(member, Mapping) and member.get("type") != name
    }
    primary = [name for name in types if name != "EIP712Domain" and name not in referenced]
    if len(primary) != 1:
        raise WalletError("The typed data has no single primary type; pass full_message.")
    return {"types": types, "primaryType": primary[0], "domain": domain, "message": message_data}


class Web3Account:
    """An EVM account's signer, with the methods of eth-account's ``LocalAccount``."""

    def __init__(self, account: EvmAccount, signer: Signer, prompt: PromptHandler | None) -> None:
        """Bind to the account, the signer of its key and the prompt that approves."""
        net = account.evm_network
        self._params = EvmParams(net.name, net.title, net.symbol, net.chain_id, net.decimals)
        self._path = account.key_path_indexes or ()
        self._address = account.address
        self._signer = signer
        self._prompt = prompt

    def __repr__(self) -> str:
        return f"<Web3Account {self._address} on {self._params.name}>"

    @property
    def address(self) -> str:
        """Return the account's EIP-55 address."""
        return self._address

    def _context(self) -> SigningContext:
        return SigningContext(self._params, self._path, prompt=self._prompt)

    def sign_transaction(self, transaction_dict: Mapping[str, object]) -> SignedTransaction:
        """Review and sign a transaction dict (``build_transaction()``'s, types 0, 1, 2).

        Raises:
            InvalidTransactionField: a missing or malformed field.
            SigningRefused: another chain id, no EIP-155 chain id, or invalid values.
            SigningCancelled: the person declined.
        """
        request = evm_request(transaction_dict, self._address)
        with translate_errors():
            signed = self._signer.sign_evm(request, self._context())
        r, s, v = _signature_numbers(signed.raw)
        return SignedTransaction(signed.raw, keccak256(signed.raw), r, s, v)

    def _sign(self, fmt: MessageFormat, message: bytes, digest: bytes) -> SignedMessage:
        request = MessageRequest(fmt, message, self._path, self._address, self._params.name)
        with translate_errors():
            signed = self._signer.sign_message(request, self._context())
        raw = signed.signature
        return SignedMessage(
            digest, int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64], raw
        )

    def sign_message(self, signable_message: object) -> SignedMessage:
        """Sign an EIP-191 ``personal_sign`` message (``encode_defunct(...)``).

        Raises:
            WalletError: another EIP-191 version (typed data goes to ``sign_typed_data``, so
                the signer can show it).
            SigningCancelled: the person declined.
        """
        version = getattr(signable_message, "version", None)
        body = getattr(signable_message, "body", None)
        if version != b"E" or not isinstance(body, bytes):
            raise WalletError(
                "Only personal_sign messages (EIP-191 version E) are signed here; use "
                "sign_typed_data for EIP-712, so the signer can show what it signs."
            )
        return self._sign(MessageFormat.EIP191, body, eip191_hash(body))

    def sign_typed_data(
        self,
        domain_data: Mapping[str, object] | None = None,
        message_types: Mapping[str, object] | None = None,
        message_data: Mapping[str, object] | None = None,
        full_message: Mapping[str, object] | None = None,
    ) -> SignedMessage:
        """Sign EIP-712 typed data, as a full document or eth-account's three parts.

        Raises:
            InvalidTypedData: a malformed document.
            SigningRefused: typed data for another chain id.
            SigningCancelled: the person declined.
        """
        document = full_message or _typed_document(domain_data, message_types, message_data)
        raw = message_bytes(document, MessageFormat.EIP712)
        return self._sign(MessageFormat.EIP712, raw, typed_data_digest(parse_typed_data(raw)))

    def unsafe_sign_hash(self, message_hash: bytes) -> SignedMessage:
        """Refuse: a bare hash shows the signer nothing to check."""
        raise SigningRefused("Coffer does not sign a bare hash: the signer could show nothing.")
