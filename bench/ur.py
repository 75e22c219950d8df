"""Benchmark: a 100-input PSBT through animated BC-UR QR frames (issue 15 item 9).

Two measures, in one process on the same PSBT:

1. **Frames a receiver needs with 25% lost**, against the fragment count (the limit: no
   receiver can finish with fewer frames than fragments). Each run starts watching the
   endless fountain stream at a random frame, loses each frame with probability 0.25, and
   counts the frames it received until the PSBT is whole; averaged over many seeds. The aim is
   at most 1.3x. The reference decoder (peeling, as in ``bc-ur``) is run on the very same
   received frames of the first ``PEER_SEEDS`` seeds: Coffer's decoder solves the parts by
   elimination over GF(2), so it finishes at the first frame after which the PSBT is
   determined, where peeling waits for frames that free one fragment at a time.
2. **Encode + decode time** against the peers: the Foundation Devices port of the reference
   BC-UR library (vendored under ``bench/peers/foundation_ur``: it is not on PyPI) with
   ``urtypes`` for the ``crypto-psbt`` CBOR. Work: wrap the PSBT, make the frames a receiver
   losing 25% sees, decode them, unwrap. Rounds are interleaved and timed in process CPU
   time; the best round of each counts. The frames of both are checked byte-identical first:
   that is the interoperability claim (Sparrow, Keystone, Passport use the same reference).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "peers"))

import foundation_ur  # noqa: E402  (the vendored peer, after its path is set)

# The vendored peer imports itself as ``ur`` in one place (xoshiro256.py); alias it rather than
# edit the published code.
sys.modules.setdefault("ur", foundation_ur)
import foundation_ur.constants  # noqa: E402
import foundation_ur.utils  # noqa: E402

sys.modules.setdefault("ur.constants", foundation_ur.constants)
sys.modules.setdefault("ur.utils", foundation_ur.utils)

from foundation_ur.ur import UR as PeerUR  # noqa: E402
from foundation_ur.ur_decoder import URDecoder as PeerDecoder  # noqa: E402
from foundation_ur.ur_encoder import UREncoder as PeerEncoder  # noqa: E402
from urtypes.crypto import PSBT as PeerPSBT  # noqa: E402

from keystore.bip32 import HARDENED, ExtendedPrivateKey  # noqa: E402
from keystore.mnemonic import parse_mnemonic  # noqa: E402
from primitives.hashes import hash160  # noqa: E402
from primitives.psbt import KeySource, Psbt  # noqa: E402
from primitives.script import p2wpkh_script  # noqa: E402
from primitives.tx import OutPoint, Transaction, TxIn, TxOut  # noqa: E402
from primitives.ur import UrDecoder, UrEncoder  # noqa: E402
from primitives.ur.psbt import psbt_from_ur, psbt_to_ur  # noqa: E402

INPUTS = 100
FRAGMENT_LEN = 150  # bytes per frame: wallet.transport's default (a version 12-14 QR code)
LOSS = 0.25
SEEDS = 200
PEER_SEEDS = 40
ROUNDS = 5
ABANDON = "abandon " * 11 + "about"
ACCOUNT = (84 + HARDENED, HARDENED, HARDENED)


def build_psbt() -> bytes:
    """Return a 100-input p2wpkh PSBT as a watch-only wallet exports it for signing.

    Every input carries its previous transaction (``non_witness_utxo``, which signers ask for),
    its ``witness_utxo`` and its key origin; the change output its key origin.
    """
    root = ExtendedPrivateKey.from_seed(parse_mnemonic(ABANDON.strip()).to_seed().reveal())
    account = root.derive_path(ACCOUNT)
    inputs, prevs = [], []
    for i in range(INPUTS):
        key = account.child(i % 2).child(i // 2)
        out = TxOut(50_000 + i, p2wpkh_script(hash160(key.public_key)))
        prev = Transaction(
            2,
            (TxIn(OutPoint(i.to_bytes(32, "big"), 0), b"", 0xFFFFFFFE),),
            (out, TxOut(1_000_000, p2wpkh_script(bytes(20)))),
        )
        prevs.append(prev)
        inputs.append((out, key.public_key, (*ACCOUNT, i % 2, i // 2)))
    total = sum(o.value for o, _, _ in inputs)
    change_key = account.child(1).child(1000)
    tx = Transaction(
        2,
        tuple(TxIn(p.outpoint(0), b"", 0xFFFFFFFD) for p in prevs),
        (
            TxOut(total // 2, p2wpkh_script(b"\x11" * 20)),
            TxOut(total // 2 - 20_000, p2wpkh_script(hash160(change_key.public_key))),
        ),
        800_000,
    )
    psbt = Psbt.from_unsigned_tx(tx)
    fp = root.fingerprint
    filled = tuple(
        replace(
            inp,
            non_witness_utxo=prevs[i],
            witness_utxo=inputs[i][0],
            bip32_derivations={inputs[i][1]: KeySource(fp, inputs[i][2])},
        )
        for i, inp in enumerate(psbt.inputs)
    )
    change = replace(
        psbt.outputs[1],
        bip32_derivations={change_key.public_key: KeySource(fp, (*ACCOUNT, 1, 1000))},
    )
    return replace(psbt, inputs=filled, outputs=(psbt.outputs[0], change)).serialize()


def received_frames(stream: list[str], fragments: int, seed: int) -> list[str]:
    """Return the frames a receiver gets: from a random start, each lost with p = LOSS."""
    rng = random.Random(seed)
    start = rng.randrange(2 * fragments)
    return [f for f in stream[start:] if rng.random() >= LOSS]


def ours_needed(frames: list[str]) -> int:
    decoder = UrDecoder()
    for count, frame in enumerate(frames, start=1):
        decoder.receive(frame)
        if decoder.result is not None:
            return count
    raise RuntimeError("the stream ran out before the PSBT was whole")


def peer_needed(frames: list[str]) -> int:
    decoder = PeerDecoder()
    for count, frame in enumerate(frames, start=1):
        decoder.receive_part(frame)
        if decoder.is_complete():
            if not decoder.is_success():
                raise RuntimeError(f"the peer failed: {decoder.result_error()}")
            return count
    raise RuntimeError("the stream ran out before the peer finished")


def ours_round_trip(psbt: bytes, frame_count: int, keep: list[bool]) -> bytes:
    encoder = UrEncoder(psbt_to_ur(psbt), FRAGMENT_LEN)
    frames = [encoder.next_part() for _ in range(frame_count)]
    decoder = UrDecoder()
    for frame, kept in zip(frames, keep, strict=True):
        if kept:
            decoder.receive(frame)
            if decoder.result is not None:
                return psbt_from_ur(decoder.result)
    raise RuntimeError("not decoded")


def peer_round_trip(psbt: bytes, frame_count: int, keep: list[bool]) -> bytes:
    encoder = PeerEncoder(PeerUR("crypto-psbt", PeerPSBT(psbt).to_cbor()), FRAGMENT_LEN)
    frames = [encoder.next_part() for _ in range(frame_count)]
    decoder = PeerDecoder()
    for frame, kept in zip(frames, keep, strict=True):
        if kept:
            decoder.receive_part(frame)
            if decoder.is_complete():
                return bytes(PeerPSBT.from_cbor(decoder.result.cbor).data)
    raise RuntimeError("not decoded")


def cpu_seconds(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> int:
    psbt = build_psbt()
    encoder = UrEncoder(psbt_to_ur(psbt), FRAGMENT_LEN)
    fragments = encoder.fragment_count
    stream = [encoder.next_part() for _ in range(8 * fragments)]
    peer = PeerEncoder(PeerUR("crypto-psbt", PeerPSBT(psbt).to_cbor()), FRAGMENT_LEN)
    peer_stream = [peer.next_part() for _ in range(len(stream))]
    if peer_stream != stream:
        print("FAIL: the frames differ from the reference implementation's")
        return 1
    print(f"PSBT: {INPUTS} inputs, {len(psbt):,} bytes; {fragments} fragments of {FRAGMENT_LEN} B")
    print("frames are byte-identical to the reference implementation's (foundation-ur-py)")

    ratios, peer_ratios, shown = [], [], []
    for seed in range(SEEDS):
        frames = received_frames(stream, fragments, seed)
        ours = ours_needed(frames)
        ratios.append(ours / fragments)
        if seed < PEER_SEEDS:
            peer_ratios.append(peer_needed(frames) / fragments)
        shown.append(ours / fragments / (1 - LOSS))
    mean = statistics.fmean(ratios)
    print(
        f"\nframes received until whole, {int(LOSS * 100)}% lost, {SEEDS} seeds "
        f"(limit = {fragments} fragments = 1.00x; aim <= 1.30x):"
    )
    print(
        f"  Coffer: mean {mean:.3f}x, median {statistics.median(ratios):.3f}x, "
        f"p95 {sorted(ratios)[int(0.95 * SEEDS)]:.3f}x, worst {max(ratios):.3f}x"
    )
    print(
        f"  reference (peeling) decoder on the same frames, first {PEER_SEEDS} seeds: mean "
        f"{statistics.fmean(peer_ratios):.3f}x (Coffer on those: "
        f"{statistics.fmean(ratios[:PEER_SEEDS]):.3f}x)"
    )
    print(f"  frames shown (received + lost): mean {statistics.fmean(shown):.3f}x the fragments")

    frame_count = 3 * fragments
    keep_rng = random.Random(1)
    keep = [keep_rng.random() >= LOSS for _ in range(frame_count)]
    if (
        ours_round_trip(psbt, frame_count, keep) != psbt
        or peer_round_trip(psbt, frame_count, keep) != psbt
    ):
        print("FAIL: a round trip did not give the PSBT back")
        return 1
    best = {"ours": float("inf"), "peer": float("inf")}
    for _ in range(ROUNDS):
        best["ours"] = min(
            best["ours"], cpu_seconds(lambda: ours_round_trip(psbt, frame_count, keep))
        )
        best["peer"] = min(
            best["peer"], cpu_seconds(lambda: peer_round_trip(psbt, frame_count, keep))
        )
    print(
        f"\nencode {frame_count} frames + decode with {int(LOSS * 100)}% lost "
        f"(best of {ROUNDS}, CPU time):"
    )
    print(f"  Coffer: {best['ours'] * 1000:.1f} ms")
    print(f"  foundation-ur-py + urtypes: {best['peer'] * 1000:.1f} ms")
    print(f"  Coffer is {best['peer'] / best['ours']:.2f}x the peer's speed")
    return 0 if mean <= 1.3 else 1


if __name__ == "__main__":
    sys.exit(main())
