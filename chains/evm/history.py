"""Transfer history of EVM accounts: native coin, ERC-20, ERC-721 and ERC-1155.

Two sources, one record type (``TransferRecord``, defined here):

- ``scan_history`` (here) reads the chain itself (blocks with their transactions, and token
  logs): for local and embedded chains, where a full scan is cheap.
- ``chains.evm.explorer.ExplorerClient`` asks an Etherscan-compatible API (``txlist``,
  ``tokentx``, ``tokennfttx``, ``token1155tx``) on public networks, where scanning is not an
  option.

Both are incremental: they start at a block cursor and return the cursor the next call starts
from. The wallet stores the records; each has a ``key`` so that fetching a block twice (the
explorer's cursor re-reads its last block on purpose) never stores a record twice.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from chains.evm import _parse as p
from chains.evm.backend import (
    Block,
    EvmBackend,
    Log,
    LogFilter,
    RpcCall,
    RpcError,
    TxHash,
)
from chains.evm.nfts import TRANSFER, TRANSFER_BATCH, TRANSFER_SINGLE, NftItem, NftStandard

__all__ = [
    "HistoryPage",
    "TransferKind",
    "TransferRecord",
    "nft_holdings",
    "scan_history",
]


_METHOD_NOT_FOUND = -32601


class TransferKind(enum.Enum):
    """What moved."""

    NATIVE = "native"
    ERC20 = "erc20"
    ERC721 = "erc721"
    ERC1155 = "erc1155"


@dataclass(frozen=True, slots=True)
class TransferRecord:
    """One transfer touching an account.

    Attributes:
        kind: native coin or a token standard.
        tx_hash: the transaction.
        block_number: the block holding it.
        timestamp: the block's time (seconds since the Unix epoch), if known.
        sender: who sent.
        recipient: who received (``None`` for a native contract creation).
        amount: wei, token base units, or the count of ERC-1155 items (1 for ERC-721).
        contract: the token contract, ``None`` for native transfers.
        token_id: the item id for ERC-721/1155.
        log_index: the log's position in its block, for token transfers when known.
        success: ``False`` for a transaction that reverted (native records only).
        fee: the fee in wei the sender paid, on native records of outgoing transactions.
    """

    kind: TransferKind
    tx_hash: TxHash
    block_number: int
    timestamp: int | None
    sender: str
    recipient: str | None
    amount: int
    contract: str | None = None
    token_id: int | None = None
    log_index: int | None = None
    success: bool = True
    fee: int | None = None

    @property
    def key(self) -> tuple[str, str, int, str, int, str, str, int]:
        """Return what identifies this record across fetches."""
        return (
            self.tx_hash,
            self.kind.value,
            -1 if self.log_index is None else self.log_index,
            self.contract or "",
            -1 if self.token_id is None else self.token_id,
            self.sender,
            self.recipient or "",
            self.amount,
        )


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Records found, and the block the next incremental fetch starts from.

    Attributes:
        records: the transfers found, in chain order.
        next_block: where the next incremental fetch starts.
        last_block_hash: the hash of block ``next_block - 1`` as a chain scan read it
            (``None`` when no block was read, and from an explorer): a later scan compares
            it with the chain's to notice a reorganisation under what it stored.
    """

    records: tuple[TransferRecord, ...]
    next_block: int
    last_block_hash: str | None = None


# -- scanning a chain ------------------------------------------------------------------------


def _topic(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(address[2:])


def _addr(topic: bytes) -> str:
    return p.check_address("0x" + topic[-20:].hex())


def _token_records(entry: Log, timestamp: int | None) -> list[TransferRecord]:
    def record(
        kind: TransferKind, sender: bytes, recipient: bytes, amount: int, token_id: int | None
    ) -> TransferRecord:
        return TransferRecord(
            kind=kind,
            tx_hash=entry.transaction_hash,
            block_number=entry.block_number,
            timestamp=timestamp,
            sender=_addr(sender),
            recipient=_addr(recipient),
            amount=amount,
            contract=entry.address,
            token_id=token_id,
            log_index=entry.log_index,
        )

    t = entry.topics
    try:
        if t[0] == TRANSFER and len(t) == 3 and len(entry.data) == 32:
            amount = int.from_bytes(entry.data, "big")
            return [record(TransferKind.ERC20, t[1], t[2], amount, None)]
        if t[0] == TRANSFER and len(t) == 4:
            return [record(TransferKind.ERC721, t[1], t[2], 1, int.from_bytes(t[3], "big"))]
        if t[0] in (TRANSFER_SINGLE, TRANSFER_BATCH) and len(t) == 4:
            if t[0] == TRANSFER_SINGLE:
                one_id, one_value = decode(["uint256", "uint256"], entry.data)
                ids, values = [one_id], [one_value]
            else:
                ids, values = decode(["uint256[]", "uint256[]"], entry.data)
            return [
                record(TransferKind.ERC1155, t[2], t[3], int(v), int(i))
                for i, v in zip(ids, values, strict=True)
            ]
    except (DecodingError, ValueError, OverflowError):
        pass  # a contract that only pretends to follow a standard: its log is skipped
    return []


def scan_history(
    backend: EvmBackend,
    accounts: Sequence[str],
    from_block: int = 0,
    to_block: int | None = None,
    max_blocks: int = 5000,
) -> HistoryPage:
    """Scan blocks and logs for the transfers of some accounts (local and embedded chains).

    Native transfers are read from the transactions of each block (value sent by an external
    transaction; transfers made inside contract calls leave no trace there and are not
    listed). Token transfers come from their logs.

    Args:
        backend: the node.
        accounts: the accounts whose transfers are wanted.
        from_block: the first block to scan (a stored cursor).
        to_block: the last block to scan; the chain tip when omitted.
        max_blocks: at most this many blocks per call; the cursor says where to go on.

    Returns:
        The records in chain order, the next block to scan and the hash of the last block
        read. Logs of a block whose hash is not the one read (the chain moved during the
        scan) are left out: the last hash then no longer matches the chain, and the next
        scan sees the reorganisation.

    Raises:
        MalformedAddress: an account is not an EVM address.
    """
    accts = {p.check_address(a) for a in accounts}
    tip = backend.block_number() if to_block is None else to_block
    end = min(tip, from_block + max_blocks - 1)
    if end < from_block or not accts:
        return HistoryPage((), max(from_block, end + 1))
    records: list[TransferRecord] = []
    times: dict[int, int] = {}
    hashes: dict[int, str] = {}
    for block in _blocks(backend, from_block, end):
        if block is None:  # the tip moved back (a reorg on a devnet): stop before it
            break
        times[block.number] = block.timestamp
        hashes[block.number] = block.hash
        records.extend(_native_records(backend, block, accts))
    end = max(times, default=from_block - 1)
    if end >= from_block:
        topics = tuple(_topic(a) for a in sorted(accts))
        queries = (
            ((TRANSFER,), topics, None),
            ((TRANSFER,), None, topics),
            ((TRANSFER_SINGLE, TRANSFER_BATCH), None, topics),
            ((TRANSFER_SINGLE, TRANSFER_BATCH), None, None, topics),
        )
        logs: dict[tuple[str, int], Log] = {}
        for q in queries:
            for entry in backend.get_logs(LogFilter(from_block, end, (), q)):
                if entry.block_hash == hashes.get(entry.block_number):
                    logs[(entry.transaction_hash, entry.log_index)] = entry
        for entry in logs.values():
            records.extend(_token_records(entry, times.get(entry.block_number)))
    records.sort(key=lambda r: (r.block_number, -1 if r.log_index is None else r.log_index))
    return HistoryPage(tuple(records), end + 1, hashes.get(end))


_BLOCK_BATCH = 100


def _blocks(backend: EvmBackend, first: int, last: int) -> Iterator[Block | None]:
    """Yield full blocks ``first`` .. ``last``, fetched a hundred per round trip.

    A backend whose batch does not carry ``eth_getBlockByNumber`` (the in-process chain)
    is asked block by block; ``None`` marks a block the node does not have.
    """
    for start in range(first, last + 1, _BLOCK_BATCH):
        numbers = range(start, min(start + _BLOCK_BATCH, last + 1))
        outcomes = backend.batch([RpcCall("eth_getBlockByNumber", (hex(n), True)) for n in numbers])
        for n, outcome in zip(numbers, outcomes, strict=True):
            if isinstance(outcome, RpcError):
                if outcome.code != _METHOD_NOT_FOUND:
                    raise p.node_error(outcome, backend.server)
                block = backend.get_block(n, full=True)
            else:
                block = None if outcome is None else p.block(outcome, backend.server)
            yield block
            if block is None:
                return


def _native_records(backend: EvmBackend, block: Block, accts: set[str]) -> list[TransferRecord]:
    out = []
    for tx in block.transactions:
        outgoing = tx.sender in accts
        incoming = tx.to in accts and tx.value > 0
        if not (outgoing or incoming):
            continue
        success, fee = True, None
        if outgoing:
            receipt = backend.get_receipt(tx.hash)
            if receipt is not None:
                success, fee = receipt.success, receipt.fee
        out.append(
            TransferRecord(
                kind=TransferKind.NATIVE,
                tx_hash=tx.hash,
                block_number=block.number,
                timestamp=block.timestamp,
                sender=tx.sender,
                recipient=tx.to,
                amount=tx.value,
                success=success,
                fee=fee,
            )
        )
    return out


def nft_holdings(records: Sequence[TransferRecord], account: str) -> tuple[NftItem, ...]:
    """Derive the ERC-721/1155 items an account holds from its transfer records.

    For public networks, where the item list comes from an explorer's ``tokennfttx`` and
    ``token1155tx`` rather than a log scan. Records are applied in chain order, each once:
    the same transfer fetched twice (stored, and read again with the explorer's last block)
    counts once.

    Raises:
        MalformedAddress: the account is not an EVM address.
    """
    acct = p.check_address(account)
    counts: dict[tuple[str, int], int] = {}
    standards: dict[tuple[str, int], NftStandard] = {}
    unique = {r.key: r for r in records}.values()
    ordered = sorted(
        unique, key=lambda r: (r.block_number, -1 if r.log_index is None else r.log_index)
    )
    for r in ordered:
        if r.kind not in (TransferKind.ERC721, TransferKind.ERC1155):
            continue
        if r.contract is None or r.token_id is None:
            continue
        key = (r.contract, r.token_id)
        standards[key] = (
            NftStandard.ERC721 if r.kind is TransferKind.ERC721 else NftStandard.ERC1155
        )
        delta = (r.amount if r.recipient == acct else 0) - (r.amount if r.sender == acct else 0)
        counts[key] = counts.get(key, 0) + delta
        if standards[key] is NftStandard.ERC721:
            counts[key] = 1 if r.recipient == acct else 0
    return tuple(
        NftItem(contract, token_id, standards[(contract, token_id)], n)
        for (contract, token_id), n in counts.items()
        if n > 0
    )
