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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from wallet.errors import WalletError
from wallet.storage import WalletDatabase

__all__ = [
    "LABEL_TYPES",
    "InvalidLabels",
    "Label",
    "LabelStore",
    "LineProblem",
    "ParsedLabels",
    "parse_bip329",
]

LABEL_TYPES = frozenset({"tx", "addr", "pubkey", "input", "output", "xpub", "spscan"})
"""The record types of BIP-329 (``spscan``: a silent-payments scan key, added in 2026)."""

_CORE_FIELDS = ("type", "ref", "label", "origin", "spendable")
_EXTRA_KEY = "bip329-extra:"
_TXID = re.compile(r"^(?:0x)?[0-9a-fA-F]{64}$")
_OUTPOINT = re.compile(r"^[0-9a-fA-F]{64}:(0|[1-9][0-9]{0,9})$")
_PUBKEY = re.compile(r"^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")
_WRAPPERS = {
    "p2wpkh": ("wpkh(", ")"),
    "p2tr": ("tr(", ")"),
    "p2sh-p2wpkh": ("sh(wpkh(", "))"),
    "p2pkh": ("pkh(", ")"),
}


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
class _Record:
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

    records: tuple[_Record, ...]
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


def _ref_problem(type_: str, ref: str) -> str | None:
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


def _normal_ref(type_: str, ref: str) -> str:
    """Return a reference as the wallet stores it: txids and outpoints in lowercase."""
    return ref.lower() if type_ in ("tx", "input", "output") else ref


def _index(outpoint: str) -> int:
    return int(outpoint.rsplit(":", 1)[1])


def _parse_line(text: str, number: int) -> _Record | LineProblem | None:
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
    bad = _ref_problem(type_, ref)
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
    return _Record(
        type_,
        _normal_ref(type_, ref),
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
    records: list[_Record] = []
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


class LabelStore:
    """The wallet's labels, stored in the wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def set(self, type_: str, ref: str, label: str, origin: str | None = None) -> None:
        """Set (or with an empty ``label``, remove) the label of a record.

        Removing the text keeps the record while it still says an output is frozen. The
        reference is checked and written as an import would (txids in lowercase), so that
        the export of every label imports again.

        Raises:
            WalletError: a type that BIP-329 does not define, a reference that is not one
                of that type, or a label of several lines.
        """
        if type_ not in LABEL_TYPES:
            raise WalletError(f"Label types are {', '.join(sorted(LABEL_TYPES))}; not {type_!r}.")
        if not ref.strip():
            raise WalletError("A label needs the thing it labels.")
        bad = _ref_problem(type_, ref)
        if bad is not None:
            raise WalletError(bad[:1].upper() + bad[1:] + ".")
        if "\n" in label or "\r" in label:
            raise WalletError("A label is one line of text (BIP-329).")
        with self._db.transaction():
            self._write(type_, _normal_ref(type_, ref), label, origin)

    def _write(self, type_: str, ref: str, label: str, origin: str | None) -> None:
        if label:
            self._db.execute(
                "INSERT INTO labels(type, ref, label, origin) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(type, ref) DO UPDATE SET label = excluded.label, "
                "origin = COALESCE(excluded.origin, labels.origin)",
                (type_, ref, label, origin),
            )
            return
        self._db.execute(
            "UPDATE labels SET label = '' WHERE type = ? AND ref = ? AND spendable IS NOT NULL",
            (type_, ref),
        )
        self._db.execute(
            "DELETE FROM labels WHERE type = ? AND ref = ? AND spendable IS NULL", (type_, ref)
        )
        if not self._exists(type_, ref):
            self._db.execute(
                "DELETE FROM settings WHERE key = ?", (_EXTRA_KEY + json.dumps([type_, ref]),)
            )

    def set_spendable(self, ref: str, spendable: bool) -> None:
        """Mark an output (``txid:vout``) as spendable or frozen (BIP-329 ``spendable``)."""
        with self._db.transaction():
            self._set_spendable(ref, spendable)

    def _set_spendable(self, ref: str, spendable: bool) -> None:
        self._db.execute(
            "INSERT INTO labels(type, ref, label, spendable) VALUES ('output', ?, '', ?) "
            "ON CONFLICT(type, ref) DO UPDATE SET spendable = excluded.spendable",
            (ref, int(spendable)),
        )

    def get(self, type_: str, ref: str) -> str:
        """Return the label of a record, or an empty string."""
        rows = self._db.query("SELECT label FROM labels WHERE type = ? AND ref = ?", (type_, ref))
        return str(rows[0][0]) if rows else ""

    def all(self) -> list[Label]:
        """Return every label record, ordered by type and reference."""
        rows = self._db.query(
            "SELECT type, ref, label, origin, spendable FROM labels ORDER BY type, ref"
        )
        extras = self._extras()
        return [
            Label(t, r, lbl, o, None if sp is None else bool(sp), extras.get((t, r), {}))
            for t, r, lbl, o, sp in rows
        ]

    # -- BIP-329 -----------------------------------------------------------------------------

    def export_bip329(self) -> str:
        """Return every label as a BIP-329 file (JSON Lines, one record per line).

        Each record has ``type`` and ``ref``; ``label`` when it has text; ``origin`` when it
        was imported with one or the record belongs to exactly one of the wallet's
        accounts (``wpkh([fingerprint/84h/0h/0h])``, the form Sparrow writes); and, for
        outputs, ``spendable`` when set (``false``: frozen). Fields an import kept come
        after these.

        Returns:
            The file's text, each line ending in a newline (empty without labels).
        """
        origins = _Origins(self._db)
        lines = []
        for item in self.all():
            if not item.label and item.spendable is None and not item.extra:
                continue
            record: dict[str, object] = {"type": item.type, "ref": item.ref}
            if item.label:
                record["label"] = item.label
            origin = item.origin or origins.of(item.type, item.ref)
            if origin:
                record["origin"] = origin
            if item.type == "output" and item.spendable is not None:
                record["spendable"] = item.spendable
            for key, value in item.extra.items():
                record.setdefault(key, value)
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        return "".join(lines)

    def import_bip329(self, text: str, *, skip_invalid: bool = False) -> int:
        """Import a BIP-329 file (Coffer's, Sparrow's or another wallet's).

        Args:
            text: the file's content (JSON Lines).
            skip_invalid: import the valid lines even when some are invalid, instead of
                refusing the whole file (``parse_bip329`` lists the invalid ones).

        Returns:
            How many records changed a label or a coin's ``spendable``. Records with
            neither (Sparrow writes one per address and input, with derived fields only)
            are not stored unless the wallet has a label for them already; lines of types
            BIP-329 does not define are ignored.

        Raises:
            InvalidLabels: some lines are invalid (and ``skip_invalid`` is false); nothing
                was imported. Its ``problems`` name each line and what is wrong.
        """
        parsed = parse_bip329(text)
        if parsed.problems and not skip_invalid:
            raise InvalidLabels(parsed.problems)
        with self._db.transaction():
            return sum(1 for record in parsed.records if self._import(record))

    def _import(self, record: _Record) -> bool:
        """Store one record; return whether it changed anything.

        A record with neither text nor ``spendable`` (Sparrow writes one per address and
        input, with derived fields only) only adds to a label the wallet already has.
        """
        type_, ref = record.type, record.ref
        existed = self._exists(type_, ref)
        changed = False
        if record.label is not None:
            self._write(type_, ref, record.label, record.origin)
            changed = bool(record.label) or existed
        if record.spendable is not None:
            self._set_spendable(ref, record.spendable)
            changed = True
        if self._exists(type_, ref):
            if record.origin is not None:
                self._db.execute(
                    "UPDATE labels SET origin = ? WHERE type = ? AND ref = ?",
                    (record.origin, type_, ref),
                )
            if record.extra:
                self._set_extra(type_, ref, record.extra)
        return changed

    def _exists(self, type_: str, ref: str) -> bool:
        return bool(self._db.query("SELECT 1 FROM labels WHERE type = ? AND ref = ?", (type_, ref)))

    # Fields of imported records that the labels table has no column for are kept in the
    # settings table, one JSON object per record (schema v1 has no place for them).
    def _set_extra(self, type_: str, ref: str, extra: Mapping[str, object]) -> None:
        key = _EXTRA_KEY + json.dumps([type_, ref])
        self._db.execute(
            "INSERT INTO settings(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(dict(extra), ensure_ascii=False, sort_keys=True)),
        )

    def _extras(self) -> dict[tuple[str, str], dict[str, object]]:
        rows = self._db.query(
            "SELECT key, value FROM settings WHERE key >= ? AND key < ?",
            (_EXTRA_KEY, _EXTRA_KEY[:-1] + chr(ord(_EXTRA_KEY[-1]) + 1)),
        )
        out: dict[tuple[str, str], dict[str, object]] = {}
        for key, value in rows:
            type_, ref = json.loads(str(key)[len(_EXTRA_KEY) :])
            extra = json.loads(str(value))
            if isinstance(extra, dict):
                out[(str(type_), str(ref))] = extra
        return out


class _Origins:
    """The BIP-329 ``origin`` of a record, from the account it belongs to (when just one)."""

    def __init__(self, database: WalletDatabase) -> None:
        self._db = database
        self._accounts: dict[int, str | None] = {}
        for rid, kind, path, fingerprint in database.query(
            "SELECT id, kind, path, fingerprint FROM accounts"
        ):
            self._accounts[int(rid)] = _origin(str(kind), path, fingerprint)

    def of(self, type_: str, ref: str) -> str | None:
        """Return the origin of the only account a record belongs to, else ``None``."""
        ids: Iterable[object]
        if type_ == "addr":
            ids = [
                r[0]
                for r in self._db.query(
                    "SELECT account_id FROM addresses WHERE address = ?", (ref,)
                )
            ]
        elif type_ == "tx":
            ids = [
                r[0]
                for r in self._db.query(
                    "SELECT account_id FROM utxo_script_history WHERE txid = ? UNION "
                    "SELECT account_id FROM utxo_local WHERE txid = ?",
                    (ref, ref),
                )
            ]
        elif type_ in ("output", "input"):
            ids = self._outpoint_accounts(type_, ref)
        else:
            return None
        found = {self._accounts.get(int(str(i))) for i in ids}
        return found.pop() if len(found) == 1 else None

    def _outpoint_accounts(self, type_: str, ref: str) -> list[object]:
        from primitives.tx import Transaction

        txid, index = ref.rsplit(":", 1)
        rows = self._db.query("SELECT raw FROM utxo_transactions WHERE txid = ?", (txid,))
        if not rows:
            return []
        tx = Transaction.parse(bytes(rows[0][0]))
        vout = int(index)
        if type_ == "output":
            if vout >= len(tx.outputs):
                return []
            script = tx.outputs[vout].script_pubkey
        else:
            if vout >= len(tx.inputs):
                return []
            prevout = tx.inputs[vout].prevout
            parent = self._db.query(
                "SELECT raw FROM utxo_transactions WHERE txid = ?", (prevout.txid_hex,)
            )
            if not parent:
                return []
            outs = Transaction.parse(bytes(parent[0][0])).outputs
            if prevout.vout >= len(outs):
                return []
            script = outs[prevout.vout].script_pubkey
        return [
            r[0]
            for r in self._db.query(
                "SELECT account_id FROM utxo_scripts WHERE script = ?", (script,)
            )
        ]


def _origin(kind: str, path: object, fingerprint: object) -> str | None:
    """Return ``wpkh([fingerprint/84h/0h/0h])`` for an HD UTXO account, else ``None``."""
    wrapper = _WRAPPERS.get(kind)
    if wrapper is None or not path or not fingerprint:
        return None
    steps = str(path).removeprefix("m").strip("/")
    hardened = "/".join(
        s[:-1] + "h" if s.endswith(("'", "h", "H")) else s for s in steps.split("/")
    )
    return f"{wrapper[0]}[{str(fingerprint).lower()}/{hardened}]{wrapper[1]}"
