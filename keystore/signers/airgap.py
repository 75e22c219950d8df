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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from keystore.errors import InvalidPsbt, SigningRefused
from keystore.signers.accounts import check_account_path, script_kind
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
    SignedEvmTx,
    TxSummary,
    UtxoParams,
)
from primitives.psbt import PSBT_MAGIC, Psbt, PsbtError

__all__ = ["AirGapExchange", "AirGapRequest", "AirGapSigner", "read_psbt_bytes"]


@dataclass(frozen=True, slots=True)
class AirGapRequest:
    """What the host hands to the offline signer.

    Attributes:
        kind: ``"psbt"`` (BIP-174 bytes) or ``"eth-sign-request"`` (EIP-4527 CBOR).
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


def _signature_count(psbt: Psbt) -> int:
    count = 0
    for inp in psbt.inputs:
        count += len(inp.partial_sigs) + (inp.tap_key_sig is not None)
        count += inp.is_finalized
    return count


class AirGapSigner:
    """A signer whose keys are on an offline machine, reached through an ``AirGapExchange``.

    Args:
        exchange: how requests travel (files, animated QR).
        accounts: what the offline signer exported (``coffer signer export``): the host
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
            capabilities=frozenset({Capability.UTXO, Capability.TAPROOT}),
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
        """Refuse: this exchange carries no EIP-4527 request yet.

        Raises:
            UnsupportedCapability: always, before anything is sent.
        """
        raise UnsupportedCapability(
            f"{self._info.label} (air-gapped signer) cannot sign EVM transactions yet.",
            Capability.EVM,
        )

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
            "machine (coffer signer export) and import it here.",
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
