"""Preparing, signing and broadcasting EVM transactions of an account.

Every ``prepare_*`` returns an ``EvmDraft`` and sends nothing: the nonce comes from the node's
pending count merged with the wallet's own in-flight transactions (gaps are filled first and
reported), the fee from the network's levels (``chains.evm.fees``), the gas limit from the
node's estimate with a margin; the sender must afford the value plus the maximum fee.
Speed-up and cancel reuse the nonce of a pending transaction with both fees raised by at
least 10%. ``sign`` lets a signer review and sign the draft and checks what comes back
against the draft; ``broadcast`` sends it and records it, and only then.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import TYPE_CHECKING

from chains.addresses import parse_evm_address
from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import EvmBackend
from chains.evm.errors import AlreadyKnown, ExecutionReverted
from chains.evm.fees import (
    TRANSFER_GAS,
    FeeEstimate,
    FeeQuote,
    check_fee_cap,
    custom_quote,
    estimate_fees,
)
from chains.evm.nonces import NonceState, bump, fetch_nonces, plan_nonce, replacement_fees
from chains.evm.tokens import TokenInfo
from chains.evm.transfers import (
    TransferPlan,
    UnsignedTx,
    build_transaction,
    check_funds,
    erc20_transfer,
    erc721_transfer,
    erc1155_transfer,
    max_native_amount,
    native_transfer,
)
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.signers.evm_signer import decode_signed
from keystore.types import EvmParams, EvmTxRequest, SummaryOutput, TxSummary
from wallet.amounts import Amount, to_base_units
from wallet.errors import (
    FeeTooLow,
    InsufficientFunds,
    NonceConflict,
    NotReplaceable,
    SigningRefused,
    TransactionNotFound,
    WalletError,
    WatchOnly,
    translate_errors,
)
from wallet.evm.store import EvmStore, SentRow
from wallet.evm.tokens import TokenBook
from wallet.evm.types import EvmDraft, SentTransaction
from wallet.types import FeeLevel, SignedTransaction, TxStatus

if TYPE_CHECKING:
    from wallet.accounts.evm import EvmAccount

__all__ = [
    "FeeChoice",
    "broadcast",
    "cancel",
    "nonce_state",
    "prepare_nft_transfer",
    "prepare_send",
    "send_max",
    "sign",
    "speed_up",
]

FeeChoice = FeeLevel | str
_ERC721 = bytes.fromhex("80ac58cd")  # EIP-165 interface ids: EIP-721 and EIP-1155
_ERC1155 = bytes.fromhex("d9b67a26")


def _params(account: EvmAccount) -> EvmParams:
    net = account.evm_network
    return EvmParams(net.name, net.title, net.symbol, net.chain_id, net.decimals)


def _backend(account: EvmAccount) -> EvmBackend:
    with translate_errors():
        return account.wallet.backends.evm(account.evm_network)


def _in_flight(store: EvmStore, account_id: int) -> list[int]:
    return [r.sent.nonce for r in store.sent(account_id) if r.sent.status is TxStatus.PENDING]


def nonce_state(account: EvmAccount) -> NonceState:
    """Return where the account's nonces stand: next nonce, gaps, stuck transactions.

    Raises:
        BackendUnavailable: the node cannot be reached.
    """
    backend = _backend(account)
    with translate_errors():
        mined, pending = fetch_nonces(backend, account.address)
    return plan_nonce(mined, pending, _in_flight(EvmStore(account.wallet.database), account.id))


def _quote(
    estimate: FeeEstimate,
    fee: FeeChoice,
    max_fee_per_gas: int | None,
    max_priority_fee_per_gas: int | None,
    gas_price: int | None,
) -> FeeQuote:
    if max_fee_per_gas is None and max_priority_fee_per_gas is None and gas_price is None:
        return estimate.level(FeeLevel.parse(fee).value)
    for value in (max_fee_per_gas, max_priority_fee_per_gas, gas_price):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError("Fees per gas are int wei, never float.")
    try:
        return custom_quote(
            estimate,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            gas_price=gas_price,
        )
    except ValueError as err:
        raise WalletError(str(err)) from None


def _recipient(account: EvmAccount, to: str) -> str:
    with translate_errors():
        return parse_evm_address(to, account.evm_network)


def _outputs(plan: TransferPlan, token: TokenInfo | None) -> tuple[SummaryOutput, ...]:
    if plan.contract is None:
        return (SummaryOutput(plan.recipient, plan.amount),)
    if plan.token_id is not None:
        return (
            SummaryOutput(
                plan.recipient,
                plan.amount,
                asset="NFT",
                contract=plan.contract,
                token_id=plan.token_id,
            ),
        )
    return (
        SummaryOutput(
            plan.recipient,
            plan.amount,
            asset=token.symbol if token else None,
            decimals=token.decimals if token else None,
            contract=plan.contract,
        ),
    )


def _draft(
    account: EvmAccount,
    tx: UnsignedTx,
    outputs: tuple[SummaryOutput, ...],
    *,
    kind: str = "send",
    replaces: str | None = None,
    gaps: tuple[int, ...] = (),
) -> EvmDraft:
    request = EvmTxRequest(
        chain_id=tx.chain_id,
        nonce=tx.nonce,
        to=tx.to,
        value=tx.value,
        data=tx.data,
        gas=tx.gas,
        max_fee_per_gas=tx.max_fee_per_gas,
        max_priority_fee_per_gas=tx.max_priority_fee_per_gas,
        gas_price=tx.gas_price,
    )
    summary = TxSummary(
        account.evm_network.name, outputs, tx.max_fee, chain_id=tx.chain_id, nonce=tx.nonce
    )
    return EvmDraft(account.evm_network.name, account.id, summary, request, kind, replaces, gaps)


def _token_balance(backend: EvmBackend, token: str, owner: str) -> int:
    out = backend.call(token, encode_call("balanceOf(address)", owner))
    if len(out) != 32:
        return 0
    return int.from_bytes(out, "big")


def _finish(
    account: EvmAccount,
    backend: EvmBackend,
    plan: TransferPlan,
    token: TokenInfo | None,
    estimate: FeeEstimate,
    quote: FeeQuote,
    *,
    gas_limit: int | None,
    nonce: int | None,
    allow_high_fee: bool,
    token_balance: int | None = None,
) -> EvmDraft:
    store = EvmStore(account.wallet.database)
    net = account.evm_network
    with translate_errors():
        mined, pending = fetch_nonces(backend, account.address)
        state = plan_nonce(mined, pending, _in_flight(store, account.id))
        chosen = state.next_nonce if nonce is None else nonce
        if nonce is not None and nonce < mined:
            raise NonceConflict(
                f"Nonce {nonce} is already used by a mined transaction of this account.", nonce
            )
        balance = backend.get_balance(account.address, "pending")
        if token_balance is None and plan.contract is not None and plan.token_id is None:
            token_balance = _token_balance(backend, plan.contract, account.address)
        if token_balance is not None and plan.contract is not None:
            # A token transfer the sender cannot cover would revert the estimate: say why.
            check_funds(
                UnsignedTx(net.chain_id, chosen, plan.to, 0, b"", 0),
                balance,
                net.symbol,
                token_balance,
                plan,
            )
        tx = build_transaction(backend, account.address, plan, quote, chosen, gas_limit)
        if not allow_high_fee:
            check_fee_cap(quote, estimate, tx.gas, net.symbol)
        check_funds(tx, balance, net.symbol, token_balance, plan)
    return _draft(account, tx, _outputs(plan, token), gaps=state.gaps)


def prepare_send(
    account: EvmAccount,
    to: str,
    amount: Amount,
    fee: FeeChoice = "normal",
    *,
    token: str | None = None,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
    gas_limit: int | None = None,
    nonce: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of the native coin or of an ERC-20 token.

    See ``EvmAccount.prepare_send`` for the arguments and errors.
    """
    recipient = _recipient(account, to)
    backend = _backend(account)
    info: TokenInfo | None = None
    net = account.evm_network
    if token is not None:
        info = TokenBook(account.wallet, net, account.id).find(token)
        units = to_base_units(amount, info.decimals, info.symbol)
        with translate_errors():
            plan = erc20_transfer(info.address, recipient, units)
    else:
        units = to_base_units(amount, net.decimals, net.symbol)
        with translate_errors():
            plan = native_transfer(recipient, units)
    with translate_errors():
        estimate = estimate_fees(backend)
    quote = _quote(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
    return _finish(
        account,
        backend,
        plan,
        info,
        estimate,
        quote,
        gas_limit=gas_limit,
        nonce=nonce,
        allow_high_fee=allow_high_fee,
    )


def send_max(
    account: EvmAccount,
    to: str,
    fee: FeeChoice = "normal",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of the whole native balance less the maximum fee.

    See ``EvmAccount.send_max``.
    """
    recipient = _recipient(account, to)
    backend = _backend(account)
    net = account.evm_network
    with translate_errors():
        native_transfer(recipient, 0)  # the recipient checks (zero address)
        estimate = estimate_fees(backend)
        code = backend.get_code(recipient)
        balance = backend.get_balance(account.address, "pending")
    quote = _quote(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
    gas = TRANSFER_GAS
    if code:
        with translate_errors():
            probe = build_transaction(
                backend, account.address, native_transfer(recipient, 1), quote, 0
            )
        gas = probe.gas
    with translate_errors():
        value = max_native_amount(balance, gas, quote, net.symbol)
        plan = native_transfer(recipient, value)
    return _finish(
        account,
        backend,
        plan,
        None,
        estimate,
        quote,
        gas_limit=gas,
        nonce=None,
        allow_high_fee=allow_high_fee,
    )


def _standard(backend: EvmBackend, contract: str) -> str:
    """Return ``"erc721"`` or ``"erc1155"`` from the contract's EIP-165 answers."""
    for interface, name in ((_ERC721, "erc721"), (_ERC1155, "erc1155")):
        try:
            out = backend.call(contract, encode_call("supportsInterface(bytes4)", interface))
        except ExecutionReverted:
            continue
        if len(out) == 32 and out[-1] == 1:
            return name
    raise WalletError(f"The contract {contract} is neither an ERC-721 nor an ERC-1155 collection.")


def prepare_nft_transfer(
    account: EvmAccount,
    to: str,
    contract: str,
    token_id: int,
    amount: int = 1,
    fee: FeeChoice = "normal",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of an ERC-721 item or ERC-1155 items. See ``EvmAccount``."""
    recipient = _recipient(account, to)
    backend = _backend(account)
    with translate_errors():
        collection = p.check_address(contract)
        standard = _standard(backend, collection)
        if standard == "erc721":
            if amount != 1:
                raise WalletError("An ERC-721 item is unique: its amount is 1.")
            owner = backend.call(collection, encode_call("ownerOf(uint256)", token_id))
            held = 1 if owner[-20:] == bytes.fromhex(account.address[2:]) else 0
            plan = erc721_transfer(collection, account.address, recipient, token_id)
        else:
            out = backend.call(
                collection, encode_call("balanceOf(address,uint256)", account.address, token_id)
            )
            held = int.from_bytes(out, "big") if len(out) == 32 else 0
            plan = erc1155_transfer(collection, account.address, recipient, token_id, amount)
        if held < amount:
            raise InsufficientFunds(
                f"The account holds {held} of item {token_id} of {collection}; {amount} are "
                "to be sent.",
                amount - held,
            )
        estimate = estimate_fees(backend)
    quote = _quote(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, None)
    return _finish(
        account,
        backend,
        plan,
        None,
        estimate,
        quote,
        gas_limit=None,
        nonce=None,
        allow_high_fee=allow_high_fee,
    )


# -- replacements ------------------------------------------------------------------------------


def _pending_row(account: EvmAccount, tx_hash: str) -> SentRow:
    with translate_errors():
        wanted = p.check_hash(tx_hash)
    for row in EvmStore(account.wallet.database).sent(account.id):
        if row.sent.tx_hash == wanted:
            if row.sent.status is not TxStatus.PENDING:
                raise NotReplaceable(
                    f"The transaction {wanted} is {row.sent.status.value}: only a pending "
                    "transaction can be sped up or cancelled."
                )
            return row
    raise TransactionNotFound(f"This account has sent no transaction {wanted}.")


def _replacement(
    account: EvmAccount,
    tx_hash: str,
    fee: FeeChoice,
    max_fee_per_gas: int | None,
    max_priority_fee_per_gas: int | None,
    allow_high_fee: bool,
) -> tuple[SentRow, EvmTxRequest, FeeQuote, FeeEstimate, EvmBackend]:
    row = _pending_row(account, tx_hash)
    backend = _backend(account)
    with translate_errors():
        original, _sender = decode_signed(row.raw, account.evm_network.chain_id)
        mined, _pending = fetch_nonces(backend, account.address)
        if original.nonce < mined:
            raise NotReplaceable(
                f"The transaction {row.sent.tx_hash} can no longer be replaced: its nonce "
                f"{original.nonce} is already mined. Sync to see which transaction took it."
            )
        estimate = estimate_fees(backend)
    old = FeeQuote(
        "original",
        original.max_fee_per_gas,
        original.max_priority_fee_per_gas,
        original.gas_price,
    )
    if max_fee_per_gas is None and max_priority_fee_per_gas is None:
        quote = replacement_fees(old, estimate, FeeLevel.parse(fee).value)
    else:
        quote = _quote(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, None)
        if quote.fee_per_gas < bump(old.fee_per_gas) or (
            old.max_priority_fee_per_gas is not None
            and (quote.max_priority_fee_per_gas or 0) < bump(old.max_priority_fee_per_gas)
        ):
            raise FeeTooLow(
                "A replacement must raise the fee cap and the priority fee by at least 10% "
                "over the transaction it replaces."
            )
    if not allow_high_fee:
        with translate_errors():
            check_fee_cap(quote, estimate, original.gas, account.evm_network.symbol)
    return row, original, quote, estimate, backend


def speed_up(
    account: EvmAccount,
    tx_hash: str,
    fee: FeeChoice = "fast",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare the same transaction with raised fees (same nonce). See ``EvmAccount``."""
    row, original, quote, _estimate, backend = _replacement(
        account, tx_hash, fee, max_fee_per_gas, max_priority_fee_per_gas, allow_high_fee
    )
    tx = UnsignedTx(
        original.chain_id,
        original.nonce,
        original.to or "",
        original.value,
        original.data,
        original.gas,
        quote.max_fee_per_gas,
        quote.max_priority_fee_per_gas,
        quote.gas_price,
    )
    with translate_errors():
        balance = backend.get_balance(account.address, "latest")
        check_funds(tx, balance, account.evm_network.symbol)
    outputs = tuple(_output_of(o) for o in row.summary)
    return _draft(account, tx, outputs, kind="speed-up", replaces=row.sent.tx_hash)


def cancel(
    account: EvmAccount,
    tx_hash: str,
    fee: FeeChoice = "fast",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a 0-value transfer to the account itself with the same nonce. See ``EvmAccount``."""
    row, original, quote, _estimate, backend = _replacement(
        account, tx_hash, fee, max_fee_per_gas, max_priority_fee_per_gas, allow_high_fee
    )
    tx = UnsignedTx(
        original.chain_id,
        original.nonce,
        account.address,
        0,
        b"",
        TRANSFER_GAS,
        quote.max_fee_per_gas,
        quote.max_priority_fee_per_gas,
        quote.gas_price,
    )
    with translate_errors():
        balance = backend.get_balance(account.address, "latest")
        check_funds(tx, balance, account.evm_network.symbol)
    outputs = (SummaryOutput(account.address, 0),)
    return _draft(account, tx, outputs, kind="cancel", replaces=row.sent.tx_hash)


def _output_of(stored: dict[str, object]) -> SummaryOutput:
    def opt_int(key: str) -> int | None:
        value = stored.get(key)
        return None if value is None else int(str(value))

    asset, contract = stored.get("asset"), stored.get("contract")
    return SummaryOutput(
        address=str(stored["address"]),
        amount=int(str(stored["amount"])),
        asset=None if asset is None else str(asset),
        decimals=opt_int("decimals"),
        contract=None if contract is None else str(contract),
        token_id=opt_int("token_id"),
    )


# -- signing and broadcasting ------------------------------------------------------------------


def sign(
    account: EvmAccount, draft: EvmDraft, signer: Signer, prompt: PromptHandler | None
) -> SignedTransaction:
    """Have a signer review and sign a draft, and check what it returns. See ``EvmAccount``."""
    if not isinstance(draft, EvmDraft) or draft.account_id != account.id:
        raise WalletError("That draft was not prepared by this EVM account.")
    path = account.key_path_indexes
    if path is None:
        raise WatchOnly(
            "This account is watched by address only: sign the draft with its own signer."
        )
    ctx = SigningContext(_params(account), path, expected=draft.summary, prompt=prompt)
    with translate_errors():
        signed = signer.sign_evm(draft.request, ctx)
        # Whatever signed it (hot, air-gapped, hardware), the result must be this very
        # request, from this account: the signer's output is checked, not trusted.
        request, sender = decode_signed(signed.raw, draft.request.chain_id)
    if request != draft.request or sender != account.address or sender != signed.sender:
        raise SigningRefused(
            "The signer returned a transaction that is not the one prepared; it was not sent."
        )
    return SignedTransaction(
        account.evm_network.name, account.id, signed.raw, signed.tx_hash, draft
    )


def broadcast(account: EvmAccount, signed: SignedTransaction) -> str:
    """Send a signed transaction and record it as pending. See ``EvmAccount.broadcast``."""
    draft = signed.draft
    if not isinstance(draft, EvmDraft) or signed.account_id != account.id:
        raise WalletError("That transaction was not prepared by this EVM account.")
    backend = _backend(account)
    try:
        # AlreadyKnown: the node has it already (a retry after a lost answer): it is sent.
        with translate_errors(), contextlib.suppress(AlreadyKnown):
            backend.send_raw_transaction(signed.raw)
    except NonceConflict as err:
        raise NonceConflict(
            f"Nonce {draft.request.nonce} is already used by another transaction of this "
            "account; nothing was sent. Sync and prepare the transaction again.",
            draft.request.nonce,
        ) from err
    r = draft.request
    sent = SentTransaction(
        tx_hash=signed.txid,
        nonce=r.nonce,
        kind=draft.kind,
        status=TxStatus.PENDING,
        replaces=draft.replaces,
        block_number=None,
        fee=None,
        to=r.to,
        value=r.value,
        max_fee=draft.max_fee,
    )
    EvmStore(account.wallet.database).record_sent(
        account.id,
        sent,
        signed.raw,
        (r.max_fee_per_gas, r.max_priority_fee_per_gas, r.gas_price),
        r.gas,
        [asdict(o) for o in draft.summary.outputs],
    )
    return signed.txid
