"""The EVM family: backend protocol, JSON-RPC and embedded backends, tokens, NFTs, history.

Only the light value types and the protocol are re-exported here; import backends from their
modules (``chains.evm.jsonrpc``, ``chains.evm.embedded``) so that importing ``chains.evm``
stays cheap.
"""

from __future__ import annotations

from chains.evm.backend import (
    Block,
    BlockTag,
    CallRequest,
    EvmBackend,
    EvmTransaction,
    FeeHistory,
    Log,
    LogFilter,
    Receipt,
    RpcCall,
    RpcError,
    TxHash,
    Wei,
)

__all__ = [
    "Block",
    "BlockTag",
    "CallRequest",
    "EvmBackend",
    "EvmTransaction",
    "FeeHistory",
    "Log",
    "LogFilter",
    "Receipt",
    "RpcCall",
    "RpcError",
    "TxHash",
    "Wei",
]
