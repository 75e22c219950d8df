"""``coffer qr encode|decode``: real files, real images, one clear line on bad input."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from wallet.cli import cli

BIP174: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bip174.json").read_text("utf-8")
)
PSBT = bytes.fromhex(max(BIP174["valid"], key=lambda v: len(v["hex"]))["hex"])


def _run(runner: CliRunner, *args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def psbt_file(tmp_path: Path) -> Path:
    path = tmp_path / "tx.psbt"
    path.write_bytes(PSBT)
    return path


@pytest.mark.parametrize("fmt", ["ur", "bbqr"])
def test_png_frames_round_trip(
    runner: CliRunner, tmp_path: Path, psbt_file: Path, fmt: str
) -> None:
    code, out, _ = _run(
        runner, "qr", "encode", str(psbt_file), "--format", fmt, "--out", str(tmp_path / "f"),
        "--fragment-len", "60", "--max-version", "6",
    )  # fmt: skip
    assert code == 0
    assert "PNG files" in out
    images = sorted(str(p) for p in (tmp_path / "f").iterdir())
    random.Random(5).shuffle(images)
    code, out, _ = _run(runner, "qr", "decode", *images, "--out", str(tmp_path / "back.psbt"))
    assert code == 0, out
    assert (tmp_path / "back.psbt").read_bytes() == PSBT


def test_gif_and_base64_input(runner: CliRunner, tmp_path: Path) -> None:
    text = tmp_path / "tx.txt"
    text.write_text(base64.b64encode(PSBT).decode() + "\n")
    code, out, _ = _run(runner, "qr", "encode", str(text), "--out", str(tmp_path / "a.gif"))
    assert code == 0
    assert "a.gif" in out
    assert Image.open(tmp_path / "a.gif").n_frames > 1
    code, out, _ = _run(runner, "--json", "qr", "decode", str(tmp_path / "a.gif"))
    assert code == 0
    result = json.loads(out)
    assert result["type"] == "psbt"
    assert base64.b64decode(result["data"]) == PSBT


def test_frames_as_text_from_stdin(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "qr", "encode", "-", "--fragment-len", "50", stdin=PSBT)
    assert code == 0
    frames = out.split()
    assert all(f.startswith("ur:crypto-psbt/") for f in frames)
    assert len(frames) > 2


def test_terminal(runner: CliRunner, psbt_file: Path) -> None:
    code, out, _ = _run(runner, "qr", "encode", str(psbt_file), "--terminal", "--frames", "3")
    assert code == 0
    assert out.count("frame ") == 3
    assert "\u2588" in out or "\u2580" in out


def test_text_in_bbqr(runner: CliRunner, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("hello, signer")
    code, out, _ = _run(
        runner, "qr", "encode", str(note), "--type", "text", "--format", "bbqr",
        "--out", str(tmp_path / "png"),
    )  # fmt: skip
    assert code == 0
    code, out, _ = _run(runner, "qr", "decode", *map(str, (tmp_path / "png").iterdir()))
    assert (code, out.strip()) == (0, "hello, signer")


def test_decode_errors_are_one_line(runner: CliRunner, tmp_path: Path, psbt_file: Path) -> None:
    blank = tmp_path / "blank.png"
    Image.new("L", (120, 120), 255).save(blank)
    code, _, err = _run(runner, "qr", "decode", str(blank))
    assert code == 1
    assert "holds no QR code" in _error(err)
    code, _, err = _run(runner, "qr", "decode", str(psbt_file))
    assert code == 1
    assert "not an image" in _error(err)
    _run(runner, "qr", "encode", str(psbt_file), "--fragment-len", "40", "--out", str(tmp_path))
    code, _, err = _run(runner, "qr", "decode", str(tmp_path / "frame-0001.png"))
    assert code == 1
    assert "Frames are missing" in _error(err)


def test_two_payloads_mixed(runner: CliRunner, tmp_path: Path, psbt_file: Path) -> None:
    other = tmp_path / "other.psbt"
    other.write_bytes(bytes.fromhex(BIP174["valid"][0]["hex"]))
    _run(
        runner, "qr", "encode", str(psbt_file), "--fragment-len", "40", "--out", str(tmp_path / "a")
    )
    _run(runner, "qr", "encode", str(other), "--fragment-len", "40", "--out", str(tmp_path / "b"))
    code, _, err = _run(
        runner, "qr", "decode", str(tmp_path / "a" / "frame-0001.png"),
        str(tmp_path / "b" / "frame-0001.png"),
    )  # fmt: skip
    assert code == 1
    assert "two payloads mixed" in _error(err)


def test_encode_errors(runner: CliRunner, tmp_path: Path, psbt_file: Path) -> None:
    corrupt = tmp_path / "bad.psbt"
    corrupt.write_bytes(PSBT[:-20])
    for args, words in [
        ((str(corrupt),), "corrupt"),
        ((str(tmp_path / "missing.psbt"),), "not a file"),
        ((str(psbt_file), "--type", "tx"), "use BBQr"),
        ((str(psbt_file), "--out", str(psbt_file)), "is a file: give --out a folder"),
        ((str(psbt_file), "--out", str(tmp_path / "one.png")), "do not fit one PNG file"),
    ]:
        code, _, err = _run(runner, "qr", "encode", *args)
        assert code == 1, args
        assert words in _error(err)
    assert psbt_file.read_bytes() == PSBT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.psbt", "tx.psbt"]
    code, _, err = _run(runner, "qr", "encode", "-", stdin=b"")
    assert code == 1
    assert "empty" in _error(err)


def test_one_frame_as_a_png_file(runner: CliRunner, tmp_path: Path) -> None:
    small = bytes.fromhex(min(BIP174["valid"], key=lambda v: len(v["hex"]))["hex"])
    source = tmp_path / "small.psbt"
    source.write_bytes(small)
    picture = tmp_path / "small.png"
    code, out, _ = _run(runner, "qr", "encode", str(source), "--out", str(picture))
    assert code == 0
    assert f"to {picture}." in out
    code, out, _ = _run(runner, "qr", "decode", str(picture))
    assert code == 0
    assert out.strip() == base64.b64encode(small).decode()
