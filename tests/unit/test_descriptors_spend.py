"""Derived descriptors are spendable: Bitcoin Core's consensus code (libbitcoinkernel) judges.

A taproot descriptor with two leaves (``pk`` and ``sortedmulti_a``) and a ``wsh(sortedmulti)``
are derived with ``primitives.descriptors``; test-only private keys of the same paths sign
with ``SighashCache.taproot_script`` (BIP-342) and ``segwit_v0``; the witness is built from
what ``derive`` returned (leaf scripts, control blocks, witness script), and the kernel
verifies the spend. A wrong leaf hash, control block, script or sighash fails there.
"""

from __future__ import annotations

import pytest

from chains.utxo.kernel import verify_transaction
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from primitives.descriptors import Descriptor, KeySource, tapleaf_hash
from primitives.secp256k1 import ecdsa_sign, schnorr_sign
from primitives.sighash import (
    SIGHASH_ALL,
    SIGHASH_ANYONECANPAY,
    SIGHASH_DEFAULT,
    SIGHASH_NONE,
    SIGHASH_SINGLE,
    SighashCache,
    SighashError,
)
from primitives.tx import OutPoint, Transaction, TxIn, TxOut

XPUB = 0x0488B21E
ROOTS = [ExtendedPrivateKey.from_seed(bytes([i]) * 32) for i in range(1, 5)]
ACCOUNT = (48 + HARDENED, HARDENED, HARDENED, 2 + HARDENED)


def _key(i: int) -> str:
    root = ROOTS[i]
    xpub = root.derive_path(ACCOUNT).public().serialize(XPUB)
    return f"[{root.fingerprint.hex()}/48h/0h/0h/2h]{xpub}/<0;1>/*"


def _secret_of(source: KeySource) -> bytes:
    root = next(r for r in ROOTS if r.fingerprint == source.fingerprint)
    return root.derive_path(source.path).private_key


def _spending_tx(spent: TxOut, witness: tuple[bytes, ...] = ()) -> Transaction:
    prevout = OutPoint(bytes(range(32)), 1)
    out = TxOut(spent.value - 1_000, bytes.fromhex("0014") + bytes(20))
    return Transaction(2, (TxIn(prevout, b"", 0xFFFFFFFD, witness),), (out,), 0)


TR = Descriptor.parse(f"tr({_key(0)},{{pk({_key(1)}),sortedmulti_a(2,{_key(2)},{_key(3)})}})")
WSH = Descriptor.parse(f"wsh(sortedmulti(2,{_key(1)},{_key(2)},{_key(3)}))")
HASH_TYPES = [
    SIGHASH_DEFAULT,
    SIGHASH_ALL,
    SIGHASH_NONE,
    SIGHASH_SINGLE,
    SIGHASH_ALL | SIGHASH_ANYONECANPAY,
    SIGHASH_SINGLE | SIGHASH_ANYONECANPAY,
]


@pytest.mark.parametrize("hash_type", HASH_TYPES, ids=lambda t: f"0x{t:02x}")
@pytest.mark.parametrize("leaf", [0, 1], ids=["pk-leaf", "sortedmulti_a-leaf"])
@pytest.mark.parametrize(("index", "branch"), [(0, 0), (7, 1)], ids=["receive0", "change7"])
def test_taproot_script_path_spend_verifies(
    leaf: int, hash_type: int, index: int, branch: int
) -> None:
    derived = TR.derive(index, branch)
    assert derived.taproot is not None
    info = derived.taproot.leaves[leaf]
    assert info.leaf_hash == tapleaf_hash(info.script)
    spent = TxOut(50_000, derived.script_pubkey)
    tx = _spending_tx(spent)
    digest = SighashCache(tx, [spent]).taproot_script(0, info.leaf_hash, hash_type)
    sources = {s.pubkey: s for s in derived.key_sources}
    suffix = bytes([hash_type]) if hash_type else b""
    # CHECKSIG takes the first key's signature from the top of the stack: push in reverse.
    sigs = [schnorr_sign(_secret_of(sources[k]), digest) + suffix for k in info.keys]
    witness = (*reversed(sigs), info.script, info.control_block)
    verify_transaction(_spending_tx(spent, witness), [spent])


@pytest.mark.parametrize(("index", "branch"), [(0, 0), (3, 1)], ids=["receive0", "change3"])
def test_wsh_sortedmulti_spend_verifies(index: int, branch: int) -> None:
    derived = WSH.derive(index, branch)
    assert derived.witness_script is not None
    spent = TxOut(80_000, derived.script_pubkey)
    tx = _spending_tx(spent)
    digest = SighashCache(tx, [spent]).segwit_v0(
        0, derived.witness_script, spent.value, SIGHASH_ALL
    )
    keys = sorted(s.pubkey for s in derived.key_sources)[:2]
    sources = {s.pubkey: s for s in derived.key_sources}
    sigs = [ecdsa_sign(_secret_of(sources[k]), digest) + b"\x01" for k in keys]
    verify_transaction(_spending_tx(spent, (b"", *sigs, derived.witness_script)), [spent])


def test_key_sources_carry_full_paths() -> None:
    derived = WSH.derive(4, 1)
    for source in derived.key_sources:
        assert source.path == (*ACCOUNT, 1, 4)
        root = next(r for r in ROOTS if r.fingerprint == source.fingerprint)
        assert root.derive_path(source.path).public_key == source.pubkey


def test_taproot_internal_key_and_sources_are_x_only() -> None:
    derived = TR.derive(2)
    assert derived.taproot is not None
    internal = ROOTS[0].derive_path((*ACCOUNT, 0, 2)).public_key[1:]
    assert derived.taproot.internal_key == internal
    assert all(len(s.pubkey) == 32 for s in derived.key_sources)
    assert derived.script_pubkey == b"\x51\x20" + derived.taproot.output_key


def test_script_path_sighash_differs_from_key_path_and_checks_its_inputs() -> None:
    spent = TxOut(1_000, b"\x51\x20" + bytes(32))
    cache = SighashCache(_spending_tx(spent), [spent])
    leaf = tapleaf_hash(b"\x51")
    message = cache.taproot_script_sigmsg(0, leaf)
    key_message = cache.taproot_sigmsg(0)
    # Same prefix up to spend_type, then 2 instead of 0, and the 37-byte BIP-342 extension.
    assert message[: len(key_message) - 5] == key_message[:-5]
    assert message.endswith(leaf + b"\x00" + b"\xff\xff\xff\xff")
    assert len(message) == len(key_message) + 37
    with pytest.raises(SighashError):
        cache.taproot_script(0, b"short")
