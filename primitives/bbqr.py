"""BBQr, Coinkite's "Better Bitcoin QR": a file split over QR codes with an 8-character header.

Each part is ``B$`` + encoding (``H`` hex, ``2`` Base32 of RFC 4648 without padding, ``Z`` raw
deflate with ``wbits=10`` then Base32) + file type (``P`` PSBT, ``T`` transaction, ``J`` JSON,
``C`` CBOR, ``U`` UTF-8 text, ``B`` binary, ``X`` executable) + the part count and the part's
index, two base-36 digits each; then the part's characters. Every part but the last has the
same length, a whole number of bytes. Parts are read in any order; all must be seen.
Spec: https://github.com/coinkite/BBQr/blob/master/BBQr.md (public domain).

Splitting follows the reference ``split_qrs``: the fewest QR codes, then the lowest version,
between ``min_version`` and ``max_version``, at error correction L in alphanumeric mode.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from dataclasses import dataclass

__all__ = [
    "ALNUM_CAPACITY_L",
    "ENCODINGS",
    "FILE_TYPES",
    "MAX_FILE",
    "BbqrCollector",
    "BbqrError",
    "BbqrMixedError",
    "BbqrSplit",
    "is_bbqr",
    "join",
    "split",
]

HEADER_LEN = 8
ENCODINGS = "H2Z"
FILE_TYPES = "PTJCUBX"
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MAX_PARTS = 1295  # "ZZ"
_WBITS = 10
MAX_FILE = 64 * 1024 * 1024  # inflated size refused beyond this: a small series can be a bomb

# Characters a QR code holds in alphanumeric mode at error correction L, by version 1..40
# (ISO/IEC 18004 table 7; the BBQr spec's "Chars" column).
ALNUM_CAPACITY_L: tuple[int, ...] = (
    25, 47, 77, 114, 154, 195, 224, 279, 335, 395,
    468, 535, 619, 667, 758, 854, 938, 1046, 1153, 1249,
    1352, 1460, 1588, 1704, 1853, 1990, 2132, 2223, 2369, 2520,
    2677, 2840, 3009, 3183, 3351, 3537, 3729, 3927, 4087, 4296,
)  # fmt: skip


class BbqrError(ValueError):
    """The text is not a valid BBQr part, or the parts do not make a file."""


class BbqrMixedError(BbqrError):
    """A part belongs to another file than the parts before it (two payloads mixed)."""


@dataclass(frozen=True, slots=True)
class BbqrSplit:
    """The parts of a file and the QR version they were sized for."""

    version: int
    parts: tuple[str, ...]


def _b36(n: int) -> str:
    return _B36[n // 36] + _B36[n % 36]


def _encode(data: bytes, encoding: str | None) -> tuple[str, str, int]:
    if encoding == "H":
        return "H", data.hex().upper(), 2
    if encoding in (None, "Z"):
        packer = zlib.compressobj(9, zlib.DEFLATED, -_WBITS)
        packed = packer.compress(data) + packer.flush()
        if len(packed) < len(data):
            return "Z", base64.b32encode(packed).decode("ascii").rstrip("="), 8
    return "2", base64.b32encode(data).decode("ascii").rstrip("="), 8


def _count_at(version: int, length: int, split_mod: int) -> tuple[int, int]:
    cap = ALNUM_CAPACITY_L[version - 1] - HEADER_LEN
    per_part = cap - cap % split_mod
    need = -(-length // per_part)
    if need == 1:
        return 1, length
    # Every part but the last is a multiple of split_mod; the last may use the full capacity.
    return (need if (need - 1) * per_part + cap >= length else need + 1), per_part


def split(
    data: bytes,
    file_type: str,
    encoding: str | None = None,
    *,
    min_split: int = 1,
    max_split: int = _MAX_PARTS,
    min_version: int = 5,
    max_version: int = 40,
) -> BbqrSplit:
    """Split ``data`` into BBQr parts (``encoding`` None: zlib if it helps, else Base32).

    Raises:
        BbqrError: an unknown file type or encoding, empty data, or data that does not fit
            ``max_split`` parts at ``max_version``.
    """
    if file_type not in FILE_TYPES or len(file_type) != 1:
        raise BbqrError(f"{file_type!r} is not a BBQr file type ({', '.join(FILE_TYPES)}).")
    if encoding is not None and (encoding not in ENCODINGS or len(encoding) != 1):
        raise BbqrError(f"{encoding!r} is not a BBQr encoding (H, 2 or Z).")
    if not data:
        raise BbqrError("There is nothing to split: the data is empty.")
    if not (1 <= min_version <= 40 and 1 <= max_version <= 40):
        raise BbqrError("QR versions run from 1 to 40.")
    if not 1 <= min_split <= max_split <= _MAX_PARTS:
        raise BbqrError(f"A BBQr series has 1 to {_MAX_PARTS} parts.")
    min_version = min(min_version, max_version)
    code, text, split_mod = _encode(data, encoding)
    options = []
    for version in range(min_version, max_version + 1):
        count, per_part = _count_at(version, len(text), split_mod)
        if min_split <= count <= max_split:
            options.append((count, version, per_part))
    if not options:
        raise BbqrError("The data does not fit that many BBQr parts at that QR version.")
    count, version, per_part = min(options)
    chunks = [text[i : i + per_part] for i in range(0, len(text), per_part)]
    head = f"B${code}{file_type}{_b36(len(chunks))}"
    return BbqrSplit(version, tuple(head + _b36(i) + chunk for i, chunk in enumerate(chunks)))


def is_bbqr(text: str) -> bool:
    """Return whether ``text`` starts like a BBQr part."""
    return text.startswith("B$") and len(text) >= HEADER_LEN


def _header(text: str) -> tuple[str, int, int, str]:
    if not is_bbqr(text):
        raise BbqrError("This text is not a BBQr part: it does not start with 'B$'.")
    code, file_type = text[2], text[3]
    if code not in ENCODINGS:
        raise BbqrError(f"{code!r} is not a BBQr encoding (H, 2 or Z).")
    if file_type not in FILE_TYPES:
        raise BbqrError(f"{file_type!r} is not a BBQr file type.")
    digits = text[4:8]
    if any(c not in _B36 for c in digits):
        raise BbqrError("A BBQr part's count or index is not two base-36 digits.")
    total, index = int(digits[:2], 36), int(digits[2:], 36)
    if total < 1 or index >= total:
        raise BbqrError(f"A BBQr part says it is number {index} of {total}.")
    return text[:6], total, index, text[HEADER_LEN:]


def _decode(code: str, chunks: list[str]) -> bytes:
    try:
        if code == "H":
            raw = b"".join(bytes.fromhex(chunk) for chunk in chunks)
        else:
            raw = b"".join(base64.b32decode(c + "=" * (-len(c) % 8)) for c in chunks)
    except (binascii.Error, ValueError) as err:
        raise BbqrError("A BBQr part holds characters its encoding does not allow.") from err
    if code != "Z":
        return raw
    unpacker = zlib.decompressobj(-_WBITS)
    try:
        out = unpacker.decompress(raw, MAX_FILE + 1)
    except zlib.error as err:
        raise BbqrError("The BBQr parts do not inflate: the compressed data is damaged.") from err
    if len(out) > MAX_FILE:
        raise BbqrError(f"The BBQr file inflates beyond {MAX_FILE // (1024 * 1024)} MiB.")
    if not unpacker.eof:
        raise BbqrError("The BBQr compressed data ends before its end.")
    return out


class BbqrCollector:
    """Collect BBQr parts in any order, with duplicates, until the file is whole."""

    def __init__(self) -> None:
        """Start with no part."""
        self._head: str | None = None
        self._parts: dict[int, str] = {}
        self._total = 0

    @property
    def received(self) -> int:
        """Return how many distinct parts are in."""
        return len(self._parts)

    @property
    def total(self) -> int:
        """Return the part count (0 before the first part)."""
        return self._total

    @property
    def complete(self) -> bool:
        """Return whether every part is in."""
        return self._total > 0 and len(self._parts) == self._total

    def receive(self, text: str) -> None:
        """Take one part.

        Raises:
            BbqrMixedError: the part's encoding, type or count differ from the parts
                before it, or it repeats an index with other content.
            BbqrError: the part is malformed.
        """
        head, total, index, body = _header(text.strip())
        if self._head is not None and head != self._head:
            raise BbqrMixedError(
                "This BBQr part belongs to another file than the parts before it "
                "(two payloads mixed)."
            )
        if index in self._parts and self._parts[index] != body:
            raise BbqrMixedError(f"Two different BBQr parts number {index} (two payloads mixed).")
        self._head, self._total = head, total
        self._parts[index] = body

    def result(self) -> tuple[str, bytes]:
        """Return the file type and the file.

        Raises:
            BbqrError: parts are missing, or the data does not decode.
        """
        if not self.complete or self._head is None:
            missing = self._total - len(self._parts)
            raise BbqrError(f"{missing or 'Some'} BBQr parts are missing.")
        chunks = [self._parts[i] for i in range(self._total)]
        return self._head[3], _decode(self._head[2], chunks)


def join(parts: list[str]) -> tuple[str, bytes]:
    """Return the file type and the file that ``parts`` (any order) make.

    Raises:
        BbqrMixedError: parts of different files.
        BbqrError: a part is malformed or missing, or the data does not decode.
    """
    collector = BbqrCollector()
    for part in parts:
        collector.receive(part)
    return collector.result()
