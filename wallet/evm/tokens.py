"""The tokens of an EVM network as the wallet knows them: the bundled list plus custom tokens.

The bundled list (``chains/evm/tokenlists``) gives symbol, decimals and logo; a custom token
is read from its contract (``name``, ``symbol``, ``decimals``) and stored in the wallet file.
A contract that reverts or answers garbage is refused with ``InvalidToken``; nothing is
stored then.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable

from chains.evm.backend import EvmBackend
from chains.evm.tokens import TokenInfo, bundled_tokens, read_token
from chains.evm.validate import check_address
from chains.registry import EvmNetwork
from wallet.errors import UnknownToken, translate_errors
from wallet.evm.store import EvmStore
from wallet.evm.types import TokenHolding

__all__ = ["TokenBook"]


def _holding(network: EvmNetwork, t: TokenInfo, balance: int | None, custom: bool) -> TokenHolding:
    return TokenHolding(
        network.name, t.address, t.symbol, t.name, t.decimals, balance, t.logo_uri, custom
    )


class TokenBook:
    """The ERC-20 tokens of one network: bundled, custom (stored), and seen in the history."""

    def __init__(
        self,
        store: EvmStore,
        network: EvmNetwork,
        connect: Callable[[], EvmBackend],
        account_id: int | None = None,
    ) -> None:
        """Bind to the wallet's EVM rows and a network.

        Args:
            store: the EVM rows of the wallet file.
            network: the network whose tokens these are.
            connect: returns the network's live backend (to read a token's contract).
            account_id: the account whose balances of the last sync ``list`` shows.
        """
        self._store = store
        self._network = network
        self._connect = connect
        self._account_id = account_id

    def __repr__(self) -> str:
        return f"<TokenBook {self._network.name}>"

    def infos(self) -> list[TokenInfo]:
        """Return every token whose balance a sync reads: bundled first, then custom."""
        seen: dict[str, TokenInfo] = {t.address: t for t in bundled_tokens(self._network)}
        for t in self._store.custom_tokens(self._network.name, self._network.chain_id):
            seen.setdefault(t.address, t)
        return list(seen.values())

    def known(self) -> dict[str, TokenInfo]:
        """Return every token the wallet can name, by contract: listed, custom or seen."""
        out = {t.address: t for t in self.infos()}
        for t in self._store.custom_tokens(self._network.name, self._network.chain_id, "seen"):
            out.setdefault(t.address, t)
        return out

    def list(self) -> list[TokenHolding]:
        """Return the network's tokens with the account's balances of the last sync."""
        balances = (
            self._store.token_balances(self._account_id) if self._account_id is not None else {}
        )
        custom = {
            t.address for t in self._store.custom_tokens(self._network.name, self._network.chain_id)
        }
        bundled = {t.address for t in bundled_tokens(self._network)}
        return [
            _holding(self._network, t, balances.get(t.address), t.address in custom - bundled)
            for t in self.infos()
        ]

    def custom(self) -> builtins.list[TokenHolding]:
        """Return only the tokens the user added."""
        return [h for h in self.list() if h.custom]

    def add(self, address: str) -> TokenHolding:
        """Read a token from its contract and store it as a custom token of the network.

        Raises:
            InvalidAddress: a malformed address or a broken EIP-55 checksum.
            InvalidToken: no contract there, or it reverts or answers garbage for
                ``name()``, ``symbol()`` or ``decimals()``; nothing is stored.
            BackendUnavailable: the network's nodes cannot be reached.
        """
        with translate_errors():
            checked = check_address(address)
            info = read_token(self._connect(), checked)
        self._store.add_token(self._network.name, info)
        return _holding(self._network, info, None, True)

    def remove(self, address: str) -> bool:
        """Forget a custom token; return whether it was one.

        Raises:
            InvalidAddress: a malformed address or a broken EIP-55 checksum.
        """
        with translate_errors():
            checked = check_address(address)
        return self._store.remove_token(self._network.name, checked)

    def find(self, symbol_or_address: str, *, read_unknown: bool = True) -> TokenInfo:
        """Return a token by symbol (case-insensitive) or contract address.

        An address the wallet does not know yet is read from its contract (not stored).

        Raises:
            UnknownToken: no token of that symbol, or several share it (give the address).
            InvalidAddress: a malformed address or a broken checksum.
            InvalidToken: the address holds no usable token contract.
        """
        text = symbol_or_address.strip()
        known = self.known()
        if text[:2] in ("0x", "0X"):
            with translate_errors():
                address = check_address(text)
            if address in known:
                return known[address]
            if not read_unknown:
                raise UnknownToken(f"The wallet knows no token at {address}.")
            with translate_errors():
                return read_token(self._connect(), address)
        matches = [t for t in self.infos() if t.symbol.lower() == text.lower()]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise UnknownToken(
                f"Several tokens on {self._network.title} are called {text}; give the "
                "contract address instead."
            )
        if text.lower() == self._network.symbol.lower():
            raise UnknownToken(
                f"{self._network.symbol} is {self._network.title}'s own coin, not a token: "
                "send it without naming a token."
            )
        raise UnknownToken(
            f"The wallet knows no token called {text[:40]} on {self._network.title}; add it "
            "by its contract address first."
        )

    def remember_seen(self, infos: builtins.list[TokenInfo]) -> None:
        """Keep tokens met in the history so that it can show their symbol and decimals."""
        for info in infos:
            self._store.add_token(self._network.name, info, "seen")
