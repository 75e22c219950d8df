"""Signed messages and imported keys: BIP-322, BIP-137 / Electrum, EIP-191 / EIP-712.

``Wallet.messages`` (a ``MessageBook``) is the public entry: ``sign``, ``verify``,
``import_keystore`` and ``local_account`` (the web3.py-compatible signer of an EVM account).
"""

from wallet.messages.book import MessageBook
from wallet.messages.keys import import_keystore, key_signer, reseal_imported_keys
from wallet.messages.local_account import SignedMessage, SignedTransaction, Web3Account
from wallet.messages.sign import message_format, sign_message
from wallet.messages.verify import MessageCheck, verify_message

__all__ = [
    "MessageBook",
    "MessageCheck",
    "SignedMessage",
    "SignedTransaction",
    "Web3Account",
    "import_keystore",
    "key_signer",
    "message_format",
    "reseal_imported_keys",
    "sign_message",
    "verify_message",
]
