"""Match statement lines against an account's lines, the way GnuCash's importer scores them.

A re-imported line must be found, and a new one must never be swallowed. Banks reuse FITIDs
(for fees and rewards), and two genuine payments of the same amount on the same day are two
lines, so no single field decides. Each pair of (statement line, account line) gets a score:

- the same amount is required (+3); a different amount is never a match;
- the date: the same day +3, 1 to 3 days apart +2 (a value date against a booking date),
  4 to 7 days +1, further apart no match;
- the reference (FITID, AcctSvcrRef...): the same +3; both present and different -3, when
  both lines came from the same format (a camt.053 reference and an MT940 one of the same
  payment differ, so across formats a different reference says nothing);
- the text (payee and memo, case and spacing ignored): the same +2, sharing words +1.

A pair scoring at least ``MATCH_THRESHOLD`` (6: the same amount on the same day, or a day or
two apart with the same reference or text) is a match. Pairs are taken best first and each
account line is matched at most once, so a statement with two equal payments matches two
account lines or adds the second; lines of one statement never match each other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from wallet.money.fiat.types import FiatLine, ParsedLine

__all__ = ["MATCH_THRESHOLD", "Candidate", "match_lines", "score"]

MATCH_THRESHOLD = 6
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A scored pair: statement line ``new`` (by index) is account line ``old``."""

    new: int
    old: FiatLine
    score: int
    reasons: tuple[str, ...]


def _words(line: ParsedLine | FiatLine) -> frozenset[str]:
    return frozenset(_WORD.findall(f"{line.payee} {line.memo}".lower()))


def score(new: ParsedLine, old: FiatLine, origin: str) -> tuple[int, tuple[str, ...]] | None:
    """Return the score of ``new`` (read from format ``origin``) against ``old`` and why.

    Returns ``None`` when they cannot be the same line (another amount, over a week apart).
    """
    if new.amount != old.amount:
        return None
    days = abs((new.booked - old.booked).days)
    if days > 7:
        return None
    reasons = ["same amount"]
    points = 3
    if days == 0:
        points += 3
        reasons.append("same date")
    else:
        points += 2 if days <= 3 else 1
        reasons.append(f"{days} day(s) apart")
    if new.reference and old.reference:
        if new.reference == old.reference:
            points += 3
            reasons.append("same reference")
        elif old.origin == origin:
            points -= 3
            reasons.append("different reference")
    new_words, old_words = _words(new), _words(old)
    if new_words and new_words == old_words:
        points += 2
        reasons.append("same text")
    elif new_words & old_words:
        points += 1
        reasons.append("similar text")
    return points, tuple(reasons)


def match_lines(
    new: Sequence[ParsedLine], existing: Sequence[FiatLine], origin: str
) -> dict[int, Candidate]:
    """Return the matches of statement lines (by index) to account lines, best pairs first.

    ``origin`` is the format the statement lines were read from (``ofx``, ``csv``...).

    Each account line is used at most once; only pairs at or above ``MATCH_THRESHOLD``
    count.
    """
    by_amount: dict[object, list[FiatLine]] = defaultdict(list)
    for old in existing:
        by_amount[old.amount].append(old)
    pairs: list[Candidate] = []
    for index, line in enumerate(new):
        for old in by_amount.get(line.amount, ()):
            found = score(line, old, origin)
            if found is not None and found[0] >= MATCH_THRESHOLD:
                pairs.append(Candidate(index, old, found[0], found[1]))
    # Best score first; ties go to the closest date, then file order, then the oldest line.
    pairs.sort(
        key=lambda c: (-c.score, abs((new[c.new].booked - c.old.booked).days), c.new, c.old.id)
    )
    taken: set[int] = set()
    chosen: dict[int, Candidate] = {}
    for pair in pairs:
        if pair.new in chosen or pair.old.id in taken:
            continue
        chosen[pair.new] = pair
        taken.add(pair.old.id)
    return chosen
