"""The hot signer's PSBT path: sign all four script kinds, then try to fool it.

Every signed transaction is finalized, extracted and checked input by input with Bitcoin
Core's own script interpreter (libbitcoinkernel). The tamper tests each change one thing an
online attacker controls and expect the specific refusal.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.utxo.kernel import verify_transaction
from keystore.bip32 import HARDENED, ExtendedPrivateKey, ExtendedPublicKey
from keystore.errors import (
    FeeAboveCap,
    ForeignKeyPath,
    InvalidPsbt,
    KeyMismatch,
    NothingToSign,
    OutputNotForNetwork,
    PsbtRefused,
    SigningCancelled,
    SummaryMismatch,
    UnprovenInput,
    UnsupportedSighash,
    WrongNetwork,
)
from keystore.mnemonic import parse_mnemonic
from keystore.signers.base import SigningContext
from keystore.signers.hot import HotSigner
from keystore.signers.psbt_signer import sign_psbt_with_root, sign_reviewed
from keystore.signers.utxo_review import review_psbt
from keystore.types import EvmParams, SummaryOutput, TxSummary, UtxoParams
from primitives.hashes import hash160
from primitives.psbt import KeySource, Psbt, PsbtInput, PsbtOutput, TapKeySource
from primitives.psbt_roles import extract, finalize
from primitives.script import (
    AddressError,
    address_to_script,
    null_data_script,
    p2pkh_script,
    p2sh_script,
    p2tr_script,
    p2wpkh_script,
    script_to_address,
)
from primitives.secp256k1 import taproot_output_key
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.conftest import ABANDON, CANARY

BITCOIN = UtxoParams("bitcoin", "Bitcoin", "BTC", 8, 0, "bc", 0x00, 0x05)
TESTNET = UtxoParams("bitcoin-testnet", "Bitcoin testnet", "tBTC", 8, 1, "tb", 0x6F, 0xC4)
DOGECOIN = UtxoParams("dogecoin", "Dogecoin", "DOGE", 8, 3, None, 0x1E, 0x16)
PURPOSES = {"p2wpkh": 84, "p2sh-p2wpkh": 49, "p2pkh": 44, "p2tr": 86}
RECIPIENT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 example
VECTORS = Path(__file__).parents[1] / "vectors"


def _root(mnemonic: str) -> ExtendedPrivateKey:
    return ExtendedPrivateKey.from_seed(parse_mnemonic(mnemonic).to_seed().reveal())


ROOT = _root(ABANDON)


def _script(kind: str, pubkey: bytes) -> bytes:
    if kind == "p2wpkh":
        return p2wpkh_script(hash160(pubkey))
    if kind == "p2sh-p2wpkh":
        return p2sh_script(hash160(p2wpkh_script(hash160(pubkey))))
    if kind == "p2pkh":
        return p2pkh_script(hash160(pubkey))
    return p2tr_script(taproot_output_key(pubkey[1:]))


def _origin(
    out: PsbtInput | PsbtOutput, kind: str, pubkey: bytes, source: KeySource
) -> dict[str, Any]:
    if kind == "p2tr":
        return {
            "tap_bip32_derivations": {pubkey[1:]: TapKeySource((), source)},
            "tap_internal_key": pubkey[1:],
        }
    return {"bip32_derivations": {pubkey: source}}


@dataclass
class Case:
    """A PSBT as an honest online wallet would build it, with what it shows the user."""

    psbt: Psbt
    spent: list[TxOut]
    account: tuple[int, ...]
    network: UtxoParams
    expected: TxSummary

    @property
    def raw(self) -> bytes:
        return self.psbt.serialize()

    def ctx(self, **changes: Any) -> SigningContext:
        return SigningContext(self.network, self.account, **changes)


def build(
    kind: str = "p2wpkh",
    inputs: int = 2,
    network: UtxoParams = BITCOIN,
    root: ExtendedPrivateKey = ROOT,
    recipient: bytes | None = None,
) -> Case:
    """Build a v0 PSBT spending ``inputs`` receive coins of one account, with change."""
    account = (PURPOSES[kind] + HARDENED, network.coin_type + HARDENED, HARDENED)
    xpub = root.derive_path(account).public()
    pubs = [xpub.child(0).child(i).public_key for i in range(inputs)]
    spent = [TxOut(100_000 + 1_000 * i, _script(kind, p)) for i, p in enumerate(pubs)]
    funding = Transaction(2, (TxIn(OutPoint(b"\x42" * 32, 3)),), tuple(spent), 0)
    change_pub = xpub.child(1).child(0).public_key
    pay = recipient if recipient is not None else address_to_script(RECIPIENT, BITCOIN)
    total = sum(o.value for o in spent)
    outputs = (TxOut(60_000, pay), TxOut(total - 60_000 - 1_500, _script(kind, change_pub)))
    tx = Transaction(
        2, tuple(TxIn(funding.outpoint(i), b"", 0xFFFFFFFD) for i in range(inputs)), outputs
    )
    psbt = Psbt.from_unsigned_tx(tx)
    fp = root.fingerprint
    new_inputs = []
    for i, inp in enumerate(psbt.inputs):
        fields = _origin(inp, kind, pubs[i], KeySource(fp, (*account, 0, i)))
        if kind == "p2tr":
            fields["witness_utxo"] = spent[i]  # BIP-371: taproot needs no previous tx
        else:
            fields["non_witness_utxo"] = funding
            if kind != "p2pkh":
                fields["witness_utxo"] = spent[i]
            if kind == "p2sh-p2wpkh":
                fields["redeem_script"] = p2wpkh_script(hash160(pubs[i]))
        new_inputs.append(replace(inp, **fields))
    change = replace(
        psbt.outputs[1],
        **_origin(psbt.outputs[1], kind, change_pub, KeySource(fp, (*account, 1, 0))),
    )
    psbt = replace(psbt, inputs=tuple(new_inputs), outputs=(psbt.outputs[0], change))
    expected = TxSummary(
        network=network.name,
        outputs=(
            SummaryOutput(_shown_address(pay, network), 60_000),
            SummaryOutput(
                script_to_address(outputs[1].script_pubkey, network), outputs[1].value, True
            ),
        ),
        fee=1_500,
        replaceable=True,
    )
    return Case(psbt, spent, account, network, expected)


def _shown_address(script: bytes, network: UtxoParams) -> str:
    if script[:1] == b"\x6a":
        return "OP_RETURN " + script[2:].hex()
    try:
        return script_to_address(script, network)
    except AddressError:
        return "(no address)"


def sign(case: Case, raw: bytes | None = None, root: ExtendedPrivateKey = ROOT, **ctx: Any) -> Psbt:
    signed = HotSigner(root).sign_psbt(case.raw if raw is None else raw, case.ctx(**ctx))
    return Psbt.parse(signed)


def broadcastable(psbt: Psbt, spent: list[TxOut]) -> Transaction:
    tx = extract(finalize(psbt))
    verify_transaction(tx, spent)
    return tx


# -- signing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PURPOSES))
def test_sign_finalize_extract_and_verify_in_libbitcoinkernel(kind: str) -> None:
    case = build(kind, inputs=3)
    signed = sign(case, expected=case.expected)
    tx = broadcastable(signed, case.spent)
    assert len(tx.inputs) == 3
    if kind == "p2tr":
        assert all(i.tap_key_sig is not None and len(i.tap_key_sig) == 64 for i in signed.inputs)
    else:
        for inp in signed.inputs:
            (sig,) = inp.partial_sigs.values()
            assert len(sig) <= 71  # low R: at most 70 DER bytes plus the sighash byte
            assert sig[-1] == 1


@pytest.mark.parametrize("kind", list(PURPOSES))
def test_summary_is_recomputed_with_proven_change(kind: str) -> None:
    case = build(kind)
    review = review_psbt(
        case.psbt, ROOT.fingerprint, ROOT.derive_path(case.account).public(), case.ctx()
    )
    assert review.summary == case.expected
    vectors = json.loads((VECTORS / "bip44_49_84_86.json").read_text())["vectors"]
    change0 = next(v["change0"] for v in vectors if v["bip"] == PURPOSES[kind])
    assert review.summary.outputs[1].address == change0  # the published change address
    assert [t.index for t in review.to_sign] == [0, 1]


def test_review_needs_only_the_account_xpub() -> None:
    case = build("p2wpkh")
    xpub_text = ROOT.derive_path(case.account).public().serialize(0x04B24746)
    xpub, _ = ExtendedPublicKey.parse(xpub_text)
    review = review_psbt(case.psbt, ROOT.fingerprint, xpub, case.ctx())
    assert review.summary == case.expected
    assert sign_reviewed(case.psbt, review, ROOT.derive_path(case.account)).inputs[0].partial_sigs


def test_ecdsa_signatures_are_deterministic_and_resigning_changes_nothing() -> None:
    case = build("p2wpkh")
    first = HotSigner(ROOT).sign_psbt(case.raw, case.ctx())
    assert HotSigner(ROOT).sign_psbt(case.raw, case.ctx()) == first
    assert HotSigner(ROOT).sign_psbt(first, case.ctx()) == first  # already signed: same sig


def test_the_signer_only_adds_signature_records() -> None:
    case = build("p2sh-p2wpkh")
    raw = case.raw
    signed = HotSigner(ROOT).sign_psbt(raw, case.ctx())
    parsed = Psbt.parse(signed)
    stripped = replace(parsed, inputs=tuple(replace(i, partial_sigs={}) for i in parsed.inputs))
    assert stripped == Psbt.parse(raw)
    assert len(signed) == len(raw) + sum(
        1 + 34 + 1 + len(s) for i in parsed.inputs for s in i.partial_sigs.values()
    )


def test_unknown_and_proprietary_records_survive_signing() -> None:
    case = build("p2wpkh")
    prop = {b"\xfc\x06coffer\x00\x01": b"label", b"\xf0\x99": b"?"}
    psbt = replace(
        case.psbt,
        unknown={b"\xfc\x06coffer\x00": b"g"},
        inputs=(replace(case.psbt.inputs[0], unknown=prop), *case.psbt.inputs[1:]),
        outputs=(replace(case.psbt.outputs[0], unknown=prop), *case.psbt.outputs[1:]),
    )
    signed = sign(case, psbt.serialize())
    assert signed.unknown == {b"\xfc\x06coffer\x00": b"g"}
    assert signed.inputs[0].unknown == prop
    assert signed.outputs[0].unknown == prop
    broadcastable(signed, case.spent)


def test_base64_text_is_accepted_and_garbage_refused() -> None:
    case = build("p2wpkh")
    text = base64.b64encode(case.raw)
    broadcastable(sign(case, text), case.spent)
    with pytest.raises(InvalidPsbt, match="cannot be read"):
        sign(case, case.raw[:-3])
    with pytest.raises(InvalidPsbt):
        sign(case, b"\xff" * 10)


def test_v2_psbt_signs_and_clears_modifiable_flags() -> None:
    case = build("p2tr")
    v2 = replace(case.psbt.to_v2(), tx_modifiable=0b111)
    signed = sign(case, v2.serialize())
    assert signed.version == 2
    assert signed.tx_modifiable == 0b100  # BIP-370: SIGHASH_ALL fixes inputs and outputs
    broadcastable(signed, case.spent)


def test_taproot_sighash_all_gives_65_byte_signatures() -> None:
    case = build("p2tr")
    psbt = replace(case.psbt, inputs=tuple(replace(i, sighash_type=1) for i in case.psbt.inputs))
    signed = sign(case, psbt.serialize())
    assert all(len(i.tap_key_sig or b"") == 65 for i in signed.inputs)
    broadcastable(signed, case.spent)


def test_account_hardened_steps_are_derived_once_per_psbt(monkeypatch: pytest.MonkeyPatch) -> None:
    case = build("p2wpkh", inputs=12)
    hardened = plain = 0
    real = ExtendedPrivateKey.child

    def counting(self: ExtendedPrivateKey, index: int) -> ExtendedPrivateKey:
        nonlocal hardened, plain
        if index >= HARDENED:
            hardened += 1
        else:
            plain += 1
        return real(self, index)

    monkeypatch.setattr(ExtendedPrivateKey, "child", counting)
    sign(case)
    assert hardened == 3  # m/84'/0'/0', once
    assert plain == 1  # the receive chain key; each input's key is one HMAC below it


def test_prompt_sees_the_recomputed_summary_and_can_decline() -> None:
    case = build("p2wpkh")
    seen: list[TxSummary] = []

    class Prompt:
        def __init__(self, answer: bool) -> None:
            self.answer = answer

        def confirm_transaction(self, summary: TxSummary) -> bool:
            seen.append(summary)
            return self.answer

    sign(case, prompt=Prompt(True))
    with pytest.raises(SigningCancelled):
        sign(case, prompt=Prompt(False))
    assert seen == [case.expected, case.expected]


def test_null_data_output_is_shown() -> None:
    case = build("p2wpkh", recipient=null_data_script(b"coffer"))
    review = review_psbt(
        case.psbt, ROOT.fingerprint, ROOT.derive_path(case.account).public(), case.ctx()
    )
    assert review.summary.outputs[0].address == "OP_RETURN " + b"coffer".hex()


# -- tampering ----------------------------------------------------------------------------------


def _tamper_input(case: Case, index: int, **changes: Any) -> bytes:
    return case.psbt.with_input(index, replace(case.psbt.inputs[index], **changes)).serialize()


def _tamper_output(case: Case, index: int, **changes: Any) -> bytes:
    return case.psbt.with_output(index, replace(case.psbt.outputs[index], **changes)).serialize()


def test_swapped_change_address_is_refused_even_without_an_expected_summary() -> None:
    # The derivation still claims change: an offline signer, which is shown no summary by
    # the host, must not sign a payment to the attacker dressed as the wallet's own output.
    case = build("p2wpkh")
    attacker = p2wpkh_script(b"\x66" * 20)
    raw = _tamper_output(case, 1, script=attacker)
    with pytest.raises(KeyMismatch, match="swapped"):
        review_psbt(
            Psbt.parse(raw), ROOT.fingerprint, ROOT.derive_path(case.account).public(), case.ctx()
        )
    with pytest.raises(KeyMismatch, match="swapped"):
        sign(case, raw, expected=case.expected)


def test_change_naming_another_key_of_the_account_is_refused() -> None:
    case = build("p2wpkh")
    out = case.psbt.outputs[1]
    ((pub, source),) = out.bip32_derivations.items()
    raw = _tamper_output(
        case, 1, bip32_derivations={pub: replace(source, path=(*source.path[:-1], 7))}
    )
    with pytest.raises(KeyMismatch, match="swapped"):
        sign(case, raw, expected=case.expected)


def test_dropped_non_witness_utxo_is_refused() -> None:
    case = build("p2wpkh")
    with pytest.raises(UnprovenInput) as info:
        sign(case, _tamper_input(case, 1, non_witness_utxo=None))
    assert info.value.index == 1
    assert "non_witness_utxo" in str(info.value)


def test_non_witness_utxo_of_another_transaction_is_refused() -> None:
    case = build("p2pkh")
    other = Transaction(2, (TxIn(OutPoint(b"\x43" * 32, 0)),), tuple(case.spent))
    with pytest.raises(UnprovenInput, match="previous transaction"):
        sign(case, _tamper_input(case, 0, non_witness_utxo=other))


def test_unproven_foreign_input_amount_is_refused() -> None:
    case = build("p2wpkh", inputs=2)
    foreign = replace(case.psbt.inputs[1], bip32_derivations={}, non_witness_utxo=None)
    with pytest.raises(UnprovenInput, match="input 1"):
        sign(case, case.psbt.with_input(1, foreign).serialize())


def test_inflated_fee_is_refused_against_the_expected_summary() -> None:
    case = build("p2wpkh")
    out = case.psbt.outputs[1]
    raw = _tamper_output(case, 1, amount=out.amount - 50_000)
    with pytest.raises(SummaryMismatch, match="Output 1 pays"):
        sign(case, raw, expected=case.expected)
    lower = replace(case.expected, fee=case.expected.fee - 1)
    with pytest.raises(SummaryMismatch, match="fee"):
        sign(case, expected=lower)


def test_fee_above_the_cap_is_refused() -> None:
    case = build("p2wpkh")
    sign(case, max_fee=1_500)
    with pytest.raises(FeeAboveCap):
        sign(case, max_fee=1_499)


def test_psbt_of_another_network_is_refused() -> None:
    testnet_case = build("p2wpkh", network=TESTNET)
    mainnet = build("p2wpkh")
    # Keys of coin type 1, presented to a Bitcoin (coin type 0) account.
    with pytest.raises(WrongNetwork, match="coin type 1"):
        sign(mainnet, testnet_case.raw)
    with pytest.raises(WrongNetwork):
        sign(testnet_case, expected=replace(testnet_case.expected, network="bitcoin"))
    with pytest.raises(WrongNetwork):
        HotSigner(ROOT).sign_psbt(
            mainnet.raw,
            SigningContext(EvmParams("ethereum", "Ethereum", "ETH", 1), mainnet.account),
        )
    with pytest.raises(WrongNetwork):
        HotSigner(ROOT).sign_psbt(mainnet.raw, SigningContext(TESTNET, mainnet.account))


@pytest.mark.parametrize("hash_type", [0x02, 0x03, 0x81, 0x83, 0x00])
def test_unusual_sighash_is_refused(hash_type: int) -> None:
    case = build("p2wpkh")
    with pytest.raises(UnsupportedSighash) as info:
        sign(case, _tamper_input(case, 0, sighash_type=hash_type))
    assert info.value.index == 0


def test_taproot_refuses_anything_but_default_or_all() -> None:
    case = build("p2tr")
    with pytest.raises(UnsupportedSighash):
        sign(case, _tamper_input(case, 1, sighash_type=0x83))


def test_foreign_fingerprint_has_nothing_to_sign() -> None:
    case = build("p2wpkh")
    with pytest.raises(NothingToSign):
        sign(case, root=_root(CANARY))


def test_keys_outside_the_account_are_refused() -> None:
    case = build("p2wpkh")
    ((pub, source),) = case.psbt.inputs[0].bip32_derivations.items()
    for path in (
        (84 + HARDENED, HARDENED, 1 + HARDENED, 0, 0),  # another account
        (*case.account, 2, 0),  # not a receive or change chain
        (*case.account, 0, HARDENED),  # hardened index
        case.account,  # the account key itself
    ):
        raw = _tamper_input(case, 0, bip32_derivations={pub: replace(source, path=path)})
        with pytest.raises(ForeignKeyPath):
            sign(case, raw)


def test_account_of_another_script_kind_is_refused() -> None:
    case = build("p2wpkh")
    with pytest.raises(ForeignKeyPath, match="p2wpkh"):
        HotSigner(ROOT).sign_psbt(
            case.raw, SigningContext(BITCOIN, (44 + HARDENED, HARDENED, HARDENED))
        )


@pytest.mark.parametrize("kind", list(PURPOSES))
def test_path_whose_key_is_not_the_spent_key_is_refused(kind: str) -> None:
    case = build(kind)
    inp = case.psbt.inputs[1]  # pays receive key 1 ...
    if kind == "p2tr":
        ((key, tap),) = inp.tap_bip32_derivations.items()
        wrong_path = replace(tap, source=replace(tap.source, path=(*case.account, 0, 0)))
        raw = _tamper_input(case, 1, tap_bip32_derivations={key: wrong_path})
    else:
        ((key, source),) = inp.bip32_derivations.items()
        raw = _tamper_input(
            case, 1, bip32_derivations={key: replace(source, path=(*case.account, 0, 0))}
        )
    with pytest.raises(KeyMismatch) as info:  # ... but names key 0's path
        sign(case, raw)
    assert info.value.index == 1


def test_derivation_of_a_key_the_script_does_not_pay_is_refused() -> None:
    case = build("p2wpkh")
    other = ROOT.derive_path((*case.account, 0, 5)).public_key
    source = KeySource(ROOT.fingerprint, (*case.account, 0, 5))
    with pytest.raises(KeyMismatch):
        sign(case, _tamper_input(case, 0, bip32_derivations={other: source}))


def test_output_without_an_address_on_the_network_is_refused() -> None:
    case = build("p2pkh", network=DOGECOIN, recipient=p2wpkh_script(b"\x01" * 20))
    with pytest.raises(OutputNotForNetwork) as info:
        sign(case)
    assert info.value.index == 0
    bare = build("p2wpkh", recipient=b"\x51\x21" + b"\x02" * 33 + b"\x51\xae")
    with pytest.raises(OutputNotForNetwork):
        sign(bare)


def test_segwit_v0_input_without_its_previous_transaction_even_for_witness_utxo() -> None:
    case = build("p2sh-p2wpkh")
    with pytest.raises(UnprovenInput):
        sign(case, _tamper_input(case, 0, non_witness_utxo=None))


# -- secrets --------------------------------------------------------------------------------


def _refusals(root: ExtendedPrivateKey) -> Iterator[PsbtRefused | SigningCancelled]:
    case = build("p2wpkh", root=root)
    ((pub, source),) = case.psbt.inputs[1].bip32_derivations.items()
    attempts = [
        (case.raw, {"max_fee": 1}),
        (case.raw, {"expected": replace(case.expected, fee=1)}),
        (_tamper_input(case, 0, non_witness_utxo=None), {}),
        (_tamper_input(case, 0, sighash_type=3), {}),
        (
            _tamper_input(
                case, 1, bip32_derivations={pub: replace(source, path=(*case.account, 0, 0))}
            ),
            {},
        ),
        (_tamper_output(case, 1, script=b"\x51"), {}),
        (case.raw[:40], {}),
    ]
    for raw, ctx in attempts:
        try:
            HotSigner(root).sign_psbt(raw, case.ctx(**ctx))
        except (PsbtRefused, SigningCancelled) as err:
            yield err
        else:  # pragma: no cover - every attempt above must be refused
            pytest.fail(f"not refused: {ctx}")


def test_secrets_never_appear_in_errors_or_reprs() -> None:
    root = _root(CANARY)
    account = root.derive_path((84 + HARDENED, HARDENED, HARDENED))
    child = account.child(0).child(0)
    words = CANARY.split()
    needles = [
        CANARY,
        *(" ".join(words[i : i + 3]) for i in range(len(words) - 2)),
        parse_mnemonic(CANARY).to_seed().reveal().hex(),
        root.private_key.hex(),
        account.private_key.hex(),
        child.private_key.hex(),
        root.serialize(),
    ]
    texts = [repr(HotSigner(root)), str(HotSigner(root))]
    for err in _refusals(root):
        texts += [str(err), repr(err), repr(err.args)]
    case = build("p2wpkh", root=root)
    review = review_psbt(case.psbt, root.fingerprint, account.public(), case.ctx())
    texts += [repr(review), repr(case.psbt), sign_psbt_with_root(root, case.raw, case.ctx()).hex()]
    blob = "\n".join(texts)
    assert len(texts) > 20
    for needle in needles:
        assert needle not in blob


# -- property: whatever the bytes, a typed refusal -------------------------------------------

CASES = {kind: build(kind) for kind in PURPOSES}


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(list(PURPOSES)),
    st.lists(st.tuples(st.integers(0, 2**16), st.integers(0, 255)), min_size=1, max_size=3),
)
def test_mutated_psbts_are_signed_or_refused_with_a_typed_error(
    kind: str, edits: list[tuple[int, int]]
) -> None:
    case = CASES[kind]
    data = bytearray(case.raw)
    for where, byte in edits:
        data[where % len(data)] ^= byte or 1
    try:
        signed = HotSigner(ROOT).sign_psbt(bytes(data), case.ctx())
    except PsbtRefused:
        return
    assert Psbt.parse(signed)
