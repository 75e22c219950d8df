"""The keystore: the one object that holds a wallet's seed in memory.

It derives account-level extended public keys for the wallet and hands out a hot signer.
Secrets enter as a mnemonic (and optional passphrase) or as a sealed blob from the wallet
file, and leave only through ``sealed()`` (encrypted) or the explicitly dangerous
``reveal_mnemonic``.
"""

from __future__ import annotations

import struct
from typing import NoReturn

from keystore.bip32 import ExtendedPrivateKey, ExtendedPublicKey
from keystore.errors import DecryptionFailed
from keystore.mnemonic import LANGUAGES, MnemonicPhrase, from_entropy
from keystore.secrets import SecretBytes, SecretStr
from keystore.signers.hot import HotSigner
from keystore.vault import open_sealed, seal

__all__ = ["Keystore"]

_BLOB_VERSION = 1


class Keystore:
    """A seed held in memory, from a BIP-39 mnemonic and optional passphrase."""

    __slots__ = ("_mnemonic", "_passphrase", "_root")

    def __init__(self, mnemonic: MnemonicPhrase, passphrase: str | SecretStr = "") -> None:
        """Derive the BIP-32 master key from ``mnemonic`` and ``passphrase`` (BIP-39)."""
        secret = passphrase if isinstance(passphrase, SecretStr) else SecretStr(passphrase)
        self._mnemonic = mnemonic
        self._passphrase = secret
        self._root = ExtendedPrivateKey.from_seed(mnemonic.to_seed(secret).reveal())

    def __repr__(self) -> str:
        return f"<Keystore {self.fingerprint.hex()} redacted>"

    def __reduce__(self) -> NoReturn:
        raise TypeError("Keystore cannot be pickled")

    @property
    def fingerprint(self) -> bytes:
        """Return the master key fingerprint (BIP-32: first 4 bytes of its HASH160)."""
        return self._root.fingerprint

    @property
    def has_passphrase(self) -> bool:
        """Return whether a BIP-39 passphrase is part of this seed."""
        return bool(self._passphrase.reveal())

    @property
    def mnemonic_language(self) -> str:
        """Return the word-list language of the mnemonic."""
        return self._mnemonic.language

    @property
    def mnemonic_word_count(self) -> int:
        """Return the number of words of the mnemonic."""
        return self._mnemonic.word_count

    def account_key(self, path: tuple[int, ...]) -> ExtendedPublicKey:
        """Return the extended public key at ``path`` (BIP-32 private to public derivation)."""
        return self._root.derive_path(path).public()

    def signer(self, label: str = "This wallet") -> HotSigner:
        """Return a hot signer over this seed."""
        return HotSigner(self._root, label)

    def reveal_mnemonic_unsafe(self) -> str:
        """Return the mnemonic words for a backup display; the caller checked the password."""
        return self._mnemonic.reveal()

    def matches(self, mnemonic: MnemonicPhrase) -> bool:
        """Return whether ``mnemonic`` is this keystore's (for the backup word check)."""
        return mnemonic.entropy() == self._mnemonic.entropy()

    def sealed(self, key: SecretBytes, associated: bytes) -> bytes:
        """Return the mnemonic entropy, language and passphrase sealed with AES-256-GCM."""
        entropy = self._mnemonic.entropy().reveal()
        passphrase = self._passphrase.reveal().encode("utf-8")
        language = LANGUAGES.index(self._mnemonic.language)
        blob = struct.pack(">BBB", _BLOB_VERSION, language, len(entropy)) + entropy + passphrase
        return seal(key, blob, associated)

    @classmethod
    def from_sealed(cls, key: SecretBytes, sealed_blob: bytes, associated: bytes) -> Keystore:
        """Open a blob made by ``sealed``.

        Raises:
            DecryptionFailed: a wrong key or a damaged blob.
        """
        blob = open_sealed(key, sealed_blob, associated).reveal()
        if len(blob) < 3 or blob[0] != _BLOB_VERSION or blob[1] >= len(LANGUAGES):
            raise DecryptionFailed("The sealed seed has an unknown format.")
        size = blob[2]
        entropy = blob[3 : 3 + size]
        language = LANGUAGES[blob[1]]
        passphrase = blob[3 + size :].decode("utf-8")
        return cls(from_entropy(entropy, language), passphrase)
