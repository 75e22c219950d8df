"""Descriptors with the real miniscript (BIP-379) and MuSig2 (BIP-327) modules.

Both live on other branches until they merge; each test skips while its module is missing.
``parse_miniscript`` is the thin adapter from the descriptors' plug point to
``primitives.miniscript.parse``; the MuSig2 test routes ``keys._aggregate`` to
``primitives.musig2`` and checks the BIP-390 scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import primitives.descriptors.keys as keys_module
from primitives.descriptors import (
    Descriptor,
    KeyExpr,
    MiniscriptFragment,
    ParseOptions,
    ScriptContext,
    WalletPolicy,
)

VECTORS = Path(__file__).parents[1] / "vectors" / "descriptors"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


def parse_miniscript(
    text: str, context: ScriptContext, parse_key: Callable[[str], KeyExpr]
) -> MiniscriptFragment:
    miniscript = pytest.importorskip("primitives.miniscript")
    fragment: MiniscriptFragment = miniscript.parse(
        text, miniscript.Context[context.name], parse_key
    )
    return fragment


@pytest.mark.parametrize(
    "vector",
    [v for v in _load("bip388.json")["valid"] if "musig" not in v["template"]],
    ids=lambda v: v["title"],
)
def test_bip388_policies_through_miniscript(vector: dict[str, Any]) -> None:
    pytest.importorskip("primitives.miniscript")
    options = ParseOptions(miniscript=parse_miniscript)
    policy = WalletPolicy(vector["template"], tuple(vector["keys_info"]))
    descriptor = policy.to_descriptor(options)
    assert descriptor == Descriptor.parse(vector["descriptor"], options)
    assert WalletPolicy.from_descriptor(descriptor).template == vector["template"]
    assert (
        descriptor.derive(0, 1).script_pubkey
        == descriptor.single_paths()[1].derive(0).script_pubkey
    )


@pytest.mark.parametrize(
    "vector", [v for v in _load("bip390.json")["valid"] if v["scripts"]], ids=str
)
def test_bip390_musig_scripts(vector: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    musig2 = pytest.importorskip("primitives.musig2")

    def aggregate(pubkeys: list[bytes]) -> tuple[bytes, bytes]:
        return musig2.key_agg(pubkeys), musig2.MUSIG_CHAIN_CODE

    monkeypatch.setattr(keys_module, "_aggregate", aggregate)
    descriptor = Descriptor.parse(vector["public"])
    count = len(vector["scripts"])
    if descriptor.is_ranged:
        got = [s.hex() for s in descriptor.script_pubkeys(0, count)]
    else:
        got = [descriptor.derive().script_pubkey.hex()]
    assert got == vector["scripts"]
