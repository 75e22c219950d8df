"""Labels on transactions, addresses, outputs and keys, shaped as BIP-329 records.

BIP-329 ("Wallet Labels Export Format") is JSON Lines: one UTF-8 JSON object per line with
``type``, ``ref`` and optionally ``label``, ``origin`` and ``spendable``. ``export_bip329``
writes the wallet's labels that way and ``import_bip329`` reads them back, from Coffer,
Sparrow or any other wallet that follows the BIP:

* Sparrow writes ``origin`` as a descriptor fragment without keys or checksum
  (``wpkh([d34db33f/84'/0'/0'])``) and adds the BIP's optional fields (``height``, ``time``,
  ``fee``, ``value``, ``keypath``, ``heights``, ``rate``, ``fmv``); it leaves ``label`` out
  of records that have none. All of that is accepted; fields Coffer does not use are kept
  with the record and written back on export, so a file goes round trip.
* A frozen coin is an ``output`` record with ``"spendable": false`` (BIP-329,
  "Specification"); a thawed one has ``true``.
* An omitted ``label`` or ``spendable`` leaves the stored value alone (BIP-329, "the
  importing wallet should not alter these values"); an empty ``label`` removes it.
* Types the BIP does not define are ignored (BIP-329, "Backwards Compatibility").

Import is all or nothing: a file with a bad line raises ``InvalidLabels`` listing every bad
line by number, and nothing is imported, unless ``skip_invalid=True`` asks to import the
good lines and leave the bad ones out (``parse_bip329`` shows them first).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from wallet.errors import WalletError

__all__ = [
    "LABEL_TYPES",
    "InvalidLabels",
    "Label",
    "LabelRecord",
    "LineProblem",
    "ParsedLabels",
    "normal_ref",
    "parse_bip329",
    "ref_problem",
]

LABEL_TYPES = frozenset({"tx", "addr", "pubkey", "input", "output", "xpub", "spscan"})
"""The record types of BIP-329 (``spscan``: a silent-payments scan key, added in 2026)."""

_CORE_FIELDS = ("type", "ref", "label", "origin", "spendable")
_TXID = re.compile(r"^(?:0x)?[0-9a-fA-F]{64}$")
_OUTPOINT = re.compile(r"^[0-9a-fA-F]{64}:(0|[1-9][0-9]{0,9})$")
_PUBKEY = re.compile(r"^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")


@dataclass(frozen=True, slots=True)
class Label:
    """One label: a BIP-329 record.

    Attributes:
        type: one of ``LABEL_TYPES``.
        ref: what it labels (txid, address, ``TXID:N``, key...).
        label: the text; empty for a record that only carries ``spendable``.
        origin: the key origin of the wallet it belongs to, as BIP-329 writes it.
        spendable: for outputs, whether coin selection may spend it (``False``: frozen).
        extra: fields of an imported record that Coffer does not use, kept for export.
    """

    type: str
    ref: str
    label: str
    origin: str | None = None
    spendable: bool | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LineProblem:
    """A line of a BIP-329 file that cannot be imported (1-based ``line``)."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """A parsed line: ``None`` fields were omitted (and leave stored values alone)."""

    type: str
    ref: str
    label: str | None
    origin: str | None
    spendable: bool | None
    extra: dict[str, object]


@dataclass(frozen=True, slots=True)
class ParsedLabels:
    """What ``parse_bip329`` found.

    Attributes:
        records: the valid records, in file order (for a repeated ``type``/``ref``, the
            last one wins on import).
        problems: the invalid lines.
        ignored: lines of record types BIP-329 does not define (ignored, as it asks).
    """

    records: tuple[LabelRecord, ...]
    problems: tuple[LineProblem, ...]
    ignored: int


class InvalidLabels(WalletError, ValueError):
    """A BIP-329 file has invalid lines; nothing was imported.

    Attributes:
        problems: every invalid line with its number and what is wrong with it.
    """

    def __init__(self, problems: tuple[LineProblem, ...]) -> None:
        """Name the first few bad lines in the message."""
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(
            f"The label file has {len(problems)} invalid line(s), so nothing was imported: "
            f"{shown}{more}."
        )
        self.problems = problems


def ref_problem(type_: str, ref: str) -> str | None:
    """Return what is wrong with a reference of a record type, or ``None``."""
    if not ref.strip() or ref != ref.strip():
        return "'ref' is empty or has surrounding spaces"
    checks = {
        "tx": (_TXID, "a transaction id of 64 hex digits"),
        "input": (_OUTPOINT, "TXID:INDEX"),
        "output": (_OUTPOINT, "TXID:INDEX"),
        "pubkey": (_PUBKEY, "a 32, 33 or 65 byte public key in hex"),
        "xpub": (_BASE58, "an extended public key (Base58)"),
    }
    if type_ in checks:
        pattern, what = checks[type_]
        if not pattern.match(ref) or (type_ in ("input", "output") and _index(ref) >= 2**32):
            return f"'ref' of a {type_} record must be {what}"
    elif type_ == "addr" and any(c.isspace() for c in ref):
        return "'ref' of an addr record must be an address"
    elif type_ == "spscan" and not ref.startswith("spscan"):
        return "'ref' of a spscan record must be a scan key expression (spscan1...)"
    return None


def normal_ref(type_: str, ref: str) -> str:
    """Return a reference as the wallet stores it: txids and outpoints in lowercase."""
    return ref.lower() if type_ in ("tx", "input", "output") else ref


def _index(outpoint: str) -> int:
    return int(outpoint.rsplit(":", 1)[1])


def _parse_line(text: str, number: int) -> LabelRecord | LineProblem | None:
    """Parse one line; ``None`` for a record type the BIP does not define."""
    try:
        obj = json.loads(text)
    except ValueError as err:
        return LineProblem(number, f"not JSON ({err.args[0] if err.args else err})")
    if not isinstance(obj, dict):
        return LineProblem(number, "not a JSON object")
    type_, ref = obj.get("type"), obj.get("ref")
    if not isinstance(type_, str):
        return LineProblem(number, "'type' is missing or not a string")
    if type_ not in LABEL_TYPES:
        return None
    if not isinstance(ref, str):
        return LineProblem(number, "'ref' is missing or not a string")
    bad = ref_problem(type_, ref)
    if bad is not None:
        return LineProblem(number, bad)
    label, origin, spendable = obj.get("label"), obj.get("origin"), obj.get("spendable")
    if label is not None and not isinstance(label, str):
        return LineProblem(number, "'label' is not a string")
    if isinstance(label, str) and ("\n" in label or "\r" in label):
        return LineProblem(number, "'label' spans several lines (BIP-329 forbids it)")
    if origin is not None and not isinstance(origin, str):
        return LineProblem(number, "'origin' is not a string")
    if spendable is not None and not isinstance(spendable, bool):
        return LineProblem(number, "'spendable' is not true or false")
    extra = {k: v for k, v in obj.items() if k not in _CORE_FIELDS}
    return LabelRecord(
        type_,
        normal_ref(type_, ref),
        label,
        origin,
        spendable if type_ == "output" else None,  # BIP-329: only outputs are spendable
        extra,
    )


def parse_bip329(text: str) -> ParsedLabels:
    """Parse a BIP-329 file (JSON Lines) without importing it.

    Blank lines are skipped; a leading byte-order mark is allowed.

    Args:
        text: the file's content.

    Returns:
        The valid records, the invalid lines with their numbers, and how many lines were
        of types the BIP does not define.
    """
    records: list[LabelRecord] = []
    problems: list[LineProblem] = []
    ignored = 0
    for number, line in enumerate(text.removeprefix("\ufeff").split("\n"), start=1):
        if not line.strip():
            continue
        parsed = _parse_line(line, number)
        if parsed is None:
            ignored += 1
        elif isinstance(parsed, LineProblem):
            problems.append(parsed)
        else:
            records.append(parsed)
    return ParsedLabels(tuple(records), tuple(problems), ignored)
