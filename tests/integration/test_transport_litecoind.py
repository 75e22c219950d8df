"""PSBT transport judged by a real Litecoin Core node: files and animated QR, both ways.

Core makes a PSBT (``walletcreatefundedpsbt``); it goes as Core's Base64 text into
``read_psbt``, out through ``write_psbt_file`` in each encoding and back; it crosses to the
"signer" as a BC-UR animated GIF (frames read back with zxing-cpp; the camera misses some and
watches the loop until the PSBT is whole), Core signs what arrived (``walletprocesspsbt``),
and the signed PSBT comes back as BBQr PNG frames read in reverse order. The node then
finalizes and accepts the very transaction it signed.
"""

from __future__ import annotations

import base64
import itertools
import random
from pathlib import Path

import pytest

from tests.nodes.utxo import LitecoinNode
from wallet.transport import (
    FrameCollector,
    FrameFormat,
    Payload,
    PayloadKind,
    PsbtEncoding,
    decode_frames,
    encode_frames,
    read_psbt,
    read_psbt_file,
    read_qr_images,
    write_gif,
    write_png_frames,
    write_psbt_file,
)

pytestmark = pytest.mark.nodes


def _core_psbt(node: LitecoinNode, outputs: int = 3) -> str:
    recipients = [{node.rpc("getnewaddress"): "0.1"} for _ in range(outputs)]
    created = node.rpc("walletcreatefundedpsbt", [], recipients, 0, {"includeWatching": False})
    text: str = created["psbt"]
    return text


def test_psbt_files_as_core_writes_them(litecoind: LitecoinNode, tmp_path: Path) -> None:
    text = _core_psbt(litecoind)
    raw, encoding = read_psbt(text + "\n")
    assert encoding is PsbtEncoding.BASE64
    assert raw == base64.b64decode(text)
    for enc in PsbtEncoding:
        path = write_psbt_file(tmp_path / f"{enc.value}.psbt", raw, enc)
        assert read_psbt_file(path) == (raw, enc)
    written = (tmp_path / "base64.psbt").read_text("ascii")
    assert written == text  # byte for byte what Core wrote
    decoded = litecoind.rpc("decodepsbt", written, wallet=None)
    assert len(decoded["tx"]["vout"]) == 4  # three payments and the change


def test_round_trip_through_qr_images_signed_by_core(
    litecoind: LitecoinNode, tmp_path: Path
) -> None:
    text = _core_psbt(litecoind, outputs=12)
    unsigned = base64.b64decode(text)

    # Host -> signer: BC-UR frames in a looping animated GIF; the camera misses a fifth of
    # what it is shown and watches the loop until the collector says the PSBT is whole.
    frames = encode_frames(Payload(PayloadKind.PSBT, unsigned), max_fragment_len=100)
    gif = write_gif(frames, tmp_path / "request.gif")
    seen = read_qr_images([gif])
    assert seen == [f.upper() for f in frames]
    camera = random.Random(15)
    collector = FrameCollector()
    shown = itertools.islice(itertools.cycle(seen), 20 * len(seen))  # bounded: a stuck test fails
    recovered = []
    for frame in shown:
        if camera.random() < 0.2:
            continue
        recovered.append(collector.receive(frame).recovered)
        if collector.result is not None:
            break
    assert collector.result == Payload(PayloadKind.PSBT, unsigned)
    assert recovered == sorted(recovered)  # progress only goes forward
    arrived = collector.result

    processed = litecoind.rpc("walletprocesspsbt", base64.b64encode(arrived.data).decode())
    assert processed["complete"]
    signed = base64.b64decode(processed["psbt"])

    # Signer -> host: BBQr PNG frames, read in reverse order.
    answer = encode_frames(Payload(PayloadKind.PSBT, signed), FrameFormat.BBQR, max_version=8)
    assert len(answer) > 1
    pngs = write_png_frames(answer, tmp_path / "answer")
    back = decode_frames(read_qr_images(reversed(pngs)))
    assert back.data == signed

    final = litecoind.rpc("finalizepsbt", base64.b64encode(back.data).decode(), wallet=None)
    assert final["complete"]
    (verdict,) = litecoind.rpc("testmempoolaccept", [final["hex"]], wallet=None)
    assert verdict["allowed"], verdict
