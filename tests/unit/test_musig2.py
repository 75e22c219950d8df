"""BIP-327 MuSig2 and BIP-328 synthetic xpubs, held to the official vectors."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest

from keystore.bip32 import ExtendedPublicKey
from primitives.musig2 import (
    MUSIG_CHAIN_CODE,
    InvalidContribution,
    MusigError,
    SecretNonce,
    SessionContext,
    derive_child,
    deterministic_sign,
    individual_pk,
    key_agg,
    key_agg_context,
    key_sort,
    nonce_agg,
    nonce_gen,
    nonce_gen_with_rand_unsafe,
    partial_sig_agg,
    partial_sig_verify,
    partial_sig_verify_internal,
    sign,
    synthetic_xpub,
    synthetic_xpub_string,
)
from primitives.secp256k1 import schnorr_verify, taproot_output_key, taproot_tweak

VECTORS = Path(__file__).parents[1] / "vectors" / "musig2"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text())
    return data


def _hexes(items: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in items]


def _check_error(err: Exception, expected: dict[str, Any]) -> None:
    """Assert that ``err`` is the error a vector names (BIP-327 ``get_error_details``)."""
    if expected["type"] == "invalid_contribution":
        assert isinstance(err, InvalidContribution)
        assert err.signer == expected["signer"]
        if "contrib" in expected:
            assert err.contrib == expected["contrib"]
    else:
        assert expected["type"] == "value"
        assert isinstance(err, MusigError)
        assert not isinstance(err, InvalidContribution)
        assert str(err) == expected["message"]


KEY_SORT = _load("key_sort_vectors.json")
KEY_AGG = _load("key_agg_vectors.json")
BIP328 = _load("bip328_vectors.json")
NONCE_GEN = _load("nonce_gen_vectors.json")
NONCE_AGG = _load("nonce_agg_vectors.json")
SIGN_VERIFY = _load("sign_verify_vectors.json")
TWEAK = _load("tweak_vectors.json")
DET_SIGN = _load("det_sign_vectors.json")
SIG_AGG = _load("sig_agg_vectors.json")


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c.get("comment", str(i)) for i, c in enumerate(cases)]


def _maybe(case: dict[str, Any], key: str) -> bytes | None:
    return None if case[key] is None else bytes.fromhex(case[key])


def test_key_sort() -> None:
    assert key_sort(_hexes(KEY_SORT["pubkeys"])) == _hexes(KEY_SORT["sorted_pubkeys"])


@pytest.mark.parametrize(
    "case", KEY_AGG["valid_test_cases"], ids=lambda c: ",".join(map(str, c["key_indices"]))
)
def test_key_agg_valid(case: dict[str, Any]) -> None:
    keys = _hexes(KEY_AGG["pubkeys"])
    pubkeys = [keys[i] for i in case["key_indices"]]
    aggregate = key_agg(pubkeys)
    assert len(aggregate) == 33
    assert aggregate[1:] == bytes.fromhex(case["expected"])
    assert key_agg_context(pubkeys).xonly == bytes.fromhex(case["expected"])


@pytest.mark.parametrize("case", KEY_AGG["error_test_cases"], ids=lambda c: c["comment"])
def test_key_agg_errors(case: dict[str, Any]) -> None:
    keys = _hexes(KEY_AGG["pubkeys"])
    tweaks = _hexes(KEY_AGG["tweaks"])
    with pytest.raises(MusigError) as info:
        key_agg_context(
            [keys[i] for i in case["key_indices"]],
            [tweaks[i] for i in case["tweak_indices"]],
            case["is_xonly"],
        )
    _check_error(info.value, case["error"])


def test_key_agg_refuses_empty_list() -> None:
    with pytest.raises(MusigError):
        key_agg([])


@pytest.mark.parametrize("case", BIP328["test_cases"], ids=lambda c: c["aggregate_pubkey"][:8])
def test_bip328_synthetic_xpub(case: dict[str, Any]) -> None:
    aggregate = key_agg(_hexes(case["keys"]))
    assert aggregate.hex() == case["aggregate_pubkey"]
    assert synthetic_xpub(aggregate) == (MUSIG_CHAIN_CODE, aggregate)
    assert synthetic_xpub_string(aggregate) == case["xpub"]
    parsed, _version = ExtendedPublicKey.parse(case["xpub"])
    assert (parsed.chain_code, parsed.public_key) == synthetic_xpub(aggregate)


def test_bip328_chain_code_is_sha256_of_its_text() -> None:
    from primitives.hashes import sha256

    assert sha256(b"MuSig2MuSig2MuSig2") == MUSIG_CHAIN_CODE


def test_synthetic_xpub_refuses_non_points() -> None:
    with pytest.raises(MusigError):
        synthetic_xpub(bytes(33))


@pytest.mark.parametrize("case", NONCE_GEN["test_cases"], ids=_ids(NONCE_GEN["test_cases"]))
def test_nonce_gen(case: dict[str, Any]) -> None:
    secnonce, pubnonce = nonce_gen_with_rand_unsafe(
        bytes.fromhex(case["rand_"]),
        bytes.fromhex(case["pk"]),
        secret=_maybe(case, "sk"),
        aggpk=_maybe(case, "aggpk"),
        msg=_maybe(case, "msg"),
        extra_in=_maybe(case, "extra_in"),
    )
    assert secnonce.reveal_for_storage() == bytes.fromhex(case["expected_secnonce"])
    assert pubnonce == bytes.fromhex(case["expected_pubnonce"])


@pytest.mark.parametrize(
    "case", NONCE_AGG["valid_test_cases"], ids=_ids(NONCE_AGG["valid_test_cases"])
)
def test_nonce_agg_valid(case: dict[str, Any]) -> None:
    pnonces = _hexes(NONCE_AGG["pnonces"])
    got = nonce_agg([pnonces[i] for i in case["pnonce_indices"]])
    assert got == bytes.fromhex(case["expected"])


@pytest.mark.parametrize(
    "case", NONCE_AGG["error_test_cases"], ids=_ids(NONCE_AGG["error_test_cases"])
)
def test_nonce_agg_errors(case: dict[str, Any]) -> None:
    pnonces = _hexes(NONCE_AGG["pnonces"])
    with pytest.raises(MusigError) as info:
        nonce_agg([pnonces[i] for i in case["pnonce_indices"]])
    _check_error(info.value, case["error"])


def test_sign_verify_fixture_consistency() -> None:
    data = SIGN_VERIFY
    assert individual_pk(bytes.fromhex(data["sk"])).hex().upper() == data["pubkeys"][0]
    pnonce = _hexes(data["pnonces"])
    aggnonces = _hexes(data["aggnonces"])
    assert nonce_agg(pnonce[0:3]) == aggnonces[0]
    assert nonce_agg([pnonce[0], pnonce[3]]) == aggnonces[1] == bytes(66)


@pytest.mark.parametrize(
    "case", SIGN_VERIFY["valid_test_cases"], ids=_ids(SIGN_VERIFY["valid_test_cases"])
)
def test_sign_valid(case: dict[str, Any]) -> None:
    data = SIGN_VERIFY
    keys, pnonce = _hexes(data["pubkeys"]), _hexes(data["pnonces"])
    pubkeys = [keys[i] for i in case["key_indices"]]
    pubnonces = [pnonce[i] for i in case["nonce_indices"]]
    aggnonce = _hexes(data["aggnonces"])[case["aggnonce_index"]]
    assert nonce_agg(pubnonces) == aggnonce
    msg = _hexes(data["msgs"])[case["msg_index"]]
    session = SessionContext(aggnonce, tuple(pubkeys), (), (), msg)
    secnonce = SecretNonce(bytes.fromhex(data["secnonces"][0]))
    expected = bytes.fromhex(case["expected"])
    assert sign(secnonce, bytes.fromhex(data["sk"]), session) == expected
    assert partial_sig_verify(expected, pubnonces, pubkeys, [], [], msg, case["signer_index"])
    # The nonce was wiped: a second signature with it is refused.
    assert secnonce.consumed
    with pytest.raises(MusigError, match="out of range"):
        sign(secnonce, bytes.fromhex(data["sk"]), session)


@pytest.mark.parametrize(
    "case", SIGN_VERIFY["sign_error_test_cases"], ids=_ids(SIGN_VERIFY["sign_error_test_cases"])
)
def test_sign_errors(case: dict[str, Any]) -> None:
    data = SIGN_VERIFY
    keys = _hexes(data["pubkeys"])
    session = SessionContext(
        _hexes(data["aggnonces"])[case["aggnonce_index"]],
        tuple(keys[i] for i in case["key_indices"]),
        (),
        (),
        _hexes(data["msgs"])[case["msg_index"]],
    )
    secnonce = SecretNonce(bytes.fromhex(data["secnonces"][case["secnonce_index"]]))
    with pytest.raises(MusigError) as info:
        sign(secnonce, bytes.fromhex(data["sk"]), session)
    _check_error(info.value, case["error"])


@pytest.mark.parametrize(
    "case",
    SIGN_VERIFY["verify_fail_test_cases"],
    ids=_ids(SIGN_VERIFY["verify_fail_test_cases"]),
)
def test_verify_fail(case: dict[str, Any]) -> None:
    data = SIGN_VERIFY
    keys, pnonce = _hexes(data["pubkeys"]), _hexes(data["pnonces"])
    assert not partial_sig_verify(
        bytes.fromhex(case["sig"]),
        [pnonce[i] for i in case["nonce_indices"]],
        [keys[i] for i in case["key_indices"]],
        [],
        [],
        _hexes(data["msgs"])[case["msg_index"]],
        case["signer_index"],
    )


@pytest.mark.parametrize(
    "case",
    SIGN_VERIFY["verify_error_test_cases"],
    ids=_ids(SIGN_VERIFY["verify_error_test_cases"]),
)
def test_verify_errors(case: dict[str, Any]) -> None:
    data = SIGN_VERIFY
    keys, pnonce = _hexes(data["pubkeys"]), _hexes(data["pnonces"])
    with pytest.raises(MusigError) as info:
        partial_sig_verify(
            bytes.fromhex(case["sig"]),
            [pnonce[i] for i in case["nonce_indices"]],
            [keys[i] for i in case["key_indices"]],
            [],
            [],
            _hexes(data["msgs"])[case["msg_index"]],
            case["signer_index"],
        )
    _check_error(info.value, case["error"])


def _tweak_session(case: dict[str, Any]) -> tuple[SessionContext, list[bytes]]:
    keys, tweaks = _hexes(TWEAK["pubkeys"]), _hexes(TWEAK["tweaks"])
    session = SessionContext(
        bytes.fromhex(TWEAK["aggnonce"]),
        tuple(keys[i] for i in case["key_indices"]),
        tuple(tweaks[i] for i in case["tweak_indices"]),
        tuple(case["is_xonly"]),
        bytes.fromhex(TWEAK["msg"]),
    )
    pnonce = _hexes(TWEAK["pnonces"])
    return session, [pnonce[i] for i in case["nonce_indices"]]


@pytest.mark.parametrize("case", TWEAK["valid_test_cases"], ids=_ids(TWEAK["valid_test_cases"]))
def test_tweak_valid(case: dict[str, Any]) -> None:
    session, pubnonces = _tweak_session(case)
    assert nonce_agg(_hexes(TWEAK["pnonces"])[0:3]) == session.aggnonce
    expected = bytes.fromhex(case["expected"])
    secnonce = SecretNonce(bytes.fromhex(TWEAK["secnonce"]))
    assert sign(secnonce, bytes.fromhex(TWEAK["sk"]), session) == expected
    assert partial_sig_verify(
        expected,
        pubnonces,
        session.pubkeys,
        session.tweaks,
        session.is_xonly,
        session.msg,
        case["signer_index"],
    )


@pytest.mark.parametrize("case", TWEAK["error_test_cases"], ids=_ids(TWEAK["error_test_cases"]))
def test_tweak_errors(case: dict[str, Any]) -> None:
    session, _ = _tweak_session(case)
    secnonce = SecretNonce(bytes.fromhex(TWEAK["secnonce"]))
    with pytest.raises(MusigError) as info:
        sign(secnonce, bytes.fromhex(TWEAK["sk"]), session)
    _check_error(info.value, case["error"])


def _det_args(case: dict[str, Any]) -> tuple[Any, ...]:
    keys = _hexes(DET_SIGN["pubkeys"])
    return (
        bytes.fromhex(DET_SIGN["sk"]),
        bytes.fromhex(case["aggothernonce"]),
        [keys[i] for i in case["key_indices"]],
        _hexes(case["tweaks"]),
        case["is_xonly"],
        _hexes(DET_SIGN["msgs"])[case["msg_index"]],
        _maybe(case, "rand"),
    )


@pytest.mark.parametrize(
    "case", DET_SIGN["valid_test_cases"], ids=_ids(DET_SIGN["valid_test_cases"])
)
def test_det_sign_valid(case: dict[str, Any]) -> None:
    args = _det_args(case)
    pubnonce, psig = deterministic_sign(*args)
    assert [pubnonce, psig] == _hexes(case["expected"])
    _sk, other, pubkeys, tweaks, is_xonly, msg, _rand = args
    session = SessionContext(
        nonce_agg([other, pubnonce]), tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg
    )
    assert partial_sig_verify_internal(psig, pubnonce, pubkeys[case["signer_index"]], session)


@pytest.mark.parametrize(
    "case", DET_SIGN["error_test_cases"], ids=_ids(DET_SIGN["error_test_cases"])
)
def test_det_sign_errors(case: dict[str, Any]) -> None:
    with pytest.raises(MusigError) as info:
        deterministic_sign(*_det_args(case))
    _check_error(info.value, case["error"])


def _sig_agg_session(case: dict[str, Any], aggnonce: bytes) -> tuple[SessionContext, list[bytes]]:
    keys, tweaks, psigs = (
        _hexes(SIG_AGG["pubkeys"]),
        _hexes(SIG_AGG["tweaks"]),
        _hexes(SIG_AGG["psigs"]),
    )
    session = SessionContext(
        aggnonce,
        tuple(keys[i] for i in case["key_indices"]),
        tuple(tweaks[i] for i in case["tweak_indices"]),
        tuple(case["is_xonly"]),
        bytes.fromhex(SIG_AGG["msg"]),
    )
    return session, [psigs[i] for i in case["psig_indices"]]


@pytest.mark.parametrize("case", SIG_AGG["valid_test_cases"], ids=_ids(SIG_AGG["valid_test_cases"]))
def test_sig_agg_valid(case: dict[str, Any]) -> None:
    pnonce = _hexes(SIG_AGG["pnonces"])
    aggnonce = bytes.fromhex(case["aggnonce"])
    assert nonce_agg([pnonce[i] for i in case["nonce_indices"]]) == aggnonce
    session, psigs = _sig_agg_session(case, aggnonce)
    sig = partial_sig_agg(psigs, session)
    assert sig == bytes.fromhex(case["expected"])
    aggpk = key_agg_context(session.pubkeys, session.tweaks, session.is_xonly).xonly
    assert schnorr_verify(aggpk, session.msg, sig)


@pytest.mark.parametrize("case", SIG_AGG["error_test_cases"], ids=_ids(SIG_AGG["error_test_cases"]))
def test_sig_agg_errors(case: dict[str, Any]) -> None:
    pnonce = _hexes(SIG_AGG["pnonces"])
    session, psigs = _sig_agg_session(case, nonce_agg([pnonce[i] for i in case["nonce_indices"]]))
    with pytest.raises(MusigError) as info:
        partial_sig_agg(psigs, session)
    _check_error(info.value, case["error"])


@pytest.mark.parametrize("round_", range(6))
def test_random_two_of_two_with_taproot_tweak(round_: int) -> None:
    """BIP-327's ``test_sign_and_verify_random``: fresh keys, both signing styles."""
    secrets_ = [os.urandom(32) for _ in range(2)]
    pubkeys = [individual_pk(s) for s in secrets_]
    msg = os.urandom(32)
    tweaks = (taproot_tweak(key_agg(pubkeys)[1:]),)
    aggpk = key_agg_context(pubkeys, tweaks, (True,)).xonly
    sec_1, pub_1 = nonce_gen(pubkeys[0], secret=secrets_[0], aggpk=aggpk, msg=msg)
    if round_ % 2 == 0:
        sec_2, pub_2 = nonce_gen(pubkeys[1], secret=secrets_[1], extra_in=b"x")
    else:
        pub_2, psig_2 = deterministic_sign(
            secrets_[1], nonce_agg([pub_1]), pubkeys, tweaks, [True], msg, os.urandom(32)
        )
    session = SessionContext(nonce_agg([pub_1, pub_2]), tuple(pubkeys), tweaks, (True,), msg)
    psig_1 = sign(sec_1, secrets_[0], session)
    with pytest.raises(MusigError):
        sign(sec_1, secrets_[0], session)
    assert partial_sig_verify(psig_1, [pub_1, pub_2], pubkeys, tweaks, [True], msg, 0)
    assert not partial_sig_verify(psig_1, [pub_1, pub_2], pubkeys, tweaks, [True], msg, 1)
    if round_ % 2 == 0:
        psig_2 = sign(sec_2, secrets_[1], session)
    assert partial_sig_verify(psig_2, [pub_1, pub_2], pubkeys, tweaks, [True], msg, 1)
    sig = partial_sig_agg([psig_1, psig_2], session)
    assert schnorr_verify(aggpk, msg, sig)
    assert aggpk == taproot_output_key(key_agg(pubkeys)[1:])


def test_secret_nonce_is_redacted() -> None:
    secnonce, _ = nonce_gen(individual_pk(bytes(31) + b"\x01"))
    raw = secnonce.reveal_for_storage().hex()
    for text in (repr(secnonce), str(secnonce), f"{secnonce}"):
        assert raw[:16] not in text
        assert "redacted" in text
    with pytest.raises(TypeError):
        pickle.dumps(secnonce)


@pytest.mark.parametrize("path", [(), (0,), (1, 7), (0, 2**31 - 1, 5)], ids=str)
def test_bip328_children_match_bip32_and_sign(path: tuple[int, ...]) -> None:
    """A child of the synthetic xpub is what BIP-32 derives, and MuSig2 signs for it."""
    secrets_ = [os.urandom(32) for _ in range(2)]
    pubkeys = [individual_pk(s) for s in secrets_]
    aggregate = key_agg(pubkeys)
    child, tweaks = derive_child(aggregate, path)
    xpub = ExtendedPublicKey(0, bytes(4), 0, MUSIG_CHAIN_CODE, aggregate)
    assert xpub.derive_path(path).public_key == child
    assert key_agg_context(pubkeys, tweaks, [False] * len(tweaks)).point == child
    # The taproot output of tr(musig(A,B)/path): plain tweaks, then the x-only taproot tweak.
    all_tweaks = (*tweaks, taproot_tweak(child[1:]))
    flags = (*([False] * len(tweaks)), True)
    msg = os.urandom(32)
    nonces = [nonce_gen(pk) for pk in pubkeys]
    session = SessionContext(
        nonce_agg([p for _, p in nonces]), tuple(pubkeys), all_tweaks, flags, msg
    )
    psigs = [sign(n, s, session) for (n, _), s in zip(nonces, secrets_, strict=True)]
    sig = partial_sig_agg(psigs, session)
    assert schnorr_verify(taproot_output_key(child[1:]), msg, sig)


def test_bip328_refuses_hardened_steps() -> None:
    aggregate = key_agg([individual_pk(bytes(31) + b"\x01")])
    with pytest.raises(MusigError, match="unhardened"):
        derive_child(aggregate, [2**31])
