"""Signing a message with an account's key: which address, which path, which format.

The wallet finds the key's path for the address (one of the account's, or its only one on
EVM), picks the format when none is asked for (BIP-322 simple for segwit and taproot,
BIP-137 for P2PKH as Bitcoin Core's ``signmessage``, EIP-191 on EVM), checks EIP-712
documents before they reach the signer, and hands a ``MessageRequest`` to the signer, which
proves the address is its key's, asks the person and signs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace

from chains.registry import EvmNetwork, ScriptKind, UtxoNetwork
from keystore.bip32 import parse_path
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.types import EvmParams, MessageFormat, MessageRequest, MessageSignature, UtxoParams
from primitives.eip712 import Eip712Error, parse_typed_data, typed_data_digest
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.addresses import check_address
from wallet.derive import derive_addresses
from wallet.errors import InvalidTypedData, WalletError, translate_errors
from wallet.utxo.draft import utxo_params

__all__ = ["message_bytes", "message_format", "sign_message", "utxo_message_params"]

MessageInput = str | bytes | Mapping[str, object]


def message_format(value: str | MessageFormat | None) -> MessageFormat | None:
    """Return the format named ``value`` (``bip322-simple``, ``bip137``, ``eip712``...).

    Raises:
        WalletError: no format is named so.
    """
    if value is None or isinstance(value, MessageFormat):
        return value
    try:
        return MessageFormat(value.strip().lower())
    except ValueError:
        names = ", ".join(f.value for f in MessageFormat)
        raise WalletError(f"{value!r} is not a message format; use one of {names}.") from None


def _hex_bytes(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    raise TypeError(f"{type(value).__name__} is not a typed-data value")


def message_bytes(message: MessageInput, fmt: MessageFormat | None) -> bytes:
    """Return the bytes of a message: UTF-8 for text, JSON for a typed-data mapping.

    Raises:
        InvalidTypedData: an EIP-712 document that is malformed.
    """
    if isinstance(message, Mapping):
        try:
            raw = json.dumps(message, default=_hex_bytes).encode()
        except (TypeError, ValueError) as err:
            raise InvalidTypedData(f"The typed data cannot be written as JSON: {err}.") from None
    else:
        raw = message.encode() if isinstance(message, str) else bytes(message)
    if fmt is MessageFormat.EIP712:
        try:
            typed_data_digest(parse_typed_data(raw))
        except Eip712Error as err:
            raise InvalidTypedData(f"The typed data is malformed: {err}") from None
    return raw


def utxo_message_params(network: UtxoNetwork) -> UtxoParams:
    """Return the signer's network facts, with the network's ``signmessage`` magic."""
    coin = (
        "Litecoin"
        if network.name.startswith("litecoin")
        else ("Dogecoin" if network.name.startswith("dogecoin") else "Bitcoin")
    )
    return replace(utxo_params(network), message_magic=f"{coin} Signed Message:\n")


def _evm_params(network: EvmNetwork) -> EvmParams:
    return EvmParams(
        network.name, network.title, network.symbol, network.chain_id, network.decimals
    )


def _utxo_path(account: UtxoAccount, address: str) -> tuple[int, ...]:
    """Return the key path of one of the account's addresses, storing nothing.

    A stored address is looked up; otherwise the first gap's worth of both chains is derived
    in memory (a failed or declined signature leaves the wallet file as it was).

    Raises:
        WalletError: not one of those addresses, or an account without a known path.
    """
    info = account.find_address(address)
    account_path = account.record.path
    if info is not None and info.path is not None:
        with translate_errors():
            return parse_path(info.path)
    if account_path is not None:
        for chain in (0, 1):
            derived = derive_addresses(
                account.utxo_network,
                account.account_xpub,
                account.script_kind,
                chain,
                0,
                account.gap_limit,
            )
            if address in derived:
                return (*account_path, chain, derived.index(address))
    raise WalletError(f"{address} is not an address of this account (among its first ones).")


def _utxo_request(
    account: UtxoAccount, message: bytes, address: str | None, fmt: MessageFormat | None
) -> tuple[MessageRequest, UtxoParams]:
    if address:
        wanted = check_address(account.network, address).address
    else:  # the account's first receive address: the same one each time, nothing stored
        wanted = derive_addresses(
            account.utxo_network, account.account_xpub, account.script_kind, 0, 0, 1
        )[0]
    path = _utxo_path(account, wanted)
    if fmt is None:
        fmt = (
            MessageFormat.BIP137
            if account.script_kind is ScriptKind.P2PKH
            else MessageFormat.BIP322_SIMPLE
        )
    params = utxo_message_params(account.utxo_network)
    return MessageRequest(fmt, message, path, wanted, params.name), params


def _evm_request(
    account: EvmAccount, message: bytes, address: str | None, fmt: MessageFormat | None
) -> tuple[MessageRequest, EvmParams]:
    if address is not None and address.strip().lower() != account.address.lower():
        raise WalletError(f"{address} is not this account's address ({account.address}).")
    path = account.key_path_indexes or ()
    params = _evm_params(account.evm_network)
    request = MessageRequest(
        fmt or MessageFormat.EIP191, message, path, account.address, params.name
    )
    return request, params


def sign_message(
    account: Account,
    signer: Signer,
    message: MessageInput,
    address: str | None,
    fmt: str | MessageFormat | None,
    prompt: PromptHandler | None,
) -> MessageSignature:
    """Sign ``message`` with ``signer`` for an address of ``account`` (see ``Wallet``)."""
    chosen = message_format(fmt)
    raw = message_bytes(message, chosen)
    request: MessageRequest
    params: UtxoParams | EvmParams
    if isinstance(account, UtxoAccount):
        request, params = _utxo_request(account, raw, address, chosen)
    elif isinstance(account, EvmAccount):
        request, params = _evm_request(account, raw, address, chosen)
    else:  # pragma: no cover - the wallet has two families
        raise WalletError("This account cannot sign messages.")
    with translate_errors():
        return signer.sign_message(request, SigningContext(params, request.path, prompt=prompt))
