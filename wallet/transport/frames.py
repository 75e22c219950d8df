"""Payloads as the text of QR frames, both ways: BC-UR (fountain-coded) and BBQr.

``encode_frames`` turns a payload (a PSBT, an EIP-4527 request, an account export...) into
the text of each frame; ``FrameCollector`` takes frame texts as a camera or a folder of images
gives them (any order, duplicates, losses, the two formats told apart by their prefix) and
says when the payload is whole. A lone frame holding a bare Base64 or hex PSBT, as
Coldcard and Core show a small one, is read too.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from primitives import bbqr
from primitives.ur import UR, UrDecoder, UrEncoder
from primitives.ur import cbor as ur_cbor
from primitives.ur.errors import MixedPayloadsError, UrError
from primitives.ur.psbt import PSBT_TYPES, psbt_from_ur, psbt_to_ur
from wallet.errors import (
    IncompleteQrPayload,
    InvalidPsbtFile,
    MixedQrPayloads,
    QrPayloadError,
    Unsupported,
)
from wallet.transport.psbt_files import read_psbt

__all__ = [
    "DEFAULT_BBQR_MAX_VERSION",
    "DEFAULT_FRAGMENT_LEN",
    "FrameCollector",
    "FrameFormat",
    "FrameProgress",
    "Payload",
    "PayloadKind",
    "decode_frames",
    "encode_frames",
    "frame_texts",
    "psbt_of_payload",
]

DEFAULT_FRAGMENT_LEN = 150  # bytes of CBOR per UR frame: a version 12-14 QR code
DEFAULT_BBQR_MAX_VERSION = 20  # 97x97 modules: easy for a phone or a Coldcard Q to read


class FrameFormat(enum.Enum):
    """How a payload is cut into QR frames."""

    UR = "ur"
    BBQR = "bbqr"


class PayloadKind(enum.Enum):
    """What a payload is; the value is its BC-UR type (``bytes`` for plain data)."""

    PSBT = "crypto-psbt"
    TRANSACTION = "transaction"
    ETH_SIGN_REQUEST = "eth-sign-request"
    ETH_SIGNATURE = "eth-signature"
    ACCOUNT = "crypto-account"
    HDKEY = "crypto-hdkey"
    OUTPUT = "crypto-output"
    JSON = "json"
    TEXT = "text"
    BYTES = "bytes"


# UR types that carry a CBOR item defined by its registry (the payload is that CBOR).
_UR_CBOR_KINDS = frozenset(
    {
        PayloadKind.ETH_SIGN_REQUEST,
        PayloadKind.ETH_SIGNATURE,
        PayloadKind.ACCOUNT,
        PayloadKind.HDKEY,
        PayloadKind.OUTPUT,
    }
)
_BBQR_TYPES = {
    PayloadKind.PSBT: "P",
    PayloadKind.TRANSACTION: "T",
    PayloadKind.JSON: "J",
    PayloadKind.TEXT: "U",
    PayloadKind.BYTES: "B",
}
_BBQR_KINDS = {code: kind for kind, code in _BBQR_TYPES.items()}


@dataclass(frozen=True, slots=True)
class Payload:
    """What QR frames carry.

    ``data`` is the binary PSBT for ``PSBT``, the raw transaction for ``TRANSACTION``, the
    UTF-8 text for ``JSON``/``TEXT``, the bytes for ``BYTES``, and the registry CBOR item for
    the other UR types (``primitives.eip4527`` and ``primitives.ur.account`` read them).
    """

    kind: PayloadKind
    data: bytes


@dataclass(frozen=True, slots=True)
class FrameProgress:
    """How far a collector is: ``recovered`` of ``needed`` fragments or parts."""

    frames: int
    recovered: int
    needed: int
    complete: bool


def encode_frames(
    payload: Payload,
    frame_format: FrameFormat = FrameFormat.UR,
    *,
    max_fragment_len: int = DEFAULT_FRAGMENT_LEN,
    count: int | None = None,
    max_version: int = DEFAULT_BBQR_MAX_VERSION,
) -> tuple[str, ...]:
    """Return the text of each QR frame for ``payload``.

    Args:
        payload: what to send.
        frame_format: BC-UR (fountain-coded) or BBQr (a fixed series).
        max_fragment_len: UR only: bytes of the message per frame.
        count: UR only: how many frames to emit (default: one if it fits, else the
            fragments once and mixed frames after them, at least as many and until every
            fragment is in one, so that a receiver that misses any one frame of the loop
            still completes).
        max_version: BBQr only: the largest QR version a part may need.

    Raises:
        Unsupported: the format cannot carry this kind (a PSBT-only BBQr type, an EVM
            request as BBQr, a bare transaction as UR).
        QrPayloadError: the payload is empty or does not fit.
    """
    if not payload.data:
        raise QrPayloadError("There is nothing to encode: the payload is empty.")
    if frame_format is FrameFormat.BBQR:
        code = _BBQR_TYPES.get(payload.kind)
        if code is None:
            raise Unsupported(f"BBQr cannot carry a {payload.kind.value}; use UR.")
        try:
            return bbqr.split(payload.data, code, max_version=max_version).parts
        except bbqr.BbqrError as err:
            raise QrPayloadError(str(err)) from err
    ur = _to_ur(payload)
    if max_fragment_len < 10:
        raise QrPayloadError("A UR frame carries at least 10 bytes of the message.")
    encoder = UrEncoder(ur, max_fragment_len)
    if count is None:
        count = encoder.loop_length()
    if count < 1:
        raise QrPayloadError("At least one frame is needed.")
    return tuple(encoder.next_part() for _ in range(count))


def _to_ur(payload: Payload) -> UR:
    if payload.kind is PayloadKind.PSBT:
        return psbt_to_ur(payload.data)
    if payload.kind in _UR_CBOR_KINDS:
        return UR(payload.kind.value, payload.data)
    if payload.kind is PayloadKind.BYTES:
        return UR("bytes", ur_cbor.encode(payload.data))
    raise Unsupported(f"BC-UR has no type for a {payload.kind.value}; use BBQr.")


def _from_ur(ur: UR) -> Payload:
    try:
        if ur.type in PSBT_TYPES:
            return Payload(PayloadKind.PSBT, psbt_from_ur(ur))
        if ur.type == "bytes":
            item = ur_cbor.decode(ur.cbor)
            if not isinstance(item, bytes):
                raise QrPayloadError("The 'bytes' UR does not hold a byte string.")
            return Payload(PayloadKind.BYTES, item)
        kind = next((k for k in _UR_CBOR_KINDS if k.value == ur.type), None)
        if kind is None:
            raise QrPayloadError(f"Coffer does not read '{ur.type}' URs.")
        ur_cbor.decode(ur.cbor)  # well-formed CBOR; the registry reader checks the fields
        return Payload(kind, ur.cbor)
    except UrError as err:
        raise QrPayloadError(str(err)) from err


def _checked(payload: Payload) -> Payload:
    """Return ``payload`` once a PSBT in it parses (a corrupt one fails here, not later)."""
    if payload.kind is PayloadKind.PSBT:
        read_psbt(payload.data)
    return payload


class FrameCollector:
    """Collect QR frame texts until the payload is whole (BC-UR, BBQr or a bare PSBT)."""

    def __init__(self) -> None:
        """Start with no frame."""
        self._format: FrameFormat | None = None
        self._ur = UrDecoder()
        self._bbqr = bbqr.BbqrCollector()
        self._frames = 0
        self._result: Payload | None = None

    @property
    def result(self) -> Payload | None:
        """Return the payload once complete, else ``None``."""
        return self._result

    def progress(self) -> FrameProgress:
        """Return how far the collector is."""
        if self._format is FrameFormat.BBQR:
            return FrameProgress(
                self._frames, self._bbqr.received, self._bbqr.total, self._result is not None
            )
        if self._format is FrameFormat.UR:
            p = self._ur.progress()
            return FrameProgress(self._frames, p.recovered, p.fragments, self._result is not None)
        done = self._result is not None
        return FrameProgress(self._frames, int(done), int(done), done)

    def receive(self, text: str) -> FrameProgress:
        """Take the text of one frame; return the progress.

        Raises:
            MixedQrPayloads: the frame belongs to another payload or format than the
                frames before it.
            QrPayloadError: the frame is neither a UR, a BBQr part nor a bare PSBT, or it
                is damaged.
            InvalidPsbtFile: the frames complete a PSBT that is corrupt.
        """
        text = text.strip()
        lowered = text[:3].lower()
        frame_format = (
            FrameFormat.UR if lowered == "ur:" else FrameFormat.BBQR if bbqr.is_bbqr(text) else None
        )
        if self._frames and frame_format is not self._format:
            raise MixedQrPayloads("These frames mix two payloads (frames of different formats).")
        self._frames += 1
        self._format = frame_format
        if frame_format is None:
            self._receive_bare(text)
        elif frame_format is FrameFormat.UR:
            self._receive_ur(text)
        else:
            self._receive_bbqr(text)
        return self.progress()

    def _receive_bare(self, text: str) -> None:
        try:
            psbt, _ = read_psbt(text)
        except InvalidPsbtFile:
            raise QrPayloadError(
                "This QR code holds neither a UR, a BBQr part nor a PSBT."
            ) from None
        if self._result is not None and self._result.data != psbt:
            raise MixedQrPayloads("These QR codes hold two different PSBTs.")
        self._result = Payload(PayloadKind.PSBT, psbt)

    def _receive_ur(self, text: str) -> None:
        try:
            self._ur.receive(text)
        except MixedPayloadsError as err:
            raise MixedQrPayloads(str(err)) from err
        except UrError as err:
            raise QrPayloadError(f"A UR frame is damaged: {err}") from err
        if self._result is None and self._ur.result is not None:
            self._result = _checked(_from_ur(self._ur.result))

    def _receive_bbqr(self, text: str) -> None:
        try:
            self._bbqr.receive(text)
            if self._result is None and self._bbqr.complete:
                code, data = self._bbqr.result()
                kind = _BBQR_KINDS.get(code, PayloadKind.BYTES)
                self._result = _checked(Payload(kind, data))
        except bbqr.BbqrMixedError as err:
            raise MixedQrPayloads(str(err)) from err
        except bbqr.BbqrError as err:
            raise QrPayloadError(f"A BBQr part is damaged: {err}") from err


def decode_frames(texts: Iterable[str]) -> Payload:
    """Return the payload that the frame texts make, in any order, with duplicates.

    Frames beyond those needed are still checked: one of another payload is refused.

    Raises:
        MixedQrPayloads: frames of two payloads.
        IncompleteQrPayload: frames are missing.
        QrPayloadError: a frame is not a UR, a BBQr part nor a PSBT, or it is damaged.
        InvalidPsbtFile: the frames make a PSBT that is corrupt.
    """
    collector = FrameCollector()
    for text in texts:
        collector.receive(text)
    if collector.result is None:
        p = collector.progress()
        if p.frames == 0:
            raise IncompleteQrPayload("There are no frames to decode.", 0, 0)
        raise IncompleteQrPayload(
            f"Frames are missing: {p.recovered} of {p.needed} parts recovered; "
            "show or scan more frames.",
            p.recovered,
            p.needed,
        )
    return collector.result


def psbt_of_payload(payload: Payload) -> bytes:
    """Return the PSBT that decoded QR frames hold, refusing any other payload kind.

    Raises:
        QrPayloadError: the frames hold something else (an account export, a message...).
    """
    if payload.kind is not PayloadKind.PSBT:
        raise QrPayloadError(f"The QR codes hold a {payload.kind.value}, not a PSBT.")
    return payload.data


def frame_texts(data: bytes | str) -> list[str] | None:
    """Return the lines of a text of QR frames (``ur:...`` or BBQr ``B$...``), if it is one.

    ``None`` when any line is something else (a Base64 or hex PSBT, binary data): the caller
    reads it as a file.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("ascii")
        except UnicodeDecodeError:
            return None
    lines = [line.strip() for line in data.splitlines() if line.strip()]
    if lines and all(line[:3].lower() == "ur:" or line.startswith("B$") for line in lines):
        return lines
    return None
