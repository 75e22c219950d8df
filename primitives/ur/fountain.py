"""Fountain codes of multi-part URs (BCR-2020-005), encoder and peeling decoder.

The message is cut into ``seq_len`` equal fragments (the last padded with zeros). Part
``seq_num`` 1..seq_len carries fragment ``seq_num - 1``; every later part carries the XOR of
a set of fragments chosen by a generator seeded with SHA-256 of ``seq_num`` and the
message's CRC-32 (both 4 bytes big-endian), with a degree drawn from weights 1/k. Any
receiver recomputes the set from the part's header alone, which is why the generator must
match the reference bit for bit (``primitives.ur.xoshiro``).

The decoder accepts parts in any order, with duplicates and losses, and finishes at the first
part after which the message is determined (Gaussian elimination over GF(2), which does all
that XOR-reduction peeling does and more), then checks the message's CRC-32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeGuard

from primitives.ur import cbor
from primitives.ur.bytewords import crc32
from primitives.ur.errors import CborError, FountainError, MixedPayloadsError
from primitives.ur.xoshiro import RandomSampler, Xoshiro256

__all__ = [
    "MAX_FRAGMENTS",
    "FountainDecoder",
    "FountainEncoder",
    "FountainPart",
    "Progress",
    "choose_fragments",
    "degree_sampler",
    "fragment_length",
    "shuffled",
]

MAX_U32 = 0xFFFFFFFF
# A frame's header is data from a camera: a part claiming millions of fragments would make
# the decoder build and shuffle lists that large for every frame. 10,000 fragments is 40
# minutes of animation at four frames a second, far beyond any signing request.
MAX_FRAGMENTS = 10_000


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class FountainPart:
    """One part of a fountain-coded message (the CBOR array a multi-part UR carries)."""

    seq_num: int
    seq_len: int
    message_len: int
    checksum: int
    data: bytes

    def cbor(self) -> bytes:
        """Return the part as the CBOR array ``[seq_num, seq_len, message_len, checksum, data]``."""
        return cbor.encode([self.seq_num, self.seq_len, self.message_len, self.checksum, self.data])

    @classmethod
    def from_cbor(cls, data: bytes) -> FountainPart:
        """Parse a part from its CBOR array.

        Raises:
            FountainError: the CBOR is not a well-formed part.
        """
        try:
            item = cbor.decode(data)
        except CborError as err:
            raise FountainError(f"A multi-part UR frame is not valid CBOR: {err}") from err
        if not isinstance(item, list) or len(item) != 5:
            raise FountainError("A multi-part UR frame is not a five-item CBOR array.")
        seq_num, seq_len, message_len, checksum, body = item
        if not (
            _is_count(seq_num)
            and _is_count(seq_len)
            and _is_count(message_len)
            and _is_count(checksum)
        ):
            raise FountainError("A multi-part UR frame has a header field that is not a number.")
        if not isinstance(body, bytes) or not body:
            raise FountainError("A multi-part UR frame carries no fragment.")
        if not (1 <= seq_num <= MAX_U32 and 1 <= seq_len <= MAX_U32 and 0 <= checksum <= MAX_U32):
            raise FountainError("A multi-part UR frame has a header field out of range.")
        if seq_len > MAX_FRAGMENTS:
            raise FountainError(
                f"A multi-part UR frame claims {seq_len} fragments (at most {MAX_FRAGMENTS})."
            )
        if message_len < 1 or -(-message_len // len(body)) != seq_len:
            raise FountainError(
                "A multi-part UR frame's lengths disagree (message, fragment and count)."
            )
        return cls(seq_num, seq_len, message_len, checksum, body)


def fragment_length(message_len: int, min_fragment_len: int, max_fragment_len: int) -> int:
    """Return the fragment length the reference encoder picks (``findNominalFragmentLength``).

    The fewest fragments whose length is at most ``max_fragment_len``, without going below
    ``min_fragment_len``; a message shorter than ``min_fragment_len`` is one fragment.
    """
    if message_len < 1 or min_fragment_len < 1 or max_fragment_len < min_fragment_len:
        raise ValueError("The message and fragment lengths must be positive and ordered.")
    length = message_len
    for count in range(1, message_len // min_fragment_len + 1):
        length = -(-message_len // count)
        if length <= max_fragment_len:
            break
    return length


def shuffled(items: list[int], rng: Xoshiro256) -> list[int]:
    """Return ``items`` shuffled the reference's way (draw an index, remove it, repeat)."""
    remaining = list(items)
    result = []
    while remaining:
        result.append(remaining.pop(rng.next_int(0, len(remaining) - 1)))
    return result


def degree_sampler(seq_len: int) -> RandomSampler:
    """Return the sampler of part degrees for ``seq_len`` fragments (weights 1/k)."""
    return RandomSampler([1.0 / k for k in range(1, seq_len + 1)])


def choose_fragments(
    seq_num: int, seq_len: int, checksum: int, sampler: RandomSampler | None = None
) -> frozenset[int]:
    """Return the indexes of the fragments that part ``seq_num`` mixes (BCR-2020-005).

    ``sampler`` is the degree sampler for ``seq_len`` (built here when not given; callers
    drawing many parts pass one to build it once).
    """
    if seq_num <= seq_len:
        return frozenset((seq_num - 1,))
    rng = Xoshiro256.from_bytes(seq_num.to_bytes(4, "big") + checksum.to_bytes(4, "big"))
    degree = (sampler or degree_sampler(seq_len)).next(rng.next_double) + 1
    return frozenset(shuffled(list(range(seq_len)), rng)[:degree])


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


class FountainEncoder:
    """Cut a message into fragments and emit parts: the pure ones first, then mixed ones."""

    def __init__(
        self,
        message: bytes,
        max_fragment_len: int,
        first_seq_num: int = 0,
        min_fragment_len: int = 10,
    ) -> None:
        """Prepare ``message`` (not empty) in fragments of at most ``max_fragment_len``."""
        if not message:
            raise ValueError("A fountain-coded message cannot be empty.")
        self.message_len = len(message)
        self.checksum = crc32(message)
        self.fragment_len = fragment_length(len(message), min_fragment_len, max_fragment_len)
        padded = message + bytes(-len(message) % self.fragment_len)
        self.fragments = [
            padded[i : i + self.fragment_len] for i in range(0, len(padded), self.fragment_len)
        ]
        self.seq_num = first_seq_num
        self._sampler = degree_sampler(len(self.fragments))

    @property
    def seq_len(self) -> int:
        """Return the number of fragments."""
        return len(self.fragments)

    def is_complete(self) -> bool:
        """Return whether every fragment has been emitted once on its own."""
        return self.seq_num >= self.seq_len

    def next_part(self) -> FountainPart:
        """Return the next part (sequence numbers from ``first_seq_num + 1``)."""
        self.seq_num = (self.seq_num + 1) & MAX_U32
        indexes = choose_fragments(self.seq_num, self.seq_len, self.checksum, self._sampler)
        data = bytes(self.fragment_len)
        for i in indexes:
            data = _xor(data, self.fragments[i])
        return FountainPart(self.seq_num, self.seq_len, self.message_len, self.checksum, data)


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a decoder is: fragments recovered of ``fragments``, parts seen."""

    recovered: int
    fragments: int
    parts_received: int
    complete: bool

    @property
    def fraction(self) -> float:
        """Return the share of fragments recovered (for a progress bar only)."""
        return self.recovered / self.fragments if self.fragments else 0.0


class FountainDecoder:
    """Collect parts in any order until the message is whole.

    Each part is one equation over GF(2): the XOR of the fragments its index set names. The
    decoder keeps the equations in echelon form (a row per pivot fragment, its fragment set
    as a bit mask and its data as an integer) and reduces each new part against them: a part
    of one fragment is that fragment (what a peeling decoder does), a part that reduces to
    nothing adds nothing (a duplicate, or implied by the others), anything else becomes a new
    row. The message is whole as soon as the rows reach the fragment count, which is the
    earliest moment any decoder could know it, often well before peeling would: a peeling
    decoder stalls when every unsolved part still mixes two unknown fragments.
    """

    def __init__(self) -> None:
        """Start with no part."""
        self._header: tuple[int, int, int, int] | None = None  # seq_len, len, crc, frag len
        self._sampler: RandomSampler | None = None
        self._rows: dict[int, tuple[int, int]] = {}  # pivot bit -> (fragment mask, data)
        self._received = 0
        self._message: bytes | None = None

    @property
    def message(self) -> bytes | None:
        """Return the message once complete, else ``None``."""
        return self._message

    def progress(self) -> Progress:
        """Return how far the decoder is (``recovered``: independent parts, of ``fragments``)."""
        seq_len = self._header[0] if self._header else 0
        done = self._message is not None
        return Progress(seq_len if done else len(self._rows), seq_len, self._received, done)

    def receive(self, part: FountainPart) -> Progress:
        """Take one part; return the progress. Parts after completion are only checked.

        Raises:
            MixedPayloadsError: the part belongs to another message (its count, length,
                checksum or fragment size differ from the first part's).
            FountainError: every fragment is known but the message fails its checksum.
        """
        header = (part.seq_len, part.message_len, part.checksum, len(part.data))
        if self._header is None:
            self._header = header
            self._sampler = degree_sampler(part.seq_len)
        elif header != self._header:
            raise MixedPayloadsError(
                "This frame belongs to another payload than the frames before it "
                "(two payloads mixed)."
            )
        self._received += 1
        if self._message is not None:
            return self.progress()
        indexes = choose_fragments(part.seq_num, part.seq_len, part.checksum, self._sampler)
        mask = 0
        for i in indexes:
            mask |= 1 << i
        self._add(mask, int.from_bytes(part.data, "big"))
        if len(self._rows) == part.seq_len:
            self._finish()
        return self.progress()

    def _add(self, mask: int, data: int) -> None:
        rows = self._rows
        while mask:
            pivot = mask.bit_length() - 1
            row = rows.get(pivot)
            if row is None:
                rows[pivot] = (mask, data)
                return
            mask ^= row[0]
            data ^= row[1]

    def _finish(self) -> None:
        assert self._header is not None  # noqa: S101 (set by the first part)
        seq_len, message_len, checksum, fragment_len = self._header
        # Rows are pivoted on their highest fragment: solving from the lowest pivot up, every
        # other fragment a row names is already solved.
        values: list[int] = []
        for pivot in range(seq_len):
            mask, data = self._rows[pivot]
            rest = mask ^ (1 << pivot)
            while rest:
                low = rest & -rest
                data ^= values[low.bit_length() - 1]
                rest ^= low
            values.append(data)
        message = b"".join(v.to_bytes(fragment_len, "big") for v in values)[:message_len]
        if crc32(message) != checksum:
            raise FountainError("The frames decode to a message that fails its checksum.")
        self._message = message
        self._rows.clear()
