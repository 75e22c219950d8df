"""The wallet's MuSig2 nonce store: secret nonces in the encrypted database, used once.

``WalletNonceStore`` is the only code that reads or writes the ``musig_nonces`` table. It
implements ``keystore.signers.musig_session.NonceStore`` (BIP-327 nonces, ADR 0012):

- ``issue`` seals the secret nonce (AES-256-GCM under the wallet's sealing key, bound to the
  wallet id and the nonce id) and commits it with its public nonce as *issued* before it
  returns, so the public nonce never leaves before its secret is durable;
- ``consume`` records the nonce as used in the ledger beside the file, then marks it *used*
  and erases the sealed secret in one committed transaction, and only then opens and returns
  the secret: whatever happens after, this nonce never signs again.

**Rolled-back files.** A database restored from a copy taken between round 1 and round 2
would bring a nonce that has since signed back as *issued*; a second partial signature with
it, over another message, reveals the signing key. The database alone cannot see that it is
a copy, so each used nonce is also written, before the database marks it, to an append-only
ledger *outside* the file (``<wallet>.d/musig-used``, fsynced): 16-byte tags
``SHA-256("Coffer/musig-used" || wallet id || nonce id)``, which name no PSBT to whoever
lacks the wallet id (kept inside the encrypted file). A nonce whose tag is in the ledger is
refused in every state. What this covers: restoring or copying the wallet file over itself
while its ``.d`` folder stays. What it does not: restoring the ``.d`` folder too from the
same old backup (a whole-folder or whole-disk snapshot), or running round 2 from a copy of
the file on another machine; the README says to start MuSig2 sessions over after such a
restore, never to finish them.

A password change changes the sealing key: a nonce issued before it no longer opens; round 2
then burns it and says to start over from round 1 (``NonceMissing``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

from keystore.errors import DecryptionFailed
from keystore.secrets import SecretBytes
from keystore.signers.musig_session import NonceAlreadyUsed, NonceMissing
from keystore.vault import open_sealed, seal
from wallet.storage.database import WalletDatabase

__all__ = ["LEDGER_NAME", "WalletNonceStore"]

LEDGER_NAME = "musig-used"
"""The used-nonce ledger's file name in the wallet's ``.d`` folder."""

_TAG_SIZE = 16
_ISSUED = "issued"
_USED = "used"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class WalletNonceStore:
    """MuSig2 secret nonces on the wallet database, each issued once and consumed at most once.

    Satisfies ``keystore.signers.musig_session.NonceStore``. Every method has committed (or
    fsynced) what it changed when it returns.
    """

    __slots__ = ("_db", "_ledger", "_wallet_id")

    def __init__(self, database: WalletDatabase, wallet_id: str, ledger: Path) -> None:
        """Bind to the wallet database, its random id and the used-nonce ledger's path."""
        self._db = database
        self._wallet_id = wallet_id.encode()
        self._ledger = ledger

    def __repr__(self) -> str:
        return f"<WalletNonceStore {self._db.path.name}>"

    # -- the ledger outside the file -------------------------------------------------------

    def _tag(self, nonce_id: bytes) -> bytes:
        return hashlib.sha256(b"Coffer/musig-used" + self._wallet_id + nonce_id).digest()[
            :_TAG_SIZE
        ]

    def _in_ledger(self, nonce_id: bytes) -> bool:
        try:
            data = self._ledger.read_bytes()
        except FileNotFoundError:
            return False
        tag = self._tag(nonce_id)
        return any(
            data[i : i + _TAG_SIZE] == tag for i in range(0, len(data) - _TAG_SIZE + 1, _TAG_SIZE)
        )

    def _add_to_ledger(self, nonce_id: bytes) -> None:
        folder = self._ledger.parent
        created = not folder.exists()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self._ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            # A torn earlier append would shift every later tag: pad back to the grid first.
            size = os.fstat(fd).st_size
            pad = (-size) % _TAG_SIZE
            os.write(fd, b"\0" * pad + self._tag(nonce_id))
            os.fsync(fd)
        finally:
            os.close(fd)
        if created or size == 0:
            _fsync_dir(folder)

    # -- NonceStore ------------------------------------------------------------------------

    def _associated(self, nonce_id: bytes) -> bytes:
        return b"Coffer/musig2-secnonce\0" + self._wallet_id + b"\0" + nonce_id

    def _state(self, nonce_id: bytes) -> tuple[str, bytes | None, bytes] | None:
        rows = self._db.query(
            "SELECT state, secnonce, pubnonce FROM musig_nonces WHERE session = ?",
            (nonce_id.hex(),),
        )
        if not rows:
            return None
        state, secnonce, pubnonce = rows[0]
        return str(state), None if secnonce is None else bytes(secnonce), bytes(pubnonce)

    def issue(self, nonce_id: bytes, secnonce: SecretBytes, pubnonce: bytes) -> None:
        """Seal and commit a new secret nonce with its public nonce as issued.

        Raises:
            NonceAlreadyUsed: ``nonce_id`` is already known (issued, used, or in the ledger).
        """
        if self._in_ledger(nonce_id):
            raise NonceAlreadyUsed("This MuSig2 nonce has already signed: start a new session.")
        sealed = seal(self._db.sealing_key, secnonce.reveal(), self._associated(nonce_id))
        with self._db.transaction():
            if self._state(nonce_id) is not None:
                raise NonceAlreadyUsed("A MuSig2 nonce was already issued for this input.")
            self._db.execute(
                "INSERT INTO musig_nonces(session, secnonce, pubnonce, state, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (nonce_id.hex(), sealed, bytes(pubnonce), _ISSUED, _now()),
            )

    def issued_pubnonce(self, nonce_id: bytes) -> bytes | None:
        """Return the public nonce of an issued, unused nonce; ``None`` if none was issued.

        Raises:
            NonceAlreadyUsed: the nonce has been consumed (in this file or, by the ledger, in
                a later state of it).
        """
        if self._in_ledger(nonce_id):
            raise NonceAlreadyUsed("This MuSig2 nonce has already signed: start a new session.")
        found = self._state(nonce_id)
        if found is None:
            return None
        if found[0] != _ISSUED:
            raise NonceAlreadyUsed("This MuSig2 nonce has already signed: start a new session.")
        return found[2]

    def consume(self, nonce_id: bytes) -> SecretBytes:
        """Mark the nonce used in the ledger and the database, erase it, then return its secret.

        Raises:
            NonceMissing: no nonce was issued under ``nonce_id``, or it was sealed under the
                wallet's previous password (it is burnt all the same).
            NonceAlreadyUsed: it was consumed before.
        """
        if self._in_ledger(nonce_id):
            raise NonceAlreadyUsed("This MuSig2 nonce has already signed: start a new session.")
        if self._state(nonce_id) is None:
            raise NonceMissing("No MuSig2 nonce was issued for this input: run round 1 first.")
        # The ledger first: if the process dies before the database commit, the nonce is
        # burnt all the same (refused by the ledger), never usable twice.
        self._add_to_ledger(nonce_id)
        with self._db.transaction():
            found = self._state(nonce_id)
            if found is None:
                raise NonceMissing("No MuSig2 nonce was issued for this input: run round 1 first.")
            state, sealed, _pubnonce = found
            if state != _ISSUED or sealed is None:
                raise NonceAlreadyUsed("This MuSig2 nonce has already signed: start a new session.")
            self._db.execute(
                "UPDATE musig_nonces SET state = ?, secnonce = NULL, used_at = ? WHERE session = ?",
                (_USED, _now(), nonce_id.hex()),
            )
        try:
            return open_sealed(self._db.sealing_key, sealed, self._associated(nonce_id))
        except DecryptionFailed:
            raise NonceMissing(
                "This MuSig2 nonce was issued before the wallet's password changed and can no "
                "longer be opened: start again from round 1."
            ) from None

    def counts(self) -> dict[str, int]:
        """Return how many nonces are issued and how many used (no secret, no id)."""
        rows = self._db.query("SELECT state, COUNT(*) FROM musig_nonces GROUP BY state")
        found = {str(state): int(count) for state, count in rows}
        return {_ISSUED: found.get(_ISSUED, 0), _USED: found.get(_USED, 0)}


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
