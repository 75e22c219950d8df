"""Property tests: random well-typed miniscripts survive text and Script round trips.

The generator builds expressions by the basic type they must have (B, V, W, and Bdu/Wdu for
the arguments that must be dissatisfiable), so most are valid; the few it gets wrong
(a property such as ``u`` missing) are discarded. Random text never raises anything but a
``MiniscriptError``.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from primitives.miniscript import Context, Miniscript, MiniscriptError, parse

KEYS = st.sampled_from(["A", "B", "C", "D", "E", "F"])
LOCK = st.integers(1, 2**31 - 1)
H32 = st.binary(min_size=32, max_size=32).map(bytes.hex)
H20 = st.binary(min_size=20, max_size=20).map(bytes.hex)


def _multi(ctx: Context) -> st.SearchStrategy[str]:
    name = "multi_a" if ctx is Context.TAPSCRIPT else "multi"
    return st.lists(KEYS, min_size=1, max_size=4).flatmap(
        lambda keys: st.integers(1, len(keys)).map(lambda k: f"{name}({k},{','.join(keys)})")
    )


def strategies(ctx: Context) -> st.SearchStrategy[str]:
    bdu_leaf = st.one_of(
        KEYS.map(lambda k: f"pk({k})"),
        KEYS.map(lambda k: f"pkh({k})"),
        H32.map(lambda h: f"sha256({h})"),
        H32.map(lambda h: f"hash256({h})"),
        H20.map(lambda h: f"ripemd160({h})"),
        H20.map(lambda h: f"hash160({h})"),
        _multi(ctx),
        st.just("0"),
    )
    b_leaf = st.one_of(
        bdu_leaf, st.just("1"), LOCK.map(lambda n: f"older({n})"), LOCK.map(lambda n: f"after({n})")
    )

    def extend(b: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        v = b.map(lambda x: f"v:{x}")
        w = st.one_of(b.map(lambda x: f"a:{x}"), KEYS.map(lambda k: f"s:pk({k})"))
        bdu = st.one_of(bdu_leaf, b.map(lambda x: f"n:{x}"))
        wdu = st.one_of(bdu_leaf.map(lambda x: f"a:{x}"), KEYS.map(lambda k: f"s:pk({k})"))
        thresh = st.lists(wdu, min_size=1, max_size=3).flatmap(
            lambda ws: st.tuples(st.integers(1, len(ws) + 1), bdu).map(
                lambda t: f"thresh({t[0]},{t[1]},{','.join(ws)})"
            )
        )
        return st.one_of(
            st.tuples(v, b).map(lambda t: f"and_v({t[0]},{t[1]})"),
            st.tuples(b, w).map(lambda t: f"and_b({t[0]},{t[1]})"),
            st.tuples(bdu, wdu).map(lambda t: f"or_b({t[0]},{t[1]})"),
            st.tuples(bdu, b).map(lambda t: f"or_d({t[0]},{t[1]})"),
            st.tuples(bdu, v).map(lambda t: f"t:or_c({t[0]},{t[1]})"),
            st.tuples(b, b).map(lambda t: f"or_i({t[0]},{t[1]})"),
            st.tuples(bdu, b, b).map(lambda t: f"andor({t[0]},{t[1]},{t[2]})"),
            st.tuples(bdu, b).map(lambda t: f"and_n({t[0]},{t[1]})"),
            b.map(lambda x: f"j:{x}"),
            b.map(lambda x: f"dv:{x}"),
            b.map(lambda x: f"l:{x}"),
            b.map(lambda x: f"u:{x}"),
            thresh,
        )

    return st.recursive(b_leaf, extend, max_leaves=12)


def key_bytes(ctx: Context):  # type: ignore[no-untyped-def]
    size = 32 if ctx is Context.TAPSCRIPT else 33
    return lambda k: k.encode().ljust(size, b"\x02")


def _parse_or_discard(text: str, ctx: Context) -> Miniscript[str]:
    try:
        return parse(text, ctx, str, sane=False)
    except MiniscriptError:
        assume(False)
        raise


SETTINGS = settings(
    max_examples=200, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow]
)
P2WSH_TEXT = strategies(Context.P2WSH)
TAPSCRIPT_TEXT = strategies(Context.TAPSCRIPT)


@SETTINGS
@given(P2WSH_TEXT)
def test_text_round_trip_p2wsh(text: str) -> None:
    _round_trip(text, Context.P2WSH)


@SETTINGS
@given(TAPSCRIPT_TEXT)
def test_text_round_trip_tapscript(text: str) -> None:
    _round_trip(text, Context.TAPSCRIPT)


def _round_trip(text: str, ctx: Context) -> None:
    ms = _parse_or_discard(text, ctx)
    canonical = ms.text(str)
    again = parse(canonical, ctx, str, sane=False)
    assert again == ms
    assert again.text(str) == canonical
    script = ms.script(key_bytes(ctx))
    assert len(script) == ms.script_size


@given(st.text(alphabet="abcdijklnorstuv_:(),0123456789ABC", max_size=60))
def test_random_text_only_raises_miniscript_errors(text: str) -> None:
    for ctx in Context:
        with contextlib.suppress(MiniscriptError):
            parse(text, ctx, str, sane=False)
