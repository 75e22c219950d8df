"""Benchmark: one full 2-of-2 MuSig2 signing session, Coffer against BIP-327's reference.

The session is what two Coffer signers do for a taproot key-path spend of
``tr(musig(A,B))``: aggregate the keys and apply the BIP-341 taproot tweak (x-only), make a
nonce each (NonceGen with every optional input), aggregate the nonces, sign twice, verify both
partial signatures, aggregate them, and verify the result as a BIP-340 signature under the
output key. The same work runs on the vendored reference implementation
(``bench/peers/bip327_reference``, pure Python with affine point arithmetic) and on
``primitives.musig2`` (libsecp256k1's point operations through coincurve's cffi bindings:
the bundled library has no ``musig`` module). The two produce identical signatures from the
same nonce randomness, checked first. Rounds are interleaved and timed in process CPU time;
the best round of each counts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "peers"))

from bip327_reference import reference as peer  # noqa: E402  (the vendored peer)

from primitives import musig2  # noqa: E402
from primitives.secp256k1 import schnorr_verify, taproot_tweak  # noqa: E402

SECRETS = (bytes(31) + b"\x07", bytes(31) + b"\x2a")
MSG = bytes(range(32))
RANDS = (b"\x01" * 32, b"\x02" * 32)  # nonce randomness, fixed so both sides agree
SESSIONS_OURS = 200
SESSIONS_PEER = 1
ROUNDS = 3


def coffer_session() -> bytes:
    """Run one session on ``primitives.musig2``; return the final signature."""
    pubkeys = [musig2.individual_pk(s) for s in SECRETS]
    tweaks = (taproot_tweak(musig2.key_agg(pubkeys)[1:]),)
    aggpk = musig2.key_agg_context(pubkeys, tweaks, (True,)).xonly
    nonces = [
        musig2.nonce_gen_with_rand_unsafe(
            rand, pk, secret=sk, aggpk=aggpk, msg=MSG, extra_in=b"session"
        )
        for rand, pk, sk in zip(RANDS, pubkeys, SECRETS, strict=True)
    ]
    pubnonces = [pub for _, pub in nonces]
    session = musig2.SessionContext(
        musig2.nonce_agg(pubnonces), tuple(pubkeys), tweaks, (True,), MSG
    )
    psigs = [musig2.sign(sec, sk, session) for (sec, _), sk in zip(nonces, SECRETS, strict=True)]
    for i, psig in enumerate(psigs):
        if not musig2.partial_sig_verify(psig, pubnonces, pubkeys, tweaks, (True,), MSG, i):
            raise RuntimeError("a partial signature does not verify")
    sig = musig2.partial_sig_agg(psigs, session)
    if not schnorr_verify(aggpk, MSG, sig):
        raise RuntimeError("the signature does not verify")
    return sig


def peer_session() -> bytes:
    """Run the same session on the BIP-327 reference implementation."""
    pubkeys = [peer.individual_pk(s) for s in SECRETS]
    tweaks = [taproot_tweak(peer.get_xonly_pk(peer.key_agg(pubkeys)))]
    aggpk = peer.get_xonly_pk(peer.key_agg_and_tweak(pubkeys, tweaks, [True]))
    nonces = [
        peer.nonce_gen_internal(rand, sk, pk, aggpk, MSG, b"session")
        for rand, pk, sk in zip(RANDS, pubkeys, SECRETS, strict=True)
    ]
    pubnonces = [pub for _, pub in nonces]
    session = peer.SessionContext(peer.nonce_agg(pubnonces), pubkeys, tweaks, [True], MSG)
    psigs = [peer.sign(sec, sk, session) for (sec, _), sk in zip(nonces, SECRETS, strict=True)]
    for i, psig in enumerate(psigs):
        if not peer.partial_sig_verify(psig, pubnonces, pubkeys, tweaks, [True], MSG, i):
            raise RuntimeError("a partial signature does not verify (peer)")
    sig = peer.partial_sig_agg(psigs, session)
    if not peer.schnorr_verify(MSG, aggpk, sig):
        raise RuntimeError("the signature does not verify (peer)")
    return sig


def cpu_seconds(fn: Callable[[], object], repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main() -> int:
    ours, theirs = coffer_session(), peer_session()
    if ours != theirs:
        print("FAIL: Coffer and the reference implementation made different signatures")
        return 1
    print("2-of-2 MuSig2 session, taproot key path (BIP-327 + BIP-341 tweak):")
    print("key agg + tweak, nonce gen x2, nonce agg, sign x2, verify partials x2, agg, verify")
    print("signatures are identical to the BIP-327 reference implementation's")
    best = {"ours": float("inf"), "peer": float("inf")}
    for _ in range(ROUNDS):
        best["ours"] = min(best["ours"], cpu_seconds(coffer_session, SESSIONS_OURS))
        best["peer"] = min(best["peer"], cpu_seconds(peer_session, SESSIONS_PEER))
    print(f"\nCPU time per session, best of {ROUNDS} rounds:")
    print(f"  Coffer (libsecp256k1 point ops): {best['ours'] * 1000:.2f} ms")
    print(f"  BIP-327 reference (pure Python): {best['peer'] * 1000:.2f} ms")
    print(f"  Coffer is {best['peer'] / best['ours']:.1f}x the reference's speed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
