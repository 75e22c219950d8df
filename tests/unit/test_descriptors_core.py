"""Bitcoin Core's descriptor_tests.cpp cases (public halves): scripts, key origin paths, and
the refusals, each with the class Coffer raises (Core's message is kept in the vector file).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import primitives.descriptors as descriptors
from primitives.descriptors import Descriptor, DescriptorError, ParseOptions
from primitives.script import AddressParams

CORE = json.loads(
    (
        Path(__file__).parents[1] / "vectors" / "descriptors" / "core_descriptor_tests.json"
    ).read_text("utf-8")
)
OPTIONS = ParseOptions(address_format=AddressParams("bc", 0x00, 0x05))


@pytest.mark.parametrize("case", CORE["valid"], ids=lambda c: c["descriptor"][:24])
def test_core_scripts_and_origin_paths(case: dict[str, Any]) -> None:
    descriptor = Descriptor.parse(case["descriptor"], OPTIONS)
    seen: set[tuple[int, ...]] = set()
    for index, scripts in enumerate(case["scripts"]):
        derived = descriptor.derive(index)
        assert [derived.script_pubkey.hex()] == scripts
        seen |= {s.path for s in derived.key_sources}
    assert seen == {tuple(p) for p in case["paths"]}


@pytest.mark.parametrize("case", CORE["invalid"], ids=lambda c: c["core_error"][:40])
def test_core_refusals(case: dict[str, Any]) -> None:
    expected: type[DescriptorError] = getattr(descriptors, case["error"])
    with pytest.raises(expected) as info:
        Descriptor.parse(case["descriptor"], OPTIONS)
    if "message" in case:
        assert str(info.value).startswith(case["message"])
