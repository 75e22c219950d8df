"""What the UTXO family's modules work with: one account's public data, store and servers.

``UtxoAccount`` builds a ``UtxoContext`` once and hands it to ``wallet.utxo.*``; those modules
never take the account or the wallet back (STYLE.md section 1: data goes down, results come
back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.backend import UtxoBackend
from wallet.labels import LabelStore
from wallet.utxo.fees import FeePolicy
from wallet.utxo.scripts import AccountScripts
from wallet.utxo.store import UtxoStore

__all__ = ["CHANGE", "RECEIVE", "UtxoContext"]

RECEIVE = 0
"""The receive chain of a BIP-44 account."""
CHANGE = 1
"""The change chain of a BIP-44 account."""


@dataclass(frozen=True, slots=True)
class UtxoContext:
    """One UTXO account as the family's modules see it: public keys, storage, servers.

    Attributes:
        account_id: the account's row id in the wallet file.
        network: the account's network.
        scripts: how the account makes its addresses and scripts, and what its PSBTs carry.
        path: the account key's derivation path, when the key origin is known (the signer
            derives below it).
        gap_limit: how many unused addresses in a row end address discovery.
        store: the network's UTXO rows of the wallet file (addresses included).
        labels: the wallet's BIP-329 labels (frozen coins among them).
        backend: returns the network's backend (connecting on first use).
        fee_policy: returns the wallet's fee caps as stored now.
        policy: a policy account's descriptor (canonical, with checksum); ``None`` for a
            single-key account. Signers get it to re-derive every script they sign.
    """

    account_id: int
    network: UtxoNetwork
    scripts: AccountScripts
    path: tuple[int, ...] | None
    gap_limit: int
    store: UtxoStore
    labels: LabelStore
    backend: Callable[[], UtxoBackend]
    fee_policy: Callable[[], FeePolicy]
    policy: str | None = None

    @property
    def kind(self) -> ScriptKind | None:
        """Return the script kind of a single-key account, ``None`` for a policy."""
        return self.scripts.kind
