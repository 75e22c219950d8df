"""Witnesses built by the miniscript satisfier, judged by Bitcoin Core's interpreter.

Each case builds a real spend of a P2WSH output or a taproot script-path leaf paying to a
miniscript, signs it (BIP-143 ECDSA or BIP-341/342 Schnorr), lets ``satisfy`` build the
witness, and has libbitcoinkernel (``chains.utxo.kernel``, all consensus flags) verify it.
Timelocked paths are checked both ways: accepted with the right nSequence / nLockTime,
refused by the satisfier without it, and refused by the kernel if forced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import coincurve
import pytest

from chains.utxo.kernel import ScriptVerificationFailed, verify_transaction
from primitives.hashes import hash160, sha256, tagged_hash
from primitives.miniscript import (
    Context,
    Miniscript,
    NotSatisfiable,
    locktime_satisfies,
    parse,
    satisfy,
    sequence_satisfies,
)
from primitives.script import p2tr_script, p2wsh_script
from primitives.secp256k1 import (
    ecdsa_sign,
    pubkey_from_secret,
    schnorr_sign,
    taproot_output_key,
    taproot_tweak,
)
from primitives.sighash import SIGHASH_ALL, SighashCache
from primitives.tx import OutPoint, Transaction, TxIn, TxOut, write_compact_size

NAMES = ["OWNER", "HEIR", "A", "B", "C"]
SECRETS = {name: (i + 1).to_bytes(32, "big") for i, name in enumerate(NAMES)}
PUBKEYS = {name: pubkey_from_secret(s) for name, s in SECRETS.items()}
SECRETS_BY_KEY = {PUBKEYS[name]: s for name, s in SECRETS.items()}
# BIP-341's provably unspendable internal key (H), so only the script path can spend.
NUMS = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")
PREIMAGE = bytes(31) + b"\x07"
DIGEST = sha256(PREIMAGE)
VALUE = 100_000


def key_bytes_for(ctx: Context) -> Callable[[str], bytes]:
    if ctx is Context.TAPSCRIPT:
        return lambda name: PUBKEYS[name][1:]
    return lambda name: PUBKEYS[name]


def parse_name(text: str) -> str:
    if text not in PUBKEYS:
        raise ValueError(f"unknown key {text}")
    return text


@dataclass(frozen=True)
class Spend:
    """A P2WSH output or a single-leaf taproot output paying to a miniscript."""

    ms: Miniscript[Any]
    script: bytes
    spent: TxOut
    control: bytes

    @classmethod
    def of(cls, text: str, ctx: Context) -> Spend:
        return cls.build(parse(text, ctx, parse_name), key_bytes_for(ctx))

    @classmethod
    def build(cls, ms: Miniscript[Any], key_bytes: Callable[[Any], bytes]) -> Spend:
        script = ms.script(key_bytes)
        if ms.context is Context.P2WSH:
            return cls(ms, script, TxOut(VALUE, p2wsh_script(sha256(script))), b"")
        leaf = tagged_hash("TapLeaf", b"\xc0" + write_compact_size(len(script)) + script)
        output = taproot_output_key(NUMS, leaf)
        tweaked = coincurve.PublicKey(b"\x02" + NUMS).add(taproot_tweak(NUMS, leaf))
        parity = tweaked.format(compressed=True)[0] - 2
        return cls(ms, script, TxOut(VALUE, p2tr_script(output)), bytes([0xC0 | parity]) + NUMS)

    def unsigned(self, sequence: int, locktime: int = 0) -> Transaction:
        txin = TxIn(OutPoint(bytes(range(32)), 0), sequence=sequence)
        out = TxOut(VALUE - 1_000, p2wsh_script(bytes(32)))
        return Transaction(2, (txin,), (out,), locktime)

    def signatures(self, tx: Transaction, signers: list[str]) -> dict[bytes, bytes]:
        return self.sign_with(tx, [PUBKEYS[name] for name in signers], SECRETS_BY_KEY)

    def sign_with(
        self, tx: Transaction, pubkeys: list[bytes], secrets: dict[bytes, bytes]
    ) -> dict[bytes, bytes]:
        """Sign input 0 with each key; return signatures by serialised (x-only) key."""
        cache = SighashCache(tx, [self.spent])
        out = {}
        for pubkey in pubkeys:
            secret = secrets[pubkey]
            if self.ms.context is Context.P2WSH:
                digest = cache.segwit_v0(0, self.script, VALUE, SIGHASH_ALL)
                out[pubkey] = ecdsa_sign(secret, digest) + bytes([SIGHASH_ALL])
            else:
                out[pubkey[1:]] = schnorr_sign(secret, self._tap_digest(cache))
        return out

    def _tap_digest(self, cache: SighashCache) -> bytes:
        # BIP-342: the key-path message with spend_type 2 (ext_flag 1) and the leaf extension.
        msg = cache.taproot_sigmsg(0)
        leaf = tagged_hash("TapLeaf", b"\xc0" + write_compact_size(len(self.script)) + self.script)
        spend_type_at = 1 + 1 + 4 + 4 + 32 * 5
        msg = msg[:spend_type_at] + b"\x02" + msg[spend_type_at + 1 :]
        return tagged_hash("TapSighash", msg + leaf + b"\x00" + b"\xff\xff\xff\xff")

    def witnessed(self, tx: Transaction, stack: list[bytes]) -> Transaction:
        extra = (self.script, self.control) if self.control else (self.script,)
        txin = tx.inputs[0]
        signed = TxIn(txin.prevout, txin.script_sig, txin.sequence, (*stack, *extra))
        return Transaction(tx.version, (signed,), tx.outputs, tx.locktime)

    def spend(
        self,
        signers: list[str],
        sequence: int = 0xFFFFFFFD,
        locktime: int = 0,
        preimages: dict[bytes, bytes] | None = None,
        older_ok: Callable[[int], bool] | None = None,
        after_ok: Callable[[int], bool] | None = None,
    ) -> Transaction:
        tx = self.unsigned(sequence, locktime)
        stack = satisfy(
            self.ms,
            key_bytes_for(self.ms.context),
            self.signatures(tx, signers),
            preimages or {},
            older_ok or (lambda n: sequence_satisfies(n, sequence)),
            after_ok or (lambda n: locktime_satisfies(n, locktime, sequence)),
        )
        assert self.ms.max_satisfaction_size is not None
        size = sum(len(write_compact_size(len(e))) + len(e) for e in stack)
        assert size <= self.ms.max_satisfaction_size
        signed = self.witnessed(tx, stack)
        items = signed.inputs[0].witness
        whole = len(write_compact_size(len(items))) + sum(
            len(write_compact_size(len(e))) + len(e) for e in items
        )
        bound = self.ms.max_input_witness_size(len(self.control))
        assert bound is not None
        assert whole <= bound
        return signed

    def verify(self, tx: Transaction) -> None:
        verify_transaction(tx, [self.spent])


INHERIT = "or_d(pk(OWNER),and_v(v:pkh(HEIR),older(52560)))"
CONTEXTS = [Context.P2WSH, Context.TAPSCRIPT]


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_owner_spends_alone(ctx: Context) -> None:
    s = Spend.of(INHERIT, ctx)
    s.verify(s.spend(["OWNER"]))


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_heir_spends_after_the_relative_lock(ctx: Context) -> None:
    s = Spend.of(INHERIT, ctx)
    s.verify(s.spend(["HEIR"], sequence=52560))


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_heir_is_refused_before_the_lock(ctx: Context) -> None:
    s = Spend.of(INHERIT, ctx)
    with pytest.raises(NotSatisfiable):
        s.spend(["HEIR"], sequence=52559)
    # Forcing the path anyway: Core's interpreter refuses it (OP_CHECKSEQUENCEVERIFY).
    forced = s.spend(["HEIR"], sequence=52559, older_ok=lambda n: True)
    with pytest.raises(ScriptVerificationFailed):
        s.verify(forced)


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_owner_is_preferred_when_both_sign(ctx: Context) -> None:
    s = Spend.of(INHERIT, ctx)
    tx = s.spend(["OWNER", "HEIR"], sequence=52560)
    s.verify(tx)
    assert len(tx.inputs[0].witness) == 2 + (ctx is Context.TAPSCRIPT)  # sig, script(, cb)


@pytest.mark.parametrize(
    ("text", "ctx", "signers"),
    [
        ("multi(2,A,B,C)", Context.P2WSH, ["A", "C"]),
        ("multi_a(2,A,B,C)", Context.TAPSCRIPT, ["B", "C"]),
        ("thresh(2,pk(A),s:pk(B),s:pk(C))", Context.P2WSH, ["A", "B"]),
        ("thresh(2,pk(A),s:pk(B),s:pk(C))", Context.TAPSCRIPT, ["A", "C"]),
        ("and_v(v:pk(A),or_d(pk(B),older(144)))", Context.P2WSH, ["A", "B"]),
        ("t:or_c(pk(B),and_v(v:pk(C),v:after(100)))", Context.P2WSH, ["B"]),
        ("andor(pk(A),older(144),pk(B))", Context.TAPSCRIPT, ["B"]),
        ("or_i(and_v(v:pkh(A),pk(B)),pk(C))", Context.P2WSH, ["A", "B"]),
    ],
)
def test_threshold_and_branch_policies(text: str, ctx: Context, signers: list[str]) -> None:
    s = Spend.of(text, ctx)
    s.verify(s.spend(signers))


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_too_few_signatures_are_refused(ctx: Context) -> None:
    s = Spend.of("thresh(2,pk(A),s:pk(B),s:pk(C))", ctx)
    with pytest.raises(NotSatisfiable):
        s.spend(["A"])


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_hash_lock_needs_its_preimage(ctx: Context) -> None:
    s = Spend.of(f"and_v(v:pk(A),sha256({DIGEST.hex()}))", ctx)
    s.verify(s.spend(["A"], preimages={DIGEST: PREIMAGE}))
    with pytest.raises(NotSatisfiable):
        s.spend(["A"], preimages={DIGEST: bytes(32)})


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
def test_absolute_lock(ctx: Context) -> None:
    s = Spend.of("or_d(pk(A),and_v(v:pk(B),after(800000)))", ctx)
    s.verify(s.spend(["B"], sequence=0xFFFFFFFE, locktime=800000))
    with pytest.raises(NotSatisfiable):
        s.spend(["B"], sequence=0xFFFFFFFE, locktime=799999)
    forced = s.spend(["B"], sequence=0xFFFFFFFE, locktime=799999, after_ok=lambda n: True)
    with pytest.raises(ScriptVerificationFailed):
        s.verify(forced)


def test_relative_time_lock_uses_512_second_units() -> None:
    n = (1 << 22) | 10  # 10 units of 512 seconds
    s = Spend.of(f"and_v(v:pk(A),older({n}))", Context.P2WSH)
    s.verify(s.spend(["A"], sequence=(1 << 22) | 10))
    with pytest.raises(NotSatisfiable):
        s.spend(["A"], sequence=10)  # 10 blocks is not 10 x 512 seconds


def test_sequence_and_locktime_rules() -> None:
    assert sequence_satisfies(144, 144)
    assert not sequence_satisfies(144, 143)
    assert not sequence_satisfies(144, 144 | (1 << 31))  # relative lock disabled
    assert not sequence_satisfies(144, 144, tx_version=1)
    assert locktime_satisfies(100, 100, 0xFFFFFFFE)
    assert not locktime_satisfies(100, 100, 0xFFFFFFFF)  # final input: nLockTime ignored
    assert not locktime_satisfies(100, 600_000_000, 0)  # a time does not satisfy a height


H160 = hash160(PREIMAGE)
# The example policies of the miniscript website (bitcoin.sipa.be/miniscript), as compiled
# there, with each spending path a person would take.
EXAMPLES = [
    # 2FA: user and service, or the user alone after 90 days
    ("and_v(v:pk(A),or_d(pk(B),older(12960)))", ["A", "B"], 0xFFFFFFFD),
    ("and_v(v:pk(A),or_d(pk(B),older(12960)))", ["A"], 12960),
    # a 3-of-3 that becomes a 2-of-3 after 90 days
    ("thresh(3,pk(A),s:pk(B),s:pk(C),sln:older(12960))", ["A", "B", "C"], 0xFFFFFFFD),
    ("thresh(3,pk(A),s:pk(B),s:pk(C),sln:older(12960))", ["A", "C"], 12960),
    # BOLT #3 to_local
    ("andor(pk(A),older(1008),pk(C))", ["A"], 1008),
    ("andor(pk(A),older(1008),pk(C))", ["C"], 0xFFFFFFFD),
    # BOLT #3 offered HTLC: revocation, or remote with local's signature or the preimage
    (f"t:or_c(pk(C),and_v(v:pk(B),or_c(pk(A),v:hash160({H160.hex()}))))", ["B"], 0xFFFFFFFD),
    (f"t:or_c(pk(C),and_v(v:pk(B),or_c(pk(A),v:hash160({H160.hex()}))))", ["C"], 0xFFFFFFFD),
    # BOLT #3 received HTLC
    (
        f"andor(pk(B),or_i(and_v(v:pkh(A),hash160({H160.hex()})),older(1008)),pk(C))",
        ["B", "A"],
        0xFFFFFFFD,
    ),
    (
        f"andor(pk(B),or_i(and_v(v:pkh(A),hash160({H160.hex()})),older(1008)),pk(C))",
        ["B"],
        1008,
    ),
]


@pytest.mark.parametrize("ctx", CONTEXTS, ids=lambda c: c.value)
@pytest.mark.parametrize(("text", "signers", "sequence"), EXAMPLES)
def test_website_examples(text: str, signers: list[str], sequence: int, ctx: Context) -> None:
    s = Spend.of(text, ctx)
    s.verify(s.spend(signers, sequence=sequence, preimages={H160: PREIMAGE}))
