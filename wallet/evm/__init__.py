"""The wallet's EVM family: tokens, sync, history, sending, replacements and collectibles.

``wallet.accounts.evm.EvmAccount`` is the public entry point; these modules hold its logic.
Only the value types are re-exported here, so importing ``wallet.evm`` stays cheap.
"""

from wallet.evm.types import Collectible, EvmDraft, SentTransaction, TokenHolding

__all__ = ["Collectible", "EvmDraft", "SentTransaction", "TokenHolding"]
