"""Reading requests and writing results for the signing commands: files, stdin, no clobbering.

A PSBT, an export or a request comes from a file, or from standard input when the name is
``-`` (pasted text). A result goes to ``--out`` (never over an existing file: nothing on disk
changes when a command fails or would destroy something) or to standard output.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from wallet.errors import WalletError
from wallet.transport import (
    IMAGE_SUFFIXES,
    FrameFormat,
    Payload,
    decode_frames,
    encode_frames,
    frame_texts,
    read_qr_images,
    write_gif,
    write_png_frames,
)

__all__ = ["IMAGE_SUFFIXES", "read_frames_or_file", "read_input", "write_frames", "write_output"]

"""Files read as QR images (animated GIF frames, or one PNG per frame)."""

_MAX_INPUT = 16 * 1024 * 1024  # a PSBT of thousands of inputs is still far below this


def read_input(name: str, what: str) -> bytes:
    """Return the bytes of file ``name``, or of standard input for ``-``.

    Raises:
        WalletError: no such file, a folder, unreadable, empty or too large.
    """
    if name == "-":
        data = sys.stdin.buffer.read(_MAX_INPUT + 1)
    else:
        path = Path(name)
        try:
            with path.open("rb") as handle:
                data = handle.read(_MAX_INPUT + 1)
        except FileNotFoundError:
            raise WalletError(f"There is no {what} file at {name}.") from None
        except IsADirectoryError:
            raise WalletError(f"{name} is a folder, not a {what} file.") from None
        except OSError as err:
            raise WalletError(f"The {what} file {name} cannot be read: {err.strerror}.") from None
    if len(data) > _MAX_INPUT:
        raise WalletError(f"The {what} is larger than 16 MiB: it is not one.")
    if not data.strip():
        raise WalletError(f"The {what} is empty.")
    return data


def write_output(out: str | None, data: bytes, what: str, *, text: bool) -> None:
    """Write ``data`` to the file ``out`` (created, never replaced) or to standard output.

    Args:
        out: the file name, or ``None``/``-`` for standard output.
        data: the bytes.
        what: what it is, for messages.
        text: the data is text (standard output gets it with a newline); binary data goes
            to standard output only when it is not a terminal.

    Raises:
        WalletError: the file exists already, or cannot be written.
    """
    if out is None or out == "-":
        if text:
            click.echo(data.decode("ascii", "replace"))
            return
        if sys.stdout.isatty():
            raise WalletError(f"The {what} is binary: name a file with --out, or use --base64.")
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WalletError(f"{out} exists already; name a new file for the {what}.") from None
    except OSError as err:
        raise WalletError(f"The {what} cannot be written to {out}: {err.strerror}.") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data + (b"\n" if text else b""))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as err:
        Path(out).unlink(missing_ok=True)
        raise WalletError(f"The {what} cannot be written to {out}: {err.strerror}.") from None


def read_frames_or_file(names: Sequence[str], what: str) -> tuple[Payload | None, bytes]:
    """Read a request from QR images, a file of frame texts, or one plain file.

    Returns:
        The decoded QR payload (``None`` for a plain file) and the plain file's bytes
        (``b""`` for frames).

    Raises:
        WalletError: no such file; ``NoQrCode``, ``QrPayloadError``, ``MixedQrPayloads``
            or ``IncompleteQrPayload`` for images or frames that do not make one payload.
    """
    if names and all(Path(n).suffix.lower() in IMAGE_SUFFIXES for n in names):
        for name in names:
            if not Path(name).is_file():
                raise WalletError(f"There is no {what} image at {name}.")
        return decode_frames(read_qr_images(names)), b""
    if len(names) != 1:
        raise WalletError(f"Give one {what} file, or QR images (PNG, GIF) of its frames.")
    data = read_input(names[0], what)
    lines = frame_texts(data)
    if lines is not None:
        return decode_frames(lines), b""
    return None, data


def write_frames(out: str, payload: Payload) -> str:
    """Write ``payload`` as animated BC-UR QR codes: a GIF (``*.gif``) or PNG frames (a folder).

    Returns:
        What was written, in words.

    Raises:
        WalletError: the file exists already, or cannot be written.
    """
    frames = encode_frames(payload, FrameFormat.UR)
    if out.lower().endswith(".gif"):
        if os.path.lexists(out):
            raise WalletError(f"{out} exists already; name a new file.")
        write_gif(frames, out)
        return f"{len(frames)} QR frames in {out}"
    folder = Path(out)
    if folder.exists() and any(folder.iterdir()):
        raise WalletError(f"{out} is not an empty folder; name a new one for the QR frames.")
    paths = write_png_frames(frames, folder)
    return f"{len(paths)} QR frames (PNG) in {out}"
