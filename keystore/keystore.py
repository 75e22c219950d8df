"""The keystore: the one object that holds a wallet's seed in memory.

It derives account-level extended public keys for the wallet and hands out a hot signer.
Secrets enter as a mnemonic (and optional passphrase), as a bare BIP-32 master seed (a
codex32 backup, BIP-93, carries the seed and no words) or as a sealed blob from the wallet
file, and leave only through ``sealed()`` (encrypted) or the explicitly dangerous
``reveal_mnemonic_unsafe`` and ``reveal_seed_unsafe``.
"""

from __future__ import annotations

import struct
from typing import NoReturn

from keystore.bip32 import ExtendedPrivateKey, ExtendedPublicKey
from keystore.errors import DecryptionFailed, InvalidMasterSeed, NoMnemonic
from keystore.mnemonic import LANGUAGES, MnemonicPhrase, from_entropy
from keystore.secrets import SecretBytes, SecretStr
from keystore.signers.hot import HotSigner
from keystore.vault import open_sealed, seal

__all__ = ["Keystore"]

_BLOB_VERSION = 1
# A wallet made from a bare master seed seals version 2: the seed bytes, no words.
_SEED_BLOB_VERSION = 2
_NO_WORDS = "This wallet was made from a master seed (codex32), so it has no recovery words."


class Keystore:
    """A seed held in memory, from a BIP-39 mnemonic and optional passphrase or a bare seed."""

    __slots__ = ("_mnemonic", "_passphrase", "_root", "_seed")

    def __init__(self, mnemonic: MnemonicPhrase, passphrase: str | SecretStr = "") -> None:
        """Derive the BIP-32 master key from ``mnemonic`` and ``passphrase`` (BIP-39)."""
        secret = passphrase if isinstance(passphrase, SecretStr) else SecretStr(passphrase)
        self._mnemonic: MnemonicPhrase | None = mnemonic
        self._passphrase = secret
        self._seed = mnemonic.to_seed(secret)
        self._root = ExtendedPrivateKey.from_seed(self._seed.reveal())

    @classmethod
    def from_master_seed(cls, seed: SecretBytes) -> Keystore:
        """Hold a BIP-32 master seed of 16 to 64 bytes that comes without words (BIP-93).

        Raises:
            InvalidMasterSeed: the seed is not 16 to 64 bytes long.
        """
        if not 16 <= len(seed) <= 64:
            raise InvalidMasterSeed(f"A master seed has 16 to 64 bytes, not {len(seed)}.")
        keystore = cls.__new__(cls)
        keystore._mnemonic = None
        keystore._passphrase = SecretStr("")
        keystore._seed = seed
        keystore._root = ExtendedPrivateKey.from_seed(seed.reveal())
        return keystore

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
    def has_mnemonic(self) -> bool:
        """Return whether this seed came from recovery words (not from a bare master seed)."""
        return self._mnemonic is not None

    @property
    def mnemonic_language(self) -> str:
        """Return the word-list language of the mnemonic.

        Raises:
            NoMnemonic: the keystore holds a bare master seed.
        """
        return self._words().language

    @property
    def mnemonic_word_count(self) -> int:
        """Return the number of words of the mnemonic.

        Raises:
            NoMnemonic: the keystore holds a bare master seed.
        """
        return self._words().word_count

    def _words(self) -> MnemonicPhrase:
        if self._mnemonic is None:
            raise NoMnemonic(_NO_WORDS)
        return self._mnemonic

    def account_key(self, path: tuple[int, ...]) -> ExtendedPublicKey:
        """Return the extended public key at ``path`` (BIP-32 private to public derivation)."""
        return self._root.derive_path(path).public()

    def signer(self, label: str = "This wallet") -> HotSigner:
        """Return a hot signer over this seed."""
        return HotSigner(self._root, label)

    def reveal_mnemonic_unsafe(self) -> str:
        """Return the mnemonic words for a backup display; the caller checked the password.

        Raises:
            NoMnemonic: the keystore holds a bare master seed.
        """
        return self._words().reveal()

    def reveal_seed_unsafe(self) -> SecretBytes:
        """Return the BIP-32 master seed for a backup (codex32); the caller checked the password.

        A seed from BIP-39 words is the 64-byte PBKDF2 output (words and passphrase together).
        """
        return self._seed

    def matches(self, mnemonic: MnemonicPhrase) -> bool:
        """Return whether ``mnemonic`` is this keystore's (for the backup word check)."""
        return self._mnemonic is not None and mnemonic.entropy() == self._mnemonic.entropy()

    def sealed(self, key: SecretBytes, associated: bytes) -> bytes:
        """Return the mnemonic entropy, language and passphrase (or the bare seed) sealed.

        AES-256-GCM; a bare master seed is sealed as blob version 2.
        """
        if self._mnemonic is None:
            seed = self._seed.reveal()
            return seal(key, struct.pack(">BB", _SEED_BLOB_VERSION, len(seed)) + seed, associated)
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
        if len(blob) >= 2 and blob[0] == _SEED_BLOB_VERSION and len(blob) == 2 + blob[1]:
            return cls.from_master_seed(SecretBytes(blob[2:]))
        if len(blob) < 3 or blob[0] != _BLOB_VERSION or blob[1] >= len(LANGUAGES):
            raise DecryptionFailed("The sealed seed has an unknown format.")
        size = blob[2]
        entropy = blob[3 : 3 + size]
        language = LANGUAGES[blob[1]]
        passphrase = blob[3 + size :].decode("utf-8")
        return cls(from_entropy(entropy, language), passphrase)
