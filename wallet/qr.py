"""QR codes of receive addresses, drawn for a terminal (segno).

The code holds the plain address; payment URIs (BIP-21, EIP-681) are a later issue. Error
correction M survives a smudged screen or a phone camera at an angle.
"""

from __future__ import annotations

import io

import segno

__all__ = ["qr_matrix", "qr_terminal"]


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
