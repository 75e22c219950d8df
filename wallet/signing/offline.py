"""Signing a PSBT that came from elsewhere, with the seed in this wallet file.

This is what the offline signer (``coffer signer``, ``python -m gui.signer``) and
``coffer psbt sign`` run: a PSBT made by a watch-only Coffer, Sparrow, Electrum or Bitcoin
Core (``walletcreatefundedpsbt``) arrives as bytes; nothing that came with it is trusted.
The account is found from the PSBT's key origins (``PSBT_IN_BIP32_DERIVATION`` naming this
seed's fingerprint) among the wallet's own accounts; the hot signer then recomputes the
summary from the transaction itself (change proven by its own derivation, fee from proven
amounts, the network's addresses), asks the person, and signs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from chains.registry import EvmNetwork, UtxoNetwork, get_network
from keystore.bip32 import format_path
from keystore.clearsign import Intent, readings_of_request
from keystore.signers.airgap import (
    MESSAGE_REQUEST,
    message_request_from_json,
    message_signature_to_json,
)
from keystore.signers.airgap_evm import read_eth_sign_request, signature_answer
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.types import EvmParams, MessageRequest, TxSummary
from primitives.evm_address import evm_address_from_pubkey
from primitives.psbt import Psbt
from wallet.errors import (
    FeeTooHigh,
    NothingToSign,
    SigningRefused,
    WalletError,
    translate_errors,
)
from wallet.signing.export import network_params
from wallet.signing.psbt import read_psbt
from wallet.types import AccountRecord
from wallet.utxo.draft import utxo_params

__all__ = [
    "account_of_psbt",
    "request_kind",
    "sign_eth_request",
    "sign_foreign_psbt",
    "sign_message_request",
]


def _our_paths(psbt: Psbt, fingerprint: bytes) -> list[tuple[int, ...]]:
    paths = []
    for inp in psbt.inputs:
        if inp.is_finalized:
            continue
        sources = [s for s in inp.bip32_derivations.values()]
        sources += [t.source for t in inp.tap_bip32_derivations.values()]
        paths += [s.path for s in sources if s.fingerprint == fingerprint]
    return paths


def account_of_psbt(
    psbt: Psbt, fingerprint: bytes, records: Sequence[AccountRecord], network: str | None
) -> tuple[UtxoNetwork, tuple[int, ...]]:
    """Return the network and account path the PSBT's inputs of this seed belong to.

    Raises:
        NothingToSign: no unsigned input names this seed.
        WalletError: the keys are of no account of this wallet, or of accounts on several
            networks (name the network).
    """
    paths = _our_paths(psbt, fingerprint)
    if not paths:
        raise NothingToSign(
            "No input of this PSBT is this wallet's to sign (none names master key "
            f"{fingerprint.hex()}): it is another wallet's, or signed already."
        )
    first = paths[0]
    found = {
        (r.network.name, r.path)
        for r in records
        if isinstance(r.network, UtxoNetwork)
        and r.path is not None
        and first[: len(r.path)] == r.path
        and (network is None or r.network.name == network)
    }
    if len(found) == 1:
        name, path = next(iter(found))
        net = get_network(name)
        assert isinstance(net, UtxoNetwork)  # noqa: S101 - filtered above
        return net, path
    if network is not None and len(first) >= 3:
        with translate_errors():
            net = get_network(network)
        if isinstance(net, UtxoNetwork):
            return net, first[:3]
    where = format_path(first[:3])
    if not found:
        raise WalletError(
            f"The PSBT spends keys of account {where}, which this wallet has not opened: "
            "name its network (--network) to sign with it."
        )
    names = ", ".join(sorted(name for name, _ in found))
    raise WalletError(f"Account {where} is open on several networks ({names}): name one.")


class _FeeCheck:
    """Refuse, before the person is asked, a fee above a share of what the PSBT sends.

    Whoever made the PSBT chose its fee; an offline signer has no draft to compare with, so
    the wallet's own cap (``w.settings.max_fee_share``, 10% by default) applies to the
    summary the signer recomputed: a host that turned the change into fee is refused.
    """

    def __init__(self, inner: PromptHandler | None, max_share: Decimal) -> None:
        self._inner = inner
        self._max_share = max_share

    def confirm_transaction(self, summary: TxSummary) -> bool:
        sent = sum(o.amount for o in summary.outputs if not o.is_change)
        cap = int(Decimal(sent) * self._max_share)
        if summary.fee > cap:
            percent = f"{(self._max_share * 100).normalize():f}"
            raise FeeTooHigh(
                f"The PSBT pays a fee of {summary.fee} base units, more than {percent}% of the "
                f"{sent} it sends; nothing was signed (allow a high fee if you mean it).",
                summary.fee,
                cap,
            )
        return self._inner is None or self._inner.confirm_transaction(summary)

    def confirm_message(self, request: MessageRequest) -> bool:
        return self._inner is None or self._inner.confirm_message(request)


class _ShowIntent:
    """Show, with the summary the signer recomputed, what the call does by its descriptors.

    The readings come from the request and the ERC-7730 descriptors ``keystore.clearsign``
    carries; nothing the host attached takes part. A call no descriptor reads is said to be
    blind; a selector that means two things on a contract the signer cannot name (``approve``
    of a token or of a collection) is shown both ways.
    """

    def __init__(self, inner: PromptHandler | None, readings: list[Intent], call: bool) -> None:
        self._inner = inner
        self._readings = readings
        self._call = call

    def confirm_transaction(self, summary: TxSummary) -> bool:
        if self._inner is None:
            return True
        if len(self._readings) == 1:
            one = self._readings[0]
            said = f"{one.text} (read with the descriptor {one.descriptor})"
        elif self._readings:
            said = (
                "either "
                + " or ".join(f"{r.text} (as {r.descriptor})" for r in self._readings)
                + ": this signer cannot tell which; the contract is not in its token list"
            )
        elif self._call:
            said = "blind: no descriptor this signer carries reads this call; check every byte"
        else:
            return self._inner.confirm_transaction(summary)
        shown = f"{summary.contract_call}; intent: {said}" if summary.contract_call else said
        return self._inner.confirm_transaction(replace(summary, contract_call=shown))

    def confirm_message(self, request: MessageRequest) -> bool:
        return self._inner is None or self._inner.confirm_message(request)


def _sender(records: Sequence[AccountRecord], path: tuple[int, ...]) -> str | None:
    """Return the address of the key at ``path`` from an account's public key, if one has it."""
    for record in records:
        if record.path is None or record.xpub is None or len(path) != len(record.path) + 1:
            continue
        if tuple(path[: len(record.path)]) == tuple(record.path):
            return evm_address_from_pubkey(record.xpub.child(path[-1]).public_key)
    return None


def sign_foreign_psbt(
    signer: Signer,
    records: Sequence[AccountRecord],
    data: bytes | str,
    *,
    network: str | None = None,
    prompt: PromptHandler | None = None,
    max_fee: int | None = None,
    max_fee_share: Decimal | None = None,
) -> bytes:
    """Review and sign a PSBT from anywhere with ``signer``; return the signed PSBT.

    Args:
        signer: the wallet's hot signer.
        records: the wallet's accounts (the PSBT's keys must be under one of them).
        data: the PSBT, binary or Base64.
        network: the network, when the key origins alone do not say it.
        prompt: who approves the summary the signer recomputed.
        max_fee: refuse a fee above this (base units).
        max_fee_share: refuse a fee above this share of what the PSBT sends (``None``: no
            share cap).

    Raises:
        InvalidPsbt: not a PSBT.
        NothingToSign: no input of this wallet.
        SigningRefused: the review refused it (another network, a tampered input, an
            unusual sighash...), saying why.
        SigningCancelled: the person declined.
        FeeTooHigh: a fee above ``max_fee_share`` of the amount sent.
    """
    psbt = read_psbt(data)
    if max_fee_share is not None:
        prompt = _FeeCheck(prompt, max_fee_share)
    signed = _sign_as_policy(signer, records, psbt, network, prompt, max_fee)
    if signed is not None:
        return signed
    net, path = account_of_psbt(psbt, signer.info.fingerprint, records, network)
    ctx = SigningContext(utxo_params(net), path, prompt=prompt, max_fee=max_fee)
    with translate_errors():
        return signer.sign_psbt(psbt.serialize(), ctx)


def _sign_as_policy(
    signer: Signer,
    records: Sequence[AccountRecord],
    psbt: Psbt,
    network: str | None,
    prompt: PromptHandler | None,
    max_fee: int | None,
) -> bytes | None:
    """Sign with the first policy account whose registered descriptor the PSBT spends.

    Each policy account of the wallet is tried in turn: its signer re-derives the inputs'
    scripts from the descriptor and says ``NothingToSign`` when none is the policy's.
    """
    for record in records:
        net = record.network
        if record.descriptor is None or not isinstance(net, UtxoNetwork):
            continue
        if network is not None and net.name != network:
            continue
        ctx = SigningContext(
            utxo_params(net), (), prompt=prompt, max_fee=max_fee, policy=record.descriptor
        )
        try:
            with translate_errors():
                return signer.sign_psbt(psbt.serialize(), ctx)
        except NothingToSign:
            continue
    return None


def request_kind(data: bytes) -> str:
    """Return what a request file holds: ``"message"`` or ``"psbt"`` (anything else).

    A PSBT is binary or Base64 and never starts with ``{``; a message request is JSON
    naming its type.
    """
    head = data.lstrip()[:200]
    return "message" if head.startswith(b"{") and MESSAGE_REQUEST.encode() in head else "psbt"


def sign_message_request(
    signer: Signer, data: bytes, *, prompt: PromptHandler | None = None
) -> bytes:
    """Sign a message request file (``coffer-message-request``); return the signature file.

    The signer derives the address at the request's path itself and refuses a request
    whose address is not that key's.

    Raises:
        SigningRefused: an unreadable request, another address, a format the address kind
            has not.
        UnknownNetwork: a network the registry lacks.
        SigningCancelled: the person declined.
    """
    with translate_errors():
        request = message_request_from_json(data)
        net = get_network(request.network)
    account_path = request.path[:3]
    ctx = SigningContext(network_params(net), account_path, prompt=prompt)
    with translate_errors():
        signature = signer.sign_message(request, ctx)
    return message_signature_to_json(signature)


def sign_eth_request(
    signer: Signer,
    records: Sequence[AccountRecord],
    data: bytes,
    *,
    prompt: PromptHandler | None = None,
) -> bytes:
    """Sign an EIP-4527 ``eth-sign-request``; return the ``eth-signature`` CBOR.

    The transaction is read from the request's own bytes; its chain id must be the
    request's and a network on which this wallet has an EVM account (a request replayed for
    another chain names a chain the person did not open). The hot signer reviews it (the
    summary it shows is its own reading: recipient, value, decoded call, chain id, nonce,
    maximum fee) and asks.

    Raises:
        SigningRefused: unreadable, a chain id that differs, a message instead of a
            transaction, or an address in the request that is not the key's.
        WalletError: no EVM account of this wallet is on that chain.
        SigningCancelled: the person declined.
    """
    with translate_errors():
        request, tx, path = read_eth_sign_request(data)
    networks = {r.network.chain_id: r.network for r in records if isinstance(r.network, EvmNetwork)}
    net = networks.get(tx.chain_id)
    if net is None:
        raise WalletError(
            f"This wallet has no EVM account on chain id {tx.chain_id}: the request is for a "
            "chain you did not open here. Not signed."
        )
    params = network_params(net)
    assert isinstance(params, EvmParams)  # noqa: S101 - an EVM network's parameters
    sender = _sender(records, tuple(path))
    if sender is None and request.address is not None:
        sender = "0x" + request.address.hex()
    readings: list[Intent] = []
    if tx.to is not None and tx.data and sender is not None:
        readings = readings_of_request(tx, params, sender)
    shown = _ShowIntent(prompt, readings, bool(tx.data))
    ctx = SigningContext(params, path, prompt=shown)
    with translate_errors():
        signed = signer.sign_evm(tx, ctx)
    if request.address is not None and "0x" + request.address.hex() != signed.sender.lower():
        raise SigningRefused("The request names another address than the key at its path.")
    return signature_answer(request, tx, signed)
