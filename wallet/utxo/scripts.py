"""Where a UTXO account's scripts come from: one key per address, or a policy of several.

The family's modules (addresses, drafts, bumps, PSBT imports) ask an account's scripts for
what they need and never look at how they are made:

- ``derive``: the addresses and output scripts of a chain (0 receive, 1 change);
- ``spend_size``: the largest signed input spending one of them (fees are estimated with it,
  so a fee computed before signing never falls short);
- ``input_fields`` / ``output_fields``: what a PSBT input spending one of them, or an output
  paying one of them (change), carries so that a signer can sign it and prove it is change.

``SingleKeyScripts`` is the BIP-44/49/84/86 account: one extended public key, one script kind.
A policy account (multisig, miniscript recovery) provides the same four from its descriptor.
"""

from __future__ import annotations

from typing import Any, Protocol

from chains.addresses import encode_outputs
from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.sizes import InputSize
from keystore.bip32 import ExtendedPublicKey, format_path
from primitives.hashes import hash160
from primitives.psbt import KeySource, TapKeySource
from primitives.tx import Transaction, TxOut

__all__ = ["AccountScripts", "SingleKeyScripts"]


class AccountScripts(Protocol):
    """What the UTXO family's modules know of how an account makes its scripts."""

    @property
    def kind(self) -> ScriptKind | None:
        """Return the script kind of a single-key account, ``None`` for a policy."""
        ...

    @property
    def spend_size(self) -> InputSize:
        """Return the largest size an input spending one of the account's outputs can have."""
        ...

    def derive(self, chain: int, start: int, count: int) -> list[tuple[str, bytes]]:
        """Return ``count`` addresses of ``chain`` from index ``start``, each with its script."""
        ...

    def path_of(self, chain: int, index: int) -> str | None:
        """Return the derivation path shown for an address, if the key origin is known."""
        ...

    def input_fields(
        self, chain: int, index: int, prev: Transaction, spent: TxOut
    ) -> dict[str, Any]:
        """Return the PSBT input fields for spending the output at ``chain``/``index``."""
        ...

    def output_fields(self, chain: int, index: int) -> dict[str, Any]:
        """Return the PSBT output fields that prove ``chain``/``index`` is the account's."""
        ...


class SingleKeyScripts:
    """A BIP-44/49/84/86 account: each address is one key below the account's xpub.

    The receive and change chain keys are derived once and kept. A watch-only account
    imported without its key origin uses the xpub's own fingerprint and paths relative to it.
    """

    def __init__(
        self,
        network: UtxoNetwork,
        xpub: ExtendedPublicKey,
        kind: ScriptKind,
        fingerprint: bytes | None,
        path: tuple[int, ...] | None,
    ) -> None:
        """Take the account's key, its script kind and its key origin (when known)."""
        self._network = network
        self._xpub = xpub
        self._kind = kind
        self._path = path
        self._chains: dict[int, ExtendedPublicKey] = {}
        if fingerprint is not None and path is not None:
            self._fingerprint, self._base = fingerprint, path
        else:  # no key origin known: the xpub itself is the root of its paths
            self._fingerprint, self._base = xpub.fingerprint, ()
        self._spend_size = InputSize.for_kind(kind)

    @property
    def kind(self) -> ScriptKind:
        """Return the account's script kind."""
        return self._kind

    @property
    def xpub(self) -> ExtendedPublicKey:
        """Return the account's extended public key."""
        return self._xpub

    @property
    def spend_size(self) -> InputSize:
        """Return the signed size of an input of the account's kind (``InputSize.for_kind``)."""
        return self._spend_size

    def _chain(self, chain: int) -> ExtendedPublicKey:
        key = self._chains.get(chain)
        if key is None:
            key = self._chains[chain] = self._xpub.child(chain)
        return key

    def derive(self, chain: int, start: int, count: int) -> list[tuple[str, bytes]]:
        """Return ``count`` addresses of ``chain`` from ``start``, each with its script.

        Raises:
            MalformedAddress: a segwit kind on a network without segwit.
        """
        pubkeys = self._chain(chain).child_pubkeys(start, count)
        return encode_outputs(self._network, self._kind, pubkeys)

    def path_of(self, chain: int, index: int) -> str | None:
        """Return ``m/84'/0'/0'/chain/index`` when the account's path is known."""
        return format_path((*self._path, chain, index)) if self._path is not None else None

    def _key(self, chain: int, index: int) -> tuple[bytes, KeySource]:
        pubkey = self._chain(chain).child(index).public_key
        return pubkey, KeySource(self._fingerprint, (*self._base, chain, index))

    def input_fields(
        self, chain: int, index: int, prev: Transaction, spent: TxOut
    ) -> dict[str, Any]:
        """Return the UTXOs, the key's derivation and (P2SH-P2WPKH) the redeem script.

        P2TR inputs carry ``tap_internal_key`` and ``tap_bip32_derivation`` (BIP-371) and the
        witness UTXO only; legacy inputs the full previous transaction only (BIP-174 keeps
        ``witness_utxo`` for segwit outputs); segwit v0 inputs both (hardware wallets want the
        previous transaction since the BIP-143 fee attack).
        """
        pubkey, source = self._key(chain, index)
        if self._kind is ScriptKind.P2TR:
            xonly = pubkey[1:]
            return {
                "witness_utxo": spent,
                "tap_internal_key": xonly,
                "tap_bip32_derivations": {xonly: TapKeySource((), source)},
            }
        fields: dict[str, Any] = {"non_witness_utxo": prev, "bip32_derivations": {pubkey: source}}
        if self._kind is not ScriptKind.P2PKH:
            fields["witness_utxo"] = spent
        if self._kind is ScriptKind.P2SH_P2WPKH:
            fields["redeem_script"] = b"\x00\x14" + hash160(pubkey)
        return fields

    def output_fields(self, chain: int, index: int) -> dict[str, Any]:
        """Return the change key's derivation (and redeem script or internal key)."""
        pubkey, source = self._key(chain, index)
        if self._kind is ScriptKind.P2TR:
            xonly = pubkey[1:]
            return {
                "tap_internal_key": xonly,
                "tap_bip32_derivations": {xonly: TapKeySource((), source)},
            }
        fields: dict[str, Any] = {"bip32_derivations": {pubkey: source}}
        if self._kind is ScriptKind.P2SH_P2WPKH:
            fields["redeem_script"] = b"\x00\x14" + hash160(pubkey)
        return fields
