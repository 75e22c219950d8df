"""Recovery phrases for the public API: make one, or check one, before a wallet exists."""

from __future__ import annotations

from keystore.mnemonic import LANGUAGES, generate_mnemonic, parse_mnemonic
from wallet.errors import translate_errors

__all__ = ["LANGUAGES", "new_mnemonic", "validate_mnemonic"]


def new_mnemonic(words: int = 12, language: str = "english") -> str:
    """Return a new random BIP-39 recovery phrase, for the person to write down.

    Raises:
        InvalidMnemonic: an unsupported word count or language.
    """
    with translate_errors():
        return generate_mnemonic(words, language).reveal()


def validate_mnemonic(text: str) -> str:
    """Check a recovery phrase and return its word-list language.

    Raises:
        InvalidMnemonic: with ``reason`` (unknown word with suggestions, checksum, word count,
            mixed languages) and a message that says exactly what is wrong.
    """
    with translate_errors():
        return parse_mnemonic(text).language
