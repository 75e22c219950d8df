"""Descriptors with the real miniscript (BIP-379) and MuSig2 (BIP-327) modules.

Miniscript is read by default (``read_miniscript``); ``musig()`` keys aggregate with
``primitives.musig2`` (BIP-390's scripts are checked with the other BIP vectors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from primitives.descriptors import Descriptor, DescriptorError, ParseOptions, WalletPolicy

VECTORS = Path(__file__).parents[1] / "vectors" / "descriptors"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    return data


@pytest.mark.parametrize("vector", _load("bip388.json")["valid"], ids=lambda v: v["title"])
def test_bip388_policies_through_miniscript(vector: dict[str, Any]) -> None:
    policy = WalletPolicy(vector["template"], tuple(vector["keys_info"]))
    descriptor = policy.to_descriptor(ParseOptions())
    assert descriptor == Descriptor.parse(vector["descriptor"])
    assert WalletPolicy.from_descriptor(descriptor).template == vector["template"]
    assert (
        descriptor.derive(0, 1).script_pubkey
        == descriptor.single_paths()[1].derive(0).script_pubkey
    )


def test_miniscript_is_read_by_default_and_can_be_turned_off() -> None:
    text = _load("bip388.json")["valid"][0]["descriptor"]
    assert Descriptor.parse(text) == Descriptor.parse(text, ParseOptions())
    inheritance = next(
        v["descriptor"] for v in _load("bip388.json")["valid"] if "older(" in v["descriptor"]
    )
    with pytest.raises(DescriptorError, match="miniscript"):
        Descriptor.parse(inheritance, ParseOptions(miniscript=None))
