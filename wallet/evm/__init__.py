"""The wallet's EVM family: tokens, sync, history, sending, replacements and collectibles.

``wallet.accounts.evm.EvmAccount`` is the public entry point: it builds one ``EvmContext``
(``wallet.evm.context``) and these modules, which hold its logic, take that context and never
the account or the wallet.
Only the value types are re-exported here, so importing ``wallet.evm`` stays cheap.
"""

from wallet.evm.types import Collectible, EvmDraft, SentTransaction, TokenHolding

__all__ = ["Collectible", "EvmDraft", "SentTransaction", "TokenHolding"]
