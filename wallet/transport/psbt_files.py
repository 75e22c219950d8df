r"""PSBT files as Bitcoin Core, Sparrow and Electrum write them: binary, Base64 or hex text.

Core's GUI and Sparrow save the binary PSBT (``.psbt``); ``bitcoin-cli`` and Electrum's
"copy" give Base64 text, which people save to a file as well (with or without a final
newline); a few tools write hex. Reading detects which from the bytes themselves: the binary
magic ``psbt\xff``, else text that decodes (Base64, then hex) to bytes with that magic. The
PSBT is parsed (``primitives.psbt``) before it is returned, so a corrupt file fails here with
the parser's reason rather than later in a review.
"""

from __future__ import annotations

import base64
import binascii
import enum
import os
from pathlib import Path

from primitives.psbt import Psbt
from primitives.psbt_types import PSBT_MAGIC, PsbtError
from wallet.errors import InvalidPsbtFile

__all__ = ["PsbtEncoding", "read_psbt", "read_psbt_file", "write_psbt_file"]

MAX_PSBT_FILE = 64 * 1024 * 1024  # far beyond any standard transaction's PSBT


class PsbtEncoding(enum.Enum):
    """How a PSBT is written in a file."""

    BINARY = "binary"
    BASE64 = "base64"
    HEX = "hex"


def _unwrap(data: bytes) -> tuple[bytes, PsbtEncoding]:
    if data.startswith(PSBT_MAGIC):
        return data, PsbtEncoding.BINARY
    try:
        text = data.decode("ascii").strip()
    except UnicodeDecodeError:
        raise InvalidPsbtFile(
            "This is not a PSBT: it is neither a binary PSBT nor Base64 or hex text."
        ) from None
    compact = "".join(text.split())
    if compact[:10].lower() == PSBT_MAGIC.hex():
        try:
            return bytes.fromhex(compact), PsbtEncoding.HEX
        except ValueError:
            raise InvalidPsbtFile(
                "This PSBT's hex text holds a character that is not hex."
            ) from None
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidPsbtFile(
            "This is not a PSBT: it is neither a binary PSBT nor Base64 or hex text."
        ) from None
    if not raw.startswith(PSBT_MAGIC):
        raise InvalidPsbtFile("This Base64 text does not hold a PSBT (no 'psbt' magic).")
    return raw, PsbtEncoding.BASE64


def read_psbt(data: bytes | str) -> tuple[bytes, PsbtEncoding]:
    """Return the binary PSBT that ``data`` holds and how it was written.

    Args:
        data: a file's bytes, or pasted text (Base64 or hex).

    Raises:
        InvalidPsbtFile: the data is not a PSBT, or the PSBT is corrupt (the text names
            the parser's reason).
    """
    raw, encoding = _unwrap(data.encode("utf-8") if isinstance(data, str) else bytes(data))
    try:
        Psbt.parse(raw)
    except PsbtError as err:
        raise InvalidPsbtFile(f"This PSBT is corrupt: {err}.") from err
    return raw, encoding


def read_psbt_file(path: str | os.PathLike[str]) -> tuple[bytes, PsbtEncoding]:
    """Return the binary PSBT in the file at ``path`` and how the file wrote it.

    Raises:
        InvalidPsbtFile: the path is not a readable regular file, is too large, or does
            not hold a valid PSBT.
    """
    file = Path(path)
    try:
        if not file.is_file():
            raise InvalidPsbtFile(f"{file} is not a file.")
        if file.stat().st_size > MAX_PSBT_FILE:
            raise InvalidPsbtFile(f"{file} is too large to be a PSBT.")
        data = file.read_bytes()
    except OSError as err:
        raise InvalidPsbtFile(f"{file} cannot be read ({err.strerror or err}).") from err
    return read_psbt(data)


def write_psbt_file(
    path: str | os.PathLike[str], psbt: bytes, encoding: PsbtEncoding = PsbtEncoding.BINARY
) -> Path:
    """Write the binary ``psbt`` to ``path`` as ``encoding`` (Base64 and hex without newline).

    The file is written beside its final name and renamed into place, so a reader never
    sees half a PSBT.

    Raises:
        InvalidPsbtFile: ``psbt`` is not a valid PSBT, or the file cannot be written.
    """
    read_psbt(psbt if psbt.startswith(PSBT_MAGIC) else b"-")  # parse before writing anything
    if encoding is PsbtEncoding.BINARY:
        body = psbt
    elif encoding is PsbtEncoding.BASE64:
        body = base64.b64encode(psbt)
    else:
        body = psbt.hex().encode("ascii")
    file = Path(path)
    partial = file.with_name(f".{file.name}.partial")
    try:
        partial.write_bytes(body)
        partial.replace(file)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise InvalidPsbtFile(f"{file} cannot be written ({err.strerror or err}).") from err
    return file
