"""MuSig2 in the wallet: the nonce store on the wallet file and the 2-of-2 signing rounds."""

from __future__ import annotations

from wallet.musig.nonces import LEDGER_NAME, WalletNonceStore

__all__ = ["LEDGER_NAME", "WalletNonceStore"]
