"""PSBT codec and roles: BIP-174, BIP-370 and BIP-371 vectors, constructors, property tests."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import primitives.psbt as psbt_module
import primitives.psbt_roles as roles
from keystore.bip32 import HARDENED, ExtendedPrivateKey, parse_path
from primitives.base58 import b58check_decode
from primitives.hashes import hash160
from primitives.psbt import (
    KeySource,
    Psbt,
    PsbtDecodeError,
    PsbtDuplicateKey,
    PsbtError,
    PsbtInput,
    PsbtLocktimeConflict,
    PsbtOutput,
    PsbtUtxoMismatch,
    TapKeySource,
)
from primitives.psbt_roles import (
    PsbtCombineError,
    PsbtExtractError,
    PsbtFinalizeError,
    PsbtSignerCheckFailed,
    combine,
    extract,
    finalize,
    spend_info,
)
from primitives.script import p2sh_script, p2wpkh_script
from primitives.secp256k1 import ecdsa_sign
from primitives.sighash import SighashCache
from primitives.tx import OutPoint, Transaction, TxIn, TxOut

VECTORS = Path(__file__).parents[1] / "vectors"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text())
    assert data["source"]
    return data


BIP174 = _load("bip174.json")
BIP370 = _load("bip370.json")
BIP371 = _load("bip371.json")
INVALID = [(f"bip174: {c['name']}", c) for c in BIP174["invalid"]]
INVALID += [(f"bip370: {c['name']}", c) for c in BIP370["invalid"]]
INVALID += [(f"bip371: {c['name']}", c) for c in BIP371["invalid"]]
VALID = [(f"bip174: {c['name']}", c) for c in BIP174["valid"] + BIP174["signer_checks"]]
VALID += [(f"bip370: {c['name']}", c) for c in BIP370["valid"] + BIP370["locktime"]]
VALID += [(f"bip371: {c['name']}", c) for c in BIP371["valid"]]
WORKFLOW = BIP174["workflow"]


def _error_class(name: str) -> type[PsbtError]:
    cls = getattr(psbt_module, name, None) or getattr(roles, name)
    assert issubclass(cls, PsbtError)
    return cls  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "case"), INVALID, ids=[n for n, _ in INVALID])
def test_invalid_vectors_raise_the_specific_error(name: str, case: dict[str, Any]) -> None:
    expected = _error_class(case["error"])
    with pytest.raises(expected) as info:
        Psbt.parse(bytes.fromhex(case["hex"]))
    assert type(info.value) is expected
    assert str(info.value).startswith("PSBT ")


@pytest.mark.parametrize(("name", "case"), VALID, ids=[n for n, _ in VALID])
def test_valid_vectors_round_trip_byte_for_byte(name: str, case: dict[str, Any]) -> None:
    raw = bytes.fromhex(case["hex"])
    psbt = Psbt.parse(raw)
    assert psbt.serialize() == raw
    if case.get("base64"):
        assert Psbt.from_base64(case["base64"]).serialize() == raw
        assert psbt.to_base64() == case["base64"]
    # Canonical order (no memory of the parsed order) is Bitcoin Core's for every vector.
    fresh = replace(
        psbt,
        key_order=(),
        inputs=tuple(replace(i, key_order=()) for i in psbt.inputs),
        outputs=tuple(replace(o, key_order=()) for o in psbt.outputs),
    )
    assert fresh.serialize() == raw
    if case.get("locktime", 0) is None:
        with pytest.raises(PsbtLocktimeConflict):
            psbt.to_v0()
    else:
        assert Psbt.parse(psbt.to_v2().serialize()).to_v0() == psbt.to_v0()


@pytest.mark.parametrize("case", BIP174["signer_checks"], ids=lambda c: c["name"])
def test_bip174_signer_checks_fail(case: dict[str, Any]) -> None:
    psbt = Psbt.parse(bytes.fromhex(case["hex"]))
    with pytest.raises(PsbtSignerCheckFailed) as info:
        spend_info(psbt, case["input"])
    assert info.value.index == case["input"]
    for other in range(len(psbt.inputs)):
        if other != case["input"]:
            spend_info(psbt, other)


@pytest.mark.parametrize("case", BIP370["locktime"], ids=lambda c: c["name"])
def test_bip370_locktime_determination(case: dict[str, Any]) -> None:
    psbt = Psbt.parse(bytes.fromhex(case["hex"]))
    if case["locktime"] is None:
        with pytest.raises(PsbtLocktimeConflict):
            psbt.compute_locktime()
        with pytest.raises(PsbtLocktimeConflict):
            psbt.unsigned_tx()
    else:
        assert psbt.compute_locktime() == case["locktime"]
        assert psbt.unsigned_tx().locktime == case["locktime"]
        assert psbt.to_v0().fallback_locktime == case["locktime"]


def test_bip371_taproot_fields_are_parsed() -> None:
    cases = {c["name"]: Psbt.parse(bytes.fromhex(c["hex"])) for c in BIP371["valid"]}
    signed = cases[
        "PSBT with one P2TR key only input with internal key, its derivation path, and signature"
    ]
    inp = signed.inputs[0]
    assert inp.tap_key_sig is not None
    assert len(inp.tap_key_sig) == 64
    assert inp.tap_internal_key in inp.tap_bip32_derivations
    assert inp.tap_bip32_derivations[inp.tap_internal_key].leaf_hashes == ()
    tree = next(p for n, p in cases.items() if "taproot tree" in n)
    leaves = tree.outputs[0].tap_tree
    assert leaves
    assert all(leaf.leaf_version == 0xC0 for leaf in leaves)
    scripts = next(p for n, p in cases.items() if "script path signatures" in n).inputs[0]
    assert scripts.tap_script_sigs
    assert scripts.tap_leaf_scripts
    assert scripts.tap_merkle_root


# -- the BIP-174 role workflow ------------------------------------------------------------------


def _master() -> ExtendedPrivateKey:
    return ExtendedPrivateKey.parse(WORKFLOW["master_tprv"])


def _created() -> Psbt:
    inputs = tuple(
        TxIn(OutPoint(bytes.fromhex(i["txid"])[::-1], i["vout"])) for i in WORKFLOW["inputs"]
    )
    outputs = tuple(TxOut(o["amount"], bytes.fromhex(o["script"])) for o in WORKFLOW["outputs"])
    return Psbt.from_unsigned_tx(Transaction(2, inputs, outputs, 0))


def _updated() -> Psbt:
    psbt = _created()
    fingerprint = _master().fingerprint
    origins = {
        bytes.fromhex(k["pubkey"]): KeySource(fingerprint, parse_path(k["path"]))
        for k in WORKFLOW["keys"]
    }
    prevs = {
        t.txid_bytes: t
        for t in map(Transaction.parse, map(bytes.fromhex, WORKFLOW["previous_txs"]))
    }
    redeems = {hash160(s): s for s in map(bytes.fromhex, WORKFLOW["redeem_scripts"])}
    witness_scripts = list(map(bytes.fromhex, WORKFLOW["witness_scripts"]))
    inputs = []
    for inp in psbt.inputs:
        prev = prevs[inp.prevout.txid]
        spent = prev.outputs[inp.prevout.vout]
        redeem = redeems[spent.script_pubkey[2:22]]
        segwit = redeem[:2] == b"\x00\x20"
        script = witness_scripts[0] if segwit else redeem
        keys = {k: v for k, v in origins.items() if k in script}
        inputs.append(
            replace(
                inp,
                non_witness_utxo=None if segwit else prev,
                witness_utxo=spent if segwit else None,
                redeem_script=redeem,
                witness_script=script if segwit else None,
                bip32_derivations=keys,
            )
        )
    outputs = []
    for out in psbt.outputs:
        keys = {k: v for k, v in origins.items() if p2wpkh_script(hash160(k)) == out.script}
        outputs.append(replace(out, bip32_derivations=keys))
    return replace(psbt, inputs=tuple(inputs), outputs=tuple(outputs))


def _with_sighash_all(psbt: Psbt) -> Psbt:
    return replace(psbt, inputs=tuple(replace(i, sighash_type=1) for i in psbt.inputs))


def _sign_with(psbt: Psbt, wifs: list[str]) -> Psbt:
    """A minimal Signer for the vectors' multisig inputs, from primitives alone."""
    secrets = [b58check_decode(w)[1:33] for w in wifs]
    cache = SighashCache(psbt.unsigned_tx(), psbt.spent_outputs())
    inputs = list(psbt.inputs)
    for index, inp in enumerate(psbt.inputs):
        info = spend_info(psbt, index)
        for pubkey in inp.bip32_derivations:
            for secret in secrets:
                if ExtendedPrivateKey(secret, bytes(32)).public_key != pubkey:
                    continue
                if info.witness_version is None:
                    digest = cache.legacy(index, info.script_code, 1)
                else:
                    digest = cache.segwit_v0(index, info.script_code, info.spent.value, 1)
                # The vectors use plain RFC 6979, without low-R grinding.
                sig = ecdsa_sign(secret, digest, pubkey, grind=False) + b"\x01"
                inputs[index] = replace(
                    inputs[index], partial_sigs={**inputs[index].partial_sigs, pubkey: sig}
                )
    return replace(psbt, inputs=tuple(inputs))


def test_bip174_creator() -> None:
    assert _created().serialize().hex() == WORKFLOW["creator"]


def test_bip174_updater() -> None:
    assert _updated().serialize().hex() == WORKFLOW["updater"]
    assert _with_sighash_all(_updated()).serialize().hex() == WORKFLOW["updater_sighash_all"]


@pytest.mark.parametrize("signer", ["signer_1", "signer_2"])
def test_bip174_signers(signer: str) -> None:
    keys = [k["wif"] for k in WORKFLOW[f"{signer}_keys"]]
    psbt = Psbt.parse(bytes.fromhex(WORKFLOW["updater_sighash_all"]))
    assert _sign_with(psbt, keys).serialize().hex() == WORKFLOW[signer]


def test_bip174_combiner_finalizer_extractor() -> None:
    first, second = (Psbt.parse(bytes.fromhex(WORKFLOW[k])) for k in ("signer_1", "signer_2"))
    combined = combine([first, second])
    assert combined.serialize().hex() == WORKFLOW["combined"]
    assert combine([second, first]).serialize().hex() == WORKFLOW["combined"]
    finalized = finalize(combined)
    assert finalized.serialize().hex() == WORKFLOW["finalized"]
    assert extract(finalized).serialize().hex() == WORKFLOW["extracted_tx"]


def test_bip174_lexicographic_combiner_keeps_unknown_records() -> None:
    first, second = (Psbt.parse(bytes.fromhex(WORKFLOW[k])) for k in ("unknown_1", "unknown_2"))
    assert combine([first, second]).serialize().hex() == WORKFLOW["lexicographic_combined"]


def test_finalizer_and_extractor_refuse_what_is_missing() -> None:
    one_sig = Psbt.parse(bytes.fromhex(WORKFLOW["signer_1"]))
    with pytest.raises(PsbtFinalizeError) as info:
        finalize(one_sig)
    assert "1 of the 2 signatures" in str(info.value)
    partial = finalize(one_sig, partial=True)
    assert not any(i.is_finalized for i in partial.inputs)
    with pytest.raises(PsbtExtractError):
        extract(partial)
    wrong_type = replace(
        one_sig, inputs=(replace(one_sig.inputs[0], sighash_type=0x81), *one_sig.inputs[1:])
    )
    with pytest.raises(PsbtFinalizeError, match="sighash"):
        roles.finalize_input(wrong_type, 0)


def test_combiner_refuses_psbts_of_different_transactions() -> None:
    a = Psbt.parse(bytes.fromhex(WORKFLOW["creator"]))
    b = Psbt.parse(bytes.fromhex(WORKFLOW["unknown_1"]))
    with pytest.raises(PsbtCombineError):
        combine([a, b])
    with pytest.raises(PsbtCombineError):
        combine([])


# -- specific refusals --------------------------------------------------------------------------


def _valid(name_part: str) -> bytes:
    case = next(c for c in BIP174["valid"] if name_part in c["name"])
    return bytes.fromhex(case["hex"])


def test_non_witness_utxo_must_be_the_spent_transaction() -> None:
    psbt = Psbt.parse(_valid("one P2PKH input. Outputs are empty"))
    nwu = psbt.inputs[0].non_witness_utxo
    assert nwu is not None
    other = nwu.replace(locktime=nwu.locktime + 1)
    tampered = psbt.with_input(0, replace(psbt.inputs[0], non_witness_utxo=other))
    with pytest.raises(PsbtUtxoMismatch) as info:
        Psbt.parse(tampered.serialize())
    assert info.value.index == 0
    wrong_wu = replace(psbt.inputs[0], witness_utxo=TxOut(1, b"\x51"))
    with pytest.raises(PsbtUtxoMismatch):
        Psbt.parse(psbt.with_input(0, wrong_wu).serialize())


def test_duplicate_key_in_global_map() -> None:
    raw = _valid("one P2PKH input. Outputs are empty")
    psbt = Psbt.parse(raw)
    unsigned = psbt.unsigned_tx().serialize()
    record = b"\x01\x00" + bytes([len(unsigned)]) + unsigned
    duplicated = raw[:5] + record + raw[5:]
    with pytest.raises(PsbtDuplicateKey):
        Psbt.parse(duplicated)


def test_proprietary_and_unknown_records_survive_signing_and_reordering() -> None:
    psbt = Psbt.parse(_valid("one P2PKH input. Outputs are empty"))
    proprietary = b"\xfc\x06coffer\x01\x02"
    unknown = {proprietary: b"value", b"\xf5\x01": b"x"}
    extended = replace(
        psbt,
        unknown=unknown,
        inputs=(replace(psbt.inputs[0], unknown=unknown, sighash_type=1),),
    )
    again = Psbt.parse(extended.serialize())
    assert again.unknown == unknown
    assert again.inputs[0].unknown == unknown
    assert again.serialize() == extended.serialize()
    with pytest.raises(psbt_module.PsbtInvalidKey):
        Psbt.parse(
            replace(psbt, unknown={b"\xfc\x09ab": b""}).serialize()
        )  # identifier runs past the key


def test_base64_and_text_inputs() -> None:
    raw = _valid("one P2PKH input. Outputs are empty")
    text = base64.b64encode(raw).decode()
    assert Psbt.from_text_or_bytes(text).serialize() == raw
    assert Psbt.from_text_or_bytes(text.encode()).serialize() == raw
    with pytest.raises(PsbtDecodeError):
        Psbt.from_base64("not base64!")
    with pytest.raises(PsbtDecodeError):
        Psbt.from_text_or_bytes(b"\xff\xfe")


# -- constructors and conversions ---------------------------------------------------------------


def _funding(script: bytes, amount: int) -> Transaction:
    return Transaction(2, (TxIn(OutPoint(b"\x07" * 32, 1)),), (TxOut(amount, script),))


def test_create_v2_round_trip_conversion_and_identity() -> None:
    script = p2wpkh_script(b"\x01" * 20)
    prev = _funding(script, 10_000)
    origin = KeySource(b"\x01\x02\x03\x04", (84 + HARDENED, HARDENED, HARDENED, 0, 0))
    pubkey = ExtendedPrivateKey(b"\x11" * 32, bytes(32)).public_key
    inp = PsbtInput(
        prev.outpoint(0),
        sequence=0xFFFFFFFD,
        non_witness_utxo=prev,
        witness_utxo=prev.outputs[0],
        bip32_derivations={pubkey: origin},
        required_height_locktime=800_000,
    )
    out = PsbtOutput(9_000, p2sh_script(b"\x02" * 20), bip32_derivations={pubkey: origin})
    v2 = Psbt.create_v2([inp], [out], fallback_locktime=5, tx_modifiable=0b011)
    assert Psbt.parse(v2.serialize()) == v2
    assert v2.compute_locktime() == 800_000
    assert v2.fee() == 1_000
    v0 = v2.to_v0()
    assert v0.version == 0
    assert v0.fallback_locktime == 800_000
    assert Psbt.parse(v0.serialize()).unsigned_tx().txid == v2.unsigned_tx().txid
    assert v0.unique_id() == v2.unsigned_tx().txid
    assert v2.unique_id() != v0.unique_id()  # v2 identity zeroes the sequences
    assert Psbt.parse(v0.to_v2().serialize()).unsigned_tx() == v0.unsigned_tx()
    with pytest.raises(psbt_module.PsbtFieldNotAllowed):
        Psbt(0, 2, 0, (inp,), (out,))
    with pytest.raises(psbt_module.PsbtInvalidValue):
        Psbt.from_unsigned_tx(Transaction(2, (TxIn(prev.outpoint(0), b"\x51"),), (), 0))


def test_tap_key_sources_round_trip() -> None:
    script = b"\x51\x20" + b"\x03" * 32
    prev = _funding(script, 5_000)
    origin = TapKeySource((b"\x09" * 32,), KeySource(b"\xaa" * 4, (86 + HARDENED, 1, 2)))
    inp = PsbtInput(
        prev.outpoint(0),
        witness_utxo=prev.outputs[0],
        tap_bip32_derivations={b"\x04" * 32: origin},
        tap_internal_key=b"\x04" * 32,
        tap_key_sig=b"\x05" * 65,
    )
    psbt = Psbt.from_unsigned_tx(
        Transaction(2, (TxIn(prev.outpoint(0)),), (TxOut(4_000, script),))
    ).with_input(0, replace(inp, sequence=0xFFFFFFFF))
    assert Psbt.parse(psbt.serialize()) == psbt


# -- property tests -----------------------------------------------------------------------------

SEEDS = [bytes.fromhex(c["hex"]) for _, c in VALID]


def _parse_or_psbt_error(data: bytes) -> Psbt | None:
    try:
        return Psbt.parse(data)
    except PsbtError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_raise_only_psbt_errors(data: bytes) -> None:
    _parse_or_psbt_error(data)
    _parse_or_psbt_error(b"psbt\xff" + data)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.tuples(st.sampled_from(["flip", "cut", "insert", "drop"]), st.integers(0, 2**16)),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 255),
)
def test_mutated_vectors_raise_only_psbt_errors(
    seed: bytes, edits: list[tuple[str, int]], byte: int
) -> None:
    data = bytearray(seed)
    for kind, where in edits:
        pos = 5 + where % max(1, len(data) - 5)
        if kind == "flip" and pos < len(data):
            data[pos] ^= byte or 1
        elif kind == "cut":
            del data[pos:]
        elif kind == "insert":
            data[pos:pos] = bytes([byte])
        elif pos < len(data):
            del data[pos]
    parsed = _parse_or_psbt_error(bytes(data))
    if parsed is not None:
        # Whatever parses serialises back to bytes that parse to the same PSBT.
        assert Psbt.parse(parsed.serialize()) == parsed
        assert parsed.serialize() == bytes(data)


_keys = st.binary(min_size=1, max_size=6).map(lambda k: b"\xf0" + k)
_origin = st.builds(
    KeySource,
    st.binary(min_size=4, max_size=4),
    st.lists(st.integers(0, 2**32 - 1), max_size=5).map(tuple),
)
_pubkeys = st.integers(1, 2**200).map(
    lambda n: ExtendedPrivateKey(n.to_bytes(32, "big"), bytes(32)).public_key
)


@st.composite
def _psbts(draw: st.DrawFn) -> Psbt:
    n_in = draw(st.integers(0, 3))
    inputs = []
    for _i in range(n_in):
        script = draw(st.binary(max_size=40))
        prev = _funding(script, draw(st.integers(0, 2**40)))
        inputs.append(
            PsbtInput(
                OutPoint(prev.txid_bytes, 0),
                sequence=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
                non_witness_utxo=draw(st.sampled_from([None, prev])),
                witness_utxo=draw(st.sampled_from([None, prev.outputs[0]])),
                sighash_type=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
                redeem_script=draw(st.one_of(st.none(), st.binary(max_size=30))),
                bip32_derivations=draw(st.dictionaries(_pubkeys, _origin, max_size=2)),
                final_script_witness=draw(
                    st.one_of(st.none(), st.lists(st.binary(max_size=10), max_size=3).map(tuple))
                ),
                required_height_locktime=draw(st.one_of(st.none(), st.integers(1, 499_999_999))),
                tap_key_sig=draw(st.one_of(st.none(), st.binary(min_size=64, max_size=65))),
                tap_internal_key=draw(st.one_of(st.none(), st.binary(min_size=32, max_size=32))),
                unknown=draw(st.dictionaries(_keys, st.binary(max_size=8), max_size=2)),
            )
        )
    outputs = [
        PsbtOutput(
            draw(st.integers(-(2**63), 2**63 - 1)),
            draw(st.binary(max_size=40)),
            bip32_derivations=draw(st.dictionaries(_pubkeys, _origin, max_size=1)),
            unknown=draw(st.dictionaries(_keys, st.binary(max_size=8), max_size=2)),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return Psbt.create_v2(
        inputs,
        outputs,
        tx_version=draw(st.integers(-(2**31), 2**31 - 1)),
        fallback_locktime=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
        tx_modifiable=draw(st.one_of(st.none(), st.integers(0, 255))),
    )


@settings(max_examples=200, deadline=None)
@given(_psbts())
def test_built_psbts_round_trip(psbt: Psbt) -> None:
    raw = psbt.serialize()
    assert Psbt.parse(raw) == psbt
    assert Psbt.parse(raw).serialize() == raw
    assert Psbt.from_base64(psbt.to_base64()) == psbt
    if all(i.required_height_locktime is None for i in psbt.inputs):
        v0 = psbt.to_v0()
        assert Psbt.parse(v0.serialize()) == v0
