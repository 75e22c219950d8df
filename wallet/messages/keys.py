"""Imported EVM keys: a Web3 Secret Storage file becomes an account whose key stays sealed.

The key is read by ``keystore.web3_keystore``, sealed at once with the wallet's sealing key
(AES-256-GCM, bound to the wallet id and the address) and stored in the ``secrets`` table
under ``imported-key:<account id>``, in the same transaction as its account row. The account
is an EVM account of the address with ``watch_only`` false. Signing unseals the key into a
``KeySigner`` for the one operation; a password change reseals it with the seed.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from chains.registry import EvmNetwork, get_network
from keystore.errors import DecryptionFailed
from keystore.secrets import SecretBytes, SecretStr
from keystore.signers.key_signer import KeySigner
from keystore.vault import open_sealed, seal
from keystore.web3_keystore import DefectiveKeyFile, WrongKeyFilePassword, read_web3_keystore
from wallet.errors import (
    AccountExists,
    InvalidKeyFile,
    WalletCorrupt,
    WalletError,
    translate_errors,
)
from wallet.errors import (
    WrongKeyFilePassword as PublicWrongKeyFilePassword,
)
from wallet.storage import WalletDatabase
from wallet.storage.accounts import AccountStore, NewAccount
from wallet.types import AccountRecord, WatchedAddress

__all__ = ["import_keystore", "key_signer", "reseal_imported_keys"]

_PREFIX = "imported-key:"
_MAX_FILE = 1 << 16


def _name(account_id: int) -> str:
    return f"{_PREFIX}{account_id}"


def _associated(wallet_id: str, address: str) -> bytes:
    return f"{wallet_id}/imported-key/{address}".encode()


def read_key_file(keyfile: str | bytes | os.PathLike[str]) -> bytes:
    """Return a key file's JSON: ``bytes`` or text starting with ``{`` as given, else a path.

    Raises:
        InvalidKeyFile: the file cannot be read or is larger than 64 KiB.
    """
    if isinstance(keyfile, bytes):
        return keyfile
    if isinstance(keyfile, str) and keyfile.lstrip().startswith("{"):
        return keyfile.encode()
    try:
        with open(keyfile, "rb") as handle:
            data = handle.read(_MAX_FILE + 1)
    except OSError as err:
        raise InvalidKeyFile(f"The key file cannot be read: {err.strerror}.") from None
    if len(data) > _MAX_FILE:
        raise InvalidKeyFile("That file is too large to be a key file.")
    return data


def import_keystore(
    store: AccountStore,
    database: WalletDatabase,
    wallet_id: str,
    network: str,
    keyfile: str | bytes | os.PathLike[str],
    password: str,
    label: str,
) -> AccountRecord:
    """Decrypt a key file, seal its key and add the account (see ``Wallet.import_keystore``)."""
    with translate_errors():
        net = get_network(network)
    if not isinstance(net, EvmNetwork):
        raise WalletError(f"{net.title} is not an EVM network: a key file holds an EVM key.")
    document = read_key_file(keyfile)
    try:
        imported = read_web3_keystore(document, SecretStr(password))
    except WrongKeyFilePassword as err:
        raise PublicWrongKeyFilePassword(str(err)) from err
    except DefectiveKeyFile as err:
        raise InvalidKeyFile(str(err)) from err
    for record in store.all(net):
        if _same(record, imported.address):
            raise AccountExists(
                f"{imported.address} is already an account of this wallet on {net.title}.",
                record.id,
                record.index,
            )
    sealed = seal(
        database.sealing_key, imported.key.reveal(), _associated(wallet_id, imported.address)
    )
    new = NewAccount(
        net,
        None,
        WatchedAddress.ADDRESS,
        None,
        None,
        None,
        watch_address=imported.address,
        label=label,
    )
    with database.transaction():
        record = store.add(new)
        store.add_secret(_name(record.id), sealed)
    return record


def _same(record: AccountRecord, address: str) -> bool:
    return (record.watch_address or "").lower() == address.lower()


def key_signer(
    store: AccountStore, database: WalletDatabase, wallet_id: str, record: AccountRecord
) -> KeySigner | None:
    """Return the signer of an imported account's key, or ``None`` for any other account.

    Raises:
        WalletCorrupt: the sealed key does not open (a damaged file).
    """
    sealed = store.sealed_secret(_name(record.id))
    if sealed is None or record.watch_address is None:
        return None
    try:
        key = open_sealed(
            database.sealing_key, sealed, _associated(wallet_id, record.watch_address)
        )
    except DecryptionFailed as err:
        raise WalletCorrupt("The sealed imported key in the wallet file is damaged.") from err
    return KeySigner(key, record.label or "Imported key")


def reseal_imported_keys(
    store: AccountStore, database: WalletDatabase, wallet_id: str
) -> Callable[[SecretBytes], dict[str, bytes]]:
    """Return what reseals every imported key under a new sealing key (a password change).

    The keys are opened now, with the current sealing key, so a damaged one stops the change
    before anything is written.
    """
    opened: list[tuple[str, bytes, SecretBytes]] = []
    for name in store.secret_names():
        if not name.startswith(_PREFIX):
            continue
        record = store.get(int(name[len(_PREFIX) :]))
        sealed = store.sealed_secret(name)
        if record is None or record.watch_address is None or sealed is None:
            continue
        associated = _associated(wallet_id, record.watch_address)
        try:
            opened.append((name, associated, open_sealed(database.sealing_key, sealed, associated)))
        except DecryptionFailed as err:
            raise WalletCorrupt("A sealed imported key in the wallet file is damaged.") from err

    def reseal(new_key: SecretBytes) -> dict[str, bytes]:
        return {name: seal(new_key, key.reveal(), assoc) for name, assoc, key in opened}

    return reseal
