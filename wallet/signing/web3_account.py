"""A Coffer EVM account where web3.py expects a local account (``eth_account``'s interface).

``web3_account(wallet, network)`` returns a ``BaseAccount``: ``sign_transaction`` takes the
dict ``contract.functions.f(...).build_transaction()`` gives, ``sign_message`` an EIP-191
``SignableMessage``, ``sign_typed_data`` an EIP-712 document. Each goes through the same
review and signer as ``Wallet.sign``: the dict becomes an ``EvmTxRequest``; its chain id
must be the account's network's; the signer recomputes the summary (recipient, value,
decoded call, nonce, maximum fee) and asks ``prompt``. No private key leaves the keystore:
unlike ``LocalAccount``, this object holds none, so ``unsafe_sign_hash`` is refused.

Needs ``eth-account`` (installed with web3); ``wallet`` does not import this module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from eth_account.datastructures import SignedMessage, SignedTransaction
from eth_account.messages import SignableMessage
from eth_account.signers.base import BaseAccount
from hexbytes import HexBytes

from chains.registry import EvmNetwork
from keystore.signers.base import PromptHandler, SigningContext
from keystore.types import EvmTxRequest, MessageFormat, MessageRequest
from primitives.eip712 import parse_typed_data, typed_data_digest
from primitives.evm_address import to_checksum_address
from primitives.rlp import decode, decode_int
from primitives.signmessage import eip191_hash
from wallet.accounts import EvmAccount
from wallet.errors import SigningRefused, WatchOnly, translate_errors
from wallet.signing.export import evm_params
from wallet.wallet import Wallet

__all__ = ["CofferAccount", "web3_account"]

_DOMAIN_FIELDS = (
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
    ("salt", "bytes32"),
)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or value is None:
        raise SigningRefused(f"The transaction's {name} is not a number.")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 16) if value.lower().startswith("0x") else int(value)
        except ValueError:
            pass
    raise SigningRefused(f"The transaction's {name} is not a number: {value!r}.")


def _data(value: Any) -> bytes:
    if value in (None, "", b""):
        return b""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    text = str(value)
    try:
        return bytes.fromhex(text[2:] if text.lower().startswith("0x") else text)
    except ValueError:
        raise SigningRefused("The transaction's data is not hex.") from None


def request_of(tx: Mapping[str, Any], chain_id: int) -> EvmTxRequest:
    """Turn a web3 transaction dict into an ``EvmTxRequest`` for ``chain_id``.

    Raises:
        SigningRefused: a missing field, a number that is not one, or another chain id (a
            transaction for another chain is never signed, and never given this chain's id).
    """
    if "chainId" not in tx:
        raise SigningRefused("The transaction names no chainId; Coffer signs EIP-155 only.")
    if _int(tx["chainId"], "chainId") != chain_id:
        raise SigningRefused(
            f"The transaction is for chain id {tx['chainId']}; this account signs for "
            f"chain id {chain_id}."
        )
    for name in ("nonce", "gas"):
        if name not in tx:
            raise SigningRefused(f"The transaction has no {name}: build it with web3 first.")
    to = tx.get("to")
    base = EvmTxRequest(
        chain_id,
        _int(tx["nonce"], "nonce"),
        None if not to else to_checksum_address(str(to)),
        _int(tx.get("value", 0), "value"),
        _data(tx.get("data", tx.get("input"))),
        _int(tx["gas"], "gas"),
    )
    access = tuple(
        (to_checksum_address(str(e["address"])), tuple(_data(k) for k in e["storageKeys"]))
        for e in tx.get("accessList", ())
    )
    if "maxFeePerGas" in tx:
        return replace(
            base,
            max_fee_per_gas=_int(tx["maxFeePerGas"], "maxFeePerGas"),
            max_priority_fee_per_gas=_int(
                tx.get("maxPriorityFeePerGas", 0), "maxPriorityFeePerGas"
            ),
            access_list=access,
        )
    if "gasPrice" not in tx:
        raise SigningRefused("The transaction has neither maxFeePerGas nor gasPrice.")
    price = _int(tx["gasPrice"], "gasPrice")
    if "accessList" in tx or _int(tx.get("type", 0), "type") == 1:
        return replace(base, gas_price=price, access_list=access, eip2930=True)
    return replace(base, gas_price=price)


def _vrs(raw: bytes, request: EvmTxRequest) -> tuple[int, int, int]:
    items = decode(raw[1:] if request.tx_type else raw)
    assert isinstance(items, list)  # noqa: S101 - the signer's own serialisation
    v, r, s = (decode_int(i) for i in items[-3:] if isinstance(i, bytes))
    return v, r, s


class CofferAccount(BaseAccount):
    """One EVM account of a Coffer wallet, as web3.py and eth-account use an account."""

    def __init__(self, wallet: Wallet, account: EvmAccount, prompt: PromptHandler | None) -> None:
        """Wrap ``account`` of ``wallet``; ``prompt`` approves each signature (None: scripts)."""
        path = account.key_path_indexes
        if path is None:
            raise WatchOnly("This EVM account is watched by address only: it cannot sign here.")
        self._wallet = wallet
        self._account = account
        self._path = path
        self._prompt = prompt
        network = account.network
        assert isinstance(network, EvmNetwork)  # noqa: S101 - an EVM account's network
        self._params = evm_params(network)

    @property
    def address(self) -> Any:
        """Return the account's EIP-55 address."""
        return self._account.address

    def _ctx(self) -> SigningContext:
        return SigningContext(self._params, self._path, prompt=self._prompt)

    def sign_transaction(self, transaction_dict: Any) -> SignedTransaction:
        """Review and sign a web3 transaction dict with the wallet's signer.

        Raises:
            SigningRefused: another chain id, a malformed field, or the review refused it.
            SigningCancelled: the person declined.
        """
        request = request_of(transaction_dict, self._params.chain_id)
        with translate_errors():
            signed = self._wallet.signer().sign_evm(request, self._ctx())
        v, r, s = _vrs(signed.raw, request)
        return SignedTransaction(HexBytes(signed.raw), HexBytes(signed.tx_hash), r, s, v)

    def _sign(self, fmt: MessageFormat, message: bytes, digest: bytes) -> SignedMessage:
        request = MessageRequest(fmt, message, self._path, self.address, self._params.name)
        with translate_errors():
            signature = self._wallet.signer().sign_message(request, self._ctx()).signature
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:64], "big")
        return SignedMessage(HexBytes(digest), r, s, signature[64], HexBytes(signature))

    def sign_message(self, signable_message: SignableMessage) -> SignedMessage:
        """Sign an EIP-191 ``personal_sign`` message (version ``E``).

        Raises:
            SigningRefused: another EIP-191 version (data with validator, or structured data:
                use ``sign_typed_data``).
        """
        if signable_message.version != b"E":
            raise SigningRefused("Only EIP-191 personal messages (version E) are signed here.")
        body = bytes(signable_message.body)
        return self._sign(MessageFormat.EIP191, body, eip191_hash(body))

    def sign_typed_data(
        self,
        domain_data: dict[str, Any] | None = None,
        message_types: dict[str, Any] | None = None,
        message_data: dict[str, Any] | None = None,
        full_message: dict[str, Any] | None = None,
    ) -> SignedMessage:
        """Sign EIP-712 typed data, as ``LocalAccount.sign_typed_data`` takes it.

        Raises:
            SigningRefused: a malformed document, or one for another chain id.
        """
        document = (
            full_message
            if full_message is not None
            else _full(domain_data or {}, message_types or {}, message_data or {})
        )
        text = json.dumps(document, default=str).encode()
        try:
            digest = typed_data_digest(parse_typed_data(text))
        except ValueError as err:
            raise SigningRefused(f"The typed data is malformed: {err}") from None
        return self._sign(MessageFormat.EIP712, text, digest)

    def unsafe_sign_hash(self, message_hash: Any) -> SignedMessage:
        """Refuse: a bare hash shows nothing a person could check.

        Raises:
            SigningRefused: always.
        """
        raise SigningRefused(
            "Coffer does not sign bare hashes: sign the message or typed data it stands for."
        )


def _full(domain: dict[str, Any], types: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """Return the whole EIP-712 document from eth-account's three-part form."""
    domain_type = [{"name": n, "type": t} for n, t in _DOMAIN_FIELDS if n in domain]
    referenced = {f["type"].rstrip("[]") for fields in types.values() for f in fields}
    primary = [name for name in types if name not in referenced]
    if len(primary) != 1:
        raise SigningRefused("The typed data's primary type cannot be told from its types.")
    return {
        "types": {"EIP712Domain": domain_type, **types},
        "primaryType": primary[0],
        "domain": domain,
        "message": message,
    }


def web3_account(
    wallet: Wallet, network: str, index: int = 0, prompt: PromptHandler | None = None
) -> CofferAccount:
    """Return the wallet's EVM account ``index`` on ``network`` as an eth-account account.

    Raises:
        WatchOnly: the wallet holds no keys, or the account is watched by address only.
        WalletError: not an EVM network.
    """
    account = wallet.account(network, index)
    if not isinstance(account, EvmAccount):
        raise SigningRefused(f"{network} is not an EVM network.")
    wallet.signer()  # a watch-only wallet says so now, not at the first signature
    return CofferAccount(wallet, account, prompt)
