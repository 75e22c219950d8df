"""QR codes: drawn for a terminal or as PNG (segno), and read from an image (zxing-cpp).

A receive address's code holds the plain address; a payment request's holds its link in
the QR form (``wallet.requests``: scheme and segwit address upper case, BIP-321). Error
correction M survives a smudged screen or a phone camera at an angle.

Reading takes PNG, JPEG or any image Pillow opens (a screenshot with the code somewhere in
it): zxing-cpp finds the codes, turned or inverted; their texts come back in reading order.
"""

from __future__ import annotations

import io

import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

__all__ = ["QrImageError", "qr_matrix", "qr_png", "qr_terminal", "read_qr_texts"]

_MAX_PIXELS = 50_000_000  # a screenshot of several 4K screens; beyond that, refuse, not hang


class QrImageError(ValueError):
    """The bytes are not an image Pillow can open."""


def qr_terminal(text: str) -> str:
    """Return ``text`` as a QR code drawn with half-block characters, two rows per line.

    Light modules are drawn as full blocks, so the code reads on a dark terminal (the usual
    case) with its light quiet zone of two modules around it.
    """
    out = io.StringIO()
    segno.make(text, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()


def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """Return the modules of ``text``'s QR code (``True`` for dark), without the quiet zone."""
    code = segno.make(text, error="m")
    return tuple(tuple(bool(m) for m in row) for row in code.matrix)


def qr_png(text: str, scale: int = 8) -> bytes:
    """Return ``text``'s QR code as PNG bytes, ``scale`` pixels per module, quiet zone of 4."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def read_qr_texts(image: bytes) -> list[str]:
    """Return the texts of the QR codes found in an image (PNG, JPEG, a screenshot...).

    Raises:
        QrImageError: the bytes are not an image Pillow can open, or one too large.
    """
    try:
        with Image.open(io.BytesIO(image)) as opened:
            if opened.width * opened.height > _MAX_PIXELS:
                raise QrImageError("The image is too large to search for a QR code.")
            picture = opened.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as err:
        raise QrImageError("This file is not an image Coffer can read (PNG, JPEG...).") from err
    found = zxingcpp.read_barcodes(
        picture, formats=zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.MicroQRCode
    )
    return [code.text for code in found if code.valid and code.text]
