"""Benchmark: 1,000 receive addresses of a 2-of-3 multisig and of miniscript recovery policies.

Three descriptors: a 2-of-3 ``wsh(sortedmulti(...))``, the miniscript recovery policy
``wsh(or_d(pk(OWNER),and_v(v:pkh(HEIR),older(52560))))`` and its taproot variant
``tr(OWNER,and_v(v:pk(HEIR),older(52560)))`` (the heir's path in a leaf). Every row derives
the same addresses in one process from the same descriptor text (account xpubs with origins,
``/<0;1>/*``, receive branch, indexes 0..999), starting from the text each round so that
nothing is cached between rounds. The bench asserts that every row produced exactly Coffer's
list, so no row is timed on wrong output.

Rows:
- Coffer: ``Descriptor.parse(text).addresses(0, 1000, params)``; each key derives its fixed
  steps once and its children in one batch.
- embit: ``Descriptor.from_string(text)``, then ``derive(i, branch_index=0).address(...)``
  per index (its descriptor API derives one index at a time).
- bitcoinlib (multisig only): it has no descriptors nor miniscript; the same work spelled
  with its keys and scripts (``HDKey.child_public`` per key and index, ``Script`` multisig,
  ``Address`` p2wsh), run once (it is slow).

Each fast row runs ROUNDS times interleaved with the other and keeps its best time, with the
garbage collector off while a row runs (as in ``timeit``).

Run: ``.venv/bin/python bench/descriptors.py`` (also run by ``make bench``).
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

# bitcoinlib writes ~/.bitcoinlib on import unless told otherwise.
os.environ.setdefault("BCL_DATA_DIR", tempfile.mkdtemp(prefix="coffer-bench-bcl-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bitcoinlib.keys import Address as BclAddress
from bitcoinlib.keys import HDKey as BclHDKey
from bitcoinlib.scripts import Script as BclScript
from embit.descriptor import Descriptor as EmbitDescriptor
from embit.networks import NETWORKS as EMBIT_NETWORKS

from keystore.bip32 import HARDENED, ExtendedPrivateKey
from primitives.descriptors import Descriptor
from primitives.script import AddressParams

COUNT = 1000
ROUNDS = 7
MAINNET = AddressParams("bc", 0x00, 0x05)
ACCOUNT = (48 + HARDENED, HARDENED, HARDENED, 2 + HARDENED)
ROOTS = [ExtendedPrivateKey.from_seed(bytes([i]) * 32) for i in (1, 2, 3)]
XPUBS = [r.derive_path(ACCOUNT).public().serialize(0x0488B21E) for r in ROOTS]
KEYS = [
    f"[{r.fingerprint.hex()}/48h/0h/0h/2h]{x}/<0;1>/*" for r, x in zip(ROOTS, XPUBS, strict=True)
]
TEXT = f"wsh(sortedmulti(2,{','.join(KEYS)}))"
POLICIES = {
    "2-of-3 wsh(sortedmulti)": TEXT,
    "recovery wsh(or_d(pk,and_v(v:pkh,older)))": (
        f"wsh(or_d(pk({KEYS[0]}),and_v(v:pkh({KEYS[1]}),older(52560))))"
    ),
    "recovery tr(owner,{and_v(v:pk,older)})": (
        f"tr({KEYS[0]},and_v(v:pk({KEYS[1]}),older(52560)))"
    ),
}


def coffer(text: str = TEXT) -> list[str]:
    return Descriptor.parse(text).addresses(0, COUNT, MAINNET)


def embit(text: str = TEXT) -> list[str]:
    descriptor = EmbitDescriptor.from_string(text)
    network = EMBIT_NETWORKS["main"]
    return [descriptor.derive(i, branch_index=0).address(network) for i in range(COUNT)]


def bitcoinlib() -> list[str]:
    chains = [BclHDKey(x).child_public(0) for x in XPUBS]
    out = []
    for i in range(COUNT):
        keys = sorted(c.child_public(i).public_byte for c in chains)
        script = BclScript(script_types=["multisig"], keys=keys, sigs_required=2).serialize()
        out.append(BclAddress(script, script_type="p2wsh", encoding="bech32").address)
    return out


def timed(row: Callable[[], list[str]]) -> tuple[float, list[str]]:
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        result = row()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def main() -> None:
    for title, text in POLICIES.items():
        expected = coffer(text)
        best = {"coffer": float("inf"), "embit": float("inf")}
        rows: dict[str, Callable[[], list[str]]] = {
            "coffer": partial(coffer, text),
            "embit": partial(embit, text),
        }
        for _ in range(ROUNDS):
            for name, row in rows.items():
                seconds, result = timed(row)
                if result != expected:
                    raise SystemExit(f"{name} derived other addresses than Coffer ({title})")
                best[name] = min(best[name], seconds)
        if text == TEXT:
            seconds, result = timed(bitcoinlib)
            if result != expected:
                raise SystemExit("bitcoinlib derived other addresses than Coffer")
            best["bitcoinlib (1 run)"] = seconds
        print(f"{COUNT} receive addresses of {title}, best of {ROUNDS}")
        for name, seconds in best.items():
            ratio = seconds / best["coffer"]
            print(f"  {name:<20} {seconds * 1000:9.1f} ms   {ratio:6.1f}x Coffer")


if __name__ == "__main__":
    main()
