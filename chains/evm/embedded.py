"""The embedded EVM chain: eth-tester on py-evm, in-process, behind the ``EvmBackend`` protocol.

This is the default chain of ``coffer demo`` and of fast tests. It needs no network and no
binary; each transaction is mined into its own block as it arrives. Its chain id is py-evm's
default, 131277322940537, which the registry's ``evm-embedded`` network also states.

Besides the protocol, this devnet offers methods a real network never could (``fund``,
``deploy_contract``, ``transact``, ``mine_blocks``): they move coins from the devnet's
prefunded accounts and exist only on this class.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TypeAlias, cast

from eth_abi.abi import encode as abi_encode
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
from chains.evm.backend import (
    Block,
    BlockTag,
    CallRequest,
    EvmTransaction,
    FeeHistory,
    JsonValue,
    Log,
    LogFilter,
    Receipt,
    RpcCall,
    RpcError,
    RpcOutcome,
    TxHash,
    Wei,
)
from chains.evm.errors import ContractCallFailed, ExecutionReverted, NodeError
from chains.registry import EvmNetwork

__all__ = ["EMBEDDED_CHAIN_ID", "EmbeddedBackend"]

EMBEDDED_CHAIN_ID = 131277322940537
"""py-evm's default chain id, used by eth-tester and by the registry's ``evm-embedded``."""

_SERVER = "embedded"
_ZERO = "0x0000000000000000000000000000000000000000"
_Raw: TypeAlias = Mapping[str, object]
_ERROR_STRING = bytes.fromhex("08c379a0")  # selector of Error(string)
_ELASTICITY = 2  # EIP-1559: gas target is half the gas limit
_BASE_FEE_DENOMINATOR = 8  # EIP-1559: base fee moves by at most 1/8 per block


def _int(value: object, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    raise BackendProtocolError(f"The embedded chain gave a malformed {what}.", _SERVER)


def _opt_int(value: object, what: str) -> int | None:
    return None if value is None else _int(value, what)


def _bytes(value: object, what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    raise BackendProtocolError(f"The embedded chain gave malformed {what}.", _SERVER)


def _hash(value: object) -> str:
    return "0x" + _bytes(value, "hash").hex()


def _addr(value: object) -> str:
    return p.address("0x" + _bytes(value, "address").hex(), _SERVER)


def _opt_addr(value: object) -> str | None:
    return None if value in (None, b"", "", "0x") else _addr(value)


def _tx(raw: _Raw) -> EvmTransaction:
    type_ = raw.get("type", 0)
    return EvmTransaction(
        hash=TxHash(_hash(raw["hash"])),
        sender=_addr(raw["from"]),
        to=_opt_addr(raw.get("to")),
        value=_int(raw["value"], "value"),
        nonce=_int(raw["nonce"], "nonce"),
        gas=_int(raw["gas"], "gas"),
        input=_bytes(raw.get("data", "0x"), "input"),
        tx_type=_int(type_, "type"),
        gas_price=_opt_int(raw.get("gas_price"), "gas price"),
        max_fee_per_gas=_opt_int(raw.get("max_fee_per_gas"), "max fee"),
        max_priority_fee_per_gas=_opt_int(raw.get("max_priority_fee_per_gas"), "tip"),
        chain_id=_opt_int(raw.get("chain_id"), "chain id"),
        block_number=_opt_int(raw.get("block_number"), "block number"),
        block_hash=None if raw.get("block_hash") is None else _hash(raw["block_hash"]),
        transaction_index=_opt_int(raw.get("transaction_index"), "index"),
    )


def _log(raw: _Raw) -> Log:
    topics = cast(Sequence[object], raw.get("topics", ()))
    return Log(
        address=_addr(raw["address"]),
        topics=tuple(_bytes(t, "topic") for t in topics),
        data=_bytes(raw.get("data", "0x"), "log data"),
        block_number=_int(raw["block_number"], "block number"),
        block_hash=_hash(raw["block_hash"]),
        transaction_hash=TxHash(_hash(raw["transaction_hash"])),
        transaction_index=_int(raw["transaction_index"], "index"),
        log_index=_int(raw["log_index"], "log index"),
    )


def _receipt(raw: _Raw) -> Receipt:
    logs = cast(Sequence[_Raw], raw.get("logs", ()))
    return Receipt(
        transaction_hash=TxHash(_hash(raw["transaction_hash"])),
        block_number=_int(raw["block_number"], "block number"),
        block_hash=_hash(raw["block_hash"]),
        transaction_index=_int(raw["transaction_index"], "index"),
        sender=_addr(raw["from"]),
        to=_opt_addr(raw.get("to")),
        success=_int(raw.get("status", 1), "status") == 1,
        gas_used=_int(raw["gas_used"], "gas used"),
        cumulative_gas_used=_int(raw["cumulative_gas_used"], "cumulative gas"),
        effective_gas_price=_int(raw["effective_gas_price"], "gas price"),
        contract_address=_opt_addr(raw.get("contract_address")),
        logs=tuple(_log(x) for x in logs),
    )


def _block(raw: _Raw) -> Block:
    txs = cast(Sequence[object], raw.get("transactions", ()))
    full = tuple(_tx(cast(_Raw, t)) for t in txs if isinstance(t, Mapping))
    hashes = tuple(t.hash for t in full) if full else tuple(TxHash(_hash(t)) for t in txs)
    return Block(
        number=_int(raw["number"], "number"),
        hash=_hash(raw["hash"]),
        parent_hash=_hash(raw["parent_hash"]),
        timestamp=_int(raw["timestamp"], "timestamp"),
        gas_limit=_int(raw["gas_limit"], "gas limit"),
        gas_used=_int(raw["gas_used"], "gas used"),
        base_fee_per_gas=_opt_int(raw.get("base_fee_per_gas"), "base fee"),
        miner=_addr(raw.get("coinbase", _ZERO)),
        transaction_hashes=hashes,
        transactions=full,
    )


def _next_base_fee(parent: Block) -> int:
    """Return the base fee of the block after ``parent`` (EIP-1559, "Specification")."""
    base = parent.base_fee_per_gas or 0
    target = parent.gas_limit // _ELASTICITY
    if target == 0 or parent.gas_used == target:
        return base
    if parent.gas_used > target:
        delta = max(base * (parent.gas_used - target) // target // _BASE_FEE_DENOMINATOR, 1)
        return base + delta
    return base - base * (target - parent.gas_used) // target // _BASE_FEE_DENOMINATOR


def _failure(err: Exception, what: str) -> NodeError:
    """Turn an eth-tester / py-evm exception into the ``NodeError`` a JSON-RPC node would give."""
    if isinstance(err, TransactionFailed):
        arg = err.args[0] if err.args else b""
        data = arg if isinstance(arg, bytes) else b""
        message = "execution reverted"
        if isinstance(arg, str) and arg.startswith(("b'", 'b"')):
            # eth-tester's text for revert data that is no Error(string): a bytes literal.
            try:
                parsed = ast.literal_eval(arg)
            except (ValueError, SyntaxError):
                parsed = b""
            data = parsed if isinstance(parsed, bytes) else b""
        elif isinstance(arg, str) and arg:
            # eth-tester hands over the decoded Error(string) reason; encode it again so that
            # callers see the same revert data a JSON-RPC node would return.
            reason = arg.removeprefix("execution reverted: ")
            message += f": {reason}"
            data = _ERROR_STRING + abi_encode(["string"], [reason])
        return p.node_error(RpcError(3, message, "0x" + data.hex()), _SERVER)
    text = str(err)
    lowered = text.lower()
    if "nonce" in lowered and ("expected" in lowered or "too low" in lowered):
        text = f"nonce too low: {text}"
    elif "balance" in lowered or "insufficient" in lowered:
        text = f"insufficient funds for gas * price + value: {text}"
    elif "base fee" in lowered or "max fee per gas" in lowered:
        text = f"max fee per gas less than block base fee: {text}"
    return p.node_error(RpcError(-32000, f"{what}: {text}"), _SERVER)


class EmbeddedBackend:
    """An ``EvmBackend`` on an in-process eth-tester / py-evm chain.

    Args:
        network: the network this devnet stands for; its chain id must be 131277322940537.

    Raises:
        WrongServerNetwork: the network's chain id is not the embedded chain's.
    """

    def __init__(self, network: EvmNetwork) -> None:
        self._tester = EthereumTester(PyEVMBackend())
        actual = self._tester.backend.chain.chain_id
        if actual != network.chain_id:
            raise WrongServerNetwork(
                f"The embedded chain has chain id {actual}, not {network.title} "
                f"(chain id {network.chain_id}).",
                _SERVER,
                str(network.chain_id),
                str(actual),
            )
        self._network = network
        self._lock = threading.Lock()  # eth-tester is not thread-safe; GUI workers may share us
        self._closed = False

    def __repr__(self) -> str:
        return f"EmbeddedBackend({self._network.name!r})"

    def _run(self, fn: Callable[[], object], what: str) -> object:
        if self._closed:
            raise BackendUnavailable("This embedded chain is closed.", _SERVER)
        with self._lock:
            try:
                return fn()
            except (TransactionFailed, TesterValidationError, EvmValidationError) as e:
                raise _failure(e, what) from e

    # -- the EvmBackend protocol -------------------------------------------------------------

    @property
    def network(self) -> EvmNetwork:
        """Return the network this devnet stands for."""
        return self._network

    @property
    def server(self) -> str:
        """Return ``"embedded"``."""
        return _SERVER

    def chain_id(self) -> int:
        """Return the chain id (131277322940537)."""
        return int(self._tester.backend.chain.chain_id)

    def block_number(self) -> int:
        """Return the number of the latest block."""
        raw = cast(_Raw, self._run(lambda: self._tester.get_block_by_number("latest"), "block"))
        return _int(raw["number"], "number")

    def get_balance(self, address: str, block: BlockTag = "latest") -> Wei:
        """Return the balance of an address in wei."""
        a = p.check_address(address)
        return Wei(_int(self._run(lambda: self._tester.get_balance(a, block), "balance"), "wei"))

    def get_transaction_count(self, address: str, block: BlockTag = "pending") -> int:
        """Return the nonce of an address."""
        a = p.check_address(address)
        return _int(self._run(lambda: self._tester.get_nonce(a, block), "nonce"), "nonce")

    def get_code(self, address: str, block: BlockTag = "latest") -> bytes:
        """Return the code at an address."""
        a = p.check_address(address)
        return _bytes(self._run(lambda: self._tester.get_code(a, block), "code"), "code")

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
        base_fees.append(_next_base_fee(blocks[-1]) if blocks[-1] is not None else 0)
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
        return 0 if latest is None else _next_base_fee(latest)

    def estimate_gas(self, request: CallRequest, block: BlockTag = "latest") -> int:
        """Return the gas a transaction would use."""
        tx = self._tester_tx(request)
        return _int(self._run(lambda: self._tester.estimate_gas(tx, block), "estimate"), "gas")

    def call(
        self, to: str, data: bytes, block: BlockTag = "latest", sender: str | None = None
    ) -> bytes:
        """Run a read-only call and return its output."""
        tx = self._tester_tx(CallRequest(to=to, data=data, sender=sender))
        return _bytes(self._run(lambda: self._tester.call(tx, block), "call"), "output")

    def send_raw_transaction(self, raw: bytes) -> TxHash:
        """Add a signed transaction to the chain (mined at once) and return its hash."""
        hexed = "0x" + raw.hex()
        result = self._run(lambda: self._tester.send_raw_transaction(hexed), "transaction")
        return TxHash(_hash(result))

    def get_transaction(self, tx_hash: str) -> EvmTransaction | None:
        """Return a transaction, or ``None`` if unknown."""
        h = p.check_hash(tx_hash)
        try:
            raw = self._run(lambda: self._tester.get_transaction_by_hash(h), "transaction")
        except TransactionNotFound:
            return None
        return _tx(cast(_Raw, raw))

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        """Return a receipt, or ``None`` if the transaction is unknown."""
        h = p.check_hash(tx_hash)
        try:
            raw = self._run(lambda: self._tester.get_transaction_receipt(h), "receipt")
        except TransactionNotFound:
            return None
        return None if raw is None else _receipt(cast(_Raw, raw))

    def get_logs(self, log_filter: LogFilter) -> tuple[Log, ...]:
        """Return the logs matching a filter (topics are matched here, OR-lists included)."""
        addresses = {p.check_address(a) for a in log_filter.addresses}
        start = self._number(log_filter.from_block)
        end = self._number(log_filter.to_block)
        raw = self._run(lambda: self._tester.get_logs(from_block=start, to_block=end), "logs")
        out: list[Log] = []
        for item in cast(Sequence[_Raw], raw):
            entry = _log(item)
            if addresses and entry.address not in addresses:
                continue
            if not _topics_match(entry.topics, log_filter.topics):
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
        return _block(cast(_Raw, raw))

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
                addr, blk = str(prm[0]), _tag(prm[1] if len(prm) > 1 else "latest")
                if c.method == "eth_getBalance":
                    return hex(self.get_balance(addr, blk))
                if c.method == "eth_getCode":
                    return "0x" + self.get_code(addr, blk).hex()
                return hex(self.get_transaction_count(addr, blk))
            if c.method == "eth_call":
                obj = p.obj(prm[0], _SERVER, "call object")
                out = self.call(
                    str(obj["to"]),
                    p.data(obj.get("data", obj.get("input", "0x")), _SERVER),
                    _tag(prm[1] if len(prm) > 1 else "latest"),
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
        """Mark the chain closed; its state is dropped with the object."""
        self._closed = True

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
        receipt = self.get_receipt(_hash(tx_hash))
        if receipt is None:  # auto-mining is on: every transaction has a receipt at once
            raise BackendProtocolError("The embedded chain lost a transaction.", _SERVER)
        if not receipt.success:
            raise p.node_error(RpcError(3, "execution reverted"), _SERVER)
        return receipt

    def deploy_contract(self, initcode: bytes, sender: str | None = None) -> str:
        """Deploy a contract from a prefunded account and return its address (devnet only).

        Raises:
            ContractCallFailed: the deployment created no contract.
        """
        receipt = self.transact(None, initcode, sender=sender)
        if receipt.contract_address is None:
            raise ContractCallFailed("The contract deployment created no contract.", _ZERO, "")
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


def _tag(value: JsonValue) -> BlockTag:
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    if value in ("latest", "pending", "earliest", "safe", "finalized"):
        return cast(BlockTag, value)
    raise ValueError(f"{value!r} is not a block")


def _topics_match(topics: tuple[bytes, ...], wanted: tuple[tuple[bytes, ...] | None, ...]) -> bool:
    for i, accepted in enumerate(wanted):
        if accepted is None:
            continue
        if i >= len(topics) or topics[i] not in accepted:
            return False
    return True
