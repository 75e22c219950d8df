"""BIP-39: reference vectors (English with passphrase TREZOR, Japanese) and precise refusals."""

from __future__ import annotations

import contextlib
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mnemonic import Mnemonic

from keystore.errors import (
    BadMnemonicChecksum,
    InvalidMnemonic,
    MixedMnemonicLanguages,
    UnknownMnemonicWord,
    WrongWordCount,
)
from keystore.mnemonic import LANGUAGES, from_entropy, generate_mnemonic, parse_mnemonic

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bip39.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("entropy", "words", "seed"), VECTORS["english"], ids=[v[1][:24] for v in VECTORS["english"]]
)
def test_english_reference_vectors(entropy: str, words: str, seed: str) -> None:
    phrase = parse_mnemonic(words)
    assert phrase.language == "english"
    assert phrase.entropy().reveal().hex() == entropy
    assert from_entropy(bytes.fromhex(entropy)).reveal() == words
    assert phrase.to_seed(VECTORS["passphrase"]).reveal().hex() == seed


@pytest.mark.parametrize(
    ("entropy", "words", "seed", "xprv"),
    VECTORS["japanese"],
    ids=[v[0][:8] for v in VECTORS["japanese"]],
)
def test_japanese_vectors(entropy: str, words: str, seed: str, xprv: str) -> None:
    phrase = parse_mnemonic(words)
    assert phrase.language == "japanese"
    assert phrase.entropy().reveal().hex() == entropy
    assert from_entropy(bytes.fromhex(entropy), "japanese").reveal() == words
    assert phrase.to_seed(VECTORS["japanese_passphrase"]).reveal().hex() == seed


def test_japanese_accepts_ascii_spaces_and_nfkd_input() -> None:
    words = VECTORS["japanese"][1][1]
    typed = unicodedata.normalize("NFKD", words.replace("\u3000", " "))
    assert parse_mnemonic(typed).reveal() == words


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("count", [12, 24])
def test_generate_round_trips_in_every_language(language: str, count: int) -> None:
    phrase = generate_mnemonic(count, language)
    assert phrase.word_count == count
    again = parse_mnemonic(phrase.reveal())
    assert again.entropy() == phrase.entropy()
    assert again.language == language or set(again.words()) == set(phrase.words())
    # the peer library agrees on the seed
    assert phrase.to_seed("x").reveal() == Mnemonic.to_seed(phrase.reveal(), "x")


def test_unknown_word_names_position_and_closest_words() -> None:
    with pytest.raises(UnknownMnemonicWord) as info:
        parse_mnemonic("abandon " * 11 + "abuot")
    err = info.value
    assert err.position == 12
    assert "about" in err.suggestions
    assert "abuot" not in str(err)


def test_bad_checksum() -> None:
    with pytest.raises(BadMnemonicChecksum, match="checksum"):
        parse_mnemonic("abandon " * 12)


@pytest.mark.parametrize("count", [1, 11, 13, 25])
def test_wrong_word_count(count: int) -> None:
    with pytest.raises(WrongWordCount, match=f"this one has {count}"):
        parse_mnemonic(" ".join(["abandon"] * count))


def test_empty_phrase() -> None:
    with pytest.raises(WrongWordCount):
        parse_mnemonic("   ")


def test_mixed_languages() -> None:
    words = "abandon " * 10 + "abaisser about"  # 'abaisser' is French only
    with pytest.raises(MixedMnemonicLanguages) as info:
        parse_mnemonic(words)
    assert set(info.value.languages) == {"English", "French"}


def test_case_and_whitespace_are_tolerated() -> None:
    words = VECTORS["english"][1][1]
    assert parse_mnemonic("  " + words.upper().replace(" ", "   ") + "\n").reveal() == words


def test_forced_language_refuses_other_lists() -> None:
    with pytest.raises(UnknownMnemonicWord):
        parse_mnemonic(VECTORS["english"][0][1], language="french")
    with pytest.raises(InvalidMnemonic, match="Unknown word-list language"):
        parse_mnemonic(VECTORS["english"][0][1], language="klingon")


def test_repr_is_redacted() -> None:
    phrase = parse_mnemonic(VECTORS["english"][1][1])
    assert "legal" not in repr(phrase)
    assert "legal" not in str(phrase)
    assert "legal" not in repr(phrase.to_seed())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parser_only_raises_typed_errors(text: str) -> None:
    with contextlib.suppress(InvalidMnemonic):
        parse_mnemonic(text)


@settings(max_examples=50, deadline=None)
@given(
    st.binary(min_size=16, max_size=16) | st.binary(min_size=32, max_size=32),
    st.sampled_from(LANGUAGES),
)
def test_entropy_round_trip(entropy: bytes, language: str) -> None:
    phrase = from_entropy(entropy, language)
    assert phrase.entropy().reveal() == entropy
    peer = Mnemonic(language).to_mnemonic(entropy)
    assert unicodedata.normalize("NFC", peer) == phrase.reveal()


ENGLISH = Mnemonic("english").wordlist
EVERY_WORD = frozenset(
    unicodedata.normalize("NFKD", w) for lang in LANGUAGES for w in Mnemonic(lang).wordlist
)
entropies = st.binary(min_size=16, max_size=16) | st.binary(min_size=32, max_size=32)


@settings(max_examples=200, deadline=None)
@given(entropy=entropies, data=st.data())
def test_a_replaced_word_is_a_checksum_error_or_still_valid(
    entropy: bytes, data: st.DataObject
) -> None:
    words = from_entropy(entropy).reveal().split()
    position = data.draw(st.integers(0, len(words) - 1))
    replacement = data.draw(st.sampled_from(ENGLISH).filter(lambda w: w != words[position]))
    changed = [*words[:position], replacement, *words[position + 1 :]]
    try:
        phrase = parse_mnemonic(" ".join(changed))
    except BadMnemonicChecksum:
        return
    # A valid checksum by chance (1 in 16 for 12 words, 1 in 256 for 24): other entropy.
    assert phrase.reveal() == " ".join(changed)
    assert phrase.entropy().reveal() != entropy


@settings(max_examples=200, deadline=None)
@given(entropy=entropies, data=st.data())
def test_two_swapped_words_are_a_checksum_error_or_still_valid(
    entropy: bytes, data: st.DataObject
) -> None:
    words = from_entropy(entropy).reveal().split()
    i, j = data.draw(
        st.tuples(st.integers(0, len(words) - 1), st.integers(0, len(words) - 1)).filter(
            lambda p: words[p[0]] != words[p[1]]
        )
    )
    words[i], words[j] = words[j], words[i]
    with contextlib.suppress(BadMnemonicChecksum):
        assert parse_mnemonic(" ".join(words)).entropy().reveal() != entropy


@settings(max_examples=200, deadline=None)
@given(
    entropy=entropies,
    data=st.data(),
    suffix=st.text("bcdfghjklmnpqrstvwxz", min_size=2, max_size=4),
)
def test_an_unknown_word_is_reported_at_its_position(
    entropy: bytes, data: st.DataObject, suffix: str
) -> None:
    words = from_entropy(entropy).reveal().split()
    position = data.draw(st.integers(0, len(words) - 1))
    unknown = words[position] + suffix
    if unknown in EVERY_WORD:
        return
    words[position] = unknown
    with pytest.raises(UnknownMnemonicWord) as info:
        parse_mnemonic(" ".join(words))
    assert info.value.position == position + 1
    assert info.value.language == "English"
    assert unknown not in str(info.value)
    # suggestions come from the likeliest lists (English first; "abandon" is French too)
    assert info.value.suggestions
    assert all(unicodedata.normalize("NFKD", s) in EVERY_WORD for s in info.value.suggestions)
