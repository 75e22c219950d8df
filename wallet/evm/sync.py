"""Syncing an EVM account: balances, nonces, history, own transactions and collectibles.

One sync reads, in this order, and stages everything before writing it in one transaction:

1. the native balance and every token balance (bundled and custom tokens) in one round
   trip (Multicall3 where deployed, else one JSON-RPC batch), then the pending balance, the
   mined and pending nonces, the tip and the block the last sync ended at in a second
   (``chains.evm.snapshot.account_snapshot`` builds both);
2. new history from its cursor: an Etherscan-compatible explorer on public networks (when
   an API key or explorer URL is set), a scan of blocks and logs on local and embedded
   chains;
3. the status of the wallet's own transactions (mined, reverted, replaced, dropped);
4. the collectibles held (ERC-721 and ERC-1155), with metadata for items not seen before.

Own transactions that were pending and the node no longer holds (nonce unused) are then
sent again (``wallet.evm.resend``); a refusal becomes a warning and marks them dropped.

An explorer that fails does not fail the sync: its part is skipped and named in the
report's ``warnings``, the rest is stored.

Reorganisations: each sync keeps the number and hash of the block it ended at (the last
block a chain scan read, else the tip). When the next sync finds another block at that
height, the chain was reorganised under what is stored: a scanned history is read again
from where the first scan started (records of blocks that are gone are dropped, those of
the new blocks found), and the wallet's own mined transactions are checked again (one
whose block is gone is pending again, or dropped; on other networks those mined up to
``RECHECK_BLOCKS`` below the last sync's end).
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict

from chains.errors import BackendUnavailable as ChainBackendUnavailable
from chains.evm.backend import EvmBackend
from chains.evm.errors import ContractCallFailed
from chains.evm.explorer import ExplorerClient, ExplorerError
from chains.evm.history import (
    TransferKind,
    TransferRecord,
    nft_holdings,
    scan_history,
)
from chains.evm.nfts import InvalidMetadata, NftItem, fetch_metadata, scan_holdings
from chains.evm.snapshot import account_snapshot
from chains.evm.tokens import TokenInfo, read_token
from chains.registry import EvmNetwork
from wallet.errors import translate_errors
from wallet.evm.context import EvmContext
from wallet.evm.resend import resend_lost
from wallet.evm.settings import explorer_key, explorer_url
from wallet.evm.store import AccountState, SentRow, SyncChanges
from wallet.evm.tokens import TokenBook
from wallet.evm.types import Collectible
from wallet.storage import WalletDatabase
from wallet.types import SyncReport, TxStatus

__all__ = ["EXPLORER", "SCAN", "history_source", "sync_account"]

SCAN = "scan"
EXPLORER = "explorer"
FIRST_SCAN_BLOCKS = 100_000
"""How far back the first scan of a local chain reaches: a fork of a public chain starts at a
high block, and reading millions of forked blocks one by one would never end."""
RECHECK_BLOCKS = 256
"""After a reorganisation on a network whose history is not scanned, own transactions mined
up to this many blocks below the last sync's end are looked up again (deeper reorganisations
are past finality on every network here)."""
_FINAL = (TxStatus.CONFIRMED, TxStatus.FAILED)


def history_source(db: WalletDatabase, network: EvmNetwork) -> str | None:
    """Return where the account's history comes from: ``"scan"``, ``"explorer"`` or ``None``.

    Local and embedded chains (no explorer in the registry) are scanned; public networks
    use their explorer once the user gave an API key or an explorer URL. Without one, a
    public network's history holds only the transactions sent from this wallet.

    Args:
        db: the wallet file (its explorer settings).
        network: the account's network.
    """
    custom_url = explorer_url(db, network) != network.explorer_api
    if network.explorer_api is None:
        return EXPLORER if custom_url else SCAN
    if explorer_key(db, network) is not None or custom_url:
        return EXPLORER
    return None


def _round_trips(backend: EvmBackend) -> int | None:
    count = getattr(backend, "round_trips", None)
    return count if isinstance(count, int) else None


def _scan(
    backend: EvmBackend, address: str, start: int, tip: int
) -> tuple[list[TransferRecord], int, str | None]:
    """Scan ``start`` .. ``tip``; return the records, the next block and the last one's hash."""
    records: list[TransferRecord] = []
    cursor = start
    last_hash: str | None = None
    while cursor <= tip:
        page = scan_history(backend, [address], cursor, tip)
        records.extend(page.records)
        if page.next_block <= cursor:  # the chain moved back under us: stop here
            break
        cursor, last_hash = page.next_block, page.last_block_hash
    return records, cursor, last_hash


def _resolve_sent(
    backend: EvmBackend, rows: list[SentRow], mined: int, recheck_from: int | None = None
) -> list[tuple[str, TxStatus, int | None, int | None]]:
    """Work out where each own transaction stands, nonce by nonce.

    Mined (confirmed or failed) transactions are final, except those in a block at or above
    ``recheck_from`` after a reorganisation: they are looked up again.
    """

    def final(row: SentRow) -> bool:
        block = row.sent.block_number
        return row.sent.status in _FINAL and (
            recheck_from is None or block is None or block < recheck_from
        )

    updates: list[tuple[str, TxStatus, int | None, int | None]] = []
    by_nonce: dict[int, list[SentRow]] = defaultdict(list)
    for row in rows:
        by_nonce[row.sent.nonce].append(row)
    for nonce, group in by_nonce.items():
        if all(final(r) for r in group):
            continue
        winner = next((r for r in group if final(r)), None)
        for row in group:
            if winner is not None:
                break
            receipt = backend.get_receipt(row.sent.tx_hash)
            if receipt is not None:
                status = TxStatus.CONFIRMED if receipt.success else TxStatus.FAILED
                if (status, receipt.block_number, receipt.fee) != (
                    row.sent.status,
                    row.sent.block_number,
                    row.sent.fee,
                ):
                    updates.append((row.sent.tx_hash, status, receipt.block_number, receipt.fee))
                winner = row
        replaced = {r.sent.replaces for r in group if r.sent.replaces}
        for row in group:
            if row is winner or final(row):
                continue
            if winner is not None:
                new = TxStatus.REPLACED if row.sent.tx_hash in replaced else TxStatus.DROPPED
            elif nonce < mined or row.sent.tx_hash in replaced:
                # Replaced by our own speed-up or cancel, or the nonce was taken by a
                # transaction sent from elsewhere (another wallet of the same seed).
                new = TxStatus.REPLACED
            elif backend.get_transaction(row.sent.tx_hash) is not None:
                new = TxStatus.PENDING
            else:
                new = TxStatus.DROPPED
            if new is not row.sent.status:
                updates.append((row.sent.tx_hash, new, None, None))
    return updates


def _collectibles(
    backend: EvmBackend,
    network: EvmNetwork,
    items: tuple[NftItem, ...],
    stored: list[Collectible],
) -> list[Collectible]:
    known = {(c.contract, c.token_id): c for c in stored}
    out = []
    for item in items:
        old = known.get((item.contract, item.token_id))
        if old is not None and old.note is None:  # metadata read before: only the count moves
            out.append(dataclasses.replace(old, standard=item.standard.value, amount=item.amount))
            continue
        try:
            meta = fetch_metadata(backend, item)
        except InvalidMetadata as err:
            out.append(
                Collectible(
                    network.name,
                    item.contract,
                    item.token_id,
                    item.standard.value,
                    item.amount,
                    note=str(err),
                )
            )
            continue
        out.append(
            Collectible(
                network.name,
                item.contract,
                item.token_id,
                item.standard.value,
                item.amount,
                meta.uri,
                meta.name,
                meta.description,
                meta.image,
                meta.attributes,
                None if meta.resolved or meta.uri is None else "metadata is not fetched here",
            )
        )
    return out


def _seen_tokens(
    backend: EvmBackend, book: TokenBook, records: list[TransferRecord]
) -> list[TokenInfo]:
    known = book.known()
    unknown = sorted(
        {r.contract for r in records if r.kind is TransferKind.ERC20 and r.contract} - set(known)
    )
    found = []
    for contract in unknown[:50]:  # an airdrop spammer may send hundreds: name the first few
        try:
            found.append(read_token(backend, contract))
        except ContractCallFailed:
            continue
    return found


def sync_account(ctx: EvmContext, backend: EvmBackend) -> SyncReport:
    """Fetch an EVM account's balances, history, own transactions and collectibles; store them.

    See ``EvmAccount.sync`` for the errors.
    """
    network = ctx.network
    store = ctx.store
    book = ctx.tokens
    address = ctx.address
    start = _round_trips(backend)
    warnings: list[str] = []
    source = history_source(ctx.database, network)
    cursors: dict[str, int] = {}
    records: list[TransferRecord] = []
    anchor: tuple[int, str] | None = None
    rescan_from: int | None = None
    last_anchor = store.anchor(ctx.account_id)
    with translate_errors():
        facts = account_snapshot(backend, address, [t.address for t in book.infos()], last_anchor)
        sheet = facts.balances
        mined, tip = facts.nonce_mined, facts.tip.number
        if facts.reorganised:
            warnings.append(
                f"{network.title} was reorganised since the last sync: its history and "
                "this wallet's transactions were checked again."
            )
        if source != SCAN:
            anchor = (tip, facts.tip.hash)
            if facts.reorganised and last_anchor is not None:
                rescan_from = max(0, last_anchor[0] - RECHECK_BLOCKS)
        if source == SCAN:
            begin = None if facts.reorganised else store.cursor(ctx.account_id, SCAN)
            if begin is None and tip >= FIRST_SCAN_BLOCKS:
                begin = tip - FIRST_SCAN_BLOCKS + 1
                warnings.append(
                    f"The chain has {tip + 1} blocks: the history starts at block {begin}."
                )
            if facts.reorganised:
                rescan_from = begin or 0
            records, cursors[SCAN], last_hash = _scan(backend, address, begin or 0, tip)
            if last_hash is not None:
                anchor = (cursors[SCAN] - 1, last_hash)
        elif source == EXPLORER:
            try:
                client = ExplorerClient(
                    network,
                    explorer_key(ctx.database, network),
                    base_url=explorer_url(ctx.database, network),
                )
                page = client.history(address, store.cursor(ctx.account_id, EXPLORER) or 0)
                records, cursors[EXPLORER] = list(page.records), page.next_block
            except (ExplorerError, ChainBackendUnavailable) as err:
                warnings.append(f"The explorer's history was not read: {err}")
        else:
            warnings.append(
                f"No explorer API key is set for {network.title}: the history shows only "
                "transactions sent from this wallet."
            )
        sent_rows = store.sent(ctx.account_id)
        sent_updates = _resolve_sent(backend, sent_rows, mined, rescan_from)
        nfts: list[Collectible] | None = None
        stored_nfts = store.nfts(ctx.account_id, network.name)
        if source == SCAN:
            nfts = _collectibles(backend, network, scan_holdings(backend, address), stored_nfts)
        elif source == EXPLORER and not warnings:
            every = store.records(ctx.account_id) + records
            nfts = _collectibles(backend, network, nft_holdings(every, address), stored_nfts)
        book.remember_seen(_seen_tokens(backend, book, records))
        # After the collectibles: their explorer branch takes any warning as a failed explorer.
        sent_updates, resent = resend_lost(backend, network.title, sent_rows, sent_updates)
        warnings.extend(resent)
    state = AccountState(
        balance=sheet.native,
        pending_balance=facts.pending_balance,
        nonce_mined=mined,
        nonce_pending=facts.nonce_pending,
        tip=tip,
        synced_at=int(time.time()),
    )
    changes = SyncChanges(
        state=state,
        token_balances=dict(sheet.tokens),
        records=records,
        cursors=cursors,
        sent_updates=sent_updates,
        nfts=nfts,
        anchor=anchor,
        # After a reorganisation the scan read its blocks again: what it stored is replaced.
        drop_records_from=rescan_from if source == SCAN else None,
    )
    new_hashes = store.apply(ctx.account_id, network.name, changes)
    end = _round_trips(backend)
    return SyncReport(
        network=network.name,
        account_id=ctx.account_id,
        tip_height=tip,
        new_transactions=new_hashes,
        updated_transactions=len(sent_updates),
        round_trips=None if start is None or end is None else end - start,
        warnings=tuple(warnings),
    )
