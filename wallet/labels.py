"""The wallet's labels on transactions, addresses, outputs and keys (BIP-329 records).

``LabelStore`` is the only code that writes the ``labels`` table (and the BIP-329 fields it
keeps beside it). The format itself, parsing and checking a BIP-329 file, is
``wallet.bip329``; its names are re-exported here as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from keystore.bip32 import format_path
from wallet.bip329 import (
    LABEL_TYPES,
    InvalidLabels,
    Label,
    LabelRecord,
    LineProblem,
    ParsedLabels,
    normal_ref,
    parse_bip329,
    ref_problem,
)
from wallet.errors import WalletError
from wallet.storage import WalletDatabase
from wallet.storage.accounts import AccountStore
from wallet.utxo.address_store import UtxoOwners

__all__ = [
    "LABEL_TYPES",
    "InvalidLabels",
    "Label",
    "LabelStore",
    "LineProblem",
    "ParsedLabels",
    "parse_bip329",
]

_EXTRA_KEY = "bip329-extra:"
_WRAPPERS = {
    "p2wpkh": ("wpkh(", ")"),
    "p2tr": ("tr(", ")"),
    "p2sh-p2wpkh": ("sh(wpkh(", "))"),
    "p2pkh": ("pkh(", ")"),
}


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
        bad = ref_problem(type_, ref)
        if bad is not None:
            raise WalletError(bad[:1].upper() + bad[1:] + ".")
        if "\n" in label or "\r" in label:
            raise WalletError("A label is one line of text (BIP-329).")
        with self._db.transaction():
            self._write(type_, normal_ref(type_, ref), label, origin)

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

    def _import(self, record: LabelRecord) -> bool:
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
        self._owners = UtxoOwners(database)
        self._accounts: dict[int, str | None] = {
            record.id: _origin(
                record.kind.value,
                format_path(record.path) if record.path is not None else None,
                record.fingerprint.hex() if record.fingerprint is not None else None,
            )
            for record in AccountStore(database).all()
        }

    def of(self, type_: str, ref: str) -> str | None:
        """Return the origin of the only account a record belongs to, else ``None``."""
        ids: Iterable[int]
        if type_ == "addr":
            ids = self._owners.of_address(ref)
        elif type_ == "tx":
            ids = self._owners.of_txid(ref)
        elif type_ in ("output", "input"):
            ids = self._outpoint_accounts(type_, ref)
        else:
            return None
        found = {self._accounts.get(i) for i in ids}
        return found.pop() if len(found) == 1 else None

    def _outpoint_accounts(self, type_: str, ref: str) -> list[int]:
        txid, index = ref.rsplit(":", 1)
        tx = self._owners.transaction(txid)
        if tx is None:
            return []
        vout = int(index)
        if type_ == "output":
            if vout >= len(tx.outputs):
                return []
            script = tx.outputs[vout].script_pubkey
        else:
            if vout >= len(tx.inputs):
                return []
            prevout = tx.inputs[vout].prevout
            parent = self._owners.transaction(prevout.txid_hex)
            if parent is None or prevout.vout >= len(parent.outputs):
                return []
            script = parent.outputs[prevout.vout].script_pubkey
        return self._owners.of_script(script)


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
