"""Password stretching and sealing: parameters in the header, AEAD that refuses tampering."""

from __future__ import annotations

import pytest

from keystore.errors import DecryptionFailed, KeystoreError
from keystore.secrets import SecretBytes, SecretStr
from keystore.vault import (
    Kdf,
    KdfParams,
    UnknownFileFormat,
    derive_wallet_keys,
    new_salt,
    open_sealed,
    parse_salt,
    seal,
)


def test_default_kdf_meets_the_floor() -> None:
    params = KdfParams()
    assert params.kdf is Kdf.ARGON2ID
    assert (1 << params.log2_memory) * 1024 >= 64 * 1024 * 1024
    assert params.passes >= 3


@pytest.mark.parametrize(
    "params",
    [KdfParams(), KdfParams(Kdf.SCRYPT, 17, 8, 1)],
    ids=["argon2id", "scrypt"],
)
def test_salt_carries_parameters_and_keys_differ(params: KdfParams) -> None:
    salt = new_salt(params)
    assert len(salt) == 16
    assert parse_salt(salt) == params
    keys = derive_wallet_keys("correct horse", salt, params)
    again = derive_wallet_keys("correct horse", salt, params)
    other = derive_wallet_keys("correct horsf", salt, params)
    assert keys.database == again.database
    assert keys.database != other.database
    assert keys.database.reveal() != keys.sealing.reveal()
    assert "redacted" in repr(keys)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"log2_memory": 15},
        {"passes": 2},
        {"kdf": Kdf.SCRYPT, "log2_memory": 16, "passes": 8},
        {"parallelism": 0},
        {"log2_memory": 24},
        {"passes": 255},
        {"kdf": Kdf.SCRYPT, "log2_memory": 21, "passes": 8},
    ],
)
def test_weak_parameters_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(KeystoreError):
        KdfParams(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "header", [b"", b"SQLite format 3\x00", b"\x00" * 16, b"\xc0\xff\x10\x03" + b"\x00" * 12]
)
def test_foreign_headers_are_refused(header: bytes) -> None:
    with pytest.raises(UnknownFileFormat):
        parse_salt(header)


@pytest.mark.parametrize(
    ("byte", "value"), [(2, 24), (2, 21), (3, 255), (3, 11)], ids=["16GiB", "2GiB", "t255", "t11"]
)
def test_headers_asking_for_more_than_coffer_writes_are_refused(byte: int, value: int) -> None:
    header = bytearray(new_salt(KdfParams()))
    header[byte] = value
    with pytest.raises(UnknownFileFormat):
        parse_salt(bytes(header))


def test_seal_round_trip_and_tamper_detection() -> None:
    key = SecretBytes(b"k" * 32)
    sealed = seal(key, b"seed bytes", b"wallet-1")
    assert b"seed bytes" not in sealed
    assert open_sealed(key, sealed, b"wallet-1").reveal() == b"seed bytes"
    with pytest.raises(DecryptionFailed):
        open_sealed(key, sealed, b"wallet-2")
    with pytest.raises(DecryptionFailed):
        open_sealed(SecretBytes(b"j" * 32), sealed, b"wallet-1")
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        open_sealed(key, bytes(flipped), b"wallet-1")
    with pytest.raises(DecryptionFailed):
        open_sealed(key, b"short", b"wallet-1")


def test_secret_wrappers_never_show_or_pickle() -> None:
    import pickle

    for secret in (SecretBytes(b"topsecret"), SecretStr("topsecret")):
        assert "topsecret" not in repr(secret)
        assert "topsecret" not in str(secret)
        assert "topsecret" not in f"{secret}"
        with pytest.raises(TypeError):
            pickle.dumps(secret)
