"""Two Coffer signers spend a tr(musig(A,B)/0/*, {and_v(v:pk(A),older(N))}) output by key path.

The PSBT goes through both signers' round 1, a combine, both signers' round 2 and the
aggregation; the input ends up with one 64-byte signature that verifies under the output key.
The BIP-373 vectors that carry every partial signature aggregate to valid signatures too.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chains.utxo.kernel import verify_transaction
from keystore.secrets import SecretBytes
from keystore.signers.musig_psbt import (
    add_musig_nonces,
    add_musig_partial_sigs,
    aggregate_musig_signatures,
    key_path_sessions,
)
from keystore.signers.musig_session import (
    MissingParticipantNonce,
    MusigSessionError,
    MusigSigner,
    NonceAlreadyUsed,
)
from primitives.hashes import hash160, tagged_hash
from primitives.musig2 import derive_child, individual_pk, key_agg
from primitives.psbt import KeySource, Psbt, TapKeySource
from primitives.psbt_roles import combine, extract, finalize
from primitives.secp256k1 import schnorr_verify, taproot_output_key
from primitives.sighash import SighashCache
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.musig_nonce_stores import MemoryNonceStore

SECRETS = (bytes(31) + b"\x51", bytes(31) + b"\x52")
PUBKEYS = tuple(individual_pk(s) for s in SECRETS)
AGGREGATE = key_agg(PUBKEYS)
PATH = (0, 3)
INTERNAL = derive_child(AGGREGATE, PATH)[0][1:]
# and_v(v:pk(A),older(144)): <A> OP_CHECKSIGVERIFY <144> OP_CHECKSEQUENCEVERIFY
LEAF = b"\x20" + PUBKEYS[0][1:] + b"\xad" + b"\x02\x90\x00" + b"\xb2"
MERKLE_ROOT = tagged_hash("TapLeaf", b"\xc0" + bytes([len(LEAF)]) + LEAF)
OUTPUT_KEY = taproot_output_key(INTERNAL, MERKLE_ROOT)
VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "musig2" / "bip373_psbt_vectors.json").read_text()
)


def _psbt() -> Psbt:
    spent = TxOut(100_000, b"\x51\x20" + OUTPUT_KEY)
    tx = Transaction(
        2,
        (TxIn(OutPoint(b"\x77" * 32, 1), b"", 0xFFFFFFFD),),
        (TxOut(99_000, b"\x00\x14" + bytes(20)),),
        0,
    )
    psbt = Psbt.from_unsigned_tx(tx)
    inp = replace(
        psbt.inputs[0],
        witness_utxo=spent,
        tap_internal_key=INTERNAL,
        tap_merkle_root=MERKLE_ROOT,
        tap_bip32_derivations={
            INTERNAL: TapKeySource((), KeySource(hash160(AGGREGATE)[:4], PATH)),
        },
        musig2_participants={AGGREGATE: PUBKEYS},
    )
    return psbt.with_input(0, inp)


def _signers() -> tuple[MusigSigner, MusigSigner]:
    return (
        MusigSigner(SecretBytes(SECRETS[0]), MemoryNonceStore()),
        MusigSigner(SecretBytes(SECRETS[1]), MemoryNonceStore()),
    )


def _file_trip(psbt: Psbt) -> Psbt:
    return Psbt.parse(psbt.serialize())  # the PSBT travels as a file between the signers


def test_two_signers_exchange_psbt_files_and_spend_by_key_path() -> None:
    a, b = _signers()
    base = _psbt()
    (session,) = key_path_sessions(base, a.pubkey)
    assert session.output_key == OUTPUT_KEY
    r1 = combine([_file_trip(add_musig_nonces(base, a)), _file_trip(add_musig_nonces(base, b))])
    assert len(r1.inputs[0].musig2_pub_nonces) == 2
    r2 = combine(
        [_file_trip(add_musig_partial_sigs(r1, a)), _file_trip(add_musig_partial_sigs(r1, b))]
    )
    assert len(r2.inputs[0].musig2_partial_sigs) == 2
    done = aggregate_musig_signatures(_file_trip(r2))
    sig = done.inputs[0].tap_key_sig
    assert sig is not None
    assert len(sig) == 64
    msg = SighashCache(done.unsigned_tx(), done.spent_outputs()).taproot(0)
    assert schnorr_verify(OUTPUT_KEY, msg, sig)
    # Finalized and extracted, the spend's witness is that one signature, and Bitcoin Core's
    # consensus code (libbitcoinkernel) accepts it.
    tx = extract(finalize(done))
    assert tx.inputs[0].witness == (sig,)
    spent = done.inputs[0].spent_output()
    assert spent is not None
    verify_transaction(tx, [spent])
    # Round 2 again on the round-1 PSBT is refused: the nonce has signed. On a PSBT that
    # already has this signer's partial signature, there is nothing to do.
    with pytest.raises(NonceAlreadyUsed):
        add_musig_partial_sigs(r1, a)
    assert add_musig_partial_sigs(r2, a) == r2


def test_round2_without_the_other_nonce_is_refused() -> None:
    a, _ = _signers()
    r1 = add_musig_nonces(_psbt(), a)
    with pytest.raises(MissingParticipantNonce):
        add_musig_partial_sigs(r1, a)


def test_a_spent_output_of_another_key_is_refused() -> None:
    a, _ = _signers()
    psbt = _psbt()
    other = replace(psbt.inputs[0], witness_utxo=TxOut(100_000, b"\x51\x20" + bytes(range(32))))
    with pytest.raises(MusigSessionError, match="spent output"):
        add_musig_nonces(psbt.with_input(0, other), a)


def test_partial_signatures_that_do_not_add_up_are_refused() -> None:
    a, b = _signers()
    base = _psbt()
    r1 = combine([add_musig_nonces(base, a), add_musig_nonces(base, b)])
    r2 = combine([add_musig_partial_sigs(r1, a), add_musig_partial_sigs(r1, b)])
    inp = r2.inputs[0]
    bad = dict(inp.musig2_partial_sigs)
    key = (PUBKEYS[1], AGGREGATE, b"")
    bad[key] = bytes(31) + b"\x01"
    with pytest.raises(MusigSessionError, match="do not add up"):
        aggregate_musig_signatures(r2.with_input(0, replace(inp, musig2_partial_sigs=bad)))


@pytest.mark.parametrize(
    "case",
    [c for c in VECTORS["valid"] if c["name"].endswith("With all partial signatures")],
    ids=lambda c: c["name"],
)
def test_bip373_vectors_with_every_partial_signature_aggregate(case: dict[str, str]) -> None:
    psbt = Psbt.parse(bytes.fromhex(case["hex"]))
    done = aggregate_musig_signatures(psbt)
    inp = done.inputs[0]
    if "a key in a script" in case["name"]:
        assert inp.tap_key_sig is None  # script-path MuSig2 is not aggregated here
        return
    assert inp.tap_key_sig is not None
    spent = inp.spent_output()
    assert spent is not None
    msg = SighashCache(done.unsigned_tx(), done.spent_outputs()).taproot(0)
    assert schnorr_verify(spent.script_pubkey[2:], msg, inp.tap_key_sig)
