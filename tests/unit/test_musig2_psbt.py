"""BIP-373 MuSig2 fields in the PSBT codec: the BIP's valid and invalid PSBTs, and round trips."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primitives.musig2 import key_agg
from primitives.psbt import Psbt, PsbtError
from primitives.psbt_types import PsbtInvalidKey, PsbtInvalidValue

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "musig2" / "bip373_psbt_vectors.json").read_text()
)
AGGREGATE = bytes.fromhex(VECTORS["aggregate_pubkey"])
PARTICIPANTS = tuple(bytes.fromhex(k) for k in VECTORS["participant_pubkeys"])


def _names(cases: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in cases]


def test_aggregate_of_the_vectors_participants() -> None:
    assert key_agg(PARTICIPANTS) == AGGREGATE


@pytest.mark.parametrize("case", VECTORS["valid"], ids=_names(VECTORS["valid"]))
def test_valid_vectors_round_trip_byte_for_byte(case: dict[str, Any]) -> None:
    raw = bytes.fromhex(case["hex"])
    psbt = Psbt.parse(raw)
    assert psbt.serialize() == raw
    # Every BIP-373 record was understood, none left as unknown.
    for m in (*psbt.inputs, *psbt.outputs):
        assert not any(k[0] in (0x1A, 0x1B, 0x1C) for k in m.unknown)
    maps = psbt.outputs if case["name"].startswith("Receiving") else psbt.inputs
    assert any(m.musig2_participants.get(AGGREGATE) == PARTICIPANTS for m in maps)
    # A PSBT rebuilt from the parsed fields (no remembered order) still round-trips.
    rebuilt = replace(
        psbt,
        inputs=tuple(replace(i, key_order=()) for i in psbt.inputs),
        outputs=tuple(replace(o, key_order=()) for o in psbt.outputs),
    )
    assert Psbt.parse(rebuilt.serialize()) == psbt


def test_nonces_and_partial_signatures_are_keyed_by_participant_aggregate_and_leaf() -> None:
    by_name = {c["name"]: bytes.fromhex(c["hex"]) for c in VECTORS["valid"]}
    keypath = Psbt.parse(
        by_name[
            "Spend of a Taproot output where the output key is a MuSig2 Aggregate Pubkey"
            " / With all partial signatures"
        ]
    ).inputs[0]
    assert {k[0] for k in keypath.musig2_pub_nonces} == set(PARTICIPANTS)
    assert all(k[1:] == (AGGREGATE, b"") for k in keypath.musig2_pub_nonces)
    assert all(len(v) == 66 for v in keypath.musig2_pub_nonces.values())
    assert set(keypath.musig2_partial_sigs) == set(keypath.musig2_pub_nonces)
    assert all(len(v) == 32 for v in keypath.musig2_partial_sigs.values())
    script = Psbt.parse(
        by_name[
            "Spend of a Taproot output where a key in a script is a MuSig2 Aggregate Pubkey"
            " / With all partial signatures"
        ]
    ).inputs[0]
    assert all(len(k[2]) == 32 for k in script.musig2_partial_sigs)


def test_the_bip_prints_one_invalid_output_vector_twice() -> None:
    by_name = {c["name"]: c["hex"] for c in VECTORS["invalid"]}
    assert (
        by_name["PSBT with an x-only output participant pubkey"]
        == by_name["PSBT with x-only aggregate pubkey in output participant pubkeys keydata"]
    )


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=_names(VECTORS["invalid"]))
def test_invalid_vectors_are_refused(case: dict[str, Any]) -> None:
    expected = PsbtInvalidValue if "valuedata" in case["name"] else PsbtInvalidKey
    if case["name"] == "PSBT with an x-only input participant pubkey":
        expected = PsbtInvalidValue  # the participant keys are the record's value
    # BIP-373 (commit 7fe0b03) prints the same bytes for "an x-only output participant
    # pubkey" as for the x-only aggregate key in the output's key data: that is what fails.
    with pytest.raises(expected) as info:
        Psbt.parse(bytes.fromhex(case["hex"]))
    assert "MUSIG2" in str(info.value)


@pytest.mark.parametrize(
    ("key_type", "keydata", "value"),
    [
        (0x1A, AGGREGATE, b""),
        (0x1A, AGGREGATE, PARTICIPANTS[0] + b"\x02"),
        (0x1A, b"\x04" + AGGREGATE[1:], b"".join(PARTICIPANTS)),
        (0x1B, PARTICIPANTS[0] + AGGREGATE + b"\x00" * 31, bytes(66)),
        (0x1B, PARTICIPANTS[0] + AGGREGATE, bytes(65)),
        (0x1C, PARTICIPANTS[0] + AGGREGATE, bytes(33)),
        (0x1C, bytes(33) + AGGREGATE, bytes(32)),
    ],
    ids=[
        "empty participant list",
        "participant list not in 33-byte steps",
        "aggregate not compressed",
        "leaf hash of 31 bytes",
        "nonce of 65 bytes",
        "partial signature of 33 bytes",
        "participant not a point",
    ],
)
def test_malformed_records_are_refused(key_type: int, keydata: bytes, value: bytes) -> None:
    _, layout = Psbt.parse_with_layout(bytes.fromhex(VECTORS["valid"][0]["hex"]))
    raw = layout.with_input_records({0: [(bytes([key_type]) + keydata, value)]})
    with pytest.raises(PsbtError):
        Psbt.parse(raw)


def test_fields_built_in_code_serialise_and_parse_back() -> None:
    base = Psbt.parse(bytes.fromhex(VECTORS["valid"][0]["hex"]))
    leaf = bytes(range(32))
    nonce_key = (PARTICIPANTS[1], AGGREGATE, leaf)
    nonce = bytes.fromhex(VECTORS["valid"][1]["hex"])[-70:-4]  # any 66 bytes will do
    changed = replace(
        base,
        inputs=(
            replace(
                base.inputs[0],
                musig2_pub_nonces={nonce_key: nonce},
                musig2_partial_sigs={nonce_key: bytes(32)},
            ),
        ),
        outputs=(replace(base.outputs[0], musig2_participants={AGGREGATE: PARTICIPANTS}),),
    )
    again = Psbt.parse(changed.serialize())
    assert again == changed
    assert again.inputs[0].musig2_pub_nonces == {nonce_key: nonce}
    assert again.outputs[0].musig2_participants == {AGGREGATE: PARTICIPANTS}


_points = st.sampled_from((*PARTICIPANTS, AGGREGATE))
_triples = st.tuples(_points, _points, st.sampled_from([b"", bytes(32), bytes(range(32))]))


@settings(max_examples=100, deadline=None)
@given(
    participants=st.dictionaries(_points, st.lists(_points, min_size=1, max_size=4).map(tuple)),
    nonces=st.dictionaries(_triples, st.binary(min_size=66, max_size=66), max_size=3),
    psigs=st.dictionaries(_triples, st.binary(min_size=32, max_size=32), max_size=3),
    out_participants=st.dictionaries(_points, st.lists(_points, min_size=1).map(tuple)),
)
def test_musig2_fields_round_trip(
    participants: dict[bytes, tuple[bytes, ...]],
    nonces: dict[tuple[bytes, bytes, bytes], bytes],
    psigs: dict[tuple[bytes, bytes, bytes], bytes],
    out_participants: dict[bytes, tuple[bytes, ...]],
) -> None:
    base = Psbt.parse(bytes.fromhex(VECTORS["valid"][0]["hex"]))
    psbt = replace(
        base,
        inputs=(
            replace(
                base.inputs[0],
                musig2_participants=participants,
                musig2_pub_nonces=nonces,
                musig2_partial_sigs=psigs,
                key_order=(),
            ),
        ),
        outputs=(replace(base.outputs[0], musig2_participants=out_participants),),
    )
    raw = psbt.serialize()
    again = Psbt.parse(raw)
    assert again == psbt
    assert again.serialize() == raw
    assert Psbt.parse(again.to_v2().serialize()).inputs[0].musig2_pub_nonces == nonces


@settings(max_examples=200, deadline=None)
@given(
    case=st.sampled_from(VECTORS["valid"] + VECTORS["invalid"]),
    position=st.floats(0, 1),
    byte=st.integers(0, 255),
)
def test_mutated_vectors_raise_only_psbt_errors(
    case: dict[str, Any], position: float, byte: int
) -> None:
    raw = bytearray.fromhex(case["hex"])
    raw[int(position * (len(raw) - 1))] = byte
    with contextlib.suppress(PsbtError):
        Psbt.parse(bytes(raw))
