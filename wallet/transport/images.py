"""QR frames as images and terminal text (segno, pillow), and read back (zxing-cpp).

Frames are drawn at error correction L (BBQr's advice: they are shown on a screen, not
printed), every frame of a series at the same QR version so an animation does not jump.
UR text is drawn in capitals, which QR codes hold in alphanumeric mode (5.5 bits a character
instead of 8); readers accept both cases. Images are read frame by frame (all frames of an
animated GIF), with every QR code each frame holds.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import segno
import zxingcpp
from PIL import Image, ImageSequence, UnidentifiedImageError

from wallet.errors import NoQrCode, QrPayloadError

__all__ = [
    "IMAGE_SUFFIXES",
    "MAX_IMAGE_BYTES",
    "qr_text",
    "read_qr_image",
    "read_qr_images",
    "terminal_frames",
    "write_gif",
    "write_png",
    "write_png_frames",
]

MAX_IMAGE_BYTES = 64 * 1024 * 1024
IMAGE_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".webp", ".bmp")
"""The file names read as QR images (by their ending)."""
_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded


def qr_text(frame: str) -> str:
    """Return the text to put in the QR code for ``frame`` (UR text in capitals)."""
    return frame.upper() if frame[:3].lower() == "ur:" else frame


def _codes(frames: Sequence[str]) -> list[segno.QRCode]:
    if not frames:
        raise QrPayloadError("There are no frames to draw.")
    try:
        # Frames of a series share one mode, so the longest text needs the largest version.
        longest = max(frames, key=len)
        version = int(segno.make(qr_text(longest), error="l", micro=False).version)
        return [segno.make(qr_text(f), error="l", version=version, micro=False) for f in frames]
    except segno.DataOverflowError as err:
        raise QrPayloadError(
            "A frame holds more than one QR code can; use smaller frames."
        ) from err


def write_png_frames(
    frames: Sequence[str], directory: str | os.PathLike[str], *, scale: int = 4, stem: str = "frame"
) -> list[Path]:
    """Write one PNG per frame into ``directory`` (created if missing); return the paths.

    Files are named ``<stem>-0001.png`` and up, in frame order. The series replaces an
    earlier one in the folder: other ``<stem>-<number>.png`` files there are removed once the
    new frames are written (reading the folder would otherwise mix two payloads); no other
    file is touched.

    Raises:
        QrPayloadError: no frames, a frame too large for a QR code, ``directory`` is a file,
            or the folder cannot be written.
    """
    folder = Path(directory)
    codes = _codes(frames)
    if folder.exists() and not folder.is_dir():
        raise QrPayloadError(f"{folder} is a file, not a folder for PNG frames.")
    width = max(4, len(str(len(codes))))
    paths = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for number, code in enumerate(codes, start=1):
            path = folder / f"{stem}-{number:0{width}d}.png"
            code.save(str(path), kind="png", scale=scale, border=4)
            paths.append(path)
        earlier = re.compile(re.escape(stem) + r"-[0-9]+\.png")
        written = {path.name for path in paths}
        for old in folder.iterdir():
            if old.name not in written and earlier.fullmatch(old.name) and old.is_file():
                old.unlink()
    except OSError as err:
        raise QrPayloadError(f"{folder} cannot be written ({err.strerror or err}).") from err
    return paths


def write_png(frame: str, path: str | os.PathLike[str], *, scale: int = 4) -> Path:
    """Write one frame (a payload that fits one QR code) as the PNG file ``path``.

    Raises:
        QrPayloadError: the frame is too large for a QR code, or the file cannot be
            written (a folder is there, or its folder is missing).
    """
    file = Path(path)
    (code,) = _codes([frame])
    partial = file.with_name(f".{file.name}.partial")
    try:
        if file.is_dir():
            raise QrPayloadError(f"{file} is a folder, not a PNG file.")
        code.save(str(partial), kind="png", scale=scale, border=4)
        partial.replace(file)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise QrPayloadError(f"{file} cannot be written ({err.strerror or err}).") from err
    return file


def _image(code: segno.QRCode, scale: int) -> Image.Image:
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    out.seek(0)
    with Image.open(out) as image:
        return image.convert("L")


def write_gif(
    frames: Sequence[str], path: str | os.PathLike[str], *, scale: int = 4, frame_ms: int = 250
) -> Path:
    """Write the frames as one looping animated GIF; return its path.

    250 ms a frame is what Coldcard tunes its reader for; UR readers take it as well.

    Raises:
        QrPayloadError: no frames, a frame too large for a QR code, or the file cannot
            be written.
    """
    file = Path(path)
    images = [_image(code, scale) for code in _codes(frames)]
    partial = file.with_name(f".{file.name}.partial")
    try:
        images[0].save(
            partial,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=frame_ms,
            loop=0,
            optimize=False,
            disposal=1,
        )
        partial.replace(file)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise QrPayloadError(f"{file} cannot be written ({err.strerror or err}).") from err
    return file


def terminal_frames(frames: Sequence[str]) -> list[str]:
    """Return each frame drawn with half-block characters for a terminal (dark background).

    Raises:
        QrPayloadError: no frames, or a frame too large for a QR code.
    """
    drawn = []
    for code in _codes(frames):
        out = io.StringIO()
        code.terminal(out=out, compact=True, border=2)
        drawn.append(out.getvalue())
    return drawn


def _decode(image: Image.Image) -> list[str]:
    gray = image.convert("L")
    only_qr = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(gray, formats=only_qr)
    return [code.text for code in found if code.valid and code.text]


def read_qr_image(path: str | os.PathLike[str]) -> list[str]:
    """Return the text of every QR code in the image at ``path`` (each frame of a GIF).

    Raises:
        NoQrCode: the image holds no readable QR code.
        QrPayloadError: the path is not a regular file, or not an image (PNG, JPEG, GIF...).
    """
    file = Path(path)
    try:
        if not file.is_file():
            raise QrPayloadError(f"{file} is not a file.")
        if file.stat().st_size > MAX_IMAGE_BYTES:
            raise QrPayloadError(f"{file} is too large for an image of QR codes.")
        data = file.read_bytes()
    except OSError as err:
        raise QrPayloadError(f"{file} cannot be read ({err.strerror or err}).") from err
    texts: list[str] = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > _MAX_PIXELS:
                raise QrPayloadError(f"{file} is too large an image to read.")
            for frame in ImageSequence.Iterator(image):
                texts.extend(_decode(frame))
    except (UnidentifiedImageError, Image.DecompressionBombError) as err:
        raise QrPayloadError(f"{file} is not an image Coffer can read.") from err
    except (OSError, ValueError, SyntaxError) as err:  # pillow's errors for a damaged image
        raise QrPayloadError(f"{file} is a damaged image ({err}).") from err
    if not texts:
        raise NoQrCode(f"{file} holds no QR code that can be read.", str(file))
    return texts


def read_qr_images(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Return the texts of the QR codes in all the images, in order.

    Raises:
        NoQrCode: an image holds no readable QR code.
        QrPayloadError: a path is not a readable image.
    """
    texts: list[str] = []
    for path in paths:
        texts.extend(read_qr_image(path))
    return texts
