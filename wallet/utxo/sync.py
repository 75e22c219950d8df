"""Sync of a UTXO account: gap-limit discovery on both chains, then apply what the server says.

The wallet asks with scripts (derived from the account's xpub, never from keys) and stores the
``SyncUpdate`` it gets back. Address discovery follows BIP-44's gap limit: addresses are
watched until ``gap_limit`` unused ones in a row follow the last used one, on the receive and
on the change chain. A restored wallet that used thousands of addresses must not pay one
round trip per window of twenty, so each new window grows with what is already used.
"""

from __future__ import annotations

from chains.utxo.backend import ScriptKey, SyncRequest, UtxoBackend
from wallet.accounts.utxo import CHANGE, RECEIVE, UtxoAccount
from wallet.errors import translate_errors
from wallet.types import SyncReport
from wallet.utxo.store import UtxoStore

__all__ = ["sync_account", "window_target"]

_MAX_WINDOW_GROWTH = 1000


def window_target(last_used: int, have: int, gap: int) -> int:
    """Return how many addresses of a chain to watch after the used ones seen so far.

    At least ``gap`` unused addresses follow the last used one. When discovery must go on
    (the window is too short), the window grows by as many addresses as are already used,
    at most ``_MAX_WINDOW_GROWTH`` at a time: a wallet with N used addresses is found in about
    log2(N / gap) rounds instead of N / gap.
    """
    needed = last_used + 1 + gap
    if needed <= have:
        return have
    return max(needed, have + min(max(last_used + 1, gap), _MAX_WINDOW_GROWTH))


def _extend(account: UtxoAccount, store: UtxoStore) -> dict[ScriptKey, bytes]:
    """Derive the addresses discovery still needs; return the new scripts to watch."""
    before = set(store.scripts(account.id))
    for chain in (RECEIVE, CHANGE):
        last_used = store.last_used(account.id, chain)
        have = store.address_count(account.id, chain)
        target = window_target(last_used, have, account.gap_limit)
        if target > have:
            account.addresses(target - have, start=have, change=chain == CHANGE)
    store.ensure_scripts(account.id)
    return {k: v for k, v in store.scripts(account.id).items() if k not in before}


def sync_account(account: UtxoAccount, backend: UtxoBackend) -> SyncReport:
    """Sync one account with a backend and store the result.

    Args:
        account: the account (its xpub gives the scripts).
        backend: the network's backend.

    Returns:
        The new tip and how many transactions were new or changed.

    Raises:
        BackendUnavailable: the server cannot be reached or answers garbage; what earlier
            rounds of this sync stored is kept (each round is applied atomically).
        NetworkMismatch: the server serves another network.
    """
    network = account.utxo_network
    store = UtxoStore(account.wallet.database, network)
    start_round_trips = backend.round_trips
    _extend(account, store)  # the gap after what earlier syncs found used
    scripts = store.scripts(account.id)
    statuses = store.statuses(account.id)
    new = updated = 0
    tip_height = 0
    while scripts:
        request = SyncRequest(
            network=network,
            scripts=scripts,
            known_tip=store.tip(),
            known_statuses={k: statuses.get(k) for k in scripts},
            known_txids=store.known_txids(),
        )
        with translate_errors():
            update = backend.sync(request)
        applied = store.apply(account.id, update)
        new += applied.new_transactions
        updated += applied.updated_transactions
        tip_height = update.tip.height
        scripts = _extend(account, store)
        statuses = {}
    return SyncReport(
        network=network.name,
        account_id=account.id,
        tip_height=tip_height,
        new_transactions=new,
        updated_transactions=updated,
        round_trips=backend.round_trips - start_round_trips,
    )
