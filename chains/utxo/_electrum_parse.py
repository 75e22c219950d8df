"""Parsing and checking Electrum servers' answers (a private part of ``electrum``).

Every answer is checked for shape before use; anything off is a ``BackendProtocolError``
naming the server. Headers' proof of work and merkle branches are checked with
``chains.utxo.merkle``.
"""

from __future__ import annotations

from collections.abc import Mapping

from chains.errors import BackendProtocolError
from chains.registry import ElectrumServer
from chains.utxo import _electrum_history as eh
from chains.utxo._electrum_conn import JsonValue, RpcFailure, ServerAddress
from chains.utxo.backend import BlockRef, Txid
from chains.utxo.merkle import BlockHeader, InvalidMerkleProof, PowRules, verify_merkle_branch

__all__ = ["PROTOCOL_RANGE", "ElectrumParsing", "address", "node_message"]

PROTOCOL_RANGE = ("1.4", "1.6")
_HEX = frozenset("0123456789abcdef")


class ElectrumParsing:
    """Answer checks for ``ElectrumBackend`` (a mixin of its private methods).

    The backend provides ``server_name`` (for messages) and ``_rules`` (proof of work).
    """

    _rules: PowRules
    server_software: str
    protocol_version: str

    @property
    def server_name(self) -> str:
        """Return the server in use."""
        raise NotImplementedError

    def _check_version(self, answer: JsonValue | RpcFailure, server: str) -> None:
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
            raise BackendProtocolError(
                f"The server {server} answered server.version oddly.", server
            )
        software, version = str(answer[0]), str(answer[1])
        try:
            number = tuple(int(x) for x in version.split("."))
        except ValueError:
            number = ()
        if not (1, 4) <= number <= (1, 6, 99):
            raise BackendProtocolError(
                f"The server {server} speaks protocol {version}, not 1.4 to 1.6.", server
            )
        self.server_software, self.protocol_version = software, version

    def _protocol_error(self, what: str) -> BackendProtocolError:
        return BackendProtocolError(f"The server {self.server_name} sent {what}.", self.server_name)

    def _header(
        self, answer: JsonValue | RpcFailure, server: str, *, check_pow: bool = True
    ) -> BlockHeader:
        if not isinstance(answer, str):
            raise BackendProtocolError(
                f"The server {server} sent a header that is not hex.", server
            )
        try:
            header = BlockHeader.parse(bytes.fromhex(answer))
            if check_pow:
                header.check_pow(self._rules)
        except ValueError as e:  # InvalidHeader is a ValueError, as is bad hex
            raise BackendProtocolError(f"The server {server} sent a bad header: {e}", server) from e
        return header

    def _tip_of(self, answer: JsonValue | RpcFailure, server: str) -> BlockRef:
        if not isinstance(answer, dict) or not isinstance(answer.get("height"), int):
            raise BackendProtocolError(f"The server {server} sent a malformed tip.", server)
        header = self._header(answer.get("hex"), server)
        height = answer["height"]
        assert isinstance(height, int)  # noqa: S101 - checked above
        return BlockRef(height, header.hash)

    def _status(self, answer: JsonValue | RpcFailure) -> str | None:
        if answer is None:
            return None
        if isinstance(answer, str) and len(answer) == 64 and set(answer) <= _HEX:
            return answer
        raise self._protocol_error("a malformed script status")

    def _txid(self, value: JsonValue) -> Txid:
        if isinstance(value, str) and len(value) == 64 and set(value) <= _HEX:
            return Txid(value)
        raise self._protocol_error("a malformed txid")

    def _history(self, answer: JsonValue) -> list[eh.RawHistoryItem]:
        if not isinstance(answer, list):
            raise self._protocol_error("a history that is not a list")
        items = []
        for entry in answer:
            if not isinstance(entry, dict):
                raise self._protocol_error("a malformed history entry")
            height = entry.get("height")
            if not isinstance(height, int) or isinstance(height, bool) or height < -1:
                raise self._protocol_error("a history entry without a valid height")
            items.append(eh.RawHistoryItem(self._txid(entry.get("tx_hash")), height))
        return items

    def _raw_tx(self, answer: JsonValue) -> bytes:
        if not isinstance(answer, str):
            raise self._protocol_error("a transaction that is not hex")
        try:
            return bytes.fromhex(answer)
        except ValueError:
            raise self._protocol_error("a transaction that is not hex") from None

    def _check_merkle(
        self, txid: Txid, height: int, answer: JsonValue, header: BlockHeader
    ) -> None:
        if (
            not isinstance(answer, dict)
            or answer.get("block_height") != height
            or not isinstance(answer.get("pos"), int)
            or not isinstance(answer.get("merkle"), list)
        ):
            raise self._protocol_error(f"a malformed merkle proof for {txid}")
        branch = answer["merkle"]
        assert isinstance(branch, list)  # noqa: S101 - checked above
        if not all(isinstance(h, str) for h in branch):
            raise self._protocol_error(f"a malformed merkle proof for {txid}")
        try:
            verify_merkle_branch(txid, [str(h) for h in branch], int(str(answer["pos"])), header)
        except InvalidMerkleProof as e:
            raise BackendProtocolError(
                f"The server {self.server_name} claims {txid} is in block {height}, but the "
                f"merkle proof fails ({e}).",
                self.server_name,
            ) from e


def address(server: ServerAddress | ElectrumServer | str, pins: Mapping[str, str]) -> ServerAddress:
    if isinstance(server, ServerAddress):
        address = server
    elif isinstance(server, ElectrumServer):
        address = ServerAddress(server.host, server.port, server.tls)
    else:
        address = ServerAddress.parse(server)
    pin = pins.get(f"{address.host}:{address.port}")
    if pin is not None:
        address = ServerAddress(address.host, address.port, True, pin)
    return address


def node_message(message: str, raw_hex: str) -> str:
    r"""Return the node's own words from ElectrumX's broadcast refusal.

    ElectrumX wraps them: ``"the transaction was rejected by network rules.\\n\\n{node's
    message}\\n[{raw tx}]"``; other servers send the node's message alone.
    """
    text = message.replace(f"[{raw_hex}]", "")
    _, sep, rest = text.partition("\n\n")
    return (rest if sep else text).strip()
