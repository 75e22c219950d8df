"""The node wallet's transactions as the Electrum protocol would show them, per script.

Pure functions over what ``listsinceblock``, ``getrawmempool`` and ``getrawtransaction``
returned: the Core RPC backend fetches, these turn the answers into histories in the
Electrum status order (protocol-basics, "Status"), so a Core node and an Electrum server over
it give the wallet the same ``SyncUpdate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chains.errors import BackendProtocolError
from chains.jsonrpc_http import JsonValue
from chains.utxo import history as eh
from chains.utxo.backend import Txid
from primitives.tx import Transaction

__all__ = ["WalletEntry", "script_histories", "spent_script", "wallet_entries"]


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """One wallet transaction as ``listsinceblock`` places it.

    Attributes:
        height: its block's height; 0 in the mempool.
        block_hash: its block's hash; ``None`` in the mempool.
        position: its index in the block.
        block_time: its block's timestamp, when confirmed.
    """

    height: int
    block_hash: str | None
    position: int
    block_time: int | None = None


def wallet_entries(
    since: dict[str, JsonValue], mempool: set[str], server: str
) -> dict[Txid, WalletEntry]:
    """Return the ``listsinceblock`` transactions that are in the chain or the mempool now.

    Raises:
        BackendProtocolError: a malformed answer (naming ``server``).
    """
    listed = since.get("transactions")
    if not isinstance(listed, list):
        raise _garbage(server, "a malformed listsinceblock")
    entries: dict[Txid, WalletEntry] = {}
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("txid"), str):
            raise _garbage(server, "a malformed wallet transaction")
        txid = Txid(str(item["txid"]))
        confirmations = item.get("confirmations")
        if not isinstance(confirmations, int) or confirmations < 0:
            continue  # conflicted: neither in the chain nor in the mempool
        if confirmations == 0:
            if txid in mempool:  # replaced or evicted ones are not
                entries[txid] = WalletEntry(0, None, 0)
            continue
        height, block, position, stamp = (
            item.get("blockheight"),
            item.get("blockhash"),
            item.get("blockindex"),
            item.get("blocktime"),
        )
        if not (
            isinstance(height, int)
            and isinstance(block, str)
            and isinstance(position, int)
            and isinstance(stamp, int)
            and not isinstance(stamp, bool)
        ):
            raise _garbage(server, "a confirmed wallet transaction without its block")
        entries[txid] = WalletEntry(height, block, position, stamp)
    return entries


def script_histories(
    wanted: set[bytes],
    entries: Mapping[Txid, WalletEntry],
    txs: Mapping[Txid, tuple[bytes, Transaction]],
    mempool: set[str],
) -> dict[bytes, list[eh.RawHistoryItem]]:
    """Build each requested script's history in the Electrum status order."""
    parents = {t: tx for t, (_raw, tx) in txs.items()}
    touched: dict[bytes, list[eh.RawHistoryItem]] = {s: [] for s in wanted}
    for txid, entry in entries.items():
        tx = txs[txid][1]
        scripts = {o.script_pubkey for o in tx.outputs if o.script_pubkey in wanted}
        for txin in tx.inputs:
            spent = spent_script(txin.prevout.txid_hex, txin.prevout.vout, parents)
            if spent in wanted:
                scripts.add(spent)
        if not scripts:
            continue
        height = entry.height
        if height == 0 and any(i.prevout.txid_hex in mempool for i in tx.inputs):
            height = -1  # an unconfirmed input (Electrum protocol, "Status", step 4)
        item = eh.RawHistoryItem(txid, height, entry.position)
        for script in scripts:
            touched[script].append(item)
    return {s: eh.order_history(items) for s, items in touched.items()}


def spent_script(txid: str, vout: int, parents: Mapping[Txid, Transaction]) -> bytes | None:
    """Return the script of output ``vout`` of ``txid`` when that parent is known."""
    parent = parents.get(Txid(txid))
    if parent is None or vout >= len(parent.outputs):
        return None
    return parent.outputs[vout].script_pubkey


def _garbage(server: str, what: str) -> BackendProtocolError:
    return BackendProtocolError(f"The node {server} answered {what}.", server)
