"""``wallet.transport``: PSBT files, QR frames (BC-UR and BBQr), images written and read back.

Images are real PNG and GIF files written with segno and pillow and read with zxing-cpp.
"""

from __future__ import annotations

import base64
import json
import os
import random
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image

from wallet.errors import (
    IncompleteQrPayload,
    InvalidPsbtFile,
    MixedQrPayloads,
    NoQrCode,
    QrPayloadError,
    Unsupported,
)
from wallet.transport import (
    FrameCollector,
    FrameFormat,
    Payload,
    PayloadKind,
    PsbtEncoding,
    decode_frames,
    encode_frames,
    psbt_of_payload,
    read_psbt,
    read_psbt_file,
    read_qr_image,
    read_qr_images,
    terminal_frames,
    write_gif,
    write_png,
    write_png_frames,
    write_psbt_file,
)

BIP174: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bip174.json").read_text("utf-8")
)
PSBTS = [bytes.fromhex(v["hex"]) for v in BIP174["valid"]]
PSBT = max(PSBTS, key=len)  # several frames at the default fragment length


def _psbt(n: int = 0) -> Payload:
    return Payload(PayloadKind.PSBT, PSBTS[n])


# -- PSBT files ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", list(PsbtEncoding), ids=lambda e: e.value)
def test_psbt_file_round_trip(tmp_path: Path, encoding: PsbtEncoding) -> None:
    path = write_psbt_file(tmp_path / "tx.psbt", PSBT, encoding)
    assert read_psbt_file(path) == (PSBT, encoding)
    assert not list(tmp_path.glob(".*partial"))


def test_psbt_file_formats_of_core_sparrow_electrum(tmp_path: Path) -> None:
    text = base64.b64encode(PSBT).decode()
    (tmp_path / "core.txt").write_text(text + "\n")  # bitcoin-cli output saved to a file
    (tmp_path / "wrapped.txt").write_text(
        "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    )
    (tmp_path / "sparrow.psbt").write_bytes(PSBT)
    for name in ("core.txt", "wrapped.txt", "sparrow.psbt"):
        assert read_psbt_file(tmp_path / name)[0] == PSBT
    assert (tmp_path / "sparrow.psbt").read_bytes() == write_psbt_file(
        tmp_path / "again.psbt", PSBT
    ).read_bytes()


CORRUPT = [c for c in BIP174["invalid"] if c["hex"].startswith("70736274ff")]


@pytest.mark.parametrize("case", CORRUPT, ids=lambda c: c["name"][:40])
def test_corrupt_psbt_is_refused_with_reason(case: dict[str, str]) -> None:
    with pytest.raises(InvalidPsbtFile, match="corrupt"):
        read_psbt(bytes.fromhex(case["hex"]))


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"\xff\xfe", b"cHNidA==", base64.b64encode(b"not a psbt"), b"70736274ffzz"],
)
def test_not_a_psbt(data: bytes) -> None:
    with pytest.raises(InvalidPsbtFile):
        read_psbt(data)


def test_psbt_path_not_a_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    for path in (tmp_path, tmp_path / "missing.psbt", tmp_path / "fifo"):
        with pytest.raises(InvalidPsbtFile, match="not a file"):
            read_psbt_file(path)


def test_writing_an_invalid_psbt_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(InvalidPsbtFile):
        write_psbt_file(tmp_path / "x.psbt", b"psbt\xff\x00garbage")
    assert list(tmp_path.iterdir()) == []


# -- frames -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FrameFormat), ids=lambda f: f.value)
def test_frames_round_trip_any_order_with_duplicates(fmt: FrameFormat) -> None:
    payload = Payload(PayloadKind.PSBT, PSBT)
    frames = list(encode_frames(payload, fmt, max_fragment_len=60, max_version=6))
    assert len(frames) > 2
    shuffled = frames + frames[:3]
    random.Random(7).shuffle(shuffled)
    assert decode_frames(shuffled) == payload


def test_ur_psbt_frames_are_crypto_psbt() -> None:
    frames = encode_frames(Payload(PayloadKind.PSBT, PSBT), max_fragment_len=60)
    assert all(f.startswith("ur:crypto-psbt/") for f in frames)
    single = encode_frames(_psbt(0), max_fragment_len=1000)
    assert len(single) == 1
    assert single[0].startswith("ur:crypto-psbt/")
    assert single[0].count("/") == 1


def test_ur_frames_with_a_quarter_lost() -> None:
    payload = Payload(PayloadKind.PSBT, PSBT)
    frames = list(encode_frames(payload, max_fragment_len=40, count=200))
    kept = [f for i, f in enumerate(frames) if random.Random(i).random() >= 0.25]
    random.Random(1).shuffle(kept)
    collector = FrameCollector()
    for frame in kept:
        progress = collector.receive(frame)
        if progress.complete:
            break
    assert collector.result == payload


def test_missing_frames_say_how_far() -> None:
    frames = encode_frames(Payload(PayloadKind.PSBT, PSBT), FrameFormat.BBQR, max_version=6)
    with pytest.raises(IncompleteQrPayload) as caught:
        decode_frames(frames[1:])
    assert caught.value.needed == len(frames)
    assert caught.value.recovered == len(frames) - 1
    with pytest.raises(IncompleteQrPayload):
        decode_frames([])


def test_two_payloads_mixed() -> None:
    one = encode_frames(_psbt(1), max_fragment_len=30)
    two = encode_frames(_psbt(2), max_fragment_len=30)
    with pytest.raises(MixedQrPayloads, match="two payloads mixed"):
        decode_frames([one[0], two[0]])
    bb = encode_frames(_psbt(1), FrameFormat.BBQR, max_version=5)
    with pytest.raises(MixedQrPayloads):
        decode_frames([one[0], bb[0]])


def test_bare_psbt_frame() -> None:
    text = base64.b64encode(PSBTS[0]).decode()
    assert decode_frames([text]) == _psbt(0)
    assert decode_frames([PSBTS[0].hex().upper()]) == _psbt(0)
    with pytest.raises(QrPayloadError, match="neither"):
        decode_frames(["bitcoin:bc1qexample"])


def test_kinds_each_format_cannot_carry() -> None:
    with pytest.raises(Unsupported):
        encode_frames(Payload(PayloadKind.ETH_SIGN_REQUEST, b"\xa0"), FrameFormat.BBQR)
    with pytest.raises(Unsupported):
        encode_frames(Payload(PayloadKind.TRANSACTION, b"\x02\x00"), FrameFormat.UR)
    with pytest.raises(QrPayloadError):
        encode_frames(Payload(PayloadKind.PSBT, b""))


# -- images -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FrameFormat), ids=lambda f: f.value)
def test_png_frames_read_back(tmp_path: Path, fmt: FrameFormat) -> None:
    payload = Payload(PayloadKind.PSBT, PSBT)
    frames = encode_frames(payload, fmt, max_fragment_len=120, max_version=10)
    paths = write_png_frames(frames, tmp_path / "frames")
    assert [p.name for p in paths][:2] == ["frame-0001.png", "frame-0002.png"]
    sizes = {Image.open(p).size for p in paths}
    assert len(sizes) == 1  # one QR version for the whole series
    assert decode_frames(read_qr_images(reversed(paths))) == payload


def test_png_frames_replace_an_earlier_series_in_the_folder(tmp_path: Path) -> None:
    # A folder reused for a smaller payload must not keep the larger one's last frames:
    # reading the folder would mix two payloads. Other files in it are left alone.
    folder = tmp_path / "frames"
    large = encode_frames(Payload(PayloadKind.PSBT, PSBT), max_fragment_len=60)
    first = write_png_frames(large, folder)
    assert len(first) > 3
    keep = [folder / "notes.txt", folder / "frame-old.png", folder / "other-0001.png"]
    for path in keep:
        path.write_bytes(b"kept")
    small = Payload(PayloadKind.PSBT, min(PSBTS, key=len))
    second = write_png_frames(encode_frames(small, max_fragment_len=2000), folder)
    assert len(second) == 1
    assert sorted(folder.glob("frame-[0-9]*.png")) == second
    assert all(path.read_bytes() == b"kept" for path in keep)
    assert decode_frames(read_qr_images(sorted(folder.glob("frame-[0-9]*.png")))) == small


def test_one_frame_as_a_png_file(tmp_path: Path) -> None:
    payload = Payload(PayloadKind.PSBT, min(PSBTS, key=len))
    (frame,) = encode_frames(payload)
    path = write_png(frame, tmp_path / "psbt.png")
    assert path == tmp_path / "psbt.png"
    assert decode_frames(read_qr_image(path)) == payload
    assert [p.name for p in tmp_path.iterdir()] == ["psbt.png"]  # no partial file left
    with pytest.raises(QrPayloadError, match="is a folder"):
        write_png(frame, tmp_path)


def test_png_frames_into_a_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "taken"
    file.write_bytes(b"mine")
    frames = encode_frames(Payload(PayloadKind.PSBT, PSBT), max_fragment_len=100)
    with pytest.raises(QrPayloadError, match="is a file, not a folder"):
        write_png_frames(frames, file)
    assert file.read_bytes() == b"mine"


def test_gif_read_back_and_jpeg(tmp_path: Path) -> None:
    payload = Payload(PayloadKind.PSBT, PSBT)
    frames = encode_frames(payload, max_fragment_len=100)
    gif = write_gif(frames, tmp_path / "psbt.gif")
    with Image.open(gif) as image:
        assert image.n_frames == len(frames)
    assert decode_frames(read_qr_images([gif])) == payload
    single = encode_frames(_psbt(0), max_fragment_len=1000)
    png = write_png_frames(single, tmp_path)[0]
    jpeg = tmp_path / "photo.jpg"
    Image.open(png).convert("RGB").save(jpeg, quality=85)
    assert decode_frames(read_qr_image(jpeg)) == _psbt(0)


def test_image_with_no_qr_code(tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(blank)
    with pytest.raises(NoQrCode, match="holds no QR code") as caught:
        read_qr_image(blank)
    assert caught.value.path == str(blank)


def test_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "text.png").write_text("not an image")
    (tmp_path / "cut.png").write_bytes(
        (segno.make("x").png_data_uri(scale=2)).encode()[:40]  # a text file with a PNG name
    )
    os.mkfifo(tmp_path / "fifo")
    for name in ("text.png", "cut.png", "fifo", "missing.png"):
        with pytest.raises(QrPayloadError):
            read_qr_image(tmp_path / name)


def test_terminal_frames() -> None:
    drawn = terminal_frames(encode_frames(Payload(PayloadKind.PSBT, PSBT), max_fragment_len=80))
    assert len({len(d.splitlines()) for d in drawn}) == 1
    assert all("\u2580" in d or "\u2584" in d or "\u2588" in d for d in drawn)


@pytest.mark.parametrize("fmt", list(FrameFormat), ids=lambda f: f.value)
def test_frames_of_a_corrupt_psbt(fmt: FrameFormat) -> None:
    corrupt = Payload(PayloadKind.PSBT, bytes.fromhex(CORRUPT[0]["hex"]))
    frames = encode_frames(corrupt, fmt, max_fragment_len=40, max_version=5)
    with pytest.raises(InvalidPsbtFile, match="corrupt"):
        decode_frames(frames)


def test_psbt_of_payload_refuses_frames_of_another_kind() -> None:
    # One check, used by the CLI's ``psbt`` commands and the GUI's signing page.
    psbt = Payload(PayloadKind.PSBT, PSBT)
    assert psbt_of_payload(decode_frames(encode_frames(psbt))) == PSBT
    text = decode_frames(encode_frames(Payload(PayloadKind.TEXT, b"hello"), FrameFormat.BBQR))
    with pytest.raises(QrPayloadError, match="The QR codes hold a text, not a PSBT"):
        psbt_of_payload(text)
