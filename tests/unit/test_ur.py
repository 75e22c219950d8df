"""BC-UR against the reference test suite: Bytewords, Xoshiro256**, fountain codes, UR text.

The vectors (tests/vectors/bcr_2020_005_ur.json) are those of Blockchain Commons' ``bc-ur``;
frames that match them bit for bit are frames Sparrow, Keystone and Passport decode.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from primitives.ur import UR, UrDecoder, UrEncoder, cbor, decode_single, encode_single
from primitives.ur import bytewords as bw
from primitives.ur.errors import BytewordsError, FountainError, MixedPayloadsError, UrError
from primitives.ur.fountain import (
    FountainDecoder,
    FountainEncoder,
    FountainPart,
    choose_fragments,
    degree_sampler,
    fragment_length,
    shuffled,
)
from primitives.ur.xoshiro import RandomSampler, Xoshiro256

V: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bcr_2020_005_ur.json").read_text("utf-8")
)


def _message(length: int, seed: bytes = b"Wolf") -> bytes:
    return Xoshiro256.from_bytes(seed).next_data(length)


def _bytes_ur(length: int) -> UR:
    return UR("bytes", cbor.encode(_message(length)))


@pytest.mark.parametrize("case", V["crc32"], ids=lambda c: c["text"])
def test_crc32(case: dict[str, str]) -> None:
    assert f"{bw.crc32(case['text'].encode()):x}" == case["crc32"]


@pytest.mark.parametrize("case", V["bytewords"], ids=["short", "long"])
def test_bytewords(case: dict[str, str]) -> None:
    data = bytes.fromhex(case["hex"])
    for style in bw.BytewordsStyle:
        if style.value in case:
            assert bw.encode(data, style) == case[style.value]
            assert bw.decode(case[style.value], style) == data
            assert bw.decode(case[style.value].upper(), style) == data


@pytest.mark.parametrize("case", V["bytewords_invalid"], ids=lambda c: f"{c['style']}-{c['why']}")
def test_bytewords_invalid(case: dict[str, str]) -> None:
    with pytest.raises(BytewordsError):
        bw.decode(case["text"], bw.BytewordsStyle(case["style"]))


def test_bytewords_unknown_word_and_odd_length() -> None:
    with pytest.raises(BytewordsError, match="not a Byteword"):
        bw.decode("able acid qqqq lava zoom", bw.BytewordsStyle.STANDARD)
    with pytest.raises(BytewordsError, match="pairs"):
        bw.decode("aeadaolazmjendeot", bw.BytewordsStyle.MINIMAL)


def test_rng() -> None:
    rng = Xoshiro256.from_bytes(b"Wolf")
    assert [rng.next() % 100 for _ in range(100)] == V["rng_wolf_mod100"]
    rng = Xoshiro256.from_bytes(zlib.crc32(b"Wolf").to_bytes(4, "big"))
    assert [rng.next() % 100 for _ in range(100)] == V["rng_crc32_wolf_mod100"]
    rng = Xoshiro256.from_bytes(b"Wolf")
    assert [rng.next_int(1, 10) for _ in range(100)] == V["rng_wolf_next_int_1_10"]


def test_random_sampler_and_shuffle() -> None:
    case = V["random_sampler"]
    sampler = RandomSampler(case["weights"])
    rng = Xoshiro256.from_bytes(case["seed"].encode())
    assert [sampler.next(rng.next_double) for _ in case["samples"]] == case["samples"]
    case = V["shuffle"]
    rng = Xoshiro256.from_bytes(case["seed"].encode())
    assert [shuffled(case["items"], rng) for _ in case["results"]] == case["results"]


@pytest.mark.parametrize("case", V["fragment_length"], ids=lambda c: str(c["max"]))
def test_fragment_length(case: dict[str, int]) -> None:
    assert fragment_length(case["message_len"], case["min"], case["max"]) == case["length"]


def test_partition_degrees_and_fragment_choice() -> None:
    case = V["partition"]
    message = _message(case["message_len"])
    encoder = FountainEncoder(message, case["max"], min_fragment_len=case["min"])
    assert [f.hex() for f in encoder.fragments] == case["fragments"]
    count = len(encoder.fragments)
    degrees = V["choose_degree"]["degrees"]
    sampler = degree_sampler(count)
    for nonce, degree in enumerate(degrees, start=1):
        rng = Xoshiro256.from_bytes(f"Wolf-{nonce}".encode())
        assert sampler.next(rng.next_double) + 1 == degree
    checksum = bw.crc32(message)
    chosen = [sorted(choose_fragments(n, count, checksum)) for n in range(1, 31)]
    assert chosen == V["choose_fragments"]["indexes"]


def test_fountain_encoder_parts() -> None:
    case = V["fountain_encoder"]
    encoder = FountainEncoder(_message(case["message_len"]), case["max_fragment_len"])
    for text, cbor_hex in zip(case["parts"], case["parts_cbor"], strict=True):
        part = encoder.next_part()
        fields = dict(item.split(":") for item in text.split(", "))
        assert part.seq_num == int(fields["seqNum"])
        assert part.seq_len == int(fields["seqLen"])
        assert part.message_len == int(fields["messageLen"])
        assert part.checksum == int(fields["checksum"])
        assert part.data.hex() == fields["data"]
        assert part.cbor().hex() == cbor_hex
        assert FountainPart.from_cbor(part.cbor()) == part


def test_fountain_encoder_is_complete_after_each_fragment_once() -> None:
    encoder = FountainEncoder(_message(256), 30)
    emitted = 0
    while not encoder.is_complete():
        encoder.next_part()
        emitted += 1
    assert emitted == encoder.seq_len


def test_single_part_ur() -> None:
    case = V["single_part_ur"]
    ur = _bytes_ur(case["message_len"])
    assert encode_single(ur) == case["ur"]
    assert decode_single(case["ur"]) == ur
    assert decode_single(case["ur"].upper()) == ur


def test_multi_part_ur_encoder() -> None:
    case = V["multi_part_ur"]
    encoder = UrEncoder(_bytes_ur(case["message_len"]), case["max_fragment_len"])
    assert [encoder.next_part() for _ in case["parts"]] == case["parts"]


def test_multi_part_ur_decoder_from_seq_100() -> None:
    ur = _bytes_ur(32767)
    encoder = UrEncoder(ur, 1000, first_seq_num=100)
    decoder = UrDecoder()
    while decoder.result is None:
        decoder.receive(encoder.next_part())
    assert decoder.result == ur


def test_short_crc32_frame_is_read() -> None:
    progress = UrDecoder().receive(V["short_crc32_frame"])
    assert progress.parts_received == 1


def test_decoder_finishes_at_the_first_frame_that_completes() -> None:
    message = _message(5000)
    encoder = FountainEncoder(message, 100)
    parts = [encoder.next_part() for _ in range(3 * encoder.seq_len)]
    decoder = FountainDecoder()
    used = 0
    for part in parts[encoder.seq_len :]:  # only mixed parts: peeling does all the work
        decoder.receive(part)
        used += 1
        if decoder.message is not None:
            break
    assert decoder.message == message
    assert decoder.progress().complete
    assert used < 2 * encoder.seq_len


def test_two_payloads_mixed_are_refused() -> None:
    first = UrEncoder(_bytes_ur(500), 50)
    other = UrEncoder(UR("bytes", cbor.encode(_message(500, b"Other"))), 50)
    decoder = UrDecoder()
    decoder.receive(first.next_part())
    with pytest.raises(MixedPayloadsError, match="two payloads mixed"):
        decoder.receive(other.next_part())
    psbt_like = UrEncoder(UR("crypto-psbt", _bytes_ur(500).cbor), 50)
    with pytest.raises(MixedPayloadsError, match="crypto-psbt"):
        decoder.receive(psbt_like.next_part())


@pytest.mark.parametrize(
    "text",
    [
        "ur:",
        "urx:bytes/aeadaolazmjendeoti",
        "ur:bytes",
        "ur:bytes/",
        "ur:BY_TES/aeadaolazmjendeoti",
        "ur:bytes/0-3/aeadaolazmjendeoti",
        "ur:bytes/1-x/aeadaolazmjendeoti",
        "ur:bytes/1-2/3/aeadaolazmjendeoti",
        "ur:bytes/1-9/aeadaolazmjendeoti",  # bytewords fine, CBOR not a part
    ],
)
def test_malformed_ur_text_is_refused(text: str) -> None:
    with pytest.raises(UrError):
        UrDecoder().receive(text)


def test_frame_whose_sequence_disagrees_with_its_cbor() -> None:
    part = FountainEncoder(_message(500), 50).next_part()
    text = f"ur:bytes/2-{part.seq_len}/{bw.encode(part.cbor())}"
    with pytest.raises(FountainError, match="disagree"):
        UrDecoder().receive(text)


def test_decoder_solves_what_peeling_cannot() -> None:
    # Four fragments, and only the four parts that each mix three of them: no part holds a
    # single unknown fragment and none is a subset of another, so a peeling decoder (even
    # with subset reduction) stalls; the four are independent, so the message is determined,
    # and the decoder finishes on the fourth.
    message = _message(40)
    encoder = FountainEncoder(message, 10)
    assert encoder.seq_len == 4
    wanted = [frozenset(range(4)) - {i} for i in range(4)]
    parts: dict[frozenset[int], FountainPart] = {}
    while len(parts) < 4:
        part = encoder.next_part()
        chosen = choose_fragments(part.seq_num, 4, part.checksum)
        if chosen in wanted:
            parts.setdefault(chosen, part)
    decoder = FountainDecoder()
    decoder.receive(parts[wanted[0]])
    decoder.receive(parts[wanted[0]])  # a duplicate adds nothing
    assert decoder.progress().recovered == 1
    for chosen in wanted[1:3]:
        decoder.receive(parts[chosen])
    assert decoder.message is None
    decoder.receive(parts[wanted[3]])
    assert decoder.message == message


def test_frame_claiming_too_many_fragments_is_refused() -> None:
    # A hostile frame: 1-byte fragments of a 2**31-byte message, which would make the
    # decoder build a degree table of two billion entries.
    part = FountainPart(20_000, 2**31, 2**31, 0, b"\x00").cbor()
    with pytest.raises(FountainError, match="at most 10000"):
        FountainPart.from_cbor(part)
    with pytest.raises(UrError):
        UrDecoder().receive(f"ur:bytes/20000-{2**31}/{bw.encode(part)}")
