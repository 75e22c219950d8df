"""What the EVM family's operations need of one account, handed down as one value.

``EvmAccount`` builds an ``EvmContext`` once; the modules of ``wallet.evm`` (sync, views,
sending, replacements, broadcasting) take it, or narrower values, and never the account or
the wallet. Data goes down, results come back, nothing reaches up (STYLE.md section 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from chains.evm.backend import EvmBackend
from chains.registry import EvmNetwork
from keystore.types import EvmParams
from wallet.errors import translate_errors
from wallet.evm.store import EvmStore
from wallet.evm.tokens import TokenBook
from wallet.labels import LabelStore
from wallet.storage import WalletDatabase

__all__ = ["EvmContext"]


@dataclass(frozen=True, slots=True)
class EvmContext:
    """One EVM account's public facts, its storage and the way to its network's node.

    Attributes:
        network: the account's network.
        account_id: the account's row id in the wallet file.
        address: the account's address, EIP-55 checksummed.
        key_path: the full derivation path of the address's key, ``None`` when watched by
            address only.
        database: the wallet file (for the settings of ``wallet.evm.settings``).
        store: the EVM rows of the wallet file.
        labels: the wallet's labels.
        tokens: the network's tokens as the wallet knows them.
        connect: returns the network's live backend, connecting on first use (it may raise
            ``chains`` errors; ``backend`` translates them).
    """

    network: EvmNetwork
    account_id: int
    address: str
    key_path: tuple[int, ...] | None
    # Kept out of the repr: a context may show in a traceback, the wallet file's objects not.
    database: WalletDatabase = field(repr=False)
    store: EvmStore = field(repr=False)
    labels: LabelStore = field(repr=False)
    tokens: TokenBook = field(repr=False)
    connect: Callable[[], EvmBackend] = field(repr=False)

    def backend(self) -> EvmBackend:
        """Return the live backend of the account's network.

        Raises:
            BackendUnavailable: no node of the network could be reached.
            NetworkMismatch: a node serves another chain id.
        """
        with translate_errors():
            return self.connect()

    def signer_params(self) -> EvmParams:
        """Return the network facts the signer checks a draft against (chain id first)."""
        net = self.network
        return EvmParams(net.name, net.title, net.symbol, net.chain_id, net.decimals)
