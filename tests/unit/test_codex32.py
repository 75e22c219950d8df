"""codex32 (BIP-93): the BIP's vectors, splitting and recovery, and error correction."""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore.bip32 import ExtendedPrivateKey
from primitives.codex32 import (
    CHARSET,
    Codex32ChecksumError,
    Codex32Error,
    Codex32MismatchError,
    correct,
    decode,
    encode_secret,
    interpolate,
    recover_seed,
    split_seed,
)
from primitives.codex32_bch import LONG_ROOTS, SHORT_ROOTS, gf1024_mul, gf1024_pow

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bip93.json").read_text())
INVALID = [(kind, text) for kind, texts in VECTORS["invalid"].items() for text in texts]


@pytest.mark.parametrize("vector", VECTORS["secrets"], ids=lambda v: v["name"])
def test_secret_decodes_to_the_seed_and_xprv(vector: dict[str, str]) -> None:
    secret = decode(vector["secret"])
    assert secret.is_secret
    seed = secret.seed()
    assert seed.hex() == vector["seed"]
    assert ExtendedPrivateKey.from_seed(seed).serialize() == vector["xprv"]
    assert str(secret) == vector["secret"].lower()


@pytest.mark.parametrize("vector", VECTORS["encode"], ids=lambda v: v["name"])
def test_seed_encodes_to_the_secret(vector: dict[str, str]) -> None:
    secret = encode_secret(
        bytes.fromhex(vector["seed"]), int(vector["threshold"]), vector["identifier"]
    )
    assert str(secret) == vector["secret"]


@pytest.mark.parametrize("vector", VECTORS["share_sets"], ids=lambda v: v["name"])
def test_shares_derive_and_recover(vector: dict[str, object]) -> None:
    shares = [decode(s) for s in vector["shares"]]  # type: ignore[attr-defined]
    for index, expected in vector["derived"].items():  # type: ignore[attr-defined]
        assert str(interpolate(shares, index)) == expected.lower()
    assert recover_seed(shares).hex() == vector["seed"]


def test_any_three_of_vector_three_recover() -> None:
    vector = VECTORS["share_sets"][1]
    every = [decode(s) for s in vector["shares"][1:]] + [
        decode(s) for s in vector["derived"].values()
    ]
    for trio in combinations(every, 3):
        assert recover_seed(list(trio)).hex() == vector["seed"]


@pytest.mark.parametrize(
    ("kind", "text"), INVALID, ids=[f"{k}-{i}" for i, (k, _) in enumerate(INVALID)]
)
def test_invalid_vectors_are_refused(kind: str, text: str) -> None:
    # Two of the BIP's "incorrect checksum" strings are also 128 characters, past any length.
    checksum_only = kind == "bad_checksum" and len(text) <= 127
    expected = Codex32ChecksumError if checksum_only else Codex32Error
    with pytest.raises(expected):
        decode(text)


def test_a_single_changed_character_is_located() -> None:
    good = "ms13casha320zyxwvutsrqpnmlkjhgfedca2a8d0zehn8a0t"
    bad = good[:20] + ("q" if good[20] != "q" else "p") + good[21:]
    with pytest.raises(Codex32ChecksumError) as caught:
        decode(bad)
    assert caught.value.correction is not None
    assert caught.value.correction.corrected == good
    assert caught.value.correction.positions == (20,)
    assert "21" in str(caught.value)


def test_two_changes_in_a_long_string_are_located() -> None:
    good = VECTORS["secrets"][3]["secret"]
    bad = good[:30] + "Q" + good[31:100] + "Z" + good[101:]
    assert bad != good
    found = correct(bad)
    assert found is not None
    assert found.corrected == good


def test_five_changes_are_refused_with_a_reason() -> None:
    good = "ms13casha320zyxwvutsrqpnmlkjhgfedca2a8d0zehn8a0t"
    chars = list(good)
    for pos in (10, 15, 20, 25, 30):
        chars[pos] = CHARSET[(CHARSET.index(chars[pos]) + 1) % 32]
    with pytest.raises(Codex32ChecksumError, match="more than 4 characters") as caught:
        decode("".join(chars))
    assert caught.value.correction is None


def test_mixed_sets_thresholds_duplicates_and_too_few_are_refused() -> None:
    seed = bytes(range(16))
    ones = split_seed(seed, 2, 3, "aaaa")
    others = split_seed(seed, 2, 3, "cccc")
    threes = split_seed(seed, 3, 3, "aaaa")
    with pytest.raises(Codex32MismatchError, match="from set CCCC"):
        recover_seed([ones[0], others[1]])
    with pytest.raises(Codex32MismatchError, match="threshold 3"):
        recover_seed([ones[0], threes[1]])
    with pytest.raises(Codex32MismatchError, match="given twice"):
        recover_seed([ones[0], ones[0]])
    with pytest.raises(Codex32MismatchError, match="needs 2 shares; 1 was given"):
        recover_seed([ones[0]])


def test_a_surplus_share_that_does_not_fit_is_named() -> None:
    seed = bytes(range(16))
    first = split_seed(seed, 2, 3, "aaaa")
    second = split_seed(bytes(16), 2, 3, "aaaa")
    with pytest.raises(Codex32MismatchError, match="Share D does not fit"):
        recover_seed([first[0], first[1], second[2]])


def test_split_refuses_bad_parameters() -> None:
    with pytest.raises(Codex32Error, match="16 to 64 bytes"):
        split_seed(bytes(15), 2, 3, "aaaa")
    with pytest.raises(Codex32Error, match="threshold"):
        split_seed(bytes(16), 1, 3, "aaaa")
    with pytest.raises(Codex32Error, match="number of shares"):
        split_seed(bytes(16), 3, 2, "aaaa")
    with pytest.raises(Codex32Error, match="identifier"):
        split_seed(bytes(16), 2, 3, "abcb")


seeds = st.integers(16, 64).flatmap(lambda n: st.binary(min_size=n, max_size=n))


@settings(max_examples=30, deadline=None)
@given(seed=seeds, k=st.integers(2, 9), extra=st.integers(0, 4), data=st.data())
def test_split_then_any_k_shares_restore(
    seed: bytes, k: int, extra: int, data: st.DataObject
) -> None:
    shares = split_seed(seed, k, k + extra, "test")
    assert len({s.share_index for s in shares}) == k + extra
    for share in shares:
        assert decode(str(share)) == share
    chosen = data.draw(st.permutations(shares)).__getitem__(slice(0, k))
    assert recover_seed(chosen) == seed


@settings(max_examples=40, deadline=None)
@given(seed=seeds, data=st.data())
def test_any_single_substitution_is_corrected(seed: bytes, data: st.DataObject) -> None:
    share = str(split_seed(seed, 2, 2, "test")[0])
    pos = data.draw(st.integers(3, len(share) - 1))
    new = data.draw(st.sampled_from(CHARSET.replace(share[pos], "")))
    damaged = share[:pos] + new + share[pos + 1 :]
    found = correct(damaged)
    assert found is not None
    assert found.corrected == share
    assert found.positions == (pos,)


@settings(max_examples=20, deadline=None)
@given(seed=st.binary(min_size=16, max_size=16), data=st.data())
def test_any_two_substitutions_are_corrected(seed: bytes, data: st.DataObject) -> None:
    share = str(split_seed(seed, 2, 2, "test")[0])
    a, b = sorted(
        data.draw(st.lists(st.integers(3, len(share) - 1), min_size=2, max_size=2, unique=True))
    )
    chars = list(share)
    for pos in (a, b):
        chars[pos] = data.draw(st.sampled_from(CHARSET.replace(share[pos], "")))
    found = correct("".join(chars))
    assert found is not None
    assert found.corrected == share
    assert found.positions == (a, b)


@settings(max_examples=20, deadline=None)
@given(
    seed=st.binary(min_size=16, max_size=32),
    ids=st.lists(st.text(CHARSET, min_size=4, max_size=4), min_size=2, max_size=2, unique=True),
)
def test_shares_with_mixed_identifiers_are_refused(seed: bytes, ids: list[str]) -> None:
    left = split_seed(seed, 2, 2, ids[0])
    right = split_seed(seed, 2, 3, ids[1])
    with pytest.raises(Codex32MismatchError):
        recover_seed([left[0], right[2]])


@pytest.mark.parametrize(
    ("generator", "size", "roots", "order"),
    # The first generator constants of BIP-93's ms32_polymod and ms32_long_polymod.
    [(0x19DC500CE73FDE210, 13, SHORT_ROOTS, 93), (0x3D59D273535EA62D897, 15, LONG_ROOTS, 1023)],
    ids=["short", "long"],
)
def test_the_decoder_roots_are_roots_of_the_bip_generator(
    generator: int, size: int, roots: tuple[int, int], order: int
) -> None:
    # g(x) = x^size + the residue of x^size, which the first generator constant holds.
    coefficients = [(generator >> 5 * i) & 31 for i in range(size)] + [1]
    alpha_log, first = roots

    def g(x: int) -> int:
        acc = 0
        for c in reversed(coefficients):
            acc = gf1024_mul(acc, x) ^ c
        return acc

    assert all(g(gf1024_pow(alpha_log * (first + m))) == 0 for m in range(8))
    powers = {gf1024_pow(alpha_log * i) for i in range(1, order + 1)}
    assert len(powers) == order  # alpha has the code's length as its order


@settings(max_examples=60, deadline=None)
@given(seed=seeds, count=st.integers(3, 4), data=st.data())
def test_any_three_or_four_substitutions_are_corrected(
    seed: bytes, count: int, data: st.DataObject
) -> None:
    share = str(split_seed(seed, 3, 3, "test")[1])
    positions = sorted(
        data.draw(
            st.lists(st.integers(3, len(share) - 1), min_size=count, max_size=count, unique=True)
        )
    )
    chars = list(share)
    for pos in positions:
        chars[pos] = data.draw(st.sampled_from(CHARSET.replace(share[pos], "")))
    found = correct("".join(chars))
    assert found is not None
    assert found.corrected == share
    assert found.positions == tuple(positions)


def test_four_changes_in_the_long_vector_are_named_in_the_message() -> None:
    good = VECTORS["secrets"][3]["secret"]
    chars = list(good)
    for pos in (8, 40, 90, 126):
        chars[pos] = "Q" if chars[pos] != "Q" else "P"
    expected = (
        "changing characters 9 (group 3), 41 (group 11), 91 (group 23) and 127 (group 32) to "
        "S, 3, E and K gives a valid string"
    )
    with pytest.raises(Codex32ChecksumError, match=re.escape(expected)) as e:
        decode("".join(chars))
    assert e.value.correction is not None
    assert e.value.correction.corrected == good
    assert good not in str(e.value)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, data=st.data())
def test_up_to_8_unreadable_characters_or_a_checksum_long_run_are_filled_in(
    seed: bytes, data: st.DataObject
) -> None:
    share = str(split_seed(seed, 2, 2, "test")[0]).upper()
    size = 15 if len(share) > 96 else 13
    if data.draw(st.booleans(), label="burst"):
        count = data.draw(st.integers(1, size))
        start = data.draw(st.integers(3, len(share) - count))
        positions = list(range(start, start + count))
    else:
        positions = sorted(
            data.draw(st.lists(st.integers(3, len(share) - 1), min_size=1, max_size=8, unique=True))
        )
    chars = list(share)
    for pos in positions:
        chars[pos] = "?"
    with pytest.raises(Codex32ChecksumError, match="gives a valid string") as caught:
        decode("".join(chars))
    assert caught.value.correction is not None
    assert caught.value.correction.corrected == share
    assert caught.value.correction.positions == tuple(positions)
    assert share not in str(caught.value)


def test_a_character_outside_the_alphabet_is_named_and_filled_in() -> None:
    good = "ms13cashsllhdmn9m42vcsamx24zrxgs3qqjzqud4m0d6nln"
    with pytest.raises(
        Codex32ChecksumError, match=r"Character 48 \(group 12\) \('b'\) is not in the bech32"
    ):
        decode(good[:-1] + "b")
    assert correct(good[:-1] + "b") == correct(good[:-1] + "?")
    found = correct(good[:10] + "1" + good[11:])  # a stray "1" after the separator
    assert found is not None
    assert found.corrected == good
    with pytest.raises(Codex32ChecksumError, match=r"^14 characters are not in the bech32") as e:
        decode(good[:20] + "?" * 14 + good[34:])
    assert str(e.value).endswith("too many for the checksum to fill in.")
    with pytest.raises(Codex32ChecksumError, match="nothing put there gives a valid string"):
        decode(good[:3] + "?" + good[4:10] + "q" + good[11:-4] + "qqqq")


@settings(max_examples=20, deadline=None)
@given(
    seed=st.binary(min_size=16, max_size=32),
    thresholds=st.lists(st.integers(2, 9), min_size=2, max_size=2, unique=True),
)
def test_shares_with_mixed_thresholds_are_refused(seed: bytes, thresholds: list[int]) -> None:
    low, high = sorted(thresholds)
    left = split_seed(seed, low, low, "test")
    right = split_seed(seed, high, high, "test")
    # The first share of the lower threshold and enough others from the higher one.
    with pytest.raises(Codex32MismatchError, match="threshold"):
        recover_seed([left[0], *right[1:high]])
