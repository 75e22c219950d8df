"""codex32 backups (BIP-93): a wallet's master seed as k-of-n shares, and back.

The wallet reveals its BIP-32 master seed (password-checked) and hands it here as bytes; this
module splits it into shares, lays them out like the BIP's paper worksheets, and turns shares
typed back in into a seed. A wallet from BIP-39 words has a 64-byte seed (the words and the
passphrase hashed together), so its shares are the long codex32 form: they restore the same
keys, but not the words.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from primitives.codex32 import (
    CHARSET,
    Codex32ChecksumError,
    Codex32Error,
    Codex32String,
    decode,
    recover_seed,
    split_seed,
)
from wallet.errors import InvalidBackup

__all__ = [
    "Codex32Backup",
    "codex32_backup",
    "codex32_seed",
    "codex32_share_threshold",
    "codex32_worksheet",
]

_GROUP = 4


@dataclass(frozen=True, slots=True)
class Codex32Backup:
    """A set of codex32 shares of one wallet's master seed.

    Attributes:
        threshold: how many shares restore the seed (k).
        identifier: the set's 4-character identifier, uppercase as written on paper.
        seed_bytes: the length of the master seed (16 to 64).
        shares: the shares, uppercase (BIP-93 advises uppercase on paper); secret.
    """

    threshold: int
    identifier: str
    seed_bytes: int
    shares: tuple[str, ...] = field(repr=False)


def codex32_backup(
    seed: bytes, threshold: int, count: int, identifier: str | None = None
) -> Codex32Backup:
    """Split ``seed`` into ``count`` shares, any ``threshold`` of which restore it.

    Args:
        seed: the BIP-32 master seed.
        threshold: k, 2 to 9.
        count: n, k to 31.
        identifier: 4 bech32 characters; a random one if ``None``.

    Raises:
        InvalidBackup: a bad threshold, count or identifier.
    """
    ident = identifier if identifier is not None else _random_identifier()
    try:
        shares = split_seed(seed, threshold, count, ident)
    except Codex32Error as err:
        raise InvalidBackup(str(err)) from None
    return Codex32Backup(threshold, ident.upper(), len(seed), tuple(str(s).upper() for s in shares))


def _random_identifier() -> str:
    return "".join(secrets.choice(CHARSET) for _ in range(4))


def codex32_share_threshold(text: str) -> int:
    """Check one codex32 share as it is typed and return how many shares its set needs.

    Lets a front check each share on entry and ask again for a bad one; the set as a whole
    is checked by ``codex32_seed``.

    Returns:
        The threshold k, or 1 for the unshared secret (index ``s``), which is enough alone.

    Raises:
        InvalidBackup: the share does not parse; ``correction`` holds the repaired share when
            up to 4 changed characters explain a failed checksum.
    """
    share = _parse(text, "")
    return 1 if share.is_secret else share.threshold


def _parse(text: str, prefix: str) -> Codex32String:
    try:
        return decode(text)
    except Codex32ChecksumError as err:
        fix = err.correction.corrected if err.correction is not None else None
        raise InvalidBackup(f"{prefix}{err}", fix) from None
    except Codex32Error as err:
        raise InvalidBackup(f"{prefix}{err}") from None


def codex32_seed(shares: Sequence[str]) -> bytes:
    """Return the master seed from the codex32 secret or from ``k`` shares of one set.

    Raises:
        InvalidBackup: a share that does not parse (with a suggested correction when up to
            4 changed characters explain a failed checksum), shares of different sets or
            thresholds, a share given twice, or too few shares.
    """
    parsed = [_parse(text, f"Share {number}: ") for number, text in enumerate(shares, start=1)]
    try:
        return recover_seed(parsed)
    except Codex32Error as err:
        raise InvalidBackup(str(err)) from None


def codex32_worksheet(backup: Codex32Backup) -> str:
    """Lay the shares out as BIP-93's paper worksheets do: header explained, groups of 4.

    Each share gets its own block: which share it is, what its header characters mean, and
    the string in groups of four characters, numbered by line, to copy by hand.
    """
    total = len(backup.shares)
    blocks = [
        f"codex32 backup (BIP-93) of a {8 * backup.seed_bytes}-bit master seed: set "
        f"{backup.identifier}, any {backup.threshold} of these {total} shares restore it.",
    ]
    for number, share in enumerate(backup.shares, start=1):
        body = share[3:]
        # From the first character, so MS1 and the threshold, the identifier, and the index
        # with the payload's first characters fall in groups of their own, as on paper.
        groups = [share[i : i + _GROUP] for i in range(0, len(share), _GROUP)]
        lines = [" ".join(groups[i : i + 6]) for i in range(0, len(groups), 6)]
        blocks.append(
            "\n".join(
                [
                    f"Share {number} of {total}",
                    "  MS1   prefix of a codex32 master seed",
                    f"  {body[0]}     threshold: {backup.threshold} shares restore the seed",
                    f"  {body[1:5]}  identifier of this set",
                    f"  {body[5]}     share index",
                    *(f"  {row:>2}: {line}" for row, line in enumerate(lines, start=1)),
                    f"  ({len(share)} characters; the last {15 if len(body) > 93 else 13} "
                    "are the checksum)",
                ]
            )
        )
    return "\n\n".join(blocks)
