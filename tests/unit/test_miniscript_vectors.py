"""Bitcoin Core's miniscript test vectors (tests/vectors/miniscript/core_fixed_tests.json).

Each vector is checked in both contexts: validity, the exact Script, the type properties
m (non-malleable), s (needs a signature) and k (no timelock mix), and Core's resource figures
(opcodes, stack elements, execution stack, largest witness) where the vector gives them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from primitives.miniscript import Context, Miniscript, MiniscriptError, parse
from primitives.miniscript._miniscript import MAX_STANDARD_P2WSH_SCRIPT_SIZE, MAX_TAPSCRIPT_SIZE
from primitives.secp256k1 import is_valid_pubkey, pubkey_from_secret

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "miniscript" / "core_fixed_tests.json").read_text()
)["vectors"]
CASES = [(v, ctx) for v in VECTORS for ctx in Context]
IDS = [f"{ctx.value}:{v['ms'][:70]}" for v, ctx in CASES]


def parse_key(text: str) -> bytes:
    raw = bytes.fromhex(text)
    if len(raw) != 33 or not is_valid_pubkey(raw):
        raise ValueError("not a compressed public key")
    return raw


def key_bytes_for(ctx: Context):  # type: ignore[no-untyped-def]
    return (lambda k: k[1:]) if ctx is Context.TAPSCRIPT else (lambda k: k)


def parse_valid(text: str, ctx: Context) -> Miniscript[bytes] | None:
    """Return the miniscript if Core would call it valid at top level, else None."""
    try:
        ms = parse(text, ctx, parse_key, sane=False)
    except MiniscriptError:
        return None
    limit = MAX_TAPSCRIPT_SIZE if ctx is Context.TAPSCRIPT else MAX_STANDARD_P2WSH_SCRIPT_SIZE
    if ms.script_size > limit or ms.type.basic != "B":
        return None
    return ms


@pytest.mark.parametrize(("vector", "ctx"), CASES, ids=IDS)
def test_core_vector(vector: dict[str, Any], ctx: Context) -> None:
    tap = ctx is Context.TAPSCRIPT
    valid = vector["valid"] and not vector["tapscript_invalid" if tap else "p2wsh_invalid"]
    ms = parse_valid(vector["ms"], ctx)
    if not valid:
        assert ms is None, "unexpectedly valid"
        return
    assert ms is not None, "unexpectedly invalid"
    script = ms.script(key_bytes_for(ctx))
    assert ms.script_size == len(script)
    expected = vector["tapscript_script" if tap else "p2wsh_script"]
    if expected is not None:
        assert script.hex() == expected
    assert ms.type.has("m") == vector["nonmalleable"]
    assert ms.type.has("s") == vector["needs_signature"]
    assert ms.type.has("k") == (not vector["timelock_mix"])
    if "ops" in vector:
        assert ms.ops == vector["ops"]
        assert ms.max_satisfaction_elements == vector["stack_size"]
        assert ms.exec_stack_size == vector["exec_stack_size"]
        size = vector["tapscript_max_witness_size" if tap else "p2wsh_max_witness_size"]
        if size is not None:
            assert ms.max_satisfaction_size == size


def test_text_round_trip_of_every_valid_vector() -> None:
    count = 0
    for vector, ctx in CASES:
        ms = parse_valid(vector["ms"], ctx)
        if ms is None:
            continue
        text = ms.text(lambda k: k.hex())
        again = parse(text, ctx, parse_key, sane=False)
        assert again == ms
        assert again.text(lambda k: k.hex()) == text
        count += 1
    assert count > 100


PUBKEYS = [pubkey_from_secret(i.to_bytes(32, "big")) for i in range(1, 256)]


@pytest.mark.parametrize("count", [99, 110, 200])
def test_large_and_b_chains_only_in_tapscript(count: int) -> None:
    # Core's generated cases: more than 201 opcodes, 100 elements or 3600 bytes in P2WSH.
    text = "".join(f"and_b(pk({PUBKEYS[i].hex()}),a:" for i in range(count - 1))
    text += f"pk({PUBKEYS[count - 1].hex()})" + ")" * (count - 1)
    ms = parse(text, Context.TAPSCRIPT, parse_key)
    assert ms.ops == count + (count - 1) * 3
    assert ms.max_satisfaction_elements == count
    assert ms.exec_stack_size == count + 1
    assert parse_valid(text, Context.P2WSH) is None


def test_multi_a_with_21_keys() -> None:
    text = "multi_a(1," + ",".join(k.hex() for k in PUBKEYS[:21]) + ")"
    ms = parse(text, Context.TAPSCRIPT, parse_key)
    script = ms.script(lambda k: k[1:])
    assert script.hex().startswith(
        "2079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac20c6047f"
    )
    assert script.hex().endswith(
        "20352bbf4a4cdd12564f93fa332ce333301d9ad40271f8107181340aef25be59d5ba519c"
    )
    assert (ms.ops, ms.max_satisfaction_elements, ms.exec_stack_size) == (22, 21, 22)
    with pytest.raises(MiniscriptError, match="multi_a is not available in P2WSH"):
        parse(text, Context.P2WSH, parse_key)
