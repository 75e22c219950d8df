"""The embedded EVM chain: eth-tester on py-evm, in-process, behind the ``EvmBackend`` protocol.

This is the default chain of ``coffer demo`` and of fast tests. It needs no network and no
binary; each transaction is mined into its own block as it arrives. Its chain id is py-evm's
default, 131277322940537, which the registry's ``evm-embedded`` network also states.

Given a folder and a key, the chain is kept there (``embedded_files``): sealed, owner-only,
every block appended and fsync-ed before the call that mined it returns, and replayed into
a fresh py-evm on open, so the wallet's ``evm-embedded`` network lives from one process to
the next. Without a folder it lives in memory and ends with the object.

Besides the protocol, this devnet offers methods a real network never could (``fund``,
``deploy_contract``, ``transact``, ``mine_blocks``): they move coins from the devnet's
prefunded accounts and exist only on this class.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import cast

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.exceptions import (
    BlockNotFound,
    TransactionFailed,
    TransactionNotFound,
)
from eth_tester.exceptions import ValidationError as TesterValidationError
from eth_utils.exceptions import ValidationError as EvmValidationError

from chains.errors import BackendProtocolError, BackendUnavailable, WrongServerNetwork
from chains.evm import _parse as p
from chains.evm import _tester_values as tv
from chains.evm.backend import (
    Block,
    BlockTag,
    CallRequest,
    EvmTransaction,
    FeeHistory,
    Log,
    LogFilter,
    Receipt,
    RpcCall,
    RpcError,
    RpcOutcome,
    TxHash,
    Wei,
)
from chains.evm.embedded_files import EmbeddedChainFiles, new_tester_backend
from chains.evm.errors import ContractCallFailed, ExecutionReverted, NodeError
from chains.registry import EvmNetwork

__all__ = ["EMBEDDED_CHAIN_ID", "EmbeddedBackend"]

EMBEDDED_CHAIN_ID = 131277322940537
"""py-evm's default chain id, used by eth-tester and by the registry's ``evm-embedded``."""


class EmbeddedBackend:
    """An ``EvmBackend`` on an in-process eth-tester / py-evm chain.

    Args:
        network: the network this devnet stands for; its chain id must be 131277322940537.
        datadir: where the chain is kept, sealed and owner-only (``embedded_files``), and
            replayed from on open; ``None``: in memory only.
        storage_key: the key (16 bytes or more) that seals what is kept in ``datadir``;
            its owner (the wallet) keeps it. Needed with ``datadir``.

    Raises:
        ValueError: ``datadir`` without ``storage_key``, or a key shorter than 16 bytes.
        WrongServerNetwork: the network's chain id is not the embedded chain's.
        BackendUnavailable: another process has ``datadir`` open.
        DevnetStorageError: the chain in ``datadir`` does not open with ``storage_key``.
    """

    def __init__(
        self,
        network: EvmNetwork,
        datadir: Path | None = None,
        *,
        storage_key: bytes | None = None,
    ) -> None:
        actual = EMBEDDED_CHAIN_ID
        if actual != network.chain_id:
            raise WrongServerNetwork(
                f"The embedded chain has chain id {actual}, not {network.title} "
                f"(chain id {network.chain_id}).",
                tv.SERVER,
                str(network.chain_id),
                str(actual),
            )
        self._files: EmbeddedChainFiles | None = None
        if datadir is None:
            backend: PyEVMBackend = new_tester_backend()
        else:
            if storage_key is None:
                raise ValueError("An embedded chain kept on disk needs a storage key.")
            self._files = EmbeddedChainFiles(Path(datadir), storage_key)
            backend = self._files.open_backend()
        self._tester = EthereumTester(backend)
        self._network = network
        self._lock = threading.Lock()  # eth-tester is not thread-safe; GUI workers may share us
        self._closed = False

    def __repr__(self) -> str:
        return f"EmbeddedBackend({self._network.name!r})"

    def _run(self, fn: Callable[[], object], what: str) -> object:
        if self._closed:
            raise BackendUnavailable("This embedded chain is closed.", tv.SERVER)
        with self._lock:
            try:
                return fn()
            except (TransactionFailed, TesterValidationError, EvmValidationError) as e:
                raise tv.failure(e, what) from e
            finally:
                if self._files is not None:  # every block mined is on disk before we return
                    self._files.record(self._tester.backend)

    # -- the EvmBackend protocol -------------------------------------------------------------

    @property
    def network(self) -> EvmNetwork:
        """Return the network this devnet stands for."""
        return self._network

    @property
    def server(self) -> str:
        """Return ``"embedded"``."""
        return tv.SERVER

    def chain_id(self) -> int:
        """Return the chain id (131277322940537)."""
        return int(self._tester.backend.chain.chain_id)

    def block_number(self) -> int:
        """Return the number of the latest block."""
        raw = cast(tv.Raw, self._run(lambda: self._tester.get_block_by_number("latest"), "block"))
        return tv.as_int(raw["number"], "number")

    def get_balance(self, address: str, block: BlockTag = "latest") -> Wei:
        """Return the balance of an address in wei."""
        a = p.check_address(address)
        return Wei(
            tv.as_int(self._run(lambda: self._tester.get_balance(a, block), "balance"), "wei")
        )

    def get_transaction_count(self, address: str, block: BlockTag = "pending") -> int:
        """Return the nonce of an address."""
        a = p.check_address(address)
        return tv.as_int(self._run(lambda: self._tester.get_nonce(a, block), "nonce"), "nonce")

    def get_code(self, address: str, block: BlockTag = "latest") -> bytes:
        """Return the code at an address."""
        a = p.check_address(address)
        return tv.as_bytes(self._run(lambda: self._tester.get_code(a, block), "code"), "code")

    def fee_history(
        self, block_count: int, newest: BlockTag = "latest", percentiles: Sequence[int] = ()
    ) -> FeeHistory:
        """Return base fees and priority-fee percentiles of recent blocks.

        eth-tester's own fee history ignores the percentiles, so this computes the answer the
        way geth does: per block, the effective tips of its transactions sorted ascending and
        weighted by gas used, read at each percentile.
        """
        last = self.get_block(newest)
        if last is None or block_count < 1:
            raise ValueError("fee history needs an existing newest block and a count of 1+")
        first = max(0, last.number - block_count + 1)
        blocks = [self.get_block(n, full=True) for n in range(first, last.number + 1)]
        base_fees: list[int] = []
        ratios: list[Decimal] = []
        rewards: list[tuple[int, ...]] = []
        for b in blocks:
            assert b is not None  # noqa: S101 - numbers up to the existing newest block
            base = b.base_fee_per_gas or 0
            base_fees.append(base)
            ratios.append(Decimal(b.gas_used) / Decimal(b.gas_limit) if b.gas_limit else Decimal(0))
            if percentiles:
                rewards.append(self._block_rewards(b, base, percentiles))
        base_fees.append(tv.next_base_fee(blocks[-1]) if blocks[-1] is not None else 0)
        return FeeHistory(first, tuple(base_fees), tuple(ratios), tuple(rewards))

    def _block_rewards(self, b: Block, base: int, percentiles: Sequence[int]) -> tuple[int, ...]:
        tips: list[tuple[int, int]] = []
        for tx in b.transactions:
            r = self.get_receipt(tx.hash)
            gas = r.gas_used if r is not None else tx.gas
            if tx.max_fee_per_gas is not None and tx.max_priority_fee_per_gas is not None:
                tip = min(tx.max_priority_fee_per_gas, tx.max_fee_per_gas - base)
            else:
                tip = (tx.gas_price or 0) - base
            tips.append((max(tip, 0), gas))
        if not tips:
            return tuple(0 for _ in percentiles)
        tips.sort()
        total = sum(g for _, g in tips)
        out: list[int] = []
        for pct in percentiles:
            threshold = total * pct / 100
            acc = 0
            chosen = tips[-1][0]
            for tip, gas in tips:
                acc += gas
                if acc >= threshold:
                    chosen = tip
                    break
            out.append(chosen)
        return tuple(out)

    def gas_price(self) -> Wei:
        """Return a gas price: the next block's base fee plus the default tip."""
        return Wei(self._next_base_fee() + self.max_priority_fee())

    def max_priority_fee(self) -> Wei:
        """Return the tip suggestion: 1 gwei, as eth-tester's own node answers."""
        return Wei(10**9)

    def _next_base_fee(self) -> int:
        latest = self.get_block("latest")
        return 0 if latest is None else tv.next_base_fee(latest)

    def estimate_gas(self, request: CallRequest, block: BlockTag = "latest") -> int:
        """Return the gas a transaction would use."""
        tx = self._tester_tx(request)
        return tv.as_int(self._run(lambda: self._tester.estimate_gas(tx, block), "estimate"), "gas")

    def call(
        self, to: str, data: bytes, block: BlockTag = "latest", sender: str | None = None
    ) -> bytes:
        """Run a read-only call and return its output."""
        tx = self._tester_tx(CallRequest(to=to, data=data, sender=sender))
        return tv.as_bytes(self._run(lambda: self._tester.call(tx, block), "call"), "output")

    def send_raw_transaction(self, raw: bytes) -> TxHash:
        """Add a signed transaction to the chain (mined at once) and return its hash."""
        hexed = "0x" + raw.hex()
        result = self._run(lambda: self._tester.send_raw_transaction(hexed), "transaction")
        return TxHash(tv.as_hash(result))

    def get_transaction(self, tx_hash: str) -> EvmTransaction | None:
        """Return a transaction, or ``None`` if unknown."""
        h = p.check_hash(tx_hash)
        try:
            raw = self._run(lambda: self._tester.get_transaction_by_hash(h), "transaction")
        except TransactionNotFound:
            return None
        return tv.transaction(cast(tv.Raw, raw))

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        """Return a receipt, or ``None`` if the transaction is unknown."""
        h = p.check_hash(tx_hash)
        try:
            raw = self._run(lambda: self._tester.get_transaction_receipt(h), "receipt")
        except TransactionNotFound:
            return None
        return None if raw is None else tv.receipt(cast(tv.Raw, raw))

    def get_logs(self, log_filter: LogFilter) -> tuple[Log, ...]:
        """Return the logs matching a filter (topics are matched here, OR-lists included)."""
        addresses = {p.check_address(a) for a in log_filter.addresses}
        start = self._number(log_filter.from_block)
        end = self._number(log_filter.to_block)
        raw = self._run(lambda: self._tester.get_logs(from_block=start, to_block=end), "logs")
        out: list[Log] = []
        for item in cast(Sequence[tv.Raw], raw):
            entry = tv.log(item)
            if addresses and entry.address not in addresses:
                continue
            if not tv.topics_match(entry.topics, log_filter.topics):
                continue
            out.append(entry)
        out.sort(key=lambda x: (x.block_number, x.log_index))
        return tuple(out)

    def _number(self, block: BlockTag) -> int:
        if isinstance(block, int):
            return block
        if block == "earliest":
            return 0
        return self.block_number()

    def get_block(self, block: BlockTag, full: bool = False) -> Block | None:
        """Return a block, or ``None`` if it does not exist."""
        try:
            raw = self._run(
                lambda: self._tester.get_block_by_number(block, full_transactions=full), "block"
            )
        except BlockNotFound:
            return None
        return tv.block(cast(tv.Raw, raw))

    def batch(self, calls: Sequence[RpcCall]) -> tuple[RpcOutcome, ...]:
        """Answer raw JSON-RPC calls in-process (the read methods a balance sync needs).

        Methods outside ``eth_chainId``, ``eth_blockNumber``, ``eth_getBalance``,
        ``eth_getTransactionCount``, ``eth_getCode``, ``eth_call`` and ``eth_gasPrice`` come
        back as an ``RpcError`` with code -32601 (method not found).
        """
        return tuple(self._answer(c) for c in calls)

    def _answer(self, c: RpcCall) -> RpcOutcome:
        prm = c.params
        try:
            if c.method == "eth_chainId":
                return hex(self.chain_id())
            if c.method == "eth_blockNumber":
                return hex(self.block_number())
            if c.method == "eth_gasPrice":
                return hex(self.gas_price())
            if c.method in ("eth_getBalance", "eth_getTransactionCount", "eth_getCode"):
                addr, blk = str(prm[0]), tv.block_tag(prm[1] if len(prm) > 1 else "latest")
                if c.method == "eth_getBalance":
                    return hex(self.get_balance(addr, blk))
                if c.method == "eth_getCode":
                    return "0x" + self.get_code(addr, blk).hex()
                return hex(self.get_transaction_count(addr, blk))
            if c.method == "eth_call":
                obj = p.obj(prm[0], tv.SERVER, "call object")
                out = self.call(
                    str(obj["to"]),
                    p.data(obj.get("data", obj.get("input", "0x")), tv.SERVER),
                    tv.block_tag(prm[1] if len(prm) > 1 else "latest"),
                    None if obj.get("from") is None else str(obj["from"]),
                )
                return "0x" + out.hex()
        except NodeError as e:
            revert = e.data.hex() if isinstance(e, ExecutionReverted) else ""
            return RpcError(e.code, e.node_message, "0x" + revert if revert else None)
        except (IndexError, KeyError, ValueError) as e:
            return RpcError(-32602, f"invalid params: {e}")
        return RpcError(-32601, f"the embedded chain does not offer {c.method}")

    def close(self) -> None:
        """Close the chain; kept on disk it stays there, in memory it ends here."""
        with self._lock:
            self._closed = True
            if self._files is not None:
                self._files.close()
                self._files = None

    @property
    def datadir(self) -> Path | None:
        """Return the folder the chain is kept in, or ``None`` for a chain in memory."""
        return None if self._files is None else self._files.directory

    # -- devnet-only ---------------------------------------------------------------------

    def prefunded_accounts(self) -> tuple[str, ...]:
        """Return the devnet's ten prefunded, unlocked accounts."""
        return tuple(p.check_address(a) for a in self._tester.get_accounts())

    def fund(self, address: str, wei: int) -> Receipt:
        """Send ``wei`` from the first prefunded account to ``address`` (devnet only).

        Raises:
            TypeError: ``wei`` is not an int (a float amount is refused).
        """
        if isinstance(wei, bool) or not isinstance(wei, int):
            raise TypeError("amounts are int wei, never float")
        return self.transact(p.check_address(address), b"", value=wei)

    def transact(
        self, to: str | None, data: bytes, value: int = 0, sender: str | None = None
    ) -> Receipt:
        """Send a transaction from a prefunded account and return its receipt (devnet only).

        Raises:
            ExecutionReverted: the transaction reverted.
        """
        frm = sender or self.prefunded_accounts()[0]
        tx: dict[str, object] = {"from": frm, "data": "0x" + data.hex(), "value": value}
        if to is not None:
            tx["to"] = p.check_address(to)
        tx["gas"] = self.estimate_gas(CallRequest(to=to, data=data, sender=frm, value=value))
        tx_hash = self._run(lambda: self._tester.send_transaction(tx), "transaction")
        receipt = self.get_receipt(tv.as_hash(tx_hash))
        if receipt is None:  # auto-mining is on: every transaction has a receipt at once
            raise BackendProtocolError("The embedded chain lost a transaction.", tv.SERVER)
        if not receipt.success:
            raise p.node_error(RpcError(3, "execution reverted"), tv.SERVER)
        return receipt

    def deploy_contract(self, initcode: bytes, sender: str | None = None) -> str:
        """Deploy a contract from a prefunded account and return its address (devnet only).

        Raises:
            ContractCallFailed: the deployment created no contract.
        """
        receipt = self.transact(None, initcode, sender=sender)
        if receipt.contract_address is None:
            raise ContractCallFailed("The contract deployment created no contract.", tv.ZERO, "")
        return receipt.contract_address

    def mine_blocks(self, count: int = 1) -> None:
        """Mine empty blocks (devnet only)."""
        self._run(lambda: self._tester.mine_blocks(count), "mine")

    def _tester_tx(self, request: CallRequest) -> dict[str, object]:
        # py-evm charges calls for gas even where nodes do not: a sender without coins fails,
        # so calls without a sender come from the first prefunded account.
        sender = request.sender or self._tester.get_accounts()[0]
        tx: dict[str, object] = {
            "from": p.check_address(sender),
            "data": "0x" + request.data.hex(),
            "value": request.value,
        }
        if request.to is not None:
            tx["to"] = p.check_address(request.to)
        for key, v in (
            ("gas", request.gas),
            ("gas_price", request.gas_price),
            ("max_fee_per_gas", request.max_fee_per_gas),
            ("max_priority_fee_per_gas", request.max_priority_fee_per_gas),
        ):
            if v is not None:
                tx[key] = v
        return tx
