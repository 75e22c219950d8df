"""Value types of the EVM family at the API: drafts, token holdings, collectibles, own sends."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from keystore.types import EvmTxRequest
from wallet.amounts import to_decimal
from wallet.evm.review_types import EvmReview
from wallet.types import Draft, TxStatus

__all__ = ["Collectible", "EvmDraft", "SentTransaction", "TokenHolding"]


@dataclass(frozen=True, slots=True)
class EvmDraft(Draft):
    """An unsigned EVM transaction with its summary (see ``Draft``).

    Attributes:
        request: the transaction for the signer (EIP-1559 or legacy, with its chain id).
        kind: ``"send"``, ``"speed-up"`` or ``"cancel"``.
        replaces: the hash of the pending transaction a speed-up or cancel replaces (or a
            send given the nonce of one on purpose).
        nonce_gaps: nonces missing below the wallet's own pending transactions (the ones
            above cannot be mined until they are filled); the draft fills the lowest.
        l1_fee: the L1 data fee of an OP Stack chain in wei (0 elsewhere), counted in
            ``max_fee``; the summary's fee is the gas alone, which the signer can check.
        review: what the transaction will do: the intent read with the ERC-7730
            descriptors, the node's simulation, and where they differ
            (``wallet.evm.review``).
        allow_blind: the person accepted signing a call no descriptor reads.
        allow_mismatch: the person accepted a simulation the intent does not match.
    """

    request: EvmTxRequest
    kind: str = "send"
    replaces: str | None = None
    nonce_gaps: tuple[int, ...] = ()
    l1_fee: int = 0
    review: EvmReview | None = None
    allow_blind: bool = False
    allow_mismatch: bool = False

    def accept_risks(self, *, blind: bool = False, mismatch: bool = False) -> EvmDraft:
        """Return this draft with the review's blocks overridden, as the person chose.

        Args:
            blind: sign although no descriptor reads the call.
            mismatch: sign although the simulation does what the intent does not show.
        """
        return replace(
            self,
            allow_blind=self.allow_blind or blind,
            allow_mismatch=self.allow_mismatch or mismatch,
        )

    @property
    def max_fee(self) -> int:
        """Return the most the transaction can cost in fees, in wei (with any L1 data fee)."""
        r = self.request
        per_gas = r.gas_price if r.gas_price is not None else (r.max_fee_per_gas or 0)
        return r.gas * per_gas + self.l1_fee


@dataclass(frozen=True, slots=True)
class TokenHolding:
    """An ERC-20 token of a network and what the account holds of it (as of the last sync).

    Attributes:
        network: the registry name of the network.
        contract: the token contract (EIP-55).
        symbol: its ticker.
        name: its full name.
        decimals: its decimal places.
        balance: base units held, ``None`` when its ``balanceOf`` failed at the last sync.
        logo_uri: an image URL from the token list, if any.
        custom: whether the user added it (rather than the bundled list).
    """

    network: str
    contract: str
    symbol: str
    name: str
    decimals: int
    balance: int | None = None
    logo_uri: str | None = None
    custom: bool = False

    @property
    def balance_decimal(self) -> Decimal | None:
        """Return the balance as exact tokens."""
        return None if self.balance is None else to_decimal(self.balance, self.decimals)


@dataclass(frozen=True, slots=True)
class Collectible:
    """An ERC-721 or ERC-1155 item the account holds, with what its metadata says.

    Attributes:
        network: the registry name of the network.
        contract: the collection's contract.
        token_id: the item.
        standard: ``"erc721"`` or ``"erc1155"``.
        amount: 1 for ERC-721, the count for ERC-1155 (tickets often come in several).
        uri: the metadata URI as the contract gives it (``ipfs://`` and ``https://`` are shown
            as such, never fetched).
        name: the item's name, from ``data:`` metadata.
        description: its description.
        image: its image URI.
        attributes: ``(trait, value)`` pairs.
        note: why the metadata could not be read, if it could not.
    """

    network: str
    contract: str
    token_id: int
    standard: str
    amount: int
    uri: str | None = None
    name: str | None = None
    description: str | None = None
    image: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    note: str | None = None


@dataclass(frozen=True, slots=True)
class SentTransaction:
    """A transaction this wallet broadcast, and where it stands.

    Attributes:
        tx_hash: its hash.
        nonce: its nonce.
        kind: ``"send"``, ``"speed-up"`` or ``"cancel"``.
        status: pending, confirmed, failed (reverted), replaced or dropped.
        replaces: the hash it replaces, for a speed-up or cancel.
        block_number: the block holding it, once mined.
        fee: the fee paid in wei, once mined.
        to: the transaction's recipient (a token transfer's contract).
        value: wei it carries.
        max_fee: the most its fees can cost, in wei.
    """

    tx_hash: str
    nonce: int
    kind: str
    status: TxStatus
    replaces: str | None
    block_number: int | None
    fee: int | None
    to: str | None
    value: int
    max_fee: int
