"""Parsing, printing and sanity: Core's miscellaneous cases and the errors a person sees."""

from __future__ import annotations

import pytest

from primitives.miniscript import (
    Context,
    InsaneMiniscript,
    MiniscriptError,
    MiniscriptSyntaxError,
    MiniscriptTypeError,
    parse,
)

K1 = "03d30199d74fb5a22d47b6e054e2f378cedacffcb89904a61d75d0dbd407143e65"
K2 = "03fff97bd5755eeea420453a14355235d382f6472f8568a18b2f057a1460297556"
K3 = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
K4 = "03cdabb7f2dce7bfbd8a0b9570c6fd1e712e5d64045e9d6b517b3d5072251dc204"


def insane_reason(text: str, ctx: Context = Context.P2WSH) -> tuple[str, str]:
    with pytest.raises(InsaneMiniscript) as info:
        parse(text, ctx, str)
    return info.value.reason, info.value.fragment


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"and_v(v:pk({K1}),pk({K1}))", "duplicate-key"),
        (f"or_b(c:pk_k({K1}),ac:pk_h({K1}))", "duplicate-key"),
        (f"or_i(and_b(pk({K1}),s:pk({K2})),and_b(older(1),s:pk({K1})))", "duplicate-key"),
        # The deepest problem is reported: here a malleable branch below the duplicate.
        (f"thresh(2,pkh({K1}),s:pk({K2}),a:and_b(dv:older(1),s:pk({K1})))", "malleable"),
    ],
    ids=["and_v", "pk-and-pkh", "leaves", "levels"],
)
def test_duplicate_keys_are_insane(text: str, reason: str) -> None:
    assert insane_reason(text)[0] == reason
    assert parse(text, Context.P2WSH, str, sane=False).keys().count(K1) == 2


def test_the_deepest_insane_part_is_named() -> None:
    # Core: both "no signature" and a timelock mix; the mix is deeper, so it is reported.
    reason, fragment = insane_reason(f"or_i(and_b(after(1),a:after(1000000000)),pk({K4}))")
    assert (reason, fragment) == ("timelock-mix", "and_b(after(1),a:after(1000000000))")


def test_sane_single_key() -> None:
    assert parse(f"pk({K1})", Context.P2WSH, str).is_sane


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("or_i(pk(A),older(10))", "no-signature"),
        ("or_d(sha256(" + "00" * 32 + "),pk(A))", "malleable"),
        ("v:pk(A)", "not-top-level"),
    ],
)
def test_insane_reasons(text: str, reason: str) -> None:
    assert insane_reason(text)[0] == reason


def test_p2wsh_resource_limits() -> None:
    keys = [f"K{i}" for i in range(120)]
    text = "".join(f"and_b(pk({k}),a:" for k in keys[:-1]) + f"pk({keys[-1]})" + ")" * 119
    assert insane_reason(text)[0] == "resource-limit"
    assert parse(text, Context.TAPSCRIPT, str).is_sane


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("after(-1)", MiniscriptSyntaxError),
        ("after(+1)", MiniscriptSyntaxError),
        (f"thresh(-1,pk({K4}))", MiniscriptSyntaxError),
        (f"multi(+1,{K4})", MiniscriptSyntaxError),
        ("older(0)", MiniscriptSyntaxError),
        ("older(2147483648)", MiniscriptSyntaxError),
        ("pk()", MiniscriptSyntaxError),
        ("pk(A", MiniscriptSyntaxError),
        ("pk(A)x", MiniscriptSyntaxError),
        ("xyz:pk(A)", MiniscriptSyntaxError),
        ("sha256(zz)", MiniscriptSyntaxError),
        ("multi(3,A,B)", MiniscriptSyntaxError),
        ("multi(1," + ",".join(f"K{i}" for i in range(21)) + ")", MiniscriptSyntaxError),
        ("multi_a(1,A)", MiniscriptSyntaxError),
        ("and_v(pk(A),pk(B))", MiniscriptTypeError),
    ],
)
def test_malformed_text(text: str, error: type[MiniscriptError]) -> None:
    with pytest.raises(error):
        parse(text, Context.P2WSH, str, sane=False)


def test_multi_is_p2wsh_only_and_d_is_u_only_in_tapscript() -> None:
    with pytest.raises(MiniscriptSyntaxError, match="multi is not available in tapscript"):
        parse("multi(1,A)", Context.TAPSCRIPT, str)
    text = f"thresh(3,c:pk_k({K1}),sc:pk_k({K2}),sc:pk_k({K3}),sdv:older(32))"
    with pytest.raises(MiniscriptTypeError, match="thresh"):
        parse(text, Context.P2WSH, str, sane=False)
    parse(text, Context.TAPSCRIPT, str, sane=False)


def test_a_bad_key_is_reported_as_such() -> None:
    def strict(text: str) -> bytes:
        raw = bytes.fromhex(text)
        if len(raw) != 33:
            raise ValueError("a key has 33 bytes")
        return raw

    with pytest.raises(MiniscriptSyntaxError, match="pk_k has a key that is not valid"):
        parse("c:pk_k(0011)", Context.P2WSH, strict)


def test_script_refuses_keys_of_the_wrong_size() -> None:
    ms = parse("pk(A)", Context.TAPSCRIPT, str)
    with pytest.raises(MiniscriptError, match="32-byte keys"):
        ms.script(lambda _: bytes(33))


def test_canonical_text_uses_sugar() -> None:
    ms = parse("c:or_i(and_v(v:older(16),pk_h(A)),pk_h(B))", Context.P2WSH, str, sane=False)
    assert ms.text(str) == "c:or_i(and_v(v:older(16),pk_h(A)),pk_h(B))"
    ms = parse("andor(pk(A),and_v(v:1,1),or_i(0,1))", Context.P2WSH, str, sane=False)
    assert ms.text(str) == "andor(pk(A),tv:1,l:1)"
    ms = parse("andor(pk(A),pk(B),0)", Context.P2WSH, str)
    assert ms.text(str) == "and_n(pk(A),pk(B))"
    ms = parse("u:pk(A)", Context.P2WSH, str, sane=False)
    assert ms.text(str) == "u:pk(A)"


def test_keys_in_order_of_appearance() -> None:
    ms = parse("or_d(multi(1,C,A),and_v(v:pkh(B),older(1)))", Context.P2WSH, str)
    assert ms.keys() == ["C", "A", "B"]


def test_nesting_is_bounded() -> None:
    text = "and_b(older(1),a:" * 500 + "pk(A)" + ")" * 500
    with pytest.raises(MiniscriptSyntaxError, match="nests deeper"):
        parse(text, Context.TAPSCRIPT, str, sane=False)
