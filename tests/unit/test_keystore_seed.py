"""A keystore holding a bare BIP-32 master seed (BIP-93 codex32 carries no words)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keystore.bip32 import ExtendedPrivateKey
from keystore.errors import InvalidMasterSeed, NoMnemonic
from keystore.keystore import Keystore
from keystore.mnemonic import parse_mnemonic
from keystore.secrets import SecretBytes
from tests.conftest import ABANDON

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bip39.json").read_text())
KEY = SecretBytes(bytes(range(32)))


def test_a_mnemonic_keystore_reveals_its_bip39_seed() -> None:
    _entropy, words, seed_hex = VECTORS["english"][0]
    keystore = Keystore(parse_mnemonic(words), VECTORS["passphrase"])
    assert keystore.reveal_seed_unsafe().reveal().hex() == seed_hex
    assert keystore.has_mnemonic


def test_a_seed_keystore_derives_seals_and_reopens() -> None:
    seed = bytes.fromhex("ffeeddccbbaa99887766554433221100")
    keystore = Keystore.from_master_seed(SecretBytes(seed))
    assert not keystore.has_mnemonic
    assert keystore.fingerprint == ExtendedPrivateKey.from_seed(seed).fingerprint
    sealed = keystore.sealed(KEY, b"id")
    assert seed not in sealed
    reopened = Keystore.from_sealed(KEY, sealed, b"id")
    assert reopened.reveal_seed_unsafe().reveal() == seed
    assert reopened.account_key((0x80000054, 0x80000000, 0x80000000)).serialize(
        0x0488B21E
    ) == keystore.account_key((0x80000054, 0x80000000, 0x80000000)).serialize(0x0488B21E)
    with pytest.raises(NoMnemonic):
        reopened.reveal_mnemonic_unsafe()
    with pytest.raises(NoMnemonic):
        _ = reopened.mnemonic_word_count
    assert not reopened.matches(parse_mnemonic(ABANDON))
    assert "ffeedd" not in repr(reopened)


@pytest.mark.parametrize("size", [0, 15, 65])
def test_a_seed_of_the_wrong_size_is_refused(size: int) -> None:
    with pytest.raises(InvalidMasterSeed, match="16 to 64 bytes"):
        Keystore.from_master_seed(SecretBytes(bytes(size)))
