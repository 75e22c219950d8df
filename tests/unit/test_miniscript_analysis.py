"""Spending paths of miniscripts, and how the wallet words them for a person."""

from __future__ import annotations

import pytest

from primitives.miniscript import (
    Context,
    HashLock,
    KeyThreshold,
    LockUnit,
    MiniscriptError,
    absolute_lock,
    describe_path,
    parse,
    relative_lock,
    spending_paths,
)


def paths(text: str, ctx: Context = Context.P2WSH) -> list[str]:
    ms = parse(text, ctx, str)
    return [describe_path(p, str) for p in spending_paths(ms)]


def test_inheritance_wallet() -> None:
    assert paths("or_d(pk(OWNER),and_v(v:pkh(HEIR),older(52560)))") == [
        "OWNER alone",
        "HEIR after 52560 blocks (about 365 days) since the coins were received",
    ]


def test_litecoin_blocks_are_two_and_a_half_minutes() -> None:
    ms = parse("or_d(pk(OWNER),and_v(v:pkh(HEIR),older(52560)))", Context.P2WSH, str)
    heir = spending_paths(ms)[1]
    text = describe_path(heir, str, block_interval_seconds=150)
    assert "about 91 days" in text
    assert heir.relative is not None
    assert heir.relative.approx_days(150) == pytest.approx(91.25)


def test_multisig_with_recovery_in_tapscript() -> None:
    text = "or_d(multi_a(2,A,B,C),and_v(v:pk(R),older(4194500)))"
    ms = parse(text, Context.TAPSCRIPT, str)
    first, second = spending_paths(ms)
    assert first.signers == (KeyThreshold(2, ("A", "B", "C")),)
    assert describe_path(first, str) == "2 of A, B, C"
    assert second.relative is not None
    assert second.relative.unit is LockUnit.SECONDS
    assert second.relative.amount == (4194500 & 0xFFFF) * 512
    assert describe_path(second, str).startswith("R after 100352 seconds (about 28 hours)")


def test_thresh_of_single_keys_is_one_signer_group() -> None:
    ms = parse("thresh(2,pk(A),s:pk(B),s:pk(C))", Context.P2WSH, str)
    (path,) = spending_paths(ms)
    assert path.signers == (KeyThreshold(2, ("A", "B", "C")),)


def test_thresh_of_compound_branches_lists_combinations() -> None:
    text = "thresh(2,pk(A),s:pk(B),sln:older(144))"
    found = paths(text)
    assert found == [
        "A and B",
        "A after 144 blocks (about 24 hours) since the coins were received",
        "B after 144 blocks (about 24 hours) since the coins were received",
    ]


def test_hash_and_absolute_locks() -> None:
    digest = "ab" * 32
    ms = parse(f"and_v(v:pk(A),and_v(v:sha256({digest}),after(840000)))", Context.P2WSH, str)
    (path,) = spending_paths(ms)
    assert path.hash_locks == (HashLock("sha256", bytes.fromhex(digest)),)
    assert path.absolute == absolute_lock(840000)
    assert describe_path(path, str) == (
        f"A with the preimage of sha256 {digest} from block 840000 on"
    )


def test_andor_paths() -> None:
    assert paths("andor(pk(A),older(10),pk(B))") == [
        "A after 10 blocks (about 100 minutes) since the coins were received",
        "B alone",
    ]


def test_lock_helpers() -> None:
    assert relative_lock(52560).unit is LockUnit.BLOCKS
    assert relative_lock(52560).amount == 52560
    assert relative_lock((1 << 22) | 3).amount == 3 * 512
    assert absolute_lock(499_999_999).unit is LockUnit.BLOCKS
    assert absolute_lock(500_000_000).unit is LockUnit.SECONDS


def test_too_many_paths_are_refused() -> None:
    branch = "or_i(pk({0}),pk({1}))"
    subs = [branch.format(f"K{2 * i}", f"K{2 * i + 1}") for i in range(12)]
    text = "thresh(6," + subs[0] + "".join(",a:" + s for s in subs[1:]) + ")"
    with pytest.raises(MiniscriptError, match="spending paths"):
        spending_paths(parse(text, Context.TAPSCRIPT, str, sane=False))
