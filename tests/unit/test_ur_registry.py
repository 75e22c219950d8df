"""UR registry types against their documents' examples, and against ``urtypes`` (a peer).

crypto-hdkey / crypto-output / crypto-account: tests/vectors/bcr_2020_ur_registry.json
(Blockchain Commons' documents); eth-sign-request / eth-signature: tests/vectors/eip4527.json
(Keystone's reference tests, which EIP-4527 names). The differential tests build the same
values with ``urtypes`` (installed as a dev peer) and compare bytes both ways.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from urtypes.crypto import PSBT as UtPSBT
from urtypes.crypto import Account as UtAccount
from urtypes.crypto import HDKey as UtHDKey
from urtypes.crypto import Output as UtOutput

from primitives.eip4527 import EthDataType, EthSignature, EthSignRequest
from primitives.ur import UR, account, cbor, decode_single, encode_single
from primitives.ur.account import (
    Account,
    CoinInfo,
    HDKey,
    Keypath,
    Output,
    PathStep,
    account_from_ur,
    hdkey_from_ur,
    output_from_ur,
)
from primitives.ur.errors import CborError, RegistryError
from primitives.ur.psbt import psbt_from_ur, psbt_to_ur

VECTORS = Path(__file__).parents[1] / "vectors"
REG: dict[str, Any] = json.loads((VECTORS / "bcr_2020_ur_registry.json").read_text("utf-8"))
EIP: dict[str, Any] = json.loads((VECTORS / "eip4527.json").read_text("utf-8"))
PSBT = bytes.fromhex(json.loads((VECTORS / "bip174.json").read_text("utf-8"))["valid"][0]["hex"])


@pytest.mark.parametrize("case", REG["hdkey"], ids=lambda c: c["name"][:20])
def test_hdkey_vectors(case: dict[str, str]) -> None:
    ur = decode_single(case["ur"])
    assert ur.cbor.hex() == case["cbor"]
    key = hdkey_from_ur(ur)
    assert key.extended_key() == case["extended_key"]
    assert encode_single(key.ur()) == case["ur"]


@pytest.mark.parametrize("case", REG["output"], ids=lambda c: c["name"][-8:])
def test_output_vectors(case: dict[str, Any]) -> None:
    ur = decode_single(case["ur"])
    output = output_from_ur(ur)
    assert output.cbor() == ur.cbor
    if case["descriptor"] is not None:
        assert output.descriptor() == case["descriptor"]
    else:
        assert isinstance(output.key, HDKey)
        assert output.key.key.hex() == case["key"]


def test_account_vector() -> None:
    case = REG["account"][0]
    ur = decode_single(case["ur"])
    account = account_from_ur(ur)
    assert f"{account.master_fingerprint:08x}" == case["master_fingerprint"]
    assert [o.descriptor() for o in account.outputs] == case["descriptors"]
    assert encode_single(account.ur()) == case["ur"]


def test_eth_sign_request_vector() -> None:
    case = EIP["sign_requests"][0]
    steps = tuple(PathStep(int(s.rstrip("'")), s.endswith("'")) for s in case["path"].split("/"))
    request = EthSignRequest(
        bytes.fromhex(case["sign_data"]),
        EthDataType(case["data_type"]),
        case["chain_id"],
        Keypath(steps, int(case["source_fingerprint"], 16)),
        uuid.UUID(case["request_id"]).bytes,
        None,
        case["origin"],
    )
    assert encode_single(request.ur()) == case["ur"]
    assert EthSignRequest.from_ur(decode_single(case["ur"])) == request


def test_eth_signature_vector() -> None:
    case = EIP["signatures"][0]
    signature = EthSignature(
        bytes.fromhex(case["signature"]), uuid.UUID(case["request_id"]).bytes, case["origin"]
    )
    assert encode_single(signature.ur()) == case["ur"]
    assert EthSignature.from_ur(decode_single(case["ur"])) == signature


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({3: b"\x00" * 10}, "signature"),
        ({2: b"\x00" * 65, 1: cbor.Tag(37, b"\x01" * 15)}, "UUID"),
        ({2: b"\x00" * 65, 3: 5}, "origin"),
        ([1, 2], "map"),
    ],
)
def test_eth_signature_invalid(item: cbor.CborValue, reason: str) -> None:
    with pytest.raises(RegistryError, match=reason):
        EthSignature.from_cbor(cbor.encode(item))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({2: b""}, "no data"),
        ({3: 9}, "data type"),
        ({4: "one"}, "chain id"),
        ({6: b"\x11" * 19}, "address"),
        ({7: b"x"}, "origin"),
        ({5: cbor.Tag(304, {1: [1]})}, "pairs"),
        ({5: cbor.Tag(304, {1: [2**31, False]})}, "index"),
    ],
)
def test_eth_sign_request_invalid(change: dict[int, cbor.CborValue], reason: str) -> None:
    base = cbor.decode(decode_single(EIP["sign_requests"][0]["ur"]).cbor)
    assert isinstance(base, dict)
    with pytest.raises(RegistryError, match=reason):
        EthSignRequest.from_cbor(cbor.encode({**base, **change}))


def test_eth_sign_request_without_path() -> None:
    with pytest.raises(RegistryError, match="derivation path"):
        EthSignRequest.from_cbor(cbor.encode({2: b"\x01", 3: 1, 4: 1}))
    with pytest.raises(RegistryError, match="not an eth-sign-request"):
        EthSignRequest.from_ur(UR("eth-signature", b"\xa0"))


def test_crypto_psbt() -> None:
    ur = psbt_to_ur(PSBT)
    assert ur.type == "crypto-psbt"
    assert psbt_from_ur(ur) == PSBT
    assert psbt_from_ur(UR("psbt", ur.cbor)) == PSBT
    with pytest.raises(RegistryError):
        psbt_from_ur(UR("crypto-psbt", cbor.encode("text")))
    with pytest.raises(RegistryError, match="not a PSBT"):
        psbt_from_ur(UR("bytes", ur.cbor))


# -- differential: urtypes ------------------------------------------------------------------


def test_crypto_psbt_same_as_urtypes() -> None:
    assert bytes(UtPSBT(PSBT).to_cbor()) == psbt_to_ur(PSBT).cbor
    assert UtPSBT.from_cbor(psbt_to_ur(PSBT).cbor).data == PSBT


@pytest.mark.parametrize("case", REG["hdkey"], ids=lambda c: c["name"][:20])
def test_hdkey_same_as_urtypes(case: dict[str, str]) -> None:
    ours = hdkey_from_ur(decode_single(case["ur"]))
    theirs = UtHDKey.from_cbor(ours.cbor())
    assert theirs.bip32_key() == ours.extended_key()
    assert bytes(theirs.to_cbor()) == ours.cbor()


@pytest.mark.parametrize("case", REG["output"], ids=lambda c: c["name"][-8:])
def test_output_same_as_urtypes(case: dict[str, Any]) -> None:
    ours = output_from_ur(decode_single(case["ur"]))
    theirs = UtOutput.from_cbor(ours.cbor())
    assert theirs.descriptor(include_checksum=False) == ours.descriptor()
    assert bytes(theirs.to_cbor()) == ours.cbor()


def test_account_same_as_urtypes() -> None:
    ours = account_from_ur(decode_single(REG["account"][0]["ur"]))
    theirs = UtAccount.from_cbor(ours.cbor())
    assert theirs.master_fingerprint == ours.master_fingerprint.to_bytes(4, "big")
    assert [o.descriptor(include_checksum=False) for o in theirs.output_descriptors] == [
        o.descriptor() for o in ours.outputs
    ]
    # urtypes writes an account's outputs without their 308 tag, unlike BCR-2020-015's
    # example (which ours matches byte for byte): compare each output's own bytes instead.
    assert [bytes(o.to_cbor()) for o in theirs.output_descriptors] == [
        o.cbor() for o in ours.outputs
    ]


def test_built_account_same_as_urtypes() -> None:
    key = HDKey(
        bytes.fromhex("02" + "11" * 32),
        bytes(range(32)),
        use_info=CoinInfo(0, 1),
        origin=Keypath((PathStep(84, True), PathStep(1, True), PathStep(0, True)), 0xDEADBEEF, 3),
        children=Keypath((PathStep(0, False), PathStep(None, False))),
        parent_fingerprint=0x01020304,
        name="Coffer",
    )
    account = Account(0xDEADBEEF, (Output(("wpkh",), key), Output(("sh", "wpkh"), key)))
    theirs = UtAccount.from_cbor(account.cbor())
    assert [bytes(o.to_cbor()) for o in theirs.output_descriptors] == [
        o.cbor() for o in account.outputs
    ]
    descriptor = theirs.output_descriptors[0].descriptor(include_checksum=False)
    assert descriptor == account.outputs[0].descriptor()
    assert descriptor.startswith("wpkh([deadbeef/84'/1'/0']tpub")
    assert descriptor.endswith("/0/*)")


@pytest.mark.parametrize(
    "data",
    [b"", b"\xa1", b"\x9f\x01\xff", b"\xa1\x01", b"\xf9\x00\x14", b"\x01\x02", b"\x5a\xff\xff"],
    ids=["empty", "short-map", "indefinite", "no-value", "half-float", "trailing", "long-bytes"],
)
def test_cbor_refuses_malformed(data: bytes) -> None:
    with pytest.raises(CborError):
        cbor.decode(data)


def test_cbor_nesting_limit_and_canonical_keys() -> None:
    deep = b"\x81" * 40 + b"\x00"
    with pytest.raises(CborError, match="deeply"):
        cbor.decode(deep)
    assert cbor.encode({10: 1, 2: 2, -1: 3}).hex() == "a302020a0120" + "03"


def test_hdkey_from_extended_key_is_the_document_example() -> None:
    case = REG["hdkey"][1]  # tpub at m/44'/1'/1'/0/1, no source fingerprint
    path = Keypath(
        (
            PathStep(44, True),
            PathStep(1, True),
            PathStep(1, True),
            PathStep(0, False),
            PathStep(1, False),
        )
    )
    key = HDKey.from_extended_key(case["extended_key"], path)
    assert key.cbor().hex() == case["cbor"]
    assert encode_single(key.ur()) == case["ur"]


def test_account_export_from_xpubs_round_trips() -> None:
    case = REG["account"][0]
    account = account_from_ur(decode_single(case["ur"]))
    rebuilt = []
    for output in account.outputs:
        assert isinstance(output.key, HDKey)
        key = HDKey.from_extended_key(output.key.extended_key(), output.key.origin)
        rebuilt.append(Output(output.scripts, key))
    assert encode_single(Account(account.master_fingerprint, tuple(rebuilt)).ur()) == case["ur"]


@pytest.mark.parametrize(
    "text",
    [
        "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi",
        "tpubDHW3GtnVrTatx38EcygoSf9UhUd9Dx1rht7FAL8unrMo8r2NWhJuYNqDFS7cZFVbDaxJkV94MLZAr86XFPsAPYcoHWJ7sWYsrmHDw5sKQ2L",
        "not base58 0OIl",
        "1111",
    ],
    ids=["private", "checksum", "characters", "short"],
)
def test_from_extended_key_refuses(text: str) -> None:
    with pytest.raises(RegistryError):
        HDKey.from_extended_key(text)


def test_script_tags_cannot_be_changed_by_a_caller() -> None:
    with pytest.raises(TypeError):
        account.SCRIPT_TAGS["wpkh"] = 0  # type: ignore[index]
    assert account.SCRIPT_TAGS["wpkh"] == 404
