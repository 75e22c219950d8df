"""What an EVM account shows as of its last sync: balances, token balances, history.

History entries are built per transaction and asset from the stored transfer records (the
chain scan or the explorer) and from the wallet's own transactions, so that a transaction
sent from here shows at once (pending), and keeps showing with its fee and status even on a
public network whose explorer is not configured. An entry's amount is the net change of the
account's balance: a transaction that reverted moved nothing, so it shows its fee alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from chains.evm.history import TransferKind, TransferRecord
from chains.evm.tokens import TokenInfo
from wallet.evm.context import EvmContext
from wallet.evm.store import SentRow
from wallet.evm.types import Collectible, SentTransaction, TokenHolding
from wallet.types import Balance, HistoryEntry, TxStatus

__all__ = ["EvmView"]


@dataclass
class _Group:
    """One asset's movement in one transaction."""

    amount: int = 0
    fee: int | None = None
    height: int = 0
    timestamp: int | None = None
    success: bool = True
    counterparties: list[str] = field(default_factory=list)


def _asset_key(r: TransferRecord) -> tuple[str | None, int | None]:
    return (r.contract, r.token_id) if r.kind is not TransferKind.NATIVE else (None, None)


class EvmView:
    """An EVM account's balances and history as stored by its last sync."""

    def __init__(self, ctx: EvmContext) -> None:
        """Bind to one account's stored rows, labels and tokens."""
        self._store = ctx.store
        self._labels = ctx.labels
        self._book = ctx.tokens
        self._network = ctx.network
        self._id = ctx.account_id
        self._address = ctx.address

    def balance(self) -> Balance:
        """Return the native balance: mined, and the net change of pending transactions."""
        net = self._network
        state = self._store.state(self._id)
        if state is None:
            return Balance(net.name, net.symbol, net.decimals, 0, synced=False)
        return Balance(
            net.name,
            net.symbol,
            net.decimals,
            state.balance,
            state.pending_balance - state.balance,
        )

    def token_balances(self, include_zero: bool = False) -> list[Balance]:
        """Return the account's token balances of the last sync (custom tokens always)."""
        out = []
        for h in self._book.list():
            if h.balance is None or (h.balance == 0 and not (include_zero or h.custom)):
                continue
            out.append(
                Balance(self._network.name, h.symbol, h.decimals, h.balance, token=h.contract)
            )
        return out

    def holdings(self) -> list[TokenHolding]:
        """Return every token of the network with the account's balance."""
        return self._book.list()

    def sent(self) -> list[SentTransaction]:
        """Return the transactions this wallet sent from the account, newest first."""
        return [row.sent for row in self._store.sent(self._id)]

    def nfts(self) -> list[Collectible]:
        """Return the ERC-721/1155 items the account held at the last sync, with metadata."""
        return self._store.nfts(self._id, self._network.name)

    def history(self) -> list[HistoryEntry]:
        """Return the account's history, newest first (one entry per transaction and asset)."""
        state = self._store.state(self._id)
        tip = state.tip if state is not None else 0
        tokens = self._book.known()
        sent = {row.sent.tx_hash: row for row in self._store.sent(self._id)}
        groups: dict[str, dict[tuple[str | None, int | None], _Group]] = defaultdict(dict)
        fees: dict[str, int] = {}
        for r in self._store.records(self._id):
            self._add(groups[r.tx_hash], r)
            if r.kind is TransferKind.NATIVE and r.fee is not None and r.sender == self._address:
                fees[r.tx_hash] = r.fee
        entries: list[HistoryEntry] = []
        for tx_hash, assets in groups.items():
            row = sent.get(tx_hash)
            entries.extend(self._entries(tx_hash, assets, fees.get(tx_hash), row, tokens, tip))
        for tx_hash, row in sent.items():
            if tx_hash not in groups:
                entries.append(self._sent_entry(row, tip))
        entries.sort(
            key=lambda e: (e.status is not TxStatus.PENDING, -(e.height or 1 << 62), e.txid)
        )
        return entries

    def _add(self, assets: dict[tuple[str | None, int | None], _Group], r: TransferRecord) -> None:
        g = assets.setdefault(_asset_key(r), _Group())
        g.height, g.timestamp = r.block_number, r.timestamp
        g.success = g.success and r.success
        moved = r.amount if r.success else 0  # a reverted transaction moves no value
        if r.recipient == self._address:
            g.amount += moved
            if r.sender != self._address:
                g.counterparties.append(r.sender)
        if r.sender == self._address:
            g.amount -= moved
            if r.recipient is not None and r.recipient != self._address:
                g.counterparties.append(r.recipient)

    def _entries(
        self,
        tx_hash: str,
        assets: dict[tuple[str | None, int | None], _Group],
        fee: int | None,
        row: SentRow | None,
        tokens: dict[str, TokenInfo],
        tip: int,
    ) -> list[HistoryEntry]:
        net = self._network
        native = assets.get((None, None))
        moved = [k for k, g in assets.items() if k != (None, None) and g.amount]
        # The fee goes where the transaction's movement is: on the coin when coins moved (or
        # nothing else did), else on the token entry.
        fee_on_native = native is not None and (native.amount != 0 or not moved)
        status = TxStatus.CONFIRMED
        if row is not None and row.sent.status is TxStatus.FAILED:
            status = TxStatus.FAILED
        if native is not None and not native.success:
            status = TxStatus.FAILED
        out = []
        label = self._labels.get("tx", tx_hash)
        for (contract, token_id), g in assets.items():
            is_native = contract is None
            if is_native and not fee_on_native:
                continue
            if not is_native and not g.amount:
                continue
            if is_native:
                symbol, decimals = net.symbol, net.decimals
            elif token_id is not None:
                symbol, decimals = "NFT", 0
            else:
                info = tokens.get(contract or "")
                symbol = info.symbol if info else (contract or "")[:10]
                decimals = info.decimals if info else 0
            carries_fee = is_native or not fee_on_native
            amount = g.amount - (fee or 0) if is_native else g.amount
            out.append(
                HistoryEntry(
                    network=net.name,
                    txid=tx_hash,
                    status=status,
                    height=g.height,
                    confirmations=max(tip - g.height + 1, 0),
                    timestamp=g.timestamp,
                    symbol=symbol,
                    decimals=decimals,
                    amount=amount,
                    fee=fee if carries_fee else None,
                    counterparties=tuple(dict.fromkeys(g.counterparties)),
                    token=contract,
                    label=label,
                    token_id=token_id,
                )
            )
        return out

    def _sent_entry(self, row: SentRow, tip: int) -> HistoryEntry:
        """An own transaction the history records do not hold (pending, replaced, dropped)."""
        net = self._network
        s = row.sent
        first = row.summary[0] if row.summary else {}
        contract = first.get("contract")
        token_id = first.get("token_id")
        is_token = isinstance(contract, str)
        if s.status is TxStatus.FAILED:  # it reverted: nothing moved but the fee it paid
            symbol, decimals, amount = net.symbol, net.decimals, -(s.fee or 0)
            contract = token_id = None
        elif is_token:
            symbol = str(first.get("asset") or ("NFT" if token_id is not None else contract))
            raw_decimals = first.get("decimals")
            decimals = 0 if raw_decimals is None else int(str(raw_decimals))
            amount = -int(str(first.get("amount", 0)))
        else:
            symbol, decimals = net.symbol, net.decimals
            amount = -s.value - (s.fee or 0)
        to = first.get("address")
        return HistoryEntry(
            network=net.name,
            txid=s.tx_hash,
            status=s.status,
            height=s.block_number,
            confirmations=0 if s.block_number is None else max(tip - s.block_number + 1, 0),
            timestamp=None,
            symbol=symbol,
            decimals=decimals,
            amount=amount,
            fee=s.fee,
            counterparties=(str(to),) if isinstance(to, str) and to != self._address else (),
            token=contract if isinstance(contract, str) else None,
            label=self._labels.get("tx", s.tx_hash),
            replaceable=s.status is TxStatus.PENDING,
            token_id=int(str(token_id)) if token_id is not None else None,
        )
