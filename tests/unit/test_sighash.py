"""Signature hashes and signatures: Bitcoin Core's legacy cases, BIP-143, BIP-341, BIP-340."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from coincurve import PrivateKey
from coincurve._libsecp256k1 import ffi, lib

import primitives.sighash as sighash_module
from chains.utxo.kernel import verify_transaction
from primitives.script import AddressParams, script_to_address
from primitives.secp256k1 import (
    InvalidPublicKey,
    SignatureVerificationFailed,
    ecdsa_sign,
    ecdsa_verify,
    is_strict_der,
    pubkey_from_secret,
    schnorr_sign,
    schnorr_sign_taproot,
    schnorr_verify,
    taproot_output_key,
)
from primitives.sighash import SighashCache, SighashError, legacy_script_code
from primitives.tx import Transaction, TxIn, TxOut

VECTORS = Path(__file__).parents[1] / "vectors"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text())
    assert data["source"]
    return data


CORE = _load("core_sighash.json")["cases"]
BIP143 = _load("bip143.json")
BIP341 = _load("bip341.json")["vectors"]
BIP340 = _load("bip340.json")["cases"]
MAINNET = AddressParams("bc", 0x00, 0x05)


@pytest.mark.parametrize(
    ("raw", "script", "index", "hash_type", "expected"),
    CORE,
    ids=[f"core-{i}" for i in range(len(CORE))],
)
def test_legacy_sighash_matches_bitcoin_core(
    raw: str, script: str, index: int, hash_type: int, expected: str
) -> None:
    tx = Transaction.parse(bytes.fromhex(raw))
    digest = SighashCache(tx).legacy(index, bytes.fromhex(script), hash_type)
    assert digest[::-1].hex() == expected


def _unsigned(case: dict[str, Any]) -> Transaction:
    if "unsigned_tx" in case:
        return Transaction.parse(bytes.fromhex(case["unsigned_tx"]))
    signed = Transaction.parse(bytes.fromhex(case["signed_tx"]))
    return signed.replace(inputs=[TxIn(i.prevout, b"", i.sequence) for i in signed.inputs])


@pytest.mark.parametrize("case", BIP143["sighash_cases"], ids=lambda c: c["name"])
def test_bip143_examples(case: dict[str, Any]) -> None:
    cache = SighashCache(_unsigned(case))
    script = bytes.fromhex(case["script_code"])
    if case["algorithm"] == "bip143":
        digest = cache.segwit_v0(case["index"], script, case["amount"], case["hash_type"])
        assert digest.hex() == case["sighash"]
    else:
        digest = cache.legacy(case["index"], script, case["hash_type"])
    if case["private_key"]:
        secret = bytes.fromhex(case["private_key"])
        der = ecdsa_sign(secret, digest, grind=False)
        assert (der + bytes([case["hash_type"]])).hex() == case["signature"]
        assert ecdsa_verify(pubkey_from_secret(secret), digest, der)


@pytest.mark.parametrize("case", BIP143["signed_transactions"], ids=lambda c: c["name"])
def test_bip143_signed_transactions_verify_in_libbitcoinkernel(case: dict[str, Any]) -> None:
    tx = Transaction.parse(bytes.fromhex(case["tx"]))
    verify_transaction(tx, [TxOut(v, bytes.fromhex(s)) for s, v in case["spent"]])


KEY_PATH = BIP341["keyPathSpending"][0]


def _bip341_cache() -> tuple[SighashCache, list[TxOut]]:
    tx = Transaction.parse(bytes.fromhex(KEY_PATH["given"]["rawUnsignedTx"]))
    spent = [
        TxOut(u["amountSats"], bytes.fromhex(u["scriptPubKey"]))
        for u in KEY_PATH["given"]["utxosSpent"]
    ]
    return SighashCache(tx, spent), spent


@pytest.mark.parametrize(
    "case", KEY_PATH["inputSpending"], ids=lambda c: f"input{c['given']['txinIndex']}"
)
def test_bip341_key_path_sighash_and_signature(case: dict[str, Any]) -> None:
    cache, spent = _bip341_cache()
    given, inter = case["given"], case["intermediary"]
    index, hash_type = given["txinIndex"], given["hashType"]
    assert cache.taproot_sigmsg(index, hash_type).hex() == inter["sigMsg"]
    digest = cache.taproot(index, hash_type)
    assert digest.hex() == inter["sigHash"]
    root = bytes.fromhex(given["merkleRoot"]) if given["merkleRoot"] else None
    secret = bytes.fromhex(given["internalPrivkey"])
    sig, output_key = schnorr_sign_taproot(secret, digest, root, aux_rand=bytes(32))
    assert output_key == spent[index].script_pubkey[2:]
    assert taproot_output_key(bytes.fromhex(inter["internalPubkey"]), root) == output_key
    witness_sig = sig + (bytes([hash_type]) if hash_type else b"")
    assert [witness_sig.hex()] == case["expected"]["witness"]
    assert schnorr_verify(output_key, digest, sig)


def test_bip341_precomputed_hashes() -> None:
    cache, _ = _bip341_cache()
    expected = KEY_PATH["intermediary"]
    prevouts, amounts, scripts, sequences, outputs = cache._taproot_hashes()
    assert prevouts.hex() == expected["hashPrevouts"]
    assert amounts.hex() == expected["hashAmounts"]
    assert scripts.hex() == expected["hashScriptPubkeys"]
    assert sequences.hex() == expected["hashSequences"]
    assert outputs.hex() == expected["hashOutputs"]


def test_bip341_fully_signed_transaction_verifies() -> None:
    _, spent = _bip341_cache()
    tx = Transaction.parse(bytes.fromhex(KEY_PATH["auxiliary"]["fullySignedTx"]))
    verify_transaction(tx, spent)


@pytest.mark.parametrize(
    "case", BIP341["scriptPubKey"], ids=lambda c: c["expected"]["bip350Address"][:16]
)
def test_bip341_output_keys_and_addresses(case: dict[str, Any]) -> None:
    internal = bytes.fromhex(case["given"]["internalPubkey"])
    root = case["intermediary"]["merkleRoot"]
    output_key = taproot_output_key(internal, bytes.fromhex(root) if root else None)
    assert output_key.hex() == case["intermediary"]["tweakedPubkey"]
    script = b"\x51\x20" + output_key
    assert script.hex() == case["expected"]["scriptPubKey"]
    assert script_to_address(script, MAINNET) == case["expected"]["bip350Address"]


@pytest.mark.parametrize("case", BIP340, ids=lambda c: f"bip340-{c['index']}")
def test_bip340_vectors(case: dict[str, Any]) -> None:
    message = bytes.fromhex(case["message"])
    sig = bytes.fromhex(case["signature"])
    pubkey = bytes.fromhex(case["public_key"])
    assert schnorr_verify(pubkey, message, sig) is case["valid"]
    if case["secret_key"] and len(message) == 32:
        secret = bytes.fromhex(case["secret_key"])
        assert schnorr_sign(secret, message, bytes.fromhex(case["aux_rand"])) == sig


# -- ECDSA as Bitcoin Core signs ------------------------------------------------------------------


def _core_sign(secret: bytes, digest: bytes) -> bytes:
    """Bitcoin Core's CKey::Sign(grind=true) restated with coincurve's public API."""
    key = PrivateKey(secret)
    sig = key.sign(digest, hasher=None)
    counter = 0
    while sig[3] == 0x21:  # R needs 33 bytes in DER: R >= 2^255 (Core's SigHasLowR fails)
        counter += 1
        extra = ffi.from_buffer(counter.to_bytes(4, "little") + bytes(28))
        sig = key.sign(
            digest, hasher=None, custom_nonce=(lib.secp256k1_nonce_function_rfc6979, extra)
        )
    return sig


def test_low_r_grinding_is_deterministic_and_as_core() -> None:
    ground = 0
    for n in range(1, 300):
        secret = n.to_bytes(32, "big")
        digest = hashlib.sha256(b"coffer %d" % n).digest()
        der = ecdsa_sign(secret, digest)
        assert der == ecdsa_sign(secret, digest)
        assert len(der) <= 70
        assert der[3] <= 0x20  # R fits 32 bytes with its high bit clear (DER drops zeros)
        assert der == _core_sign(secret, digest)
        assert ecdsa_verify(pubkey_from_secret(secret), digest, der)
        ground += der != ecdsa_sign(secret, digest, grind=False)
    assert ground > 100  # about half the first attempts have a high R


def test_ecdsa_sign_verifies_against_the_given_key() -> None:
    secret, other = (1).to_bytes(32, "big"), (2).to_bytes(32, "big")
    digest = bytes(range(32))
    assert ecdsa_sign(secret, digest, pubkey_from_secret(secret))
    with pytest.raises(SignatureVerificationFailed):
        ecdsa_sign(secret, digest, pubkey_from_secret(other))
    with pytest.raises(InvalidPublicKey):
        ecdsa_sign(secret, digest, b"\x02" + bytes(32))


def test_strict_der_rules() -> None:
    sig = bytes.fromhex(BIP143["sighash_cases"][0]["signature"])
    assert is_strict_der(sig)
    assert not is_strict_der(sig[:-2] + sig[-1:])  # length byte disagrees
    assert not is_strict_der(b"\x31" + sig[1:])
    padded = sig[:3] + bytes([sig[3] + 1]) + b"\x00" + sig[4:]
    padded = padded[:1] + bytes([padded[1] + 1]) + padded[2:]
    assert not is_strict_der(padded)  # R with an unneeded 0x00 pad
    assert not is_strict_der(b"")


# -- the cache and its refusals ----------------------------------------------------------------


def test_per_transaction_hashes_are_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    tx = Transaction.parse(bytes.fromhex(BIP143["sighash_cases"][0]["unsigned_tx"]))
    many = tx.replace(inputs=tx.inputs * 25)
    calls = 0
    real = sighash_module.sha256d

    def counting(data: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real(data)

    monkeypatch.setattr(sighash_module, "sha256d", counting)
    cache = SighashCache(many)
    script = bytes.fromhex(BIP143["sighash_cases"][0]["script_code"])
    for index in range(len(many.inputs)):
        cache.segwit_v0(index, script, 1000, 1)
    # One digest per input plus hashPrevouts, hashSequence and hashOutputs once each.
    assert calls == len(many.inputs) + 3


def test_sighash_refusals() -> None:
    cache, _ = _bip341_cache()
    with pytest.raises(SighashError):
        cache.taproot(0, 0x04)
    with pytest.raises(SighashError):
        cache.taproot(99)
    tx = cache.tx
    with pytest.raises(SighashError, match="unknown"):
        SighashCache(tx, [None] * len(tx.inputs)).taproot(0)
    with pytest.raises(SighashError):
        SighashCache(tx, [])
    single = SighashCache(tx.replace(outputs=tx.outputs[:1]), _bip341_cache()[1])
    with pytest.raises(SighashError, match="SIGHASH_SINGLE"):
        single.taproot(3, 0x03)
    assert single.legacy(3, b"", 0x03) == b"\x01" + bytes(31)  # Core's SIGHASH_SINGLE bug


def test_legacy_script_code_drops_code_separators_as_core() -> None:
    assert legacy_script_code(b"\x51\xab\x52") == b"\x02\x51\x52"
    # A push cut short: the length still counts every byte but the separator.
    assert legacy_script_code(b"\xab\x05\x01") == b"\x02\x05"
