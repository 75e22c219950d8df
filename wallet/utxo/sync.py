"""Sync of a UTXO account: gap-limit discovery on both chains, then apply what the server says.

The wallet asks with scripts (derived from the account's xpub, never from keys) and stores the
``SyncUpdate`` it gets back. Address discovery follows BIP-44's gap limit ("Address gap
limit"): addresses are watched until ``gap_limit`` unused ones in a row follow the last used
one, on the receive and on the change chain.

Discovery runs inside one backend sync (``SyncRequest.more_scripts``): after each round of
statuses the backend asks for the further scripts the gap limit needs, and histories,
transactions and proofs then come once for all of them. A restored wallet that used
thousands of addresses must not pay a round per window of twenty either, so each new window
grows with what is already used (``window_target``): N used addresses take about
log2(N / gap) rounds of statuses.

Incremental: the request carries what the wallet knows (the tip, each script's status, the
stored txids and the proven confirmed transactions with their blocks, and the blocks it has
no timestamp for, from a wallet file older than schema v4), so a second sync
with nothing new costs one round trip and downloads nothing. Each sync is applied in one
database transaction: a server that fails mid-sync leaves the last complete state.
"""

from __future__ import annotations

from collections.abc import Mapping

from chains.errors import ChainError
from chains.utxo.backend import ScriptKey, SyncRequest, TransactionRejected, UtxoBackend
from primitives.tx import Transaction
from wallet.cancel import CancelToken, check_cancelled
from wallet.errors import translate_errors
from wallet.types import SyncReport, TxStatus
from wallet.utxo.addresses import derive_rows, fill_scripts
from wallet.utxo.context import CHANGE, RECEIVE, UtxoContext
from wallet.utxo.refusals import ALREADY_KNOWN, REASONS
from wallet.utxo.views import AccountView

__all__ = ["rebroadcast", "sync_account", "window_target"]

_MAX_WINDOW_GROWTH = 500


def window_target(last_used: int, have: int, gap: int) -> int:
    """Return how many addresses of a chain to watch after the used ones seen so far.

    At least ``gap`` unused addresses follow the last used one. When discovery must go on
    (the window is too short), the window grows by as many addresses as are already used,
    at most ``_MAX_WINDOW_GROWTH`` (500) at a time: a wallet with N used addresses is found in
    about log2(N / gap) rounds instead of N / gap, and the last window asks for at most 500
    addresses past the gap. (Measured with ``bench/utxo_sync.py``: a cap of 1,000 asked
    ElectrumX for 28% more histories on 2,000 used addresses, for one round less.)

    Args:
        last_used: the highest used index of the chain, -1 when none is used.
        have: how many addresses of the chain are watched (indexes 0 to have - 1).
        gap: the gap limit.

    Returns:
        The number of addresses to watch; ``have`` when discovery of the chain is complete.
    """
    needed = last_used + 1 + gap
    if needed <= have:
        return have
    return max(needed, have + min(max(last_used + 1, gap), _MAX_WINDOW_GROWTH))


class _Discovery:
    """The gap-limit state of one sync: used and watched indexes per chain.

    It starts from what the wallet file knows and learns from every round of statuses the
    backend reports, before any of it is stored.
    """

    def __init__(self, ctx: UtxoContext) -> None:
        self._ctx = ctx
        store, account_id = ctx.store, ctx.account_id
        self.last_used = {c: store.last_used(account_id, c) for c in (RECEIVE, CHANGE)}
        self.have = {c: store.address_count(account_id, c) for c in (RECEIVE, CHANGE)}

    def extend(self) -> dict[ScriptKey, bytes]:
        """Derive (and store) the addresses the gap limit still needs; return their scripts."""
        ctx = self._ctx
        new: dict[ScriptKey, bytes] = {}
        for chain in (RECEIVE, CHANGE):
            have = self.have[chain]
            target = window_target(self.last_used[chain], have, ctx.gap_limit)
            if target <= have:
                continue
            rows = derive_rows(ctx, chain, have, target - have)
            # An address shown ahead of the window is stored (and watched) already.
            for index in ctx.store.add_addresses(ctx.account_id, chain, rows):
                new[(ctx.account_id, chain, index)] = rows[index][1]
            self.have[chain] = ctx.store.address_count(ctx.account_id, chain)
        return new

    def more(self, statuses: Mapping[ScriptKey, str | None]) -> Mapping[ScriptKey, bytes]:
        """``SyncRequest.more_scripts``: note which scripts are used, return the next window."""
        for key, status in statuses.items():
            if status is not None and len(key) == 3 and key[0] == self._ctx.account_id:
                chain, index = key[1], key[2]
                if chain in self.last_used and index > self.last_used[chain]:
                    self.last_used[chain] = index
        return self.extend()


def sync_account(ctx: UtxoContext, cancel: CancelToken | None = None) -> SyncReport:
    """Sync one account with its network's backend and store the result.

    Args:
        ctx: the account (its xpub gives the scripts), its store and its backend.
        cancel: checked before each page of scripts is asked for (see ``wallet.cancel``).

    Returns:
        The new tip, how many transactions were new or changed, and the round trips spent.

    Raises:
        Cancelled: ``cancel`` was cancelled; the pages stored before stay.
        BackendUnavailable: the server cannot be reached, answers garbage, or sends data
            that fails its checks (a transaction that does not hash to its txid, a merkle
            proof that fails); nothing of this sync is stored.
        NetworkMismatch: the server serves another network.
    """
    with translate_errors():
        backend = ctx.backend()
    network = ctx.network
    store = ctx.store
    account_id = ctx.account_id
    start_round_trips = backend.round_trips
    discovery = _Discovery(ctx)
    discovery.extend()  # the gap after what earlier syncs found used
    fill_scripts(ctx)  # addresses stored by a wallet file older than schema v2
    scripts = store.scripts(account_id)
    new = updated = 0
    tip_height = 0
    known_statuses: Mapping[ScriptKey, str | None] = store.statuses(account_id)
    # A backend that ignores ``more_scripts`` still converges: the loop asks again with the
    # windows the stored statuses call for.
    while scripts:
        # Between pages: each page's update was stored whole by ``store.apply``.
        check_cancelled(cancel, "The sync")
        request = SyncRequest(
            network=network,
            scripts=scripts,
            known_tip=store.tip(),
            known_statuses=known_statuses,
            known_txids=store.known_txids(),
            more_scripts=discovery.more,
            known_proofs=store.known_proofs(account_id),
            untimed_blocks=store.untimed_blocks(account_id),
        )
        with translate_errors():
            update = backend.sync(request)
        applied = store.apply(account_id, update)
        new += applied.new_transactions
        updated += applied.updated_transactions
        tip_height = update.tip.height
        discovery = _Discovery(ctx)
        scripts = discovery.extend()
        known_statuses = {}
    warnings = rebroadcast(ctx, backend)
    return SyncReport(
        network=network.name,
        account_id=account_id,
        tip_height=tip_height,
        new_transactions=new,
        updated_transactions=updated,
        round_trips=backend.round_trips - start_round_trips,
        warnings=warnings,
    )


def rebroadcast(ctx: UtxoContext, backend: UtxoBackend) -> tuple[str, ...]:
    """Send again the account's own pending broadcasts that the server does not report.

    A transaction the wallet broadcast can vanish before any server reports it (the server
    that took it restarted, or evicted it); Bitcoin Core's wallet rebroadcasts such ones,
    and so does this, after each sync, parents before children, at no cost when there are
    none. A refusal does not fail the sync: it becomes a warning that names the reason and
    ``abandon``, which frees the transaction's coins if it can never confirm.

    Returns:
        The warnings, in words.
    """
    unseen = ctx.store.unseen_broadcasts(ctx.account_id)
    if not unseen:
        return ()
    history = AccountView(ctx.store, ctx.labels, ctx.account_id).history()
    pending = {h.txid for h in history if h.status is TxStatus.PENDING}
    todo = [t for t in _parents_first(unseen) if t in pending]  # not replaced or dropped
    warnings: list[str] = []
    title = ctx.network.title
    for txid in todo:
        try:
            backend.broadcast(unseen[txid].serialize())
        except TransactionRejected as err:
            if err.reason in ALREADY_KNOWN:
                continue
            words = REASONS.get(err.reason) or f"the node says {err.detail}"
            warnings.append(
                f"{title} refused {txid}, which this wallet sent and no server reports, "
                f"again ({err.reason}): {words}. If it cannot confirm, abandon it to spend "
                "its coins again."
            )
        except ChainError as err:
            warnings.append(f"Could not send {txid} again: {err}")
            break
    return tuple(warnings)


def _parents_first(txs: Mapping[str, Transaction]) -> list[str]:
    """Return the txids so that a transaction comes after those of ``txs`` it spends."""
    order: list[str] = []
    placed: set[str] = set()

    def place(txid: str, path: frozenset[str]) -> None:
        if txid in placed or txid in path:
            return
        for txin in txs[txid].inputs:
            parent = txin.prevout.txid_hex
            if parent in txs:
                place(parent, path | {txid})
        placed.add(txid)
        order.append(txid)

    for txid in sorted(txs):
        place(txid, frozenset())
    return order
