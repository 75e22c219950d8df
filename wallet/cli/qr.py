"""``coffer qr encode|decode``: a file as animated QR codes (BC-UR or BBQr), and back.

``encode`` turns a PSBT (binary, Base64 or hex file, as Core, Sparrow and Electrum write
them) or another file into QR frames: PNG files in a folder, an animated GIF, drawings in
the terminal, or the frames' text one per line. ``decode`` reads the frames back from
images (PNG, JPEG, GIF, in any order, with repeats) and writes or prints the payload.
Neither command opens a wallet.
"""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path

import click

from wallet.cli._app import Options, TextCommand, TextGroup, emit, errors
from wallet.errors import QrPayloadError
from wallet.transport import (
    DEFAULT_BBQR_MAX_VERSION,
    DEFAULT_FRAGMENT_LEN,
    FrameFormat,
    Payload,
    PayloadKind,
    PsbtEncoding,
    decode_frames,
    encode_frames,
    read_psbt,
    read_qr_images,
    terminal_frames,
    write_gif,
    write_png,
    write_png_frames,
    write_psbt_file,
)

__all__ = ["COMMANDS"]

MAX_INPUT = 16 * 1024 * 1024
_KINDS = {
    "psbt": PayloadKind.PSBT,
    "tx": PayloadKind.TRANSACTION,
    "json": PayloadKind.JSON,
    "text": PayloadKind.TEXT,
    "bytes": PayloadKind.BYTES,
}
_KIND_NAMES = {kind: name for name, kind in _KINDS.items()}
_FRAME_MS = 250


def _read_input(file: Path) -> bytes:
    """Return the bytes of ``file`` (standard input for ``-``), refusing what is not a file."""
    if str(file) == "-":
        data = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        try:
            if not file.is_file():
                raise QrPayloadError(f"{file} is not a file.")
            if file.stat().st_size > MAX_INPUT:
                raise QrPayloadError(f"{file} is too large to show as QR codes.")
            data = file.read_bytes()
        except OSError as err:
            raise QrPayloadError(f"{file} cannot be read ({err.strerror or err}).") from err
    if len(data) > MAX_INPUT:
        raise QrPayloadError("The input is too large to show as QR codes.")
    if not data:
        raise QrPayloadError("There is nothing to encode: the input is empty.")
    return data


def _payload(data: bytes, kind: PayloadKind) -> Payload:
    if kind is PayloadKind.PSBT:
        return Payload(kind, read_psbt(data)[0])
    if kind is PayloadKind.TRANSACTION:
        text = data.strip()
        try:
            if text and all(c in b"0123456789abcdefABCDEF" for c in text):
                data = bytes.fromhex(text.decode("ascii"))
        except ValueError:
            raise QrPayloadError("The transaction's hex text has an odd length.") from None
    return Payload(kind, data)


def _show_terminal(frames: tuple[str, ...]) -> None:
    drawn = terminal_frames(frames)
    if len(drawn) == 1 or not sys.stdout.isatty():
        for number, picture in enumerate(drawn, start=1):
            click.echo(picture, nl=False)
            if len(drawn) > 1:
                click.echo(f"frame {number} of {len(drawn)}")
        return
    # On a terminal, animate in place until Ctrl-C: a camera reads the frames as they come.
    height = max(p.count("\n") for p in drawn) + 1
    click.echo("\n" * height, nl=False)
    try:
        while True:
            for number, picture in enumerate(drawn, start=1):
                click.echo(f"\x1b[{height}F" + picture, nl=False)
                click.echo(f"frame {number} of {len(drawn)} (Ctrl-C to stop)\x1b[K")
                time.sleep(_FRAME_MS / 1000)
    except KeyboardInterrupt:
        click.echo()


def _write(frames: tuple[str, ...], out: Path) -> list[str]:
    """Write the frames where ``--out`` says: a .gif, a .png for one frame, else a folder."""
    suffix = out.suffix.lower()
    if suffix == ".gif":
        return [str(write_gif(frames, out, frame_ms=_FRAME_MS))]
    if suffix == ".png":
        if len(frames) != 1:
            raise QrPayloadError(
                f"{len(frames)} frames do not fit one PNG file: give --out a folder for PNG "
                "frames, or a file ending in .gif."
            )
        return [str(write_png(frames[0], out))]
    if out.exists() and not out.is_dir():
        raise QrPayloadError(
            f"{out} is a file: give --out a folder for PNG frames, or a file ending in .gif "
            "(or .png for a single frame)."
        )
    return [str(p) for p in write_png_frames(frames, out)]


@click.group(cls=TextGroup)
def qr() -> None:
    """Show a PSBT or a file as animated QR codes (BC-UR or BBQr), or read them back."""


@qr.command("encode", cls=TextCommand)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--format",
    "frame_format",
    type=click.Choice(["ur", "bbqr"]),
    default="ur",
    show_default=True,
    help="BC-UR (Sparrow, Keystone, Passport, Jade) or BBQr (Coldcard).",
)
@click.option(
    "--type",
    "kind",
    type=click.Choice(sorted(_KINDS)),
    default="psbt",
    show_default=True,
    help="What FILE holds; a PSBT may be binary, Base64 or hex.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder for PNG frames, a file ending in .gif for an animation, or in .png for a "
    "single frame.",
)
@click.option("--terminal", is_flag=True, help="Draw the QR codes in the terminal.")
@click.option(
    "--fragment-len",
    type=click.IntRange(10, 2000),
    default=DEFAULT_FRAGMENT_LEN,
    show_default=True,
    help="UR: bytes of the file per frame.",
)
@click.option(
    "--frames",
    "count",
    type=click.IntRange(1, 10_000),
    default=None,
    help="UR: how many frames to make (default: twice the fragments, or one).",
)
@click.option(
    "--max-version",
    type=click.IntRange(5, 40),
    default=DEFAULT_BBQR_MAX_VERSION,
    show_default=True,
    help="BBQr: the largest QR version of a frame.",
)
@click.pass_obj
def encode(
    opts: Options,
    file: Path,
    frame_format: str,
    kind: str,
    out: Path | None,
    terminal: bool,
    fragment_len: int,
    count: int | None,
    max_version: int,
) -> None:
    """Make QR frames of FILE ("-" for standard input); print their text unless --out.

    Frames of a UR are fountain-coded: a reader needs about as many as there are fragments,
    in any order. BBQr frames must all be read.
    """
    with errors(opts):
        payload = _payload(_read_input(file), _KINDS[kind])
        frames = encode_frames(
            payload,
            FrameFormat(frame_format),
            max_fragment_len=fragment_len,
            count=count,
            max_version=max_version,
        )
        files = _write(frames, out) if out is not None else []
        pictures = terminal_frames(frames) if terminal and opts.as_json else []
    result = {
        "format": frame_format,
        "type": kind,
        "bytes": len(payload.data),
        "frames": list(frames),
        "files": files,
    }
    if pictures:
        result["terminal"] = pictures

    def human() -> None:
        if terminal:
            _show_terminal(frames)
        elif not files:
            for frame in frames:
                click.echo(frame)
        if files:
            where = files[0] if len(files) == 1 else f"{out} ({len(files)} PNG files)"
            click.echo(f"Wrote {len(frames)} {frame_format.upper()} frame(s) to {where}.")

    emit(opts, result, human)


@qr.command("decode", cls=TextCommand)
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the payload to this file (a PSBT in binary, or Base64 with --base64).",
)
@click.option("--base64", "as_base64", is_flag=True, help="Write a PSBT as Base64 text.")
@click.pass_obj
def decode(opts: Options, images: tuple[Path, ...], out: Path | None, as_base64: bool) -> None:
    """Read QR frames from IMAGES (PNG, JPEG, GIF; any order) and rebuild the payload.

    A PSBT is printed in Base64 (as bitcoin-cli takes it) unless --out; text and JSON are
    printed as they are, other data in hex.
    """
    with errors(opts):
        texts = read_qr_images(images)
        payload = decode_frames(texts)
        if out is not None:
            if payload.kind is PayloadKind.PSBT:
                encoding = PsbtEncoding.BASE64 if as_base64 else PsbtEncoding.BINARY
                write_psbt_file(out, payload.data, encoding)
            else:
                try:
                    out.write_bytes(payload.data)
                except OSError as err:
                    raise QrPayloadError(f"{out} cannot be written ({err.strerror}).") from err
    kind = _KIND_NAMES.get(payload.kind, payload.kind.value)
    if payload.kind is PayloadKind.PSBT:
        shown = base64.b64encode(payload.data).decode("ascii")
    elif payload.kind in (PayloadKind.TEXT, PayloadKind.JSON):
        shown = payload.data.decode("utf-8", errors="replace")
    else:
        shown = payload.data.hex()
    result = {"type": kind, "bytes": len(payload.data), "frames": len(texts), "data": shown}
    if out is not None:
        result["file"] = str(out)

    def human() -> None:
        if out is None:
            click.echo(shown)
        else:
            click.echo(f"Wrote the {kind} ({len(payload.data)} bytes) to {out}.")

    emit(opts, result, human)


COMMANDS: tuple[click.Command, ...] = (qr,)
