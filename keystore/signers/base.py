"""The one protocol every signer satisfies: hot, air-gapped and hardware alike.

Input is data both sides understand: a PSBT (BIP-174/370) as bytes, an ``EvmTxRequest``
with its chain id, or a ``MessageRequest``. Output is the same PSBT with signatures added, a
signed transaction, or a ``MessageSignature``.
A signer trusts nothing it is told: it recomputes the human summary from the transaction,
proves change with its own derivation, refuses a mismatch with ``ctx.expected``
(``SigningRefused``), never picks the chain id, and raises ``SigningCancelled`` when the user
declines.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from keystore.errors import KeystoreError
from keystore.types import (
    AccountExport,
    EvmParams,
    EvmTxRequest,
    MessageRequest,
    MessageSignature,
    SignedEvmTx,
    TxSummary,
    UtxoParams,
)

__all__ = [
    "Capability",
    "PromptHandler",
    "Signer",
    "SignerInfo",
    "SignerKind",
    "SigningContext",
    "UnsupportedCapability",
    "require",
]


class SignerKind(enum.Enum):
    """Where the keys of a signer live."""

    HOT = "hot"
    AIR_GAPPED = "air-gapped"
    HARDWARE = "hardware"


class Capability(enum.Enum):
    """What a signer can do, declared up front rather than discovered by failure."""

    UTXO = "utxo"
    EVM = "evm"
    TAPROOT = "taproot"
    MESSAGE_SIGNING = "message-signing"
    DISPLAY_ADDRESS = "display-address"
    POLICY = "policy"
    """Signs inputs of a registered policy (multisig, miniscript; ``SigningContext.policy``)."""


class UnsupportedCapability(KeystoreError, NotImplementedError):
    """The signer does not declare the capability a request needs; nothing was asked.

    Attributes:
        capability: the capability that is missing.
    """

    def __init__(self, message: str, capability: Capability) -> None:
        """Record the sentence and the missing capability."""
        super().__init__(message)
        self.capability = capability


@dataclass(frozen=True, slots=True)
class SignerInfo:
    """Who a signer is: master fingerprint (4 bytes), kind, label and capabilities."""

    fingerprint: bytes
    kind: SignerKind
    label: str
    capabilities: frozenset[Capability]


def require(info: SignerInfo, capability: Capability, what: str) -> None:
    """Raise before any prompt when ``info`` does not declare ``capability``.

    Raises:
        UnsupportedCapability: naming the signer and what it cannot do.
    """
    if capability not in info.capabilities:
        raise UnsupportedCapability(
            f"{info.label} ({info.kind.value} signer) cannot {what}.", capability
        )


class PromptHandler(Protocol):
    """Questions a signer asks a person; the GUI and the CLI implement this.

    Signers call it from a worker thread; a GUI implementation hands the question to the GUI
    thread and waits for the answer.
    """

    def confirm_transaction(self, summary: TxSummary) -> bool:
        """Show the recomputed summary and return whether the person approves it."""
        ...

    def confirm_message(self, request: MessageRequest) -> bool:
        """Show the message (for EIP-712 the typed data) and the address; return the answer."""
        ...


@dataclass(frozen=True, slots=True)
class SigningContext:
    """What the signer needs besides the transaction.

    Attributes:
        network: the network's parameters (from the registry, via ``wallet``).
        account_path: the derivation path of the account; change must derive under it.
        expected: the summary the online side showed, if any; a mismatch is refused.
        prompt: who to ask for approval; ``None`` approves without asking (scripts).
        max_fee: the highest fee the signer accepts, in base units of the network's coin;
            ``None`` sets no cap. A higher fee is refused before any prompt.
        policy: the registered output descriptor of a policy account (multisig, miniscript),
            ``None`` for a single-key account. The signer re-derives every script it signs
            or calls change from it (``keystore.signers.policy_review``); ``account_path`` is
            then ignored.
    """

    network: UtxoParams | EvmParams
    account_path: tuple[int, ...]
    expected: TxSummary | None = None
    prompt: PromptHandler | None = None
    max_fee: int | None = None
    policy: str | None = None


@runtime_checkable
class Signer(Protocol):
    """Anything that signs: it gets an unsigned transaction and returns signatures."""

    @property
    def info(self) -> SignerInfo:
        """Return the signer's fingerprint, kind and capabilities."""
        ...

    def sign_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        """Add signatures for every input this signer holds keys for; return the PSBT."""
        ...

    def sign_evm(self, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
        """Sign an EVM transaction request for ``ctx.network``'s chain id."""
        ...

    def export_account(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> AccountExport:
        """Return the key origin and extended public key of the account at ``path``.

        Args:
            network: the network the account is for (its coin type must match the path).
            path: the account path (``m/84'/0'/0'``; for EVM ``m/44'/60'/0'``).
            script: the script kind of a UTXO account, ``None`` for EVM.
        """
        ...

    def display_address(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> str:
        """Show the address of the key at ``path`` on the signer itself; return it.

        The caller compares the returned text with the address it derived: a difference
        means the host and the signer disagree about whose address it is.

        Raises:
            UnsupportedCapability: the signer cannot display addresses.
        """
        ...

    def sign_message(self, request: MessageRequest, ctx: SigningContext) -> MessageSignature:
        """Sign a message with the key at ``request.path`` (BIP-322, BIP-137, EIP-191/712).

        The signer derives the address from its own key and refuses a request whose address
        or network differs from it, or a format its family does not have (``SigningRefused``);
        a person who declines raises ``SigningCancelled``. A signer without
        ``Capability.MESSAGE_SIGNING`` refuses every request before any prompt.
        """
        ...
