"""Know before you sign: an EVM draft's intent, its simulation, and their reconciliation.

Two independent readings of one transaction:

1. **The intent**, read offline from the call data with the ERC-7730 descriptors the signer
   carries (``keystore.clearsign``): "Approve Permit2 to spend 100 CFT". A call no
   descriptor reads is *blind*.
2. **The simulation**, from the node (``chains.evm.simulate``: ``eth_simulateV1`` with
   native transfers traced): every Transfer, TransferSingle/Batch, Approval and
   ApprovalForAll (and Permit2's Approval and Permit) the transaction would emit.

Every effect on the account's own assets that the simulation shows must be one the intent
shows: an outgoing transfer of a token amount the intent names (at most that amount), an
NFT it names, an approval to a spender it names for no more than the amount it names (an
"approve 100" that grants an unlimited allowance does not pass), native coin up to the
transaction's value. An amount the intent shows as an allowance (approve, permit) never
covers tokens that leave, nor a transferred amount an allowance. Amounts of one token add
up across its transfers. Anything else is a mismatch; a mismatch or a blind call blocks
signing until the person overrides it (``EvmDraft.accept_risks``). Where the node has no
``eth_simulateV1`` the review says so and rests on the intent alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from chains.errors import BackendUnavailable, ChainError, Unsupported
from chains.evm.backend import CallRequest, EvmBackend
from chains.evm.simulate import (
    NATIVE_TRANSFER_ADDRESS,
    SimulatedLog,
    Simulation,
    simulate_transaction,
)
from keystore.clearsign import (
    FieldKind,
    Intent,
    NativeAsset,
    TokenMeta,
    interpret_call,
    load_registry,
)
from keystore.types import EvmTxRequest
from primitives.evm_address import to_checksum_address
from primitives.hashes import keccak256
from wallet.amounts import format_amount
from wallet.errors import ReviewBlocked
from wallet.evm.context import EvmContext
from wallet.evm.review_types import ApprovalChange, AssetChange, EvmReview

__all__ = ["check_review", "reconcile", "review_for", "review_request", "simulated_effects"]

_TRANSFER = keccak256(b"Transfer(address,address,uint256)")
_APPROVAL = keccak256(b"Approval(address,address,uint256)")
_APPROVAL_FOR_ALL = keccak256(b"ApprovalForAll(address,address,bool)")
_TRANSFER_SINGLE = keccak256(b"TransferSingle(address,address,address,uint256,uint256)")
_TRANSFER_BATCH = keccak256(b"TransferBatch(address,address,address,uint256[],uint256[])")
_PERMIT2_APPROVAL = keccak256(b"Approval(address,address,address,uint160,uint48)")
_PERMIT2_PERMIT = keccak256(b"Permit(address,address,address,uint160,uint48,uint48)")
_UNLIMITED = 2**255
_PERMIT2_UNLIMITED = 2**159
_ZERO = "0x" + "00" * 20


def _addr(word: bytes) -> str:
    return to_checksum_address(word[-20:])


def _int(word: bytes) -> int:
    return int.from_bytes(word, "big")


def _words(data: bytes) -> list[bytes]:
    return [data[i : i + 32] for i in range(0, len(data) - len(data) % 32, 32)]


class _Effects:
    """Collects the changes and approvals of a simulation, worded for one account."""

    def __init__(self, account: str, native: NativeAsset, tokens: Mapping[str, TokenMeta]):
        self.account = account
        self.native = native
        self.tokens = tokens
        self.changes: list[AssetChange] = []
        self.approvals: list[ApprovalChange] = []

    def _token_text(self, contract: str, amount: int) -> str:
        meta = self.tokens.get(contract)
        if meta is None:
            return f"{amount} base units of {contract}"
        return format_amount(amount, meta.decimals, meta.symbol)

    def move(
        self, standard: str, frm: str, to: str, amount: int, contract: str | None, item: int | None
    ) -> None:
        if standard == "native":
            what = format_amount(amount, self.native.decimals, self.native.symbol)
        elif standard == "erc20" and contract is not None:
            what = self._token_text(contract, amount)
        else:
            what = f"{amount} x item {item} of {contract}"
        out, inc = frm == self.account, to == self.account
        if out:
            text = f"-{what} to {to}"
        elif inc:
            text = f"+{what} from {frm}"
        else:
            text = f"{what} moves from {frm} to {to}"
        self.changes.append(AssetChange(standard, frm, to, amount, contract, item, text, out, inc))

    def approve(
        self,
        standard: str,
        owner: str,
        spender: str,
        contract: str,
        amount: int | None,
        item: int | None,
        approved: bool = True,
    ) -> None:
        limit = _PERMIT2_UNLIMITED if standard == "permit2" else _UNLIMITED
        unlimited = amount is not None and amount >= limit
        if not approved or (amount == 0 and standard != "erc721") or spender == _ZERO:
            text = f"revokes {spender}'s approval on {contract}"
            approved = False
        elif standard == "operator":
            text = f"approves {spender} to move every item of {contract}"
        elif standard == "erc721":
            text = f"approves {spender} to move item {item} of {contract}"
        else:
            shown = "an UNLIMITED amount" if unlimited else self._token_text(contract, amount or 0)
            via = " through Permit2" if standard == "permit2" else ""
            text = f"approves {spender} to spend {shown} of {contract}{via}"
        self.approvals.append(
            ApprovalChange(
                standard, owner, spender, contract, amount, item, approved, unlimited, text
            )
        )

    def read(self, log: SimulatedLog) -> None:
        topics, data = log.topics, log.data
        if not topics:
            return
        sig, n = topics[0], len(topics)
        if sig == _TRANSFER and n == 3 and len(data) == 32:
            frm, to, amount = _addr(topics[1]), _addr(topics[2]), _int(data)
            if log.address == NATIVE_TRANSFER_ADDRESS:
                self.move("native", frm, to, amount, None, None)
            else:
                self.move("erc20", frm, to, amount, log.address, None)
        elif sig == _TRANSFER and n == 4:
            self.move("erc721", _addr(topics[1]), _addr(topics[2]), 1, log.address, _int(topics[3]))
        elif sig == _TRANSFER_SINGLE and n == 4 and len(data) == 64:
            w = _words(data)
            frm, to = _addr(topics[2]), _addr(topics[3])
            self.move("erc1155", frm, to, _int(w[1]), log.address, _int(w[0]))
        elif sig == _TRANSFER_BATCH and n == 4:
            frm, to = _addr(topics[2]), _addr(topics[3])
            for item, amount in _batch(data):
                self.move("erc1155", frm, to, amount, log.address, item)
        elif sig == _APPROVAL and n == 3 and len(data) == 32:
            owner, spender = _addr(topics[1]), _addr(topics[2])
            self.approve("erc20", owner, spender, log.address, _int(data), None)
        elif sig == _APPROVAL and n == 4:
            owner, spender = _addr(topics[1]), _addr(topics[2])
            self.approve("erc721", owner, spender, log.address, None, _int(topics[3]))
        elif sig == _APPROVAL_FOR_ALL and n == 3 and len(data) == 32:
            owner, operator = _addr(topics[1]), _addr(topics[2])
            self.approve("operator", owner, operator, log.address, None, None, _int(data) != 0)
        elif sig in (_PERMIT2_APPROVAL, _PERMIT2_PERMIT) and n == 4 and len(data) >= 32:
            owner, token, spender = _addr(topics[1]), _addr(topics[2]), _addr(topics[3])
            self.approve("permit2", owner, spender, token, _int(data[:32]), None)


def _batch(data: bytes) -> list[tuple[int, int]]:
    """Decode ``TransferBatch``'s ``(uint256[] ids, uint256[] values)``; [] when malformed."""
    w = _words(data)
    try:
        ids_at, values_at = _int(w[0]) // 32, _int(w[1]) // 32
        ids = [_int(x) for x in w[ids_at + 1 : ids_at + 1 + _int(w[ids_at])]]
        values = [_int(x) for x in w[values_at + 1 : values_at + 1 + _int(w[values_at])]]
    except IndexError:
        return []
    return list(zip(ids, values, strict=False))


def simulated_effects(
    simulation: Simulation, account: str, native: NativeAsset, tokens: Mapping[str, TokenMeta]
) -> tuple[tuple[AssetChange, ...], tuple[ApprovalChange, ...]]:
    """Return every asset movement and approval of a simulation, worded for ``account``."""
    effects = _Effects(account, native, tokens)
    for log in simulation.logs:
        effects.read(log)
    return tuple(effects.changes), tuple(effects.approvals)


def _grants(intent: Intent) -> bool:
    """Whether the intent's amounts are allowances (approve, permit), not movements."""
    return intent.intent.lower().startswith(("approve", "permit"))


def _shows_amount(intent: Intent, token: str, amount: int, allowance: bool) -> bool:
    if _grants(intent) != allowance:
        return False
    return any(
        f.kind is FieldKind.TOKEN_AMOUNT
        and f.token == token
        and (f.unlimited or (f.amount is not None and amount <= f.amount))
        for f in intent.fields
    )


def _shows_address(intent: Intent, address: str) -> bool:
    return any(f.address == address for f in intent.fields)


def _shows_item(intent: Intent, collection: str, item: int | None, to: str | None) -> bool:
    if any(
        f.kind is FieldKind.NFT and f.token == collection and f.token_id == item
        for f in intent.fields
    ):
        return True
    # A batch transfer lists its items as raw numbers: the collection must be the one called.
    return intent.function.startswith("safeBatchTransferFrom(") and to == collection


def reconcile(
    intent: Intent | None,
    request: EvmTxRequest,
    account: str,
    changes: tuple[AssetChange, ...],
    approvals: tuple[ApprovalChange, ...],
) -> tuple[str, ...]:
    """Return what the simulation does to the account that the intent does not show.

    Args:
        intent: the descriptors' reading (``None``: blind; only native value is checked).
        request: the transaction.
        account: the signing account.
        changes: the simulated movements.
        approvals: the simulated approvals.
    """
    out: list[str] = []
    native_out = sum(c.amount for c in changes if c.standard == "native" and c.outgoing)
    if native_out > request.value:
        out.append(
            f"the simulation sends {native_out} wei from this account, more than the "
            f"transaction's value of {request.value} wei"
        )
    if intent is None:
        return tuple(out)
    to = None if request.to is None else to_checksum_address(request.to)
    # Token amounts add up per token: two transfers of 5 where the intent shows one of 5
    # (a token that also pays someone else) is a mismatch.
    token_out: dict[str, int] = {}
    for c in changes:
        if not c.outgoing or c.standard == "native" or c.contract is None:
            continue
        if c.standard == "erc20":
            token_out[c.contract] = token_out.get(c.contract, 0) + c.amount
        elif not _shows_item(intent, c.contract, c.token_id, to):
            out.append(f"an outgoing transfer the intent does not show: {c.text}")
    for token, total in token_out.items():
        if not _shows_amount(intent, token, total, allowance=False):
            moves = "; ".join(c.text for c in changes if c.outgoing and c.contract == token)
            out.append(f"outgoing transfers the intent does not show: {moves}")
    for a in approvals:
        if a.owner != account or not a.approved:
            continue
        named = _shows_address(intent, a.spender)
        if a.standard in ("erc20", "permit2"):
            covered = named and _shows_amount(intent, a.contract, a.amount or 0, allowance=True)
        elif a.standard == "erc721":
            covered = named and _shows_item(intent, a.contract, a.token_id, to)
        else:
            covered = named and intent.function.startswith("setApprovalForAll(")
        if not covered:
            out.append(f"an approval the intent does not show: {a.text}")
    return tuple(out)


def review_request(
    backend: EvmBackend,
    request: EvmTxRequest,
    account: str,
    native: NativeAsset,
    tokens: Mapping[str, TokenMeta],
) -> EvmReview:
    """Read a transaction with the descriptors, simulate it, and reconcile the two.

    Args:
        backend: the network's node (for ``eth_simulateV1``).
        request: the transaction to review.
        account: the signing account's address.
        native: the network's coin.
        tokens: the tokens the wallet can name, by contract.

    Returns:
        The review; a node without ``eth_simulateV1`` (or out of reach) gives a review with
        ``simulated=False`` and the reason.
    """
    intent = interpret_call(
        request.chain_id,
        account,
        request.to,
        request.value,
        request.data,
        load_registry(),
        tokens,
        native,
    )
    call = CallRequest(
        to=None if request.to is None else to_checksum_address(request.to),
        data=request.data,
        sender=account,
        value=request.value,
        gas=request.gas,
    )
    try:
        simulation = simulate_transaction(backend, call)
    except (Unsupported, BackendUnavailable) as e:
        return EvmReview(intent, False, f"simulation unavailable: {e}")
    except ChainError as e:
        return EvmReview(intent, False, f"simulation unavailable: the node refused it ({e})")
    changes, approvals = simulated_effects(simulation, account, native, tokens)
    mismatches = reconcile(intent, request, account, changes, approvals)
    # A revert is shown, not blocked: it moves nothing but its fee, and a draft prepared
    # without an explicit gas limit was already refused when the node's estimate failed.
    note = None if simulation.success else f"the transaction would revert: {simulation.error}"
    return EvmReview(intent, True, note, changes, approvals, mismatches)


def review_for(ctx: EvmContext, request: EvmTxRequest) -> EvmReview:
    """Review a request of an account: its tokens name amounts, its node simulates.

    Raises:
        BackendUnavailable: no node of the network could be reached.
    """
    tokens = {
        t.address: TokenMeta(t.address, t.symbol, t.decimals) for t in ctx.tokens.known().values()
    }
    native = NativeAsset(ctx.network.symbol, ctx.network.decimals)
    return review_request(ctx.backend(), request, ctx.address, native, tokens)


def check_review(review: EvmReview, allow_blind: bool, allow_mismatch: bool) -> None:
    """Refuse to go on with a blocked review the person did not override.

    Raises:
        ReviewBlocked: a blind call without ``allow_blind``, or a mismatch without
            ``allow_mismatch``; nothing was signed.
    """
    if review.mismatches and not allow_mismatch:
        raise ReviewBlocked(
            f"The simulation does what the intent does not show ({review.mismatches[0]}); "
            "nothing was signed.",
            review.blind,
            review.mismatches,
        )
    if review.blind and not allow_blind:
        raise ReviewBlocked(
            "No clear-signing descriptor reads this call: signing it would be blind; "
            "nothing was signed.",
            True,
            review.mismatches,
        )
