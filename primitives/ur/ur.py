"""Uniform Resources (BCR-2020-005): ``ur:type/payload`` and ``ur:type/seq-len/payload``.

A UR carries a CBOR item (``cbor``) of a registered ``type`` as minimal Bytewords. A message
too long for one QR code goes as fountain-coded parts (``primitives.ur.fountain``), each
``ur:type/<seq_num>-<seq_len>/<bytewords of the part's CBOR>``. Text is read
case-insensitively: QR codes in alphanumeric mode carry ``UR:CRYPTO-PSBT/...`` in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from primitives.ur import bytewords
from primitives.ur.errors import FountainError, MixedPayloadsError, UrError
from primitives.ur.fountain import (
    MAX_U32,
    FountainDecoder,
    FountainEncoder,
    FountainPart,
    Progress,
    choose_fragments,
    degree_sampler,
)

__all__ = ["UR", "UrDecoder", "UrEncoder", "decode_single", "encode_single", "parse_ur"]

_TYPE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_SEQ = re.compile(r"([1-9][0-9]{0,9})-([1-9][0-9]{0,9})")


@dataclass(frozen=True, slots=True)
class UR:
    """A UR: its registry type (``crypto-psbt``, ``bytes``, ...) and its CBOR bytes."""

    type: str
    cbor: bytes

    def __post_init__(self) -> None:
        """Check the type's spelling (lower-case letters, digits and single hyphens)."""
        if not _TYPE.fullmatch(self.type):
            raise UrError(f"{self.type!r} is not a UR type (letters, digits and hyphens).")


def encode_single(ur: UR) -> str:
    """Return ``ur`` as one ``ur:type/bytewords`` string."""
    return f"ur:{ur.type}/{bytewords.encode(ur.cbor)}"


def parse_ur(text: str) -> tuple[str, tuple[int, int] | None, str]:
    """Split UR text into its type, its ``(seq_num, seq_len)`` if multi-part, and payload.

    Raises:
        UrError: the text is not a UR.
    """
    lowered = text.strip().lower()
    if not lowered.startswith("ur:"):
        raise UrError("This text is not a UR: it does not start with 'ur:'.")
    pieces = lowered[3:].split("/")
    if len(pieces) == 2:
        ur_type, seq, payload = pieces[0], None, pieces[1]
    elif len(pieces) == 3:
        match = _SEQ.fullmatch(pieces[1])
        if match is None:
            raise UrError(f"{pieces[1]!r} is not a UR sequence ('<number>-<count>').")
        ur_type, seq, payload = pieces[0], (int(match[1]), int(match[2])), pieces[2]
    else:
        raise UrError("A UR has a type and a payload, and a sequence when multi-part.")
    if not _TYPE.fullmatch(ur_type):
        raise UrError(f"{ur_type!r} is not a UR type.")
    if not payload:
        raise UrError("The UR carries no payload.")
    return ur_type, seq, payload


def decode_single(text: str) -> UR:
    """Return the UR that a single-part ``ur:type/bytewords`` string holds.

    Raises:
        UrError: the text is not a single-part UR, or its Bytewords are damaged.
    """
    ur_type, seq, payload = parse_ur(text)
    if seq is not None:
        raise UrError("This is one frame of a multi-part UR; collect all its frames.")
    return UR(ur_type, bytewords.decode(payload))


class UrEncoder:
    """Emit the frames of a UR: one string if it fits, else fountain-coded parts forever."""

    def __init__(
        self,
        ur: UR,
        max_fragment_len: int,
        first_seq_num: int = 0,
        min_fragment_len: int = 10,
    ) -> None:
        """Prepare ``ur`` in fragments of at most ``max_fragment_len`` bytes of CBOR."""
        self.ur = ur
        self._fountain = FountainEncoder(ur.cbor, max_fragment_len, first_seq_num, min_fragment_len)

    @property
    def is_single_part(self) -> bool:
        """Return whether the UR fits one frame."""
        return self._fountain.seq_len == 1

    @property
    def fragment_count(self) -> int:
        """Return the number of fragments (frames needed without loss)."""
        return self._fountain.seq_len

    def loop_length(self) -> int:
        """Return how many frames a finite loop (a GIF, a folder of PNGs) should hold.

        The pure fragments once, then mixed parts: at least as many again, and on until
        every fragment is in some mixed part, so that a receiver that misses any one frame
        of the loop still recovers the message. One if the UR fits one frame.
        """
        n = self.fragment_count
        if n == 1:
            return 1
        fountain = self._fountain
        start = fountain.seq_num
        uncovered, count = set(range(n)), 0
        sampler = degree_sampler(n)
        while count < 2 * n or uncovered:
            count += 1
            seq_num = (start + count) & MAX_U32
            if seq_num > n:
                uncovered -= choose_fragments(seq_num, n, fountain.checksum, sampler)
        return count

    def next_part(self) -> str:
        """Return the next frame (the same single string every time if single-part)."""
        if self.is_single_part:
            return encode_single(self.ur)
        part = self._fountain.next_part()
        body = bytewords.encode(part.cbor())
        return f"ur:{self.ur.type}/{part.seq_num}-{part.seq_len}/{body}"


class UrDecoder:
    """Collect UR frames, in any order with duplicates and losses, until the UR is whole."""

    def __init__(self) -> None:
        """Start with no frame."""
        self._type: str | None = None
        self._fountain = FountainDecoder()
        self._result: UR | None = None

    @property
    def result(self) -> UR | None:
        """Return the UR once complete, else ``None``."""
        return self._result

    def progress(self) -> Progress:
        """Return how far the decoder is."""
        if self._result is not None and self._fountain.progress().fragments == 0:
            return Progress(1, 1, 1, True)  # a single-part UR
        return self._fountain.progress()

    def receive(self, text: str) -> Progress:
        """Take one frame; return the progress.

        Raises:
            MixedPayloadsError: the frame is of another UR type or message than the
                frames before it.
            UrError: the frame is not a UR, or its Bytewords or CBOR are damaged.
        """
        ur_type, seq, payload = parse_ur(text)
        if self._type is not None and ur_type != self._type:
            raise MixedPayloadsError(
                f"This frame is a {ur_type} and the frames before it a {self._type} "
                "(two payloads mixed)."
            )
        data = bytewords.decode(payload)
        if seq is None:
            ur = UR(ur_type, data)
            if self._result is not None and ur != self._result:
                raise MixedPayloadsError("Two different single-frame URs (two payloads mixed).")
            if self._fountain.progress().parts_received:
                raise MixedPayloadsError(
                    "A single-frame UR among multi-part frames (two payloads mixed)."
                )
            self._type, self._result = ur_type, ur
            return self.progress()
        if self._result is not None and self._fountain.progress().fragments == 0:
            raise MixedPayloadsError("A multi-part frame after a single-frame UR (two mixed).")
        part = FountainPart.from_cbor(data)
        if (part.seq_num, part.seq_len) != seq:
            raise FountainError("A UR frame's sequence in its text and in its CBOR disagree.")
        self._type = ur_type
        progress = self._fountain.receive(part)
        message = self._fountain.message
        if message is not None and self._result is None:
            self._result = UR(ur_type, message)
        return progress
