"""Every witness the satisfier builds for Core's vectors is accepted by Core's interpreter.

Core's test keys are the secrets 1..255 and its hashes are of the 32-byte values with 31 zero
bytes and one non-zero byte, so real signatures and preimages exist for every vector. For
each valid vector, in each context, the satisfier is given everything, then (seeded) random
parts of it; every witness it builds must verify in libbitcoinkernel, fit the computed
bounds, and a sane miniscript given everything must be satisfiable when it has no timelocks.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from primitives.hashes import hash160, ripemd160, sha256, sha256d
from primitives.miniscript import (
    Context,
    Fragment,
    NotSatisfiable,
    locktime_satisfies,
    satisfy,
    sequence_satisfies,
)
from primitives.secp256k1 import pubkey_from_secret
from primitives.tx import write_compact_size
from tests.unit.test_miniscript_satisfy import Spend
from tests.unit.test_miniscript_vectors import CASES, key_bytes_for, parse_valid

SECRETS = {pubkey_from_secret(i.to_bytes(32, "big")): i.to_bytes(32, "big") for i in range(1, 256)}
PREIMAGES = {
    fn(bytes(31) + bytes([i])): bytes(31) + bytes([i])
    for i in range(1, 256)
    for fn in (sha256, sha256d, ripemd160, hash160)
}
VALID = [(v, ctx) for v, ctx in CASES if parse_valid(v["ms"], ctx) is not None]
VERIFIED: list[str] = []
MISSED: list[str] = []


@pytest.mark.parametrize(
    ("vector", "ctx"), VALID, ids=[f"{c.value}:{v['ms'][:60]}" for v, c in VALID]
)
def test_every_witness_verifies(vector: dict[str, Any], ctx: Context) -> None:
    ms = parse_valid(vector["ms"], ctx)
    assert ms is not None
    spend = Spend.build(ms, key_bytes_for(ctx))
    rng = random.Random(vector["ms"] + ctx.value)
    nodes, stack = [], [ms.node]
    while stack:
        nodes.append(node := stack.pop())
        stack.extend(node.subs)
    olders = sorted({n.k for n in nodes if n.fragment is Fragment.OLDER})
    afters = sorted({n.k for n in nodes if n.fragment is Fragment.AFTER})
    keys = sorted({k for n in nodes for k in n.keys})
    built = 0
    for attempt in range(6):
        everything = attempt == 0
        chosen = keys if everything else [k for k in keys if rng.random() < 0.6]
        # Given everything, the largest locks (each path of a sane miniscript uses one kind).
        pick = max if everything else rng.choice
        sequence = pick(olders) if olders else 0xFFFFFFFD
        locktime = pick(afters) if afters else 0
        tx = spend.unsigned(sequence, locktime)
        try:
            witness = satisfy(
                ms,
                key_bytes_for(ctx),
                spend.sign_with(tx, chosen, SECRETS),
                PREIMAGES if everything or rng.random() < 0.5 else {},
                lambda n, seq=sequence: sequence_satisfies(n, seq),
                lambda n, lt=locktime, seq=sequence: locktime_satisfies(n, lt, seq),
            )
        except NotSatisfiable:
            satisfiable = ms.max_satisfaction_elements is not None
            if everything and ms.is_sane and satisfiable and not olders and not afters:
                raise
            continue
        size = sum(len(write_compact_size(len(e))) + len(e) for e in witness)
        assert size <= (ms.max_satisfaction_size or 0)
        assert len(witness) <= (ms.max_satisfaction_elements or 0)
        spend.verify(spend.witnessed(tx, witness))
        built += 1
    if built:
        VERIFIED.append(vector["ms"])
    elif ms.is_sane and ms.max_satisfaction_elements is not None:
        MISSED.append(f"{ctx.value}:{vector['ms']}")


def test_every_sane_satisfiable_vector_produced_a_verified_witness() -> None:
    # Runs after the parametrised test in file order: guards against a vacuous pass.
    assert not MISSED
    assert len(VERIFIED) >= 30
