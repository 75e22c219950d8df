"""Errors raised by the keystore; none ever carries a secret in its text or attributes."""

from __future__ import annotations

__all__ = [
    "BadMnemonicChecksum",
    "DecryptionFailed",
    "InvalidExtendedKey",
    "InvalidMnemonic",
    "InvalidPath",
    "KeystoreError",
    "MixedMnemonicLanguages",
    "SigningCancelled",
    "SigningRefused",
    "UnknownMnemonicWord",
    "WrongWordCount",
]


class KeystoreError(Exception):
    """Root of every error raised under ``keystore``."""


class InvalidMnemonic(KeystoreError, ValueError):
    """A BIP-39 mnemonic was refused; subclasses say exactly why."""


class UnknownMnemonicWord(InvalidMnemonic):
    """A word is not in the wordlist; ``suggestions`` lists the closest valid words.

    The unknown word itself is part of a secret-to-be, so it is kept as its position only;
    the suggestions are public wordlist entries.
    """

    def __init__(self, position: int, suggestions: tuple[str, ...], language: str) -> None:
        """Record the 1-based position, the closest words and the wordlist language."""
        hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"Word {position} is not in the {language} BIP-39 word list.{hint}")
        self.position = position
        self.suggestions = suggestions
        self.language = language


class BadMnemonicChecksum(InvalidMnemonic):
    """Every word is valid but the BIP-39 checksum does not match."""

    def __init__(self) -> None:
        """Explain the checksum failure."""
        super().__init__(
            "The words are all valid but their checksum does not match: a word is wrong or "
            "two words are swapped."
        )


class WrongWordCount(InvalidMnemonic):
    """The mnemonic does not have 12, 15, 18, 21 or 24 words."""

    def __init__(self, count: int) -> None:
        """Record how many words were given."""
        super().__init__(f"A recovery phrase has 12, 15, 18, 21 or 24 words; this one has {count}.")
        self.count = count


class MixedMnemonicLanguages(InvalidMnemonic):
    """Words from more than one wordlist language were mixed."""

    def __init__(self, languages: tuple[str, ...]) -> None:
        """Record the languages seen."""
        super().__init__(
            "The phrase mixes words from several word lists ("
            + ", ".join(languages)
            + "); a recovery phrase uses one language."
        )
        self.languages = languages


class InvalidPath(KeystoreError, ValueError):
    """A BIP-32 derivation path is malformed or out of range."""


class InvalidExtendedKey(KeystoreError, ValueError):
    """An extended key (xpub, xprv, ...) is malformed, has a bad checksum or is invalid."""


class DecryptionFailed(KeystoreError):
    """Sealed data could not be opened: a wrong key or tampered data."""


class SigningRefused(KeystoreError):
    """A signer refused a request: it does not match what the signer can verify."""


class SigningCancelled(KeystoreError):
    """The user declined to sign."""
