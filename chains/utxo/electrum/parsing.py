"""Parsing and checking Electrum servers' answers.

Every answer is checked for shape before use; anything off is a ``BackendProtocolError``
naming the server (``server`` in every function: the one that sent the answer). Headers'
proof of work and merkle branches are checked with ``chains.utxo.merkle``.
"""

from __future__ import annotations

from collections.abc import Mapping

from chains.errors import BackendProtocolError
from chains.registry import ElectrumServer
from chains.utxo import history as eh
from chains.utxo.backend import BlockRef, Txid
from chains.utxo.electrum.connection import JsonValue, RpcFailure, ServerAddress
from chains.utxo.merkle import BlockHeader, InvalidMerkleProof, PowRules, verify_merkle_branch

__all__ = [
    "PROTOCOL_RANGE",
    "address",
    "check_merkle",
    "check_version",
    "header",
    "history",
    "node_message",
    "protocol_error",
    "raw_tx",
    "status",
    "tip_of",
    "txid",
]

PROTOCOL_RANGE = ("1.4", "1.6")
_HEX = frozenset("0123456789abcdef")


def protocol_error(server: str, what: str) -> BackendProtocolError:
    """Return the error for a server that sent ``what`` (a phrase: "a malformed txid")."""
    return BackendProtocolError(f"The server {server} sent {what}.", server)


def check_version(answer: JsonValue | RpcFailure, server: str) -> tuple[str, str]:
    """Check the answer to ``server.version``; return the server's software and protocol.

    Raises:
        BackendProtocolError: the server refused protocols 1.4 to 1.6 or answered oddly.
    """
    if isinstance(answer, RpcFailure):
        raise BackendProtocolError(
            f"The server {server} refused protocol {PROTOCOL_RANGE[0]}-{PROTOCOL_RANGE[1]}: "
            f"{answer.message}",
            server,
        )
    if (
        not isinstance(answer, list)
        or len(answer) != 2
        or not all(isinstance(x, str) for x in answer)
    ):
        raise BackendProtocolError(f"The server {server} answered server.version oddly.", server)
    software, version = str(answer[0]), str(answer[1])
    try:
        number = tuple(int(x) for x in version.split("."))
    except ValueError:
        number = ()
    if not (1, 4) <= number <= (1, 6, 99):
        raise BackendProtocolError(
            f"The server {server} speaks protocol {version}, not 1.4 to 1.6.", server
        )
    return software, version


def header(answer: JsonValue | RpcFailure, server: str, rules: PowRules | None) -> BlockHeader:
    """Parse a block header; check its proof of work unless ``rules`` is ``None``.

    Raises:
        BackendProtocolError: not hex, not a header, or not enough work.
    """
    if not isinstance(answer, str):
        raise BackendProtocolError(f"The server {server} sent a header that is not hex.", server)
    try:
        parsed = BlockHeader.parse(bytes.fromhex(answer))
        if rules is not None:
            parsed.check_pow(rules)
    except ValueError as e:  # InvalidHeader is a ValueError, as is bad hex
        raise BackendProtocolError(f"The server {server} sent a bad header: {e}", server) from e
    return parsed


def tip_of(answer: JsonValue | RpcFailure, server: str, rules: PowRules) -> BlockRef:
    """Parse a ``blockchain.headers.subscribe`` answer or notification into a tip.

    Raises:
        BackendProtocolError: a malformed tip or a header without its proof of work.
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("height"), int):
        raise BackendProtocolError(f"The server {server} sent a malformed tip.", server)
    parsed = header(answer.get("hex"), server, rules)
    height = answer["height"]
    assert isinstance(height, int)  # noqa: S101 - checked above
    return BlockRef(height, parsed.hash)


def status(answer: JsonValue | RpcFailure, server: str) -> str | None:
    """Parse a script status (``None``: no history).

    Raises:
        BackendProtocolError: not 64 hex digits.
    """
    if answer is None:
        return None
    if isinstance(answer, str) and len(answer) == 64 and set(answer) <= _HEX:
        return answer
    raise protocol_error(server, "a malformed script status")


def txid(value: JsonValue, server: str) -> Txid:
    """Parse a txid.

    Raises:
        BackendProtocolError: not 64 lower-case hex digits.
    """
    if isinstance(value, str) and len(value) == 64 and set(value) <= _HEX:
        return Txid(value)
    raise protocol_error(server, "a malformed txid")


def history(answer: JsonValue, server: str) -> list[eh.RawHistoryItem]:
    """Parse a ``blockchain.scripthash.get_history`` answer (in the server's order).

    Raises:
        BackendProtocolError: a malformed list or entry.
    """
    if not isinstance(answer, list):
        raise protocol_error(server, "a history that is not a list")
    items = []
    for entry in answer:
        if not isinstance(entry, dict):
            raise protocol_error(server, "a malformed history entry")
        height = entry.get("height")
        if not isinstance(height, int) or isinstance(height, bool) or height < -1:
            raise protocol_error(server, "a history entry without a valid height")
        items.append(eh.RawHistoryItem(txid(entry.get("tx_hash"), server), height))
    return items


def raw_tx(answer: JsonValue, server: str) -> bytes:
    """Parse a raw transaction's hex.

    Raises:
        BackendProtocolError: not hex.
    """
    if not isinstance(answer, str):
        raise protocol_error(server, "a transaction that is not hex")
    try:
        return bytes.fromhex(answer)
    except ValueError:
        raise protocol_error(server, "a transaction that is not hex") from None


def check_merkle(tx: Txid, height: int, answer: JsonValue, block: BlockHeader, server: str) -> None:
    """Check a ``blockchain.transaction.get_merkle`` answer against the block's header.

    Raises:
        BackendProtocolError: a malformed proof, or one that does not prove ``tx``.
    """
    if (
        not isinstance(answer, dict)
        or answer.get("block_height") != height
        or not isinstance(answer.get("pos"), int)
        or not isinstance(answer.get("merkle"), list)
    ):
        raise protocol_error(server, f"a malformed merkle proof for {tx}")
    branch = answer["merkle"]
    assert isinstance(branch, list)  # noqa: S101 - checked above
    if not all(isinstance(h, str) for h in branch):
        raise protocol_error(server, f"a malformed merkle proof for {tx}")
    try:
        verify_merkle_branch(tx, [str(h) for h in branch], int(str(answer["pos"])), block)
    except InvalidMerkleProof as e:
        raise BackendProtocolError(
            f"The server {server} claims {tx} is in block {height}, but the "
            f"merkle proof fails ({e}).",
            server,
        ) from e


def address(server: ServerAddress | ElectrumServer | str, pins: Mapping[str, str]) -> ServerAddress:
    """Return a server's address, pinned to its certificate when ``pins`` names it.

    Raises:
        ValueError: a server text that does not parse.
    """
    if isinstance(server, ServerAddress):
        found = server
    elif isinstance(server, ElectrumServer):
        found = ServerAddress(server.host, server.port, server.tls)
    else:
        found = ServerAddress.parse(server)
    pin = pins.get(f"{found.host}:{found.port}")
    if pin is not None:
        found = ServerAddress(found.host, found.port, True, pin)
    return found


def node_message(message: str, raw_hex: str) -> str:
    r"""Return the node's own words from ElectrumX's broadcast refusal.

    ElectrumX wraps them: ``"the transaction was rejected by network rules.\\n\\n{node's
    message}\\n[{raw tx}]"``; other servers send the node's message alone.
    """
    text = message.replace(f"[{raw_hex}]", "")
    _, sep, rest = text.partition("\n\n")
    return (rest if sep else text).strip()
