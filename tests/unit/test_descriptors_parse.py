"""Descriptor parsing: round trips (hypothesis), typed errors with positions, no secrets in
messages, multipath expansion, summaries, and the miniscript plug point.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore.bip32 import HARDENED, ExtendedPrivateKey
from primitives.descriptors import (
    ChecksumError,
    ContextError,
    Descriptor,
    DescriptorError,
    DescriptorSyntaxError,
    DuplicateKeyError,
    HardenedDerivationError,
    KeyExpr,
    KeyExpressionError,
    MultipathError,
    MusigKey,
    ParseOptions,
    PrivateKeyError,
    ScriptContext,
    UnknownFunctionError,
    add_checksum,
    descriptor_checksum,
    split_checksum,
)
from primitives.musig2 import derive_child, key_agg, key_sort
from primitives.script import push_data, push_int
from wallet.descriptors import descriptor_checksum as wallet_checksum

ROOTS = [ExtendedPrivateKey.from_seed(bytes([i]) * 32) for i in range(21, 25)]
XPUBS = [r.derive_path((HARDENED, 1)).public().serialize(0x0488B21E) for r in ROOTS]
XPRV = ROOTS[0].serialize()
HEX = [r.public_key.hex() for r in ROOTS]
WIF_COMPRESSED = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"


# -- round trips -----------------------------------------------------------------------------


@st.composite
def _origin(draw: st.DrawFn) -> str:
    if not draw(st.booleans()):
        return ""
    steps = draw(st.lists(st.integers(0, 2**31 - 1), max_size=4))
    marks = [draw(st.sampled_from(["", "'", "h"])) for _ in steps]
    fingerprint = draw(st.binary(min_size=4, max_size=4)).hex()
    return "[" + fingerprint + "".join(f"/{s}{m}" for s, m in zip(steps, marks, strict=True)) + "]"


@st.composite
def _xkey(draw: st.DrawFn, index: int, multipath: tuple[int, int] | None, ranged: bool) -> str:
    steps = draw(st.lists(st.integers(0, 2**31 - 1), max_size=2))
    path = "".join(f"/{s}" for s in steps)
    if multipath is not None:
        path += f"/<{multipath[0]};{multipath[1]}>"
    return draw(_origin()) + XPUBS[index] + path + ("/*" if ranged else "")


@st.composite
def descriptors(draw: st.DrawFn) -> str:
    multipath = draw(st.none() | st.tuples(st.integers(0, 100), st.integers(101, 200)).map(tuple))
    ranged = draw(st.booleans())
    keys = [draw(_xkey(i, multipath, ranged)) for i in range(4)]
    k = draw(st.integers(1, 3))
    forms = [
        f"wpkh({keys[0]})",
        f"pkh({keys[1]})",
        f"sh(wpkh({keys[2]}))",
        f"wsh(sortedmulti({k},{keys[0]},{keys[1]},{keys[2]}))",
        f"sh(wsh(multi({k},{keys[0]},{keys[1]},{keys[3]})))",
        f"sh(multi({k},{keys[0]},{keys[1]},{keys[2]}))",
        f"tr({keys[0]})",
        f"tr({keys[0]},{{pk({keys[1]}),{{multi_a({k},{keys[1]},{keys[2]},{keys[3]}),pk({HEX[0][2:]})}}}})",
        f"tr({HEX[1]},sortedmulti_a({k},{keys[2]},{keys[3]},{HEX[2]}))",
        f"wsh(pk({HEX[0]}))",
        f"raw({draw(st.binary(max_size=40)).hex()})",
    ]
    return draw(st.sampled_from(forms))


@settings(max_examples=150, deadline=None)
@given(descriptors(), st.booleans())
def test_parse_of_str_is_the_same_descriptor(text: str, with_checksum: bool) -> None:
    descriptor = Descriptor.parse(add_checksum(text) if with_checksum else text)
    again = Descriptor.parse(str(descriptor))
    assert again == descriptor
    assert str(again) == str(descriptor)
    assert "'" not in str(descriptor)
    assert len(descriptor.single_paths()) == descriptor.multipath_count
    for single in descriptor.single_paths():
        assert single.multipath_count == 1
        assert Descriptor.parse(str(single)) == single


@settings(max_examples=300, deadline=None)
@given(descriptors(), st.integers(0, 400), st.text(max_size=3))
def test_damaged_text_raises_only_descriptor_errors(text: str, at: int, junk: str) -> None:
    damaged = text[:at] + junk + text[at + len(junk) :]
    position: int | None = None
    try:
        Descriptor.parse(damaged)
    except DescriptorError as err:
        position = err.position
    assert position is None or 0 <= position <= len(damaged)


# -- checksum --------------------------------------------------------------------------------


def test_checksum_is_the_one_copy() -> None:
    assert descriptor_checksum("raw(deadbeef)") == "89f8spxm"
    assert wallet_checksum("raw(deadbeef)") == "89f8spxm"
    assert split_checksum("raw(deadbeef)#89f8spxm") == "raw(deadbeef)"
    with pytest.raises(ChecksumError, match="Provided checksum 'aaaaaaaa' does not match"):
        split_checksum("raw(deadbeef)#aaaaaaaa")
    with pytest.raises(ChecksumError, match="no checksum"):
        Descriptor.parse("raw(deadbeef)", ParseOptions(require_checksum=True))


# -- errors, with where -----------------------------------------------------------------------

ERRORS: list[tuple[str, type[DescriptorError], int | None]] = [
    (f"wpkh({XPUBS[0]}/1h/*)", HardenedDerivationError, 116),
    (f"wpkh({XPUBS[0]}/*h)", HardenedDerivationError, 117),
    (f"wpkh({XPUBS[0]}/<0;1>/<2;3>/*)", MultipathError, 123),
    (f"wsh(multi(1,{XPUBS[0]}/<0;1>/*,{XPUBS[1]}/<0;1;2>/*))", MultipathError, None),
    (f"wsh(multi(1,{HEX[0]},{HEX[0]}))", DuplicateKeyError, 79),
    (f"wpkh({HEX[0]}))", DescriptorSyntaxError, 72),
    (f"wpkh({HEX[0]})x", DescriptorSyntaxError, 72),
    (f"foo({HEX[0]})", UnknownFunctionError, 0),
    (f"wsh(wpkh({HEX[0]}))", ContextError, 4),
    (f"tr({HEX[0][2:]},multi(1,{HEX[1]}))", ContextError, None),
    (f"wpkh({HEX[0][2:]})", KeyExpressionError, 5),
    ("sh(" * 300 + "raw(00)" + ")" * 300, DescriptorError, None),
    (f"tr({HEX[0][2:]}," + "{" * 130 + f"pk({HEX[1]})", DescriptorSyntaxError, None),
    ("wsh(older(10))", DescriptorSyntaxError, 4),  # miniscript: spendable without a signature
    (f"multi(1,{HEX[0]},{HEX[1]},{HEX[2]},{HEX[3]})", ContextError, 6),
    ("addr(bc1qxyz)", ContextError, 5),
    (f"pk(musig({HEX[0]},{HEX[1]}))", ContextError, 3),
]


@pytest.mark.parametrize(("text", "error", "position"), ERRORS)
def test_errors_are_typed_and_say_where(
    text: str, error: type[DescriptorError], position: int | None
) -> None:
    with pytest.raises(error) as info:
        Descriptor.parse(text)
    if position is not None:
        assert info.value.position == position, str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        f"wpkh({XPRV}/0/*)",
        f"wpkh([deadbeef/0h]{XPRV})",
        f"pk({WIF_COMPRESSED})",
        f"tr({HEX[0][2:]},pk({XPRV}/*))",
        f"wsh(multi(1,{HEX[0]},{WIF_COMPRESSED}))",
        f"tr(musig({XPRV},{HEX[1]}))",
    ],
)
def test_private_keys_are_refused_without_echo(text: str) -> None:
    with pytest.raises(PrivateKeyError) as info:
        Descriptor.parse(text)
    message = str(info.value)
    assert XPRV[4:20] not in message
    assert WIF_COMPRESSED[4:20] not in message
    assert "public keys only" in message


def test_mistyped_private_key_is_not_echoed() -> None:
    broken = XPRV[:-1] + ("A" if XPRV[-1] != "A" else "B")
    with pytest.raises(KeyExpressionError) as info:
        Descriptor.parse(f"wpkh({broken})")
    assert broken[4:20] not in str(info.value)


# -- values ------------------------------------------------------------------------------------


def test_multipath_expansion_and_kind() -> None:
    text = f"wsh(sortedmulti(2,{XPUBS[0]}/<0;1>/*,{XPUBS[1]}/<0;1>/*,{XPUBS[2]}/<0;1>/*))"
    descriptor = Descriptor.parse(text)
    assert descriptor.kind == "2-of-3 multisig (wsh sortedmulti)"
    assert descriptor.is_ranged
    receive, change = descriptor.single_paths()
    assert str(receive) == str(Descriptor.parse(text.replace("<0;1>", "0")))
    assert change.derive(5).script_pubkey == descriptor.derive(5, 1).script_pubkey
    with pytest.raises(DescriptorError, match="Branch 2"):
        descriptor.derive(0, 2)
    with pytest.raises(DescriptorError, match="ranged"):
        descriptor.derive()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"wpkh({HEX[0]})", "single key (wpkh)"),
        (f"sh(wpkh({HEX[0]}))", "single key (sh wpkh)"),
        (f"tr({HEX[0]})", "single key (tr)"),
        (f"tr({HEX[0]},{{pk({HEX[1]}),pk({HEX[2]})}})", "taproot key with 2 script leaves"),
        (f"tr(musig({XPUBS[0]},{XPUBS[1]})/<0;1>/*)", "2-of-2 musig (tr)"),
        (f"sh(wsh(multi(1,{HEX[0]},{HEX[1]})))", "1-of-2 multisig (sh wsh multi)"),
        ("raw(6a)", "raw script (raw)"),
    ],
)
def test_kind(text: str, kind: str) -> None:
    assert Descriptor.parse(text).kind == kind


def test_musig_keys_aggregate_sorted_then_derive_from_the_synthetic_xpub() -> None:
    descriptor = Descriptor.parse(f"tr(musig({XPUBS[0]},{XPUBS[1]},{XPUBS[0]})/<0;1>/*)")
    (key,) = descriptor.keys()
    assert isinstance(key, MusigKey)
    assert len(key.participants) == 3
    assert descriptor.multipath_count == 2
    # BIP-390: the participants (here unranged xpubs) are sorted and aggregated (BIP-327),
    # then the steps after musig() derive from BIP-328's synthetic xpub of the aggregate.
    participants = [p.derive(None, 1)[0] for p in key.participants]
    aggregate = key_agg(key_sort(participants))
    child, _ = derive_child(aggregate, (1, 7))
    derived = descriptor.derive(7, 1)
    assert derived.taproot is not None
    assert derived.taproot.internal_key == child[1:]
    assert descriptor.script_pubkeys(7, 1, 1) == [derived.script_pubkey]


def test_uncompressed_keys_only_outside_segwit() -> None:
    uncompressed = (
        "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
        "5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235"
    )
    assert Descriptor.parse(f"pkh({uncompressed})").derive().script_pubkey.hex() == (
        "76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"
    )
    with pytest.raises(KeyExpressionError, match="Uncompressed"):
        Descriptor.parse(f"wsh(pkh({uncompressed}))")


# -- the miniscript plug point ----------------------------------------------------------------


class OlderAfterKey:
    """A stand-in for one miniscript fragment, ``and_v(v:pk(KEY),older(N))``."""

    def __init__(self, key: KeyExpr, blocks: int) -> None:
        self._key = key
        self._blocks = blocks

    def keys(self) -> list[KeyExpr]:
        return [self._key]

    def script(self, key_bytes: Callable[[KeyExpr], bytes]) -> bytes:
        # <key> CHECKSIGVERIFY <n> CHECKSEQUENCEVERIFY (BIP-379 and_v(v:pk(K),older(n))).
        return push_data(key_bytes(self._key)) + b"\xad" + push_int(self._blocks) + b"\xb2"

    def text(self, key_text: Callable[[KeyExpr], str]) -> str:
        return f"and_v(v:pk({key_text(self._key)}),older({self._blocks}))"


def stand_in(
    text: str, context: ScriptContext, parse_key: Callable[[str], KeyExpr]
) -> OlderAfterKey:
    head, tail = "and_v(v:pk(", "),older("
    if not text.startswith(head) or tail not in text:
        raise ValueError("not sane")
    key_text, blocks = text[len(head) :].split(tail)
    return OlderAfterKey(parse_key(key_text), int(blocks.rstrip(")")))


def test_miniscript_plugs_into_wsh_and_taproot_leaves() -> None:
    options = ParseOptions(miniscript=stand_in)
    key = f"[deadbeef/48'/0'/0'/2']{XPUBS[0]}/<0;1>/*"
    wsh = Descriptor.parse(f"wsh(and_v(v:pk({key}),older(144)))", options)
    assert wsh.kind == "miniscript (wsh)"
    assert "48h" in str(wsh)
    assert Descriptor.parse(str(wsh), options) == wsh
    derived = wsh.derive(3, 1)
    assert derived.witness_script is not None
    pubkey = ROOTS[0].derive_path((HARDENED, 1, 1, 3)).public_key
    assert derived.witness_script == push_data(pubkey) + b"\xad" + push_int(144) + b"\xb2"
    assert [s.path for s in derived.key_sources] == [
        (48 + HARDENED, HARDENED, HARDENED, 2 + HARDENED, 1, 3)
    ]
    _receive, change = wsh.single_paths()
    assert "/1/*" in str(change)
    assert change == Descriptor.parse(str(change), options)
    assert change.derive(3).witness_script == derived.witness_script
    leaf = Descriptor.parse(f"tr({HEX[0]},and_v(v:pk({key}),older(144)))", options)
    derived_leaf = leaf.derive(3, 1)
    assert derived_leaf.taproot is not None
    assert derived_leaf.taproot.leaves[0].script[:33] == push_data(pubkey[1:])
    with pytest.raises(DescriptorSyntaxError, match="Invalid miniscript"):
        Descriptor.parse("wsh(or_d(pk(A),pk(B)))", options)
    with pytest.raises(PrivateKeyError):
        Descriptor.parse(f"wsh(and_v(v:pk({XPRV}),older(1)))", options)


def test_rawtr_uses_the_key_untweaked() -> None:
    descriptor = Descriptor.parse(f"rawtr({XPUBS[0]}/0/*)")
    key = ROOTS[0].derive_path((HARDENED, 1, 0, 9)).public_key
    assert descriptor.derive(9).script_pubkey == b"\x51\x20" + key[1:]
    assert descriptor.kind == "raw taproot key (rawtr)"
    with pytest.raises(ContextError):
        Descriptor.parse(f"sh(rawtr({HEX[0]}))")
