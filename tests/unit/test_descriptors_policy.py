"""BIP-388 wallet policies: the BIP's valid and invalid policies, conversions, text form.

The miniscript policies are read with a stand-in for ``primitives.miniscript`` that finds
the key expressions of a fragment and nothing more (``KeyFinder``): enough to test that
policies and descriptors convert through the miniscript plug point, not miniscript itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from primitives.descriptors import (
    Descriptor,
    DescriptorError,
    KeyExpr,
    ParseOptions,
    PolicyError,
    ScriptContext,
    WalletPolicy,
)

VECTORS = json.loads(
    (Path(__file__).parents[1] / "vectors" / "descriptors" / "bip388.json").read_text("utf-8")
)
_KEY = re.compile(
    r"musig\([^)]*\)[^,)]*|\[[^\]]*\][1-9A-HJ-NP-Za-km-z]+[^,)]*|[xt]pub[1-9A-HJ-NP-Za-km-z]+[^,)]*"
)


class KeyFinder:
    """A stand-in miniscript fragment: the text with its keys, no script."""

    def __init__(self, text: str, parse_key: Callable[[str], KeyExpr]) -> None:
        self._pieces = _KEY.split(text)
        self._keys = [parse_key(k) for k in _KEY.findall(text)]

    def keys(self) -> list[KeyExpr]:
        return list(self._keys)

    def script(self, key_bytes: Callable[[KeyExpr], bytes]) -> bytes:
        raise NotImplementedError("a stand-in has no script")

    def text(self, key_text: Callable[[KeyExpr], str]) -> str:
        out = [self._pieces[0]]
        for key, piece in zip(self._keys, self._pieces[1:], strict=True):
            out += [key_text(key), piece]
        return "".join(out)


def key_finder(text: str, context: ScriptContext, parse_key: Callable[[str], KeyExpr]) -> KeyFinder:
    return KeyFinder(text, parse_key)


OPTIONS = ParseOptions(miniscript=key_finder)


def _canonical(text: str) -> str:
    return str(Descriptor.parse(text, OPTIONS))


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["title"])
def test_valid_policy_gives_the_bip_descriptor(vector: dict[str, Any]) -> None:
    policy = WalletPolicy(vector["template"], tuple(vector["keys_info"]), vector["title"])
    descriptor = policy.to_descriptor(OPTIONS)
    assert str(descriptor) == _canonical(vector["descriptor"])
    back = WalletPolicy.from_descriptor(descriptor, vector["title"])
    assert back.to_descriptor(OPTIONS) == descriptor
    assert back.template == vector["template"]
    assert WalletPolicy.parse_text(policy.text()) == policy


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["reason"])
def test_invalid_policy_is_refused(vector: dict[str, Any]) -> None:
    xpubs = next(v["keys_info"] for v in VECTORS["valid"] if len(v["keys_info"]) == 4)
    count = len(set(re.findall(r"@(\d+)", vector["template"])))
    policy = WalletPolicy(vector["template"], tuple(xpubs[: max(count, 1)]))
    with pytest.raises(DescriptorError) as info:
        policy.to_descriptor(OPTIONS)
    if "cardinality" not in vector["reason"]:
        assert isinstance(info.value, PolicyError), info.value


def test_repeated_key_information_is_refused() -> None:
    (info,) = VECTORS["valid"][0]["keys_info"]
    with pytest.raises(PolicyError, match="same public key"):
        WalletPolicy("wsh(multi(1,@0/**,@1/**))", (info, info)).to_descriptor()


def test_key_vector_must_match_the_template() -> None:
    (info,) = VECTORS["valid"][0]["keys_info"]
    with pytest.raises(PolicyError, match="uses 1 keys"):
        WalletPolicy("pkh(@0/**)", (info, VECTORS["valid"][1]["keys_info"][0])).to_descriptor()


def test_key_information_takes_no_derivation() -> None:
    (info,) = VECTORS["valid"][0]["keys_info"]
    with pytest.raises(PolicyError, match="no derivation"):
        WalletPolicy("pkh(@0/**)", (info + "/0",)).to_descriptor()


def test_descriptor_without_multipath_has_no_policy() -> None:
    (info,) = VECTORS["valid"][0]["keys_info"]
    with pytest.raises(PolicyError, match="/<M;N>/"):
        WalletPolicy.from_descriptor(Descriptor.parse(f"pkh({info}/0/*)"))


@pytest.mark.parametrize("text", ["", "[]", '{"descriptor_template": 1, "keys_info": []}'])
def test_text_form_is_checked(text: str) -> None:
    with pytest.raises(PolicyError):
        WalletPolicy.parse_text(text)
