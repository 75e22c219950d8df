"""What a UTXO account shows: coins, balance and history, from the stored sync state."""

from __future__ import annotations

from chains.addresses import output_address
from wallet.labels import LabelStore
from wallet.types import Balance, CoinInfo, HistoryEntry, TxStatus
from wallet.utxo.state import AccountState, Coin, compute_state, order_history
from wallet.utxo.store import UtxoStore

__all__ = ["COINBASE_MATURITY", "AccountView"]

COINBASE_MATURITY = 100
"""Confirmations a block reward needs before it may be spent (consensus, every network)."""


class AccountView:
    """The coins, balance and history of one account as of its last sync."""

    def __init__(self, store: UtxoStore, labels: LabelStore, account_id: int) -> None:
        """Read the account's stored transactions and work out its state."""
        network = store.network
        self._network = network
        self._labels = labels
        self._account_id = account_id
        self.store = store
        self.transactions = store.account_transactions(account_id)
        self.scripts = store.own_scripts(account_id)
        tip = store.tip()
        self.tip_height = tip.height if tip is not None else 0
        self.synced = tip is not None
        self.state: AccountState = compute_state(
            self.transactions, self.scripts, lambda s: output_address(network, s)
        )

    def is_immature(self, coin: Coin) -> bool:
        """Return whether a coin is a block reward still short of ``COINBASE_MATURITY``."""
        stored = self.transactions.get(coin.outpoint.txid_hex)
        if stored is None or not stored.tx.is_coinbase:
            return False
        return coin.confirmations(self.tip_height) < COINBASE_MATURITY

    def frozen(self) -> set[str]:
        """Return the outpoints (``TXID:N``) the user froze."""
        return {
            label.ref
            for label in self._labels.all()
            if label.type == "output" and label.spendable is False
        }

    def coins(self, include_spent_pending: bool = False) -> list[CoinInfo]:
        """Return the account's unspent coins, largest first."""
        frozen = self.frozen()
        out = []
        for coin in self.state.coins.values():
            if coin.spent_pending and not include_spent_pending:
                continue
            ref = str(coin.outpoint)
            out.append(
                CoinInfo(
                    outpoint=ref,
                    value=coin.value,
                    address=coin.address,
                    chain=coin.chain,
                    index=coin.index,
                    confirmations=coin.confirmations(self.tip_height),
                    frozen=ref in frozen,
                    spent_pending=coin.spent_pending,
                    label=self._labels.get("output", ref),
                    immature=self.is_immature(coin),
                )
            )
        out.sort(key=lambda c: (-c.value, c.outpoint))
        return out

    def balance(self) -> Balance:
        """Return the balance: confirmed, pending, frozen and immature block rewards."""
        frozen = self.frozen()
        unspent = [c for c in self.state.coins.values() if not c.spent_pending]
        frozen_value = sum(c.value for c in unspent if str(c.outpoint) in frozen)
        immature = sum(
            c.value for c in unspent if self.is_immature(c) and str(c.outpoint) not in frozen
        )
        # What coin selection uses on its own: mature, not frozen, confirmed or own change.
        available = sum(
            c.value
            for c in unspent
            if str(c.outpoint) not in frozen
            and not self.is_immature(c)
            and (c.height is not None or c.from_self)
        )
        return Balance(
            network=self._network.name,
            symbol=self._network.symbol,
            decimals=self._network.decimals,
            confirmed=self.state.confirmed,
            unconfirmed=self.state.total - self.state.confirmed,
            frozen=frozen_value,
            immature=immature,
            available=available,
            synced=self.synced,
        )

    def history(self) -> list[HistoryEntry]:
        """Return the account's transactions, newest first."""
        first_seen = {txid: s.first_seen for txid, s in self.transactions.items()}
        entries = []
        for effect in order_history(list(self.state.effects.values()), first_seen):
            stored = self.transactions[effect.txid]
            confirmations = (
                0 if effect.height is None else max(self.tip_height - effect.height + 1, 0)
            )
            entries.append(
                HistoryEntry(
                    network=self._network.name,
                    txid=effect.txid,
                    status=effect.status,
                    height=effect.height if effect.status is TxStatus.CONFIRMED else None,
                    confirmations=confirmations if effect.status is TxStatus.CONFIRMED else 0,
                    timestamp=stored.block_time if effect.height is not None else stored.first_seen,
                    symbol=self._network.symbol,
                    decimals=self._network.decimals,
                    amount=effect.net,
                    fee=effect.fee,
                    counterparties=effect.recipients,
                    label=self._labels.get("tx", effect.txid),
                    replaceable=effect.replaceable,
                )
            )
        return entries
