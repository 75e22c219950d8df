"""The encrypted wallet database: SQLCipher keyed from the password, versioned schema."""

from wallet.storage.database import WalletDatabase

__all__ = ["WalletDatabase"]
