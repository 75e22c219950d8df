"""New wallet passwords: the shortest one accepted, and a strength estimate (zxcvbn).

The password is what stands between a stolen wallet file and its keys, through Argon2id. A
short one is refused; a guessable one (zxcvbn's score below 3 of 4) gets a warning that says
why, in zxcvbn's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wallet.errors import WeakPassword

__all__ = ["MIN_PASSWORD_LENGTH", "PasswordStrength", "check_new_password", "password_strength"]

MIN_PASSWORD_LENGTH = 8
"""The fewest characters a new wallet password may have."""

_GOOD_SCORE = 3
# zxcvbn's cost grows with the length; past this it has seen enough to judge.
_JUDGED_CHARS = 100


def _judge(password: str) -> dict[str, Any]:
    # zxcvbn builds its word lists (about 13 MB) on import: loaded when a new password is
    # judged, not by every process that opens a wallet.
    from zxcvbn import zxcvbn

    result: dict[str, Any] = zxcvbn(password[:_JUDGED_CHARS])
    return result


def check_new_password(password: str) -> tuple[str, ...]:
    """Check a new wallet password: refuse a short one, return warnings for a weak one.

    Args:
        password: the password the person chose.

    Returns:
        Sentences about a guessable password (empty when zxcvbn rates it strong enough).

    Raises:
        WeakPassword: fewer than ``MIN_PASSWORD_LENGTH`` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters."
        )
    result = _judge(password)
    if int(result["score"]) >= _GOOD_SCORE:
        return ()
    feedback = result["feedback"]
    reasons = [str(feedback.get("warning") or ""), *map(str, feedback.get("suggestions") or [])]
    detail = " ".join(r for r in reasons if r)
    return (f"This password is easy to guess. {detail}".strip(),)


@dataclass(frozen=True, slots=True)
class PasswordStrength:
    """A strength meter's reading of a password being typed.

    Attributes:
        score: zxcvbn's score, 0 (guessed at once) to 4 (very hard); 0 while too short.
        acceptable: long enough for a wallet password.
        warnings: what ``check_new_password`` would warn about, or why it is too short.
    """

    score: int
    acceptable: bool
    warnings: tuple[str, ...]


def password_strength(password: str) -> PasswordStrength:
    """Rate a password as it is typed (for a strength meter); never raises."""
    try:
        warnings = check_new_password(password)
    except WeakPassword as err:
        return PasswordStrength(0, False, (str(err),))
    score = int(_judge(password)["score"])
    return PasswordStrength(score, True, warnings)
