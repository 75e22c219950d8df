"""Property tests (hypothesis): any bytes survive Bytewords, BBQr and fountain-coded URs.

UR frames are delivered in any order, with duplicates and with frames lost; the decoder must
rebuild the very bytes from whatever reaches it, and refuse nothing it should take.
"""

from __future__ import annotations

import contextlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from primitives import bbqr
from primitives.ur import UR, UrDecoder, UrEncoder, cbor
from primitives.ur import bytewords as bw
from primitives.ur.errors import UrError
from wallet.errors import QrPayloadError
from wallet.transport import (
    FrameCollector,
    FrameFormat,
    Payload,
    PayloadKind,
    decode_frames,
    encode_frames,
)


@given(st.binary(min_size=1, max_size=300), st.sampled_from(list(bw.BytewordsStyle)))
def test_bytewords_round_trip(data: bytes, style: bw.BytewordsStyle) -> None:
    # Empty data is not tested: the reference refuses Bytewords of fewer than five bytes.
    assert bw.decode(bw.encode(data, style), style) == data


@given(st.binary(min_size=1, max_size=3000), st.sampled_from(["H", "2", "Z", None]))
@settings(max_examples=60, deadline=None)
def test_bbqr_round_trip(data: bytes, encoding: str | None) -> None:
    result = bbqr.split(data, "B", encoding, min_version=1, max_version=6)
    parts = list(result.parts)
    random.Random(len(data)).shuffle(parts)
    assert bbqr.join(parts + parts[:1]) == ("B", data)


@given(
    data=st.binary(min_size=1, max_size=2000),
    fragment=st.integers(10, 120),
    loss=st.floats(0.0, 0.5),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_ur_parts_any_order_duplicates_losses(
    data: bytes, fragment: int, loss: float, seed: int
) -> None:
    ur = UR("bytes", cbor.encode(data))
    encoder = UrEncoder(ur, fragment)
    rng = random.Random(seed)
    decoder = UrDecoder()
    sent = 0
    # A receiver that misses frames keeps watching the (endless) fountain until it is done.
    while decoder.result is None:
        frame = encoder.next_part()
        sent += 1
        assert sent < 50 * encoder.fragment_count + 50, "the decoder never finished"
        if rng.random() < loss:
            continue
        decoder.receive(frame)
        if rng.random() < 0.2:
            decoder.receive(frame)  # a duplicate
    assert decoder.result == ur
    assert cbor.decode(decoder.result.cbor) == data


@given(
    data=st.binary(min_size=1, max_size=1500),
    fragment=st.integers(10, 80),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=40, deadline=None)
def test_ur_frames_shuffled(data: bytes, fragment: int, seed: int) -> None:
    ur = UR("bytes", cbor.encode(data))
    encoder = UrEncoder(ur, fragment)
    frames = [encoder.next_part() for _ in range(3 * encoder.fragment_count)]
    random.Random(seed).shuffle(frames)
    decoder = UrDecoder()
    for frame in frames:
        decoder.receive(frame)
    assert decoder.result == ur


@given(data=st.binary(min_size=60, max_size=1500), fragment=st.integers(10, 80))
@settings(max_examples=40, deadline=None)
def test_a_loop_of_frames_survives_the_loss_of_any_one(data: bytes, fragment: int) -> None:
    # A GIF or a folder of PNG frames is a finite loop: missing any one frame of it (a PNG
    # not copied, a frame the camera never caught) must still give the message.
    payload = Payload(PayloadKind.BYTES, data)
    frames = encode_frames(payload, FrameFormat.UR, max_fragment_len=fragment)
    if len(frames) == 1:
        assert decode_frames(frames) == payload
        return
    assert len(frames) >= 2 * UrEncoder(UR("bytes", cbor.encode(data)), fragment).fragment_count
    for lost in range(len(frames)):
        kept = frames[:lost] + frames[lost + 1 :]
        assert decode_frames(kept[::-1]) == payload


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_collector_never_crashes_on_text(text: str) -> None:
    with contextlib.suppress(QrPayloadError):
        FrameCollector().receive(text)


@given(st.binary(max_size=200))
@settings(max_examples=200, deadline=None)
def test_ur_decoder_only_typed_errors_on_bytewords_of_anything(data: bytes) -> None:
    for text in (f"ur:bytes/{bw.encode(data)}", f"ur:bytes/1-3/{bw.encode(data)}"):
        with contextlib.suppress(UrError):
            UrDecoder().receive(text)
