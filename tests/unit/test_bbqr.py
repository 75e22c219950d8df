"""BBQr against Coinkite's reference: its splits of the spec's test files, and a real scan.

tests/vectors/bbqr.json records what the reference ``split_qrs`` produced for files of the
spec's ``test_data`` (with several encodings and QR version limits), and the frames of its
``real-scan.txt`` (read off a Coldcard Q, with repeats).
"""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from pathlib import Path
from typing import Any

import pytest

from primitives import bbqr

V: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bbqr.json").read_text("utf-8")
)


@pytest.mark.parametrize(
    "case", V["split"], ids=lambda c: f"{c['file']}-{c['encoding']}-{c['options']}"
)
def test_split_same_as_reference(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["hex"])
    result = bbqr.split(data, case["file_type"], case["encoding"], **case["options"])
    assert result.version == case["version"]
    assert list(result.parts) == case["parts"]
    parts = list(case["parts"])
    random.Random(3).shuffle(parts)
    assert bbqr.join(parts) == (case["file_type"], data)


def test_real_scan() -> None:
    case = V["real_scan"]
    file_type, data = bbqr.join(case["parts"])
    assert file_type == case["file_type"]
    assert len(data) == case["length"]
    assert hashlib.sha256(data).hexdigest() == case["sha256"]
    assert b"Zlib compressed" in data


def test_collector_progress_and_missing() -> None:
    parts = V["split"][1]["parts"]
    collector = bbqr.BbqrCollector()
    for n, part in enumerate(parts[:-1], start=1):
        collector.receive(part)
        assert (collector.received, collector.total, collector.complete) == (n, len(parts), False)
    with pytest.raises(bbqr.BbqrError, match="1 BBQr parts are missing"):
        collector.result()
    collector.receive(parts[-1])
    assert collector.complete


def test_mixed_series_are_refused() -> None:
    one = V["split"][1]["parts"]  # B$HP04..
    other = V["split"][2]["parts"]  # B$2P05..
    with pytest.raises(bbqr.BbqrMixedError, match="two payloads mixed"):
        bbqr.join([one[0], other[1]])
    changed = one[1][:-2] + ("00" if not one[1].endswith("00") else "11")
    with pytest.raises(bbqr.BbqrMixedError, match="number 1"):
        bbqr.join([one[1], changed])


@pytest.mark.parametrize(
    "text",
    [
        "B$",
        "X$HP0100AA",
        "B$QP0100AA",
        "B$HQ0100AA",
        "B$HP0101AA",
        "B$HP0000AA",
        "B$HP01!0AA",
        "B$HP0100A",  # odd hex
        "B$HP0100GG",
        "B$ZP0100AAAAAAAA",  # not deflate data
        "B$2P01001",  # a base32 length no bytes make
    ],
)
def test_malformed_parts(text: str) -> None:
    with pytest.raises(bbqr.BbqrError):
        bbqr.join([text])


def test_split_refuses() -> None:
    with pytest.raises(bbqr.BbqrError, match="file type"):
        bbqr.split(b"x", "Q")
    with pytest.raises(bbqr.BbqrError, match="encoding"):
        bbqr.split(b"x", "P", "X")
    with pytest.raises(bbqr.BbqrError, match="empty"):
        bbqr.split(b"", "P")
    with pytest.raises(bbqr.BbqrError, match="does not fit"):
        bbqr.split(bytes(range(256)) * 40, "B", "H", max_split=2, max_version=5)


def test_deflate_bomb_is_refused() -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, -10)
    bomb = packer.compress(bytes(bbqr.MAX_FILE + 1)) + packer.flush()
    parts = bbqr.split(bomb, "B", "2", max_version=40).parts
    text = [p.replace("B$2B", "B$ZB", 1) for p in parts]
    with pytest.raises(bbqr.BbqrError, match="inflates beyond"):
        bbqr.join(text)
