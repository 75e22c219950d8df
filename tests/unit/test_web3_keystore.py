"""Web3 Secret Storage import: the specification's two vectors (PBKDF2 and scrypt), files
eth-account writes, and the clear refusals (wrong password, defective KDF, damaged file)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from keystore.secrets import SecretStr
from keystore.signers.base import SigningContext
from keystore.signers.key_signer import KeySigner
from keystore.types import EvmParams, MessageFormat, MessageRequest
from keystore.web3_keystore import DefectiveKeyFile, WrongKeyFilePassword, read_web3_keystore

SECRET = bytes.fromhex("7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d")
ADDRESS = Account.from_key(SECRET).address
PBKDF2_VECTOR: dict[str, Any] = {
    "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
        "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        "kdf": "pbkdf2",
        "kdfparams": {
            "c": 262144,
            "dklen": 32,
            "prf": "hmac-sha256",
            "salt": "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
        },
        "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
    },
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version": 3,
}
SCRYPT_VECTOR: dict[str, Any] = {
    "crypto": {
        "cipher": "aes-128-ctr",
        "cipherparams": {"iv": "83dbcc02d8ccb40e466191a123791e0e"},
        "ciphertext": "d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c",
        "kdf": "scrypt",
        "kdfparams": {
            "dklen": 32,
            "n": 262144,
            "p": 8,
            "r": 1,
            "salt": "ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19",
        },
        "mac": "2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097",
    },
    "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
    "version": 3,
}
PASSWORD = SecretStr("testpassword")


@pytest.mark.parametrize("vector", [PBKDF2_VECTOR, SCRYPT_VECTOR], ids=["pbkdf2", "scrypt"])
def test_specification_vectors(vector: dict[str, Any]) -> None:
    imported = read_web3_keystore(json.dumps(vector), PASSWORD)
    assert imported.key.reveal() == SECRET
    assert imported.address == ADDRESS
    assert SECRET.hex() not in repr(imported)


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_files_eth_account_writes(kdf: str) -> None:
    key = bytes(range(1, 33))
    document = Account.encrypt(
        key, "pässword ✓", kdf=kdf, iterations=2 if kdf == "scrypt" else 1000
    )
    document["Crypto"] = document.pop("crypto")  # geth's older capitalisation
    imported = read_web3_keystore(json.dumps(document), SecretStr("pässword ✓"))
    assert imported.key.reveal() == key
    assert imported.address == Account.from_key(key).address
    with pytest.raises(WrongKeyFilePassword, match="password does not open"):
        read_web3_keystore(json.dumps(document), SecretStr("password"))


def test_wrong_password_is_refused() -> None:
    with pytest.raises(WrongKeyFilePassword, match="password does not open this key file"):
        read_web3_keystore(json.dumps(PBKDF2_VECTOR), SecretStr("wrong"))


def _light() -> dict[str, Any]:
    document: dict[str, Any] = Account.encrypt(SECRET, "pw", kdf="scrypt", iterations=2)
    return document


def _set(document: dict[str, Any], path: tuple[str, ...], value: object) -> str:
    changed = copy.deepcopy(document)
    target = changed
    for part in path[:-1]:
        target = target[part]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(changed)


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        (("crypto", "kdf"), "argon2", "KDF 'argon2' is not scrypt or pbkdf2"),
        (("crypto", "kdfparams", "n"), 1000, "n a power of two"),
        (("crypto", "kdfparams", "n"), 0, "n a power of two"),
        (("crypto", "kdfparams", "r"), 0, "r and p"),
        (("crypto", "kdfparams", "n"), 2**24, "more than 1 GiB is refused"),
        (("crypto", "kdfparams", "n"), "4", "kdfparams.n is missing or not a int"),
        (("crypto", "kdfparams", "dklen"), 16, "derived key length 16"),
        (("crypto", "kdfparams", "salt"), "zz", "kdfparams.salt is not hex"),
        (("crypto", "kdfparams"), KeyError, "no KDF parameters"),
        (("crypto", "cipher"), "aes-256-gcm", "not aes-128-ctr"),
        (("crypto", "ciphertext"), "00", "wrong length"),
        (("crypto",), KeyError, "no 'crypto' section"),
        (("version",), 1, "not Web3 Secret Storage version 3"),
        (("address",), "0x" + "11" * 20, "names the address"),
    ],
)
def test_defective_files_are_refused_clearly(
    path: tuple[str, ...], value: object, reason: str
) -> None:
    with pytest.raises(DefectiveKeyFile, match=reason):
        read_web3_keystore(_set(_light(), path, value), SecretStr("pw"))


def test_defective_pbkdf2_parameters() -> None:
    document = Account.encrypt(SECRET, "pw", kdf="pbkdf2", iterations=10)
    with pytest.raises(DefectiveKeyFile, match="PRF other than hmac-sha256"):
        read_web3_keystore(
            _set(document, ("crypto", "kdfparams", "prf"), "hmac-sha1"), SecretStr("pw")
        )
    with pytest.raises(DefectiveKeyFile, match="10000001 rounds"):
        read_web3_keystore(
            _set(document, ("crypto", "kdfparams", "c"), 10_000_001), SecretStr("pw")
        )
    with pytest.raises(DefectiveKeyFile, match="not JSON"):
        read_web3_keystore("{", SecretStr("pw"))


def test_key_signer_signs_like_eth_account() -> None:
    signer = KeySigner(read_web3_keystore(json.dumps(_light()), SecretStr("pw")).key)
    assert signer.address == ADDRESS
    eth = EvmParams("ethereum", "Ethereum", "ETH", 1)
    request = MessageRequest(MessageFormat.EIP191, b"hi", (), ADDRESS, "ethereum")
    signed = signer.sign_message(request, SigningContext(eth, ()))
    assert signed.signature == bytes(Account.sign_message(encode_defunct(b"hi"), SECRET).signature)
    assert SECRET.hex() not in repr(signer)
