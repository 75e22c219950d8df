"""The Bitcoin Core RPC backend (``CoreRpcBackend``): ``backend`` on the JSON-RPC client ``rpc``."""

from __future__ import annotations

from chains.utxo.corerpc.backend import CoreRpcBackend

__all__ = ["CoreRpcBackend"]
