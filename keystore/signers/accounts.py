"""Account export and address display, shared by the signers that hold or reach the keys.

A signer exports an account as its key origin and extended public key (``AccountExport``)
and shows an address of one of its keys. Both check the request first: the path must be an
account path of the network (its coin type, BIP-44), and a UTXO account names a script kind
the signer knows. The address is rendered with ``primitives.script.key_script`` and
``output_text``, the very code the wallet renders it with, so the two texts compare.
"""

from __future__ import annotations

from keystore.bip32 import HARDENED, ExtendedPrivateKey, ExtendedPublicKey, format_path
from keystore.errors import InvalidPath
from keystore.types import AccountExport, EvmParams, UtxoParams
from primitives.evm_address import evm_address_from_pubkey
from primitives.script import KeyScriptKind, key_script, output_text

__all__ = [
    "POLICY_SCRIPTS",
    "address_of",
    "check_account_path",
    "export_from_root",
    "script_kind",
]

POLICY_SCRIPTS = frozenset({"p2wsh", "p2tr-script"})
"""Script names of a multisig cosigner key export (BIP-48 script types 2 and 3): the key is
one of several in a policy, so no single-key script kind applies."""


def script_kind(network: UtxoParams | EvmParams, script: str | None) -> KeyScriptKind | None:
    """Return the script kind of a request: one of the four for UTXO, ``None`` for EVM.

    Raises:
        InvalidPath: a UTXO request without a known script kind, or EVM with one.
    """
    if isinstance(network, EvmParams):
        if script is not None:
            raise InvalidPath(f"{network.title} accounts have no script kind ({script!r}).")
        return None
    try:
        return KeyScriptKind(script or "")
    except ValueError:
        kinds = ", ".join(k.value for k in KeyScriptKind)
        raise InvalidPath(f"A {network.title} account is one of {kinds}; not {script!r}.") from None


def check_account_path(network: UtxoParams | EvmParams, path: tuple[int, ...]) -> None:
    """Refuse a path that is not an account path of ``network`` (BIP-44 levels).

    The coin type (the second level) must be the network's, hardened: a signer that exported
    a Bitcoin key for a Litecoin account would let the host watch the wrong chain.

    Raises:
        InvalidPath: too short, the coin type of another network, or not hardened.
    """
    coin_type = network.coin_type if isinstance(network, UtxoParams) else 60
    if len(path) < 3 or path[0] < HARDENED or path[2] < HARDENED:
        raise InvalidPath(
            f"{format_path(path)} is not an account path: it needs purpose, coin type and "
            "account, all hardened (like m/84'/0'/0')."
        )
    if isinstance(network, UtxoParams) and path[1] != coin_type + HARDENED:
        raise InvalidPath(
            f"{format_path(path)} is not a {network.title} path: its keys use coin type "
            f"{coin_type}'."
        )


def export_from_root(
    root: ExtendedPrivateKey,
    network: UtxoParams | EvmParams,
    path: tuple[int, ...],
    script: str | None,
) -> AccountExport:
    """Return the export of the account at ``path`` below the master key ``root``.

    Raises:
        InvalidPath: see ``check_account_path`` and ``script_kind``.
    """
    if isinstance(network, UtxoParams) and script in POLICY_SCRIPTS:
        check_account_path(network, path)
        return AccountExport(root.fingerprint, path, root.derive_path(path).public(), script)
    kind = script_kind(network, script)
    check_account_path(network, path)
    key = root.derive_path(path).public()
    return AccountExport(root.fingerprint, path, key, None if kind is None else kind.value)


def address_of(network: UtxoParams | EvmParams, key: ExtendedPublicKey, script: str | None) -> str:
    """Return the address of one key as the signer shows it.

    Raises:
        InvalidPath: a script kind that does not fit the network.
    """
    kind = script_kind(network, script)
    if kind is None:
        return evm_address_from_pubkey(key.public_key)
    assert isinstance(network, UtxoParams)  # noqa: S101 - script_kind returned a UTXO kind
    return output_text(key_script(kind, key.public_key), network)
