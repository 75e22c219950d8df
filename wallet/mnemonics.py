"""Recovery phrases for the public API: make one, or check one, before a wallet exists."""

from __future__ import annotations

from keystore.mnemonic import LANGUAGES, complete_word, generate_mnemonic, parse_mnemonic
from wallet.errors import InvalidMnemonic, translate_errors

__all__ = ["LANGUAGES", "complete_mnemonic_word", "new_mnemonic", "validate_mnemonic"]


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


def complete_mnemonic_word(prefix: str, language: str = "english") -> tuple[str, ...]:
    """Return the recovery-phrase words that start with ``prefix``, for completion as typed.

    An empty result means no word of the list starts so; one result is the word.

    Raises:
        InvalidMnemonic: ``language`` is not one of ``LANGUAGES``.
    """
    try:
        return complete_word(prefix, language)
    except KeyError:
        raise InvalidMnemonic(f"There is no {language!r} word list.") from None
