"""ERC-20 tokens: the bundled token list of each network, and custom tokens read on chain.

Bundled lists live in ``chains/evm/tokenlists/<network>.json`` (a subset of the Uniswap Labs
default token list; each file names its source). A custom token is read from its contract:
``name()``, ``symbol()`` and ``decimals()`` (EIP-20, "Methods"), in one round trip; a contract
that is absent, or whose ``symbol()`` or ``decimals()`` reverts or answers garbage, is refused
with ``InvalidTokenContract`` (``name()`` is optional: the symbol stands in for it).
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from chains.evm import _parse as p
from chains.evm.abi import selector
from chains.evm.backend import BlockTag, EvmBackend, JsonValue, RpcCall, RpcError
from chains.evm.errors import InvalidTokenContract
from chains.registry import EvmNetwork

__all__ = [
    "MAX_DECIMALS",
    "NATIVE_COIN_CONTRACTS",
    "TokenInfo",
    "bundled_tokens",
    "decode_text",
    "read_token",
]

MAX_DECIMALS = 36
"""Decimals above this are refused: no real token uses them, and amounts would overflow."""

NATIVE_COIN_CONTRACTS: Mapping[int, frozenset[str]] = MappingProxyType(
    {
        # Polygon PoS: the MRC20 system contract of the native coin; its balanceOf is the
        # account's native balance, and its transfer moves native coins.
        137: frozenset({"0x0000000000000000000000000000000000001010"}),
    }
)
"""Contracts that put a token interface on a chain's own coin, by chain id: listed as tokens,
they would show (and value) the native balance twice."""

_MAX_TEXT = 64


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """An ERC-20 token on one chain.

    Attributes:
        chain_id: the chain the contract lives on.
        address: the contract address, EIP-55 checksummed.
        symbol: the ticker, for example ``"USDC"``.
        name: the full name.
        decimals: digits after the point of one token (base units per token = 10**decimals).
        logo_uri: an image URL from the token list, if any.
    """

    chain_id: int
    address: str
    symbol: str
    name: str
    decimals: int
    logo_uri: str | None = None


@functools.cache
def bundled_tokens(network: EvmNetwork) -> tuple[TokenInfo, ...]:
    """Return the bundled token list of a network (empty for networks without one).

    The lists are package data that never change while running: each is read once.
    """
    path = resources.files("chains.evm") / "tokenlists" / f"{network.name}.json"
    if not path.is_file():
        return ()
    doc = json.loads(path.read_text())
    if doc["chain_id"] != network.chain_id:
        raise ValueError(f"the bundled list {network.name}.json is for another chain id")
    native = NATIVE_COIN_CONTRACTS.get(network.chain_id, frozenset())
    return tuple(
        TokenInfo(
            chain_id=network.chain_id,
            address=p.check_address(t["address"]),
            symbol=t["symbol"],
            name=t["name"],
            decimals=int(t["decimals"]),
            logo_uri=t.get("logo_uri"),
        )
        for t in doc["tokens"]
        if p.check_address(t["address"]) not in native
    )


def decode_text(output: bytes, max_length: int = _MAX_TEXT) -> str | None:
    """Decode a ``string`` answer, or the ``bytes32`` some old tokens (MKR) answer instead.

    Control and format characters are dropped and the text is cut at ``max_length``. Returns
    ``None`` when the output is neither form, or nothing printable remains.
    """
    text: str | None = None
    try:
        (value,) = decode(["string"], output, strict=True)
        text = str(value)
    except (DecodingError, ValueError, OverflowError, TypeError, UnicodeDecodeError):
        if len(output) == 32:
            try:
                text = output.rstrip(b"\0").decode("utf-8")
            except UnicodeDecodeError:
                return None
    if text is None:
        return None
    # Control and format characters (bidirectional overrides included) could disguise a name.
    cleaned = "".join(c for c in text if unicodedata.category(c)[0] != "C").strip()
    return cleaned[:max_length] or None


def _call(address: str, signature: str, block: BlockTag) -> RpcCall:
    data = "0x" + selector(signature).hex()
    return RpcCall("eth_call", ({"to": address, "data": data}, p.tag(block)))


def read_token(backend: EvmBackend, address: str, block: BlockTag = "latest") -> TokenInfo:
    """Read a custom token's name, symbol and decimals from its contract, in one round trip.

    Raises:
        MalformedAddress: the address is not an EVM address.
        InvalidAddressChecksum: the address fails its EIP-55 checksum.
        InvalidTokenContract: no contract there, ``symbol()``/``decimals()`` reverted or
            answered something that is not a token's answer, or the address is the native
            coin's own contract (``NATIVE_COIN_CONTRACTS``). A ``name()`` that reverts or
            answers garbage is no reason (EIP-20 makes it optional): the symbol stands in.
    """
    addr = p.check_address(address)
    if addr in NATIVE_COIN_CONTRACTS.get(backend.network.chain_id, ()):
        raise InvalidTokenContract(
            f"{addr} is {backend.network.title}'s own coin ({backend.network.symbol}) behind a "
            "token interface: its balance is the native balance, shown already.",
            addr,
            "",
        )
    code, name_out, symbol_out, decimals_out = backend.batch(
        [
            RpcCall("eth_getCode", (addr, p.tag(block))),
            _call(addr, "name()", block),
            _call(addr, "symbol()", block),
            _call(addr, "decimals()", block),
        ]
    )
    if isinstance(code, RpcError) or not p.data(code, backend.server, "code"):
        raise InvalidTokenContract(f"There is no contract at {addr}.", addr, "")
    symbol = decode_text(_output(symbol_out, backend.server, addr, "symbol()"))
    if symbol is None:
        raise InvalidTokenContract(
            f"The contract {addr} has no readable token symbol.", addr, "symbol()"
        )
    # name() is optional (EIP-20, "name": OPTIONAL): without one, the symbol names the token.
    name_raw = b"" if isinstance(name_out, RpcError) else p.data(name_out, backend.server)
    name = decode_text(name_raw) or symbol
    raw = _output(decimals_out, backend.server, addr, "decimals()")
    try:
        (decimals,) = decode(["uint8"], raw, strict=True)
    except (DecodingError, ValueError, OverflowError, TypeError) as e:
        raise InvalidTokenContract(
            f"The contract {addr} answered decimals() with something that is not a number "
            "of decimals.",
            addr,
            "decimals()",
        ) from e
    if not 0 <= int(decimals) <= MAX_DECIMALS:
        raise InvalidTokenContract(
            f"The contract {addr} claims {decimals} decimals; no token has more than "
            f"{MAX_DECIMALS}.",
            addr,
            "decimals()",
        )
    return TokenInfo(backend.network.chain_id, addr, symbol, name, int(decimals))


def _output(outcome: JsonValue | RpcError, server: str, addr: str, function: str) -> bytes:
    if isinstance(outcome, RpcError):
        raise InvalidTokenContract(
            f"The contract {addr} reverted {function}; it is not a usable token.", addr, function
        )
    return p.data(outcome, server, f"{function} output")
