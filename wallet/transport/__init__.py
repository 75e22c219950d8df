"""Moving a signing request and its answer between machines: PSBT files and animated QR.

- PSBT files as Bitcoin Core, Sparrow and Electrum read and write them (``read_psbt_file``,
  ``write_psbt_file``: binary, Base64 or hex, detected when reading).
- QR frames in BC-UR (``crypto-psbt``, EIP-4527, account exports; fountain-coded, any order,
  losses) or BBQr (``encode_frames``, ``FrameCollector``, ``decode_frames``).
- Frames as PNG files, an animated GIF or terminal text (segno, pillow), and read back from
  images (zxing-cpp): ``write_png`` (one frame), ``write_png_frames``, ``write_gif``,
  ``terminal_frames``, ``read_qr_images``.

- The registry values those payloads carry, re-exported for fronts that may not import
  ``primitives``: EIP-4527 ``EthSignRequest``/``EthSignature`` and the account export types
  (``HDKey``, ``Output``, ``Account``, ``Keypath``, ``PathStep``, ``CoinInfo``); each has
  ``cbor()`` (a ``Payload``'s data) and ``from_cbor``/``from_item`` to read one back.

No network code: the offline signer uses this package as it is.
"""

from primitives.eip4527 import EthDataType, EthSignature, EthSignRequest
from primitives.ur.account import Account, CoinInfo, HDKey, Keypath, Output, PathStep
from wallet.transport.frames import (
    DEFAULT_BBQR_MAX_VERSION,
    DEFAULT_FRAGMENT_LEN,
    FrameCollector,
    FrameFormat,
    FrameProgress,
    Payload,
    PayloadKind,
    decode_frames,
    encode_frames,
    frame_texts,
    psbt_of_payload,
)
from wallet.transport.images import (
    IMAGE_SUFFIXES,
    qr_text,
    read_qr_image,
    read_qr_images,
    terminal_frames,
    write_gif,
    write_png,
    write_png_frames,
)
from wallet.transport.psbt_files import PsbtEncoding, read_psbt, read_psbt_file, write_psbt_file

__all__ = [
    "DEFAULT_BBQR_MAX_VERSION",
    "DEFAULT_FRAGMENT_LEN",
    "IMAGE_SUFFIXES",
    "Account",
    "CoinInfo",
    "EthDataType",
    "EthSignRequest",
    "EthSignature",
    "FrameCollector",
    "FrameFormat",
    "FrameProgress",
    "HDKey",
    "Keypath",
    "Output",
    "PathStep",
    "Payload",
    "PayloadKind",
    "PsbtEncoding",
    "decode_frames",
    "encode_frames",
    "frame_texts",
    "psbt_of_payload",
    "qr_text",
    "read_psbt",
    "read_psbt_file",
    "read_qr_image",
    "read_qr_images",
    "terminal_frames",
    "write_gif",
    "write_png",
    "write_png_frames",
    "write_psbt_file",
]
