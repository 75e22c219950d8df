"""The online half of an air-gapped signer: write a request, read the response, check it.

The keys are on another machine, which runs the offline signer (``coffer signer`` or the
small Qt window) with a hot signer and its own review. This side knows the accounts the
offline signer exported (``AccountExport``) and moves bytes through an ``AirGapExchange``:
files on a USB stick, or animated QR codes. It trusts the response no more than the offline
side trusts the request: what comes back must parse as a PSBT of the very transaction that
was sent, with at least one new signature; anything else is refused before the host
finalises it (and the host then verifies every input with libbitcoinkernel).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from keystore.bip32 import format_path, parse_path
from keystore.errors import InvalidPath, InvalidPsbt, SigningRefused
from keystore.signers.accounts import check_account_path, script_kind
from keystore.signers.airgap_evm import read_eth_signature, sign_request_for, signed_from_answer
from keystore.signers.base import (
    Capability,
    SignerInfo,
    SignerKind,
    SigningContext,
    UnsupportedCapability,
    require,
)
from keystore.types import (
    AccountExport,
    EvmParams,
    EvmTxRequest,
    MessageFormat,
    MessageRequest,
    MessageSignature,
    SignedEvmTx,
    TxSummary,
    UtxoParams,
)
from primitives.psbt import PSBT_MAGIC, Psbt, PsbtError

__all__ = [
    "MESSAGE_REQUEST",
    "MESSAGE_SIGNATURE",
    "AirGapExchange",
    "AirGapRequest",
    "AirGapSigner",
    "message_request_from_json",
    "message_request_to_json",
    "message_signature_from_json",
    "message_signature_to_json",
    "read_psbt_bytes",
]

MESSAGE_REQUEST = "coffer-message-request"
"""The ``type`` of a message request file (JSON): Coffer's own, as no standard exists."""
MESSAGE_SIGNATURE = "coffer-message-signature"


@dataclass(frozen=True, slots=True)
class AirGapRequest:
    """What the host hands to the offline signer.

    Attributes:
        kind: ``"psbt"`` (BIP-174 bytes), ``"message"`` (``message_request_to_json``) or
            ``"eth-sign-request"`` (EIP-4527 CBOR).
        payload: the request's bytes.
        summary: what the host showed, for its own screen; the offline signer recomputes
            its own and never reads this.
    """

    kind: str
    payload: bytes
    summary: TxSummary | None = None


class AirGapExchange(Protocol):
    """Carries one request to the offline signer and its response back (files, QR)."""

    def exchange(self, request: AirGapRequest) -> bytes:
        """Deliver ``request`` and return the response's bytes.

        Raises:
            SigningCancelled: the person gave up (no response).
        """
        ...


def read_psbt_bytes(data: bytes) -> Psbt:
    """Parse a PSBT as Core, Sparrow and Electrum write it: binary, or Base64 text.

    Raises:
        InvalidPsbt: neither form, or a PSBT that breaks BIP-174/370.
    """
    if data[:5] != PSBT_MAGIC:
        data = b"".join(data.split())  # Base64 text as a file or a paste: drop line breaks
    try:
        return Psbt.from_text_or_bytes(data)
    except (PsbtError, UnicodeDecodeError, ValueError) as err:
        raise InvalidPsbt(f"This is not a readable PSBT: {err}.") from None


def message_request_to_json(request: MessageRequest) -> bytes:
    """Write a message request as the JSON file the offline signer reads."""
    body = {
        "type": MESSAGE_REQUEST,
        "format": request.format.value,
        "message": base64.b64encode(request.message).decode(),
        "path": format_path(request.path),
        "address": request.address,
        "network": request.network,
    }
    return json.dumps(body, indent=1).encode()


def _json_object(data: bytes, kind: str) -> dict[str, object]:
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SigningRefused(f"This is not a {kind} (JSON).") from None
    if not isinstance(body, dict) or body.get("type") != kind:
        raise SigningRefused(f"This is not a {kind}.")
    return body


def message_request_from_json(data: bytes) -> MessageRequest:
    """Read a message request file.

    Raises:
        SigningRefused: not a request, or a field that cannot be read.
    """
    body = _json_object(data, MESSAGE_REQUEST)
    try:
        return MessageRequest(
            format=MessageFormat(str(body["format"])),
            message=base64.b64decode(str(body["message"]), validate=True),
            path=parse_path(str(body["path"])),
            address=str(body["address"]),
            network=str(body["network"]),
        )
    except (KeyError, ValueError, InvalidPath) as err:
        raise SigningRefused(f"The message request cannot be read: {err}.") from None


def message_signature_to_json(signature: MessageSignature) -> bytes:
    """Write a message signature as the JSON file the offline signer returns."""
    body = {
        "type": MESSAGE_SIGNATURE,
        "format": signature.format.value,
        "signature": base64.b64encode(signature.signature).decode(),
        "text": signature.text,
        "address": signature.address,
    }
    return json.dumps(body, indent=1).encode()


def message_signature_from_json(data: bytes) -> MessageSignature:
    """Read a message signature file.

    Raises:
        SigningRefused: not a signature file, or a field that cannot be read.
    """
    body = _json_object(data, MESSAGE_SIGNATURE)
    try:
        return MessageSignature(
            format=MessageFormat(str(body["format"])),
            signature=base64.b64decode(str(body["signature"]), validate=True),
            text=str(body["text"]),
            address=str(body["address"]),
        )
    except (KeyError, ValueError) as err:
        raise SigningRefused(f"The message signature cannot be read: {err}.") from None


def _signature_count(psbt: Psbt) -> int:
    count = 0
    for inp in psbt.inputs:
        count += len(inp.partial_sigs) + (inp.tap_key_sig is not None)
        count += len(inp.tap_script_sigs)  # a policy's tapscript leaves
        count += inp.is_finalized
    return count


class AirGapSigner:
    """A signer whose keys are on an offline machine, reached through an ``AirGapExchange``.

    Args:
        exchange: how requests travel (files, animated QR).
        accounts: what the offline signer exported (``coffer export-account``): the host
            knows its accounts by these, and ``export_account`` answers from them.
        label: how the signer is named to the person.
    """

    __slots__ = ("_accounts", "_exchange", "_info")

    def __init__(
        self,
        exchange: AirGapExchange,
        accounts: Sequence[AccountExport],
        label: str = "Air-gapped signer",
    ) -> None:
        """Remember the exchange and the exported accounts (all of one master key)."""
        if not accounts:
            raise SigningRefused("An air-gapped signer needs at least one exported account.")
        fingerprints = {a.fingerprint for a in accounts}
        if len(fingerprints) != 1:
            raise SigningRefused("These exports come from more than one seed.")
        self._exchange = exchange
        self._accounts = tuple(accounts)
        self._info = SignerInfo(
            fingerprint=accounts[0].fingerprint,
            kind=SignerKind.AIR_GAPPED,
            label=label,
            capabilities=frozenset(
                {
                    Capability.UTXO,
                    Capability.TAPROOT,
                    Capability.MESSAGE_SIGNING,
                    Capability.POLICY,
                }
                | ({Capability.EVM} if any(a.script is None for a in accounts) else set())
            ),
        )

    def __repr__(self) -> str:
        return f"<AirGapSigner {self._info.fingerprint.hex()}>"

    @property
    def info(self) -> SignerInfo:
        """Return the signer's fingerprint, kind and capabilities."""
        return self._info

    def sign_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        """Send ``psbt`` to the offline signer; return the signed PSBT it sent back.

        Raises:
            InvalidPsbt: the response is not a PSBT.
            SigningRefused: the response is another transaction, or adds no signature.
            SigningCancelled: the person gave up.
        """
        require(self._info, Capability.UTXO, "sign Bitcoin-family transactions")
        sent = read_psbt_bytes(psbt)
        response = self._exchange.exchange(AirGapRequest("psbt", sent.serialize(), ctx.expected))
        back = read_psbt_bytes(response)
        try:
            same = back.unsigned_tx().txid == sent.unsigned_tx().txid
        except PsbtError as err:
            raise InvalidPsbt(f"The signed PSBT's transaction cannot be built: {err}.") from None
        if not same:
            raise SigningRefused(
                "The air-gapped signer returned another transaction than the one sent; "
                "nothing was accepted."
            )
        if _signature_count(back) <= _signature_count(sent):
            raise SigningRefused("The air-gapped signer's response carries no new signature.")
        return back.serialize()

    def sign_evm(self, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
        """Send an EIP-4527 ``eth-sign-request``; rebuild the transaction from the answer.

        Raises:
            UnsupportedCapability: no EVM account was exported by the offline signer.
            SigningRefused: the answer is for another request or malformed.
            SigningCancelled: the person gave up.
        """
        require(self._info, Capability.EVM, "sign EVM transactions (it exported no EVM key)")
        request = sign_request_for(tx, ctx.account_path, self._info.fingerprint, None)
        response = self._exchange.exchange(
            AirGapRequest("eth-sign-request", request.cbor(), ctx.expected)
        )
        return signed_from_answer(request, tx, read_eth_signature(response))

    def sign_message(self, request: MessageRequest, ctx: SigningContext) -> MessageSignature:
        """Send a message request to the offline signer; return the signature it sent back.

        The offline signer checks the address against its own key and asks its person; this
        side checks that the answer is for the request's address and format (the wallet's
        ``verify`` then checks the signature itself).

        Raises:
            SigningRefused: another network, or an answer for another address or format.
            SigningCancelled: the person gave up.
        """
        if request.network != ctx.network.name:
            raise SigningRefused(
                f"The request is for {request.network}; this signer was given {ctx.network.name}."
            )
        response = self._exchange.exchange(
            AirGapRequest("message", message_request_to_json(request))
        )
        signature = message_signature_from_json(response)
        if signature.address != request.address or signature.format is not request.format:
            raise SigningRefused(
                "The air-gapped signer answered for another address or format than asked."
            )
        return signature

    def export_account(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> AccountExport:
        """Return the exported account at ``path`` (the offline signer gave it earlier).

        Raises:
            InvalidPath: not an account path of ``network``.
            UnsupportedCapability: the offline signer exported no such account.
        """
        script_kind(network, script)
        check_account_path(network, path)
        for account in self._accounts:
            if account.path == path and account.script == script:
                return account
        raise UnsupportedCapability(
            f"{self._info.label} has not exported that account: export it on the offline "
            "machine (coffer export-account) and import it here.",
            Capability.UTXO,
        )

    def display_address(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> str:
        """Refuse: an air-gapped signer shows addresses on its own screen, not on request.

        Raises:
            UnsupportedCapability: always, before anything is asked.
        """
        raise UnsupportedCapability(
            f"{self._info.label} (air-gapped signer) cannot display an address on request: "
            "check it on the offline machine's screen.",
            Capability.DISPLAY_ADDRESS,
        )
