"""Errors raised by the keystore; none ever carries a secret in its text or attributes."""

from __future__ import annotations

__all__ = [
    "BadMnemonicChecksum",
    "DecryptionFailed",
    "FeeAboveCap",
    "ForeignKeyPath",
    "HardwareUnavailable",
    "InvalidExtendedKey",
    "InvalidMasterSeed",
    "InvalidMnemonic",
    "InvalidPath",
    "InvalidPsbt",
    "KeyMismatch",
    "KeystoreError",
    "MixedMnemonicLanguages",
    "NoMnemonic",
    "NothingToSign",
    "OutputNotForNetwork",
    "PsbtRefused",
    "SigningCancelled",
    "SigningRefused",
    "SummaryMismatch",
    "UnknownMnemonicWord",
    "UnprovenInput",
    "UnsupportedInput",
    "UnsupportedSighash",
    "WrongNetwork",
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


class NoMnemonic(KeystoreError):
    """The keystore holds a bare master seed (BIP-93 codex32), so it has no recovery words."""


class InvalidMasterSeed(KeystoreError, ValueError):
    """A BIP-32 master seed was refused: it must be 16 to 64 bytes (BIP-32, BIP-93)."""


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


class PsbtRefused(SigningRefused):
    """A PSBT was refused by the signer's own review; subclasses say why.

    Attributes:
        index: the input or output at fault (which one the message says), ``None`` when the
            whole transaction is.
    """

    def __init__(self, message: str, index: int | None = None) -> None:
        """Record the reason and the index at fault."""
        super().__init__(message)
        self.index = index


class InvalidPsbt(PsbtRefused):
    """The PSBT cannot be read, or its parts contradict each other."""


class WrongNetwork(PsbtRefused):
    """The PSBT is for another network than the account (coin type, or the summary's network)."""


class ForeignKeyPath(PsbtRefused):
    """A key this wallet would sign with is not under the account's path."""


class KeyMismatch(PsbtRefused):
    """The key this wallet derives is not the key the input's script pays."""


class UnsupportedInput(PsbtRefused):
    """An input names this wallet's key but is of a kind this signer does not sign."""


class UnsupportedSighash(PsbtRefused):
    """An input asks for a sighash type other than SIGHASH_ALL (or SIGHASH_DEFAULT, taproot)."""


class UnprovenInput(PsbtRefused):
    """An input's amount cannot be proven (its previous transaction is missing or differs)."""


class OutputNotForNetwork(PsbtRefused):
    """An output pays a script that has no address on the account's network."""


class FeeAboveCap(PsbtRefused):
    """The fee is above the cap the signing context sets."""


class SummaryMismatch(PsbtRefused):
    """The summary recomputed from the PSBT differs from the one the online side showed."""


class NothingToSign(PsbtRefused):
    """No input of the PSBT names this wallet's key (or every such input is final already)."""


class HardwareUnavailable(KeystoreError):
    """A hardware wallet cannot be reached: unplugged, locked, busy, or no USB library."""
