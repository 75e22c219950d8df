"""BIP-39 mnemonics: generation, validation with precise reasons, and seed derivation.

Validation says exactly what is wrong (an unknown word with the closest valid words, a bad
checksum, a wrong word count, a mix of languages) without ever echoing the words themselves.
"""

from __future__ import annotations

import difflib
import hashlib
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from mnemonic import Mnemonic as _Bip39

from keystore.errors import (
    BadMnemonicChecksum,
    InvalidMnemonic,
    MixedMnemonicLanguages,
    UnknownMnemonicWord,
    WrongWordCount,
)
from keystore.secrets import SecretBytes, SecretStr

__all__ = [
    "LANGUAGES",
    "WORD_COUNTS",
    "MnemonicPhrase",
    "complete_word",
    "from_entropy",
    "generate_mnemonic",
    "parse_mnemonic",
]

LANGUAGES: tuple[str, ...] = (
    "english",
    "chinese_simplified",
    "chinese_traditional",
    "japanese",
    "spanish",
    "french",
    "italian",
    "korean",
    "czech",
    "portuguese",
)
"""The BIP-39 word lists Coffer accepts, English first (the default)."""

WORD_COUNTS: tuple[int, ...] = (12, 15, 18, 21, 24)
_STRENGTH_BITS = {12: 128, 15: 160, 18: 192, 21: 224, 24: 256}
_IDEOGRAPHIC_SPACE = "\u3000"


def _nfkd(text: str) -> str:
    return unicodedata.normalize("NFKD", text)


@cache
def _wordlist(language: str) -> tuple[str, ...]:
    return tuple(_nfkd(w) for w in _Bip39(language).wordlist)


@cache
def _index(language: str) -> dict[str, int]:
    return {w: i for i, w in enumerate(_wordlist(language))}


@cache
def _unaccented(language: str) -> dict[str, str]:
    return {_strip_marks(w): w for w in _wordlist(language)}


def _strip_marks(word: str) -> str:
    return "".join(c for c in _nfkd(word) if not unicodedata.combining(c))


def complete_word(prefix: str, language: str = "english") -> tuple[str, ...]:
    """Return the words of a BIP-39 word list that start with ``prefix`` (accents optional).

    A word list's words differ in their first four letters, so four letters name one word.

    Raises:
        KeyError: no such word list.
    """
    if language not in LANGUAGES:
        raise KeyError(language)
    typed = _strip_marks(prefix.strip().lower())
    if not typed:
        return ()
    return tuple(w for w in _wordlist(language) if _strip_marks(w).startswith(typed))


@dataclass(frozen=True, slots=True, repr=False)
class MnemonicPhrase:
    """A validated BIP-39 mnemonic: its words stay wrapped; only its shape is public."""

    _phrase: SecretStr
    language: str
    word_count: int

    def __repr__(self) -> str:
        return f"<MnemonicPhrase {self.word_count} words, {self.language}, redacted>"

    __str__ = __repr__

    def reveal(self) -> str:
        """Return the words (for a backup display only), joined as BIP-39 says."""
        return self._phrase.reveal()

    def words(self) -> tuple[str, ...]:
        """Return the words one by one (for a backup check only)."""
        return tuple(self._phrase.reveal().split(_delimiter(self.language)))

    def entropy(self) -> SecretBytes:
        """Return the entropy the words encode (BIP-39, without the checksum)."""
        index = _index(self.language)
        bits = 0
        for word in self.words():
            bits = (bits << 11) | index[_nfkd(word)]
        total = self.word_count * 11
        checksum_bits = total // 33
        entropy_bits = total - checksum_bits
        entropy = (bits >> checksum_bits).to_bytes(entropy_bits // 8, "big")
        return SecretBytes(entropy)

    def to_seed(self, passphrase: str | SecretStr = "") -> SecretBytes:
        """Derive the 64-byte BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds, NFKD inputs).

        Args:
            passphrase: the optional BIP-39 passphrase ("25th word").

        Returns:
            The seed, wrapped.
        """
        secret = passphrase.reveal() if isinstance(passphrase, SecretStr) else passphrase
        words = _nfkd(self._phrase.reveal()).encode()
        salt = ("mnemonic" + _nfkd(secret)).encode()
        return SecretBytes(hashlib.pbkdf2_hmac("sha512", words, salt, 2048))


def _delimiter(language: str) -> str:
    return _IDEOGRAPHIC_SPACE if language == "japanese" else " "


def generate_mnemonic(words: int = 12, language: str = "english") -> MnemonicPhrase:
    """Create a new random mnemonic from the operating system's CSPRNG.

    Args:
        words: 12, 15, 18, 21 or 24.
        language: one of ``LANGUAGES``.

    Returns:
        The new mnemonic.

    Raises:
        InvalidMnemonic: an unsupported word count or language.
    """
    if words not in _STRENGTH_BITS:
        raise WrongWordCount(words)
    if language not in LANGUAGES:
        raise InvalidMnemonic(
            f"Unknown word-list language {language!r}; choose one of {', '.join(LANGUAGES)}."
        )
    entropy = secrets.token_bytes(_STRENGTH_BITS[words] // 8)
    return from_entropy(entropy, language)


def from_entropy(entropy: bytes, language: str = "english") -> MnemonicPhrase:
    """Return the mnemonic that encodes ``entropy`` (BIP-39) in ``language``."""
    checksum_bits = len(entropy) * 8 // 32
    digest = hashlib.sha256(entropy).digest()
    bits = (int.from_bytes(entropy, "big") << checksum_bits) | (digest[0] >> (8 - checksum_bits))
    count = (len(entropy) * 8 + checksum_bits) // 11
    wordlist = _Bip39(language).wordlist
    indices = [(bits >> (11 * (count - 1 - i))) & 0x7FF for i in range(count)]
    # Words are kept in NFC (how people write them); the seed is taken over NFKD (BIP-39).
    phrase = unicodedata.normalize("NFC", _delimiter(language).join(wordlist[i] for i in indices))
    return MnemonicPhrase(SecretStr(phrase), language, count)


def _split(text: str) -> list[str]:
    return _nfkd(text.replace(_IDEOGRAPHIC_SPACE, " ")).lower().split()


def _suggest(word: str, languages: Iterable[str]) -> tuple[str, ...]:
    candidates: list[str] = []
    for language in languages:
        wordlist = _wordlist(language)
        # English, French, Italian, Spanish, Czech and Portuguese words are unique by their
        # first four letters: a word that starts right is the likeliest meant.
        if len(word) >= 4:
            candidates += [w for w in wordlist if w.startswith(word[:4])]
        candidates += difflib.get_close_matches(word, wordlist, n=3, cutoff=0.6)
        plain = _unaccented(language).get(_strip_marks(word))
        if plain:
            candidates.insert(0, plain)
    seen: dict[str, None] = {}
    for candidate in candidates:
        seen.setdefault(unicodedata.normalize("NFC", candidate), None)
    return tuple(seen)[:3]


def parse_mnemonic(text: str | SecretStr, language: str | None = None) -> MnemonicPhrase:
    """Validate a mnemonic and say exactly what is wrong if it is refused.

    The language is detected when not given. Surrounding and repeated whitespace, the
    ideographic space and letter case are tolerated; NFKD normalisation is applied (BIP-39).

    Args:
        text: the words as typed.
        language: force one word list.

    Returns:
        The validated mnemonic in its canonical form.

    Raises:
        UnknownMnemonicWord: a word is in no word list (with the closest valid words).
        MixedMnemonicLanguages: the words come from several word lists.
        WrongWordCount: not 12, 15, 18, 21 or 24 words.
        BadMnemonicChecksum: the checksum does not match.
        InvalidMnemonic: an unsupported language was asked for.
    """
    raw = text.reveal() if isinstance(text, SecretStr) else text
    words = _split(raw)
    if language is not None and language not in LANGUAGES:
        raise InvalidMnemonic(
            f"Unknown word-list language {language!r}; choose one of {', '.join(LANGUAGES)}."
        )
    if not words:
        raise WrongWordCount(0)
    languages = (language,) if language else LANGUAGES
    membership = [{lang for lang in languages if w in _index(lang)} for w in words]
    for position, (word, found) in enumerate(zip(words, membership, strict=True), start=1):
        if not found:
            likely = _likely_languages(membership) or languages
            raise UnknownMnemonicWord(position, _suggest(word, likely), _lang_title(likely[0]))
    common = set.intersection(*membership)
    if not common:
        seen = tuple(lang for lang in languages if any(lang in m for m in membership))
        raise MixedMnemonicLanguages(tuple(_lang_title(lang) for lang in seen))
    if len(words) not in WORD_COUNTS:
        raise WrongWordCount(len(words))
    chosen = next(lang for lang in languages if lang in common)
    index = _index(chosen)
    bits = 0
    for word in words:
        bits = (bits << 11) | index[word]
    checksum_bits = len(words) * 11 // 33
    entropy = (bits >> checksum_bits).to_bytes((len(words) * 11 - checksum_bits) // 8, "big")
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits)
    if bits & ((1 << checksum_bits) - 1) != expected:
        raise BadMnemonicChecksum()
    return from_entropy(entropy, chosen)


def _likely_languages(membership: list[set[str]]) -> tuple[str, ...]:
    counts: dict[str, int] = {}
    for found in membership:
        for lang in found:
            counts[lang] = counts.get(lang, 0) + 1
    return tuple(sorted(counts, key=lambda lang: (-counts[lang], LANGUAGES.index(lang))))


def _lang_title(language: str) -> str:
    return language.replace("_", " ").title().replace("Chinese ", "Chinese (") + (
        ")" if language.startswith("chinese") else ""
    )
