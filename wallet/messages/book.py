"""``Wallet.messages``: sign and verify messages, import key files, web3.py local accounts."""

from __future__ import annotations

import os
from collections.abc import Callable

from keystore.signers.base import PromptHandler, Signer
from keystore.types import MessageSignature
from wallet.accounts import Account, EvmAccount
from wallet.messages.keys import import_keystore
from wallet.messages.local_account import Web3Account
from wallet.messages.sign import MessageInput, sign_message
from wallet.messages.verify import MessageCheck, verify_message
from wallet.storage import WalletDatabase
from wallet.storage.accounts import AccountStore
from wallet.types import AccountRecord

__all__ = ["MessageBook"]


class MessageBook:
    """Signed messages (BIP-322, BIP-137, Electrum, EIP-191, EIP-712) and imported EVM keys."""

    def __init__(
        self,
        store: AccountStore,
        database: WalletDatabase,
        wallet_id: str,
        signer: Callable[[Account], Signer],
        load: Callable[[AccountRecord], Account],
    ) -> None:
        """Bind to the wallet's accounts, file, id, signer choice and account factory."""
        self._store = store
        self._db = database
        self._wallet_id = wallet_id
        self._signer = signer
        self._load = load

    def sign(
        self,
        account: Account,
        message: MessageInput,
        *,
        address: str | None = None,
        format: str | None = None,
        prompt: PromptHandler | None = None,
    ) -> MessageSignature:
        """Sign a message with the key of one of the account's addresses.

        Args:
            account: the account (an imported key's account signs with that key).
            message: text (signed as UTF-8), bytes, or for ``eip712`` the typed-data JSON
                text or mapping.
            address: which address (default: the account's first receive address, ``.../0/0``;
                EVM accounts have one).
            format: ``bip322-simple`` (default on segwit and taproot), ``bip322-full``,
                ``bip137`` (default on P2PKH), ``electrum``, ``eip191`` (default on EVM) or
                ``eip712``.
            prompt: asked to approve (``confirm_message``) before signing.

        Returns:
            The signature: ``.text`` is base64 (Bitcoin family) or ``0x`` hex (EVM).

        Raises:
            WatchOnly: the wallet holds no key for the account.
            InvalidTypedData: a malformed EIP-712 document.
            SigningRefused: a format the address has not (legacy for taproot, simple for
                P2PKH, EVM formats on Bitcoin), or typed data for another chain id.
            SigningCancelled: the person declined.
            WalletError: an address not of the account, an unknown format.
        """
        return sign_message(account, self._signer(account), message, address, format, prompt)

    def verify(
        self,
        network: str,
        address: str,
        message: MessageInput,
        signature: str,
        format: str | None = None,
    ) -> MessageCheck:
        """Check a signed message; the format is read from the signature when not given.

        Raises:
            InvalidSignature: the signature is for another message or address, or malformed.
            InvalidAddress: the address is not one of the network.
            InvalidTypedData: a malformed EIP-712 document.
            UnknownNetwork: no such network.
        """
        return verify_message(network, address, message, signature, format)

    def import_keystore(
        self, network: str, keyfile: str | bytes | os.PathLike[str], password: str, label: str = ""
    ) -> EvmAccount:
        """Import an EVM key from a Web3 Secret Storage file (geth, MetaMask, eth-account).

        Args:
            network: an EVM network's registry name.
            keyfile: a path, or the file's JSON (text starting with ``{``, or bytes).
            password: the key file's password.
            label: the account's label.

        Raises:
            WrongKeyFilePassword: the password does not open the file; nothing was stored.
            InvalidKeyFile: not such a file, or a defective KDF or cipher (the text says).
            AccountExists: the address is already an account of the network.
            WalletError: not an EVM network.
        """
        record = import_keystore(
            self._store, self._db, self._wallet_id, network, keyfile, password, label
        )
        account = self._load(record)
        assert isinstance(account, EvmAccount)  # noqa: S101 - an EVM network's record
        return account

    def local_account(
        self, account: EvmAccount, prompt: PromptHandler | None = None
    ) -> Web3Account:
        """Return a signer of the account usable where web3.py expects a ``LocalAccount``.

        Raises:
            WatchOnly: the wallet holds no key for the account.
        """
        return Web3Account(account, self._signer(account), prompt)
