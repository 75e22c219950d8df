"""Reading requests and writing results for the signing commands: files, stdin, no clobbering.

A PSBT, an export or a request comes from a file, or from standard input when the name is
``-`` (pasted text). A result goes to ``--out`` (never over an existing file: nothing on disk
changes when a command fails or would destroy something) or to standard output.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from wallet.errors import WalletError

__all__ = ["read_input", "write_output"]

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
