"""Value types of the EVM review: what a draft will do, read two ways and compared."""

from __future__ import annotations

from dataclasses import dataclass

from keystore.clearsign import Intent, IntentField

__all__ = ["ApprovalChange", "AssetChange", "EvmReview", "Intent", "IntentField"]


@dataclass(frozen=True, slots=True)
class AssetChange:
    """One movement of an asset in the simulated transaction.

    Attributes:
        standard: ``"native"``, ``"erc20"``, ``"erc721"`` or ``"erc1155"``.
        sender: who gives it.
        recipient: who gets it.
        amount: base units (wei, token units) or the item count.
        contract: the token or collection (``None`` for the native coin).
        token_id: the item, for NFTs.
        text: the movement in words ("-100 CFT to 0x...").
        outgoing: it leaves the account under review.
        incoming: it reaches the account under review.
    """

    standard: str
    sender: str
    recipient: str
    amount: int
    contract: str | None
    token_id: int | None
    text: str
    outgoing: bool
    incoming: bool


@dataclass(frozen=True, slots=True)
class ApprovalChange:
    """One approval the simulated transaction grants or changes.

    Attributes:
        standard: ``"erc20"``, ``"erc721"``, ``"operator"`` (ERC-721/1155
            ``setApprovalForAll``) or ``"permit2"``.
        owner: whose assets.
        spender: who may move them.
        contract: the token or collection.
        amount: the allowance in base units (``None`` for an item or all items).
        token_id: the item of an ERC-721 ``approve``.
        approved: ``False`` when it revokes.
        unlimited: an allowance of 2**255 or more (Permit2: 2**159 or more).
        text: the approval in words.
    """

    standard: str
    owner: str
    spender: str
    contract: str
    amount: int | None
    token_id: int | None
    approved: bool
    unlimited: bool
    text: str


@dataclass(frozen=True, slots=True)
class EvmReview:
    """What a draft will do: its intent (descriptors), its simulation, and where they differ.

    Attributes:
        intent: the intent read with the ERC-7730 descriptors; ``None`` for a blind call.
        simulated: ``eth_simulateV1`` answered.
        simulation_note: why there is no simulation ("simulation unavailable: ..."), or
            that the simulated transaction reverts.
        changes: every asset movement the simulation shows.
        approvals: every approval it shows.
        mismatches: what the simulation does that the intent does not show (each blocks
            signing unless overridden).
    """

    intent: Intent | None
    simulated: bool
    simulation_note: str | None
    changes: tuple[AssetChange, ...] = ()
    approvals: tuple[ApprovalChange, ...] = ()
    mismatches: tuple[str, ...] = ()

    @property
    def blind(self) -> bool:
        """Return whether no descriptor reads the call (signing needs a typed confirmation)."""
        return self.intent is None

    @property
    def blocked(self) -> bool:
        """Return whether signing needs an override: a blind call or a mismatch."""
        return self.blind or bool(self.mismatches)

    def lines(self) -> list[str]:
        """Return the review as lines for a person, intent first."""
        out = [
            f"Intent: {self.intent.text}  [{self.intent.descriptor}]"
            if self.intent is not None
            else "Intent: BLIND - no descriptor reads this call"
        ]
        if not self.simulated:
            out.append(f"Simulation: {self.simulation_note}")
        else:
            out.append("Simulation (eth_simulateV1):")
            if self.simulation_note:
                out.append(f"  {self.simulation_note}")
            out.extend(f"  {c.text}" for c in self.changes)
            out.extend(f"  {a.text}" for a in self.approvals)
            if not self.changes and not self.approvals and not self.simulation_note:
                out.append("  no asset moves")
        out.extend(f"MISMATCH: {m}" for m in self.mismatches)
        return out
