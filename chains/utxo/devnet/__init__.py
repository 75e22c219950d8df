"""The embedded Bitcoin regtest devnet (``BitcoinDevnet``) and the parts it is made of.

``backend`` is the ``UtxoBackend`` and its devnet-only methods; ``kernel`` is the handle on
libbitcoinkernel; ``blocks`` builds and parses blocks; ``index`` follows the active chain;
``mempool`` and ``policy`` admit transactions as Core does; ``sync`` answers syncs as an
Electrum server would; ``chains.devnet_storage`` keeps the chain and the mempool on disk,
sealed.
"""

from __future__ import annotations

from chains.utxo.devnet.backend import MAX_FEE_RATE_SAT_VB, BitcoinDevnet, Utxo
from chains.utxo.devnet.sync import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT

__all__ = ["FAUCET_SCRIPT", "FAUCET_WITNESS_SCRIPT", "MAX_FEE_RATE_SAT_VB", "BitcoinDevnet", "Utxo"]
