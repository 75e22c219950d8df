"""Bytewords (BCR-2020-012): bytes as English four-letter words, with a CRC-32 appended.

Three styles: ``standard`` (words separated by spaces), ``uri`` (by hyphens) and ``minimal``
(the first and last letter of each word, no separator; what a UR carries). The checksum is
the CRC-32 (ISO-HDLC, zlib's) of the data, big-endian, appended before encoding.
"""

from __future__ import annotations

import enum
import zlib

from primitives.ur.errors import BytewordsError

__all__ = ["WORDS", "BytewordsStyle", "crc32", "decode", "encode"]

_WORD_TEXT = """
able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias
blue body brag brew bulb buzz calm cash cats chef city claw code cola cook cost
crux curl cusp cyan dark data days deli dice diet door down draw drop drum dull
duty each easy echo edge epic even exam exit eyes fact fair fern figs film fish
fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow
good gray grim guru gush gyro half hang hard hawk heat help high hill holy hope
horn huts iced idea idle inch inky into iris iron item jade jazz join jolt jowl
judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi knob lamb
lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many
math maze memo menu meow mild mint miss monk nail navy need news next noon note
numb obey oboe omit onyx open oval owls paid part peck play plus poem pool pose
puff puma purr quad quiz race ramp real redo rich road rock roof ruby ruin runs
rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task
taxi tent tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user
vast very veto vial vibe view visa void vows wall wand warm wasp wave waxy webs
what when whiz wolf work yank yawn yell yoga yurt zaps zero zest zinc zone zoom
"""
WORDS: tuple[str, ...] = tuple(_WORD_TEXT.split())

# The first and last letters of each word are unique, so two letters name a byte.
_BY_MINIMAL: dict[str, int] = {word[0] + word[3]: i for i, word in enumerate(WORDS)}
_BY_WORD: dict[str, int] = {word: i for i, word in enumerate(WORDS)}


class BytewordsStyle(enum.Enum):
    """How the words are written (BCR-2020-012, "Styles")."""

    STANDARD = "standard"
    URI = "uri"
    MINIMAL = "minimal"


def crc32(data: bytes) -> int:
    """Return the CRC-32 (ISO-HDLC) of ``data``, the checksum BC-UR and Bytewords use."""
    return zlib.crc32(data) & 0xFFFFFFFF


def encode(data: bytes, style: BytewordsStyle = BytewordsStyle.MINIMAL) -> str:
    """Return ``data`` with its CRC-32 appended, as Bytewords of ``style``."""
    full = data + crc32(data).to_bytes(4, "big")
    if style is BytewordsStyle.MINIMAL:
        return "".join(WORDS[b][0] + WORDS[b][3] for b in full)
    separator = " " if style is BytewordsStyle.STANDARD else "-"
    return separator.join(WORDS[b] for b in full)


def decode(text: str, style: BytewordsStyle = BytewordsStyle.MINIMAL) -> bytes:
    """Return the data that ``text`` (Bytewords of ``style``) encodes, its checksum checked.

    Letters are read case-insensitively (a QR code in alphanumeric mode carries capitals).

    Raises:
        BytewordsError: a word is not a Byteword, the text is too short, or the checksum
            does not match.
    """
    text = text.lower()
    if style is BytewordsStyle.MINIMAL:
        if len(text) % 2:
            raise BytewordsError("Minimal Bytewords come in pairs of letters; one is missing.")
        table, tokens = _BY_MINIMAL, [text[i : i + 2] for i in range(0, len(text), 2)]
    else:
        table, tokens = _BY_WORD, text.split(" " if style is BytewordsStyle.STANDARD else "-")
    try:
        full = bytes(table[token] for token in tokens)
    except KeyError as err:
        raise BytewordsError(f"{err.args[0]!r} is not a Byteword.") from None
    if len(full) < 5:
        raise BytewordsError("The Bytewords are too short to hold data and a checksum.")
    data, checksum = full[:-4], int.from_bytes(full[-4:], "big")
    if crc32(data) != checksum:
        raise BytewordsError("The Bytewords checksum does not match: the text is damaged.")
    return data
