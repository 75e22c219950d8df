"""A policy account's scripts: addresses, sizes and PSBT fields from its output descriptor.

``PolicyScripts`` is the ``AccountScripts`` of an account whose addresses a multipath
descriptor (``.../<0;1>/*``, BIP-389) describes: branch 0 is the receive chain, branch 1 the
change chain. Multisig (``wsh(sortedmulti(...))``, ``tr(NUMS,sortedmulti_a(...))``) and any
sane miniscript inside ``wsh()`` or taproot leaves are all the same here.

- Addresses come from ``Descriptor.script_pubkeys`` (each extended key derives its fixed
  steps once, then one tweak per child).
- ``spend_size`` is the largest witness any satisfaction can have (BIP-379
  ``max_input_witness_size``, the script decoded back from the derived output), so a fee set
  before signing is never short of the signed transaction's.
- PSBT fields name EVERY key of the script with its origin, so each cosigner's signer finds
  its own key (BIP-174 ``PSBT_IN_BIP32_DERIVATION``, BIP-371 ``PSBT_IN_TAP_BIP32_DERIVATION``
  with the leaves each key appears in).
"""

from __future__ import annotations

from typing import Any

from chains.addresses import address_format
from chains.registry import UtxoNetwork
from chains.utxo.sizes import InputSize
from primitives.descriptors import (
    DerivedOutput,
    Descriptor,
    DescriptorError,
    ParseOptions,
)
from primitives.hashes import hash160
from primitives.miniscript import Context, Miniscript, MiniscriptError, decode
from primitives.psbt import KeySource, TapKeySource
from primitives.psbt_types import TapLeaf, TapTreeLeaf
from primitives.script import script_to_address
from primitives.tx import Transaction, TxOut
from wallet.errors import InvalidPolicy

__all__ = [
    "PolicyScripts",
    "decode_script",
    "parse_options",
    "policy_input_size",
    "xpub_versions",
]

_OUTPOINT_AND_SEQUENCE = 32 + 4 + 4
_SCHNORR_KEY_PATH = 1 + 1 + 65  # item count, one signature with a sighash byte (worst)


def xpub_versions(network: UtxoNetwork) -> frozenset[int]:
    """Return every extended public key version ``network`` accepts (BIP-32 and SLIP-132)."""
    versions = {network.standard_xkey.public}
    versions.update(v.public for vs in network.xkeys.values() for v in vs)
    return frozenset(versions)


def parse_options(network: UtxoNetwork) -> ParseOptions:
    """Return how descriptors of ``network`` are read: its key versions and addresses."""
    return ParseOptions(
        xpub_versions=xpub_versions(network), address_format=address_format(network)
    )


def decode_script(script: bytes, tapscript: bool, keys: dict[bytes, bytes]) -> Miniscript[bytes]:
    """Read a derived witness script or leaf back as miniscript over serialised keys.

    Args:
        script: the P2WSH witness script or tapscript leaf.
        tapscript: which of the two.
        keys: HASH160 -> key, for ``pk_h`` fragments.

    Raises:
        InvalidPolicy: the script is not miniscript (a raw or unsupported fragment).
    """

    def from_hash(digest: bytes) -> bytes:
        key = keys.get(digest)
        if key is None:
            raise ValueError("a key hash of no key of the policy")
        return key

    try:
        return decode(script, Context.TAPSCRIPT if tapscript else Context.P2WSH, bytes, from_hash)
    except MiniscriptError as err:
        raise InvalidPolicy(
            f"The policy's script is not miniscript this wallet spends: {err}"
        ) from None


def _key_hashes(derived: DerivedOutput) -> dict[bytes, bytes]:
    return {hash160(s.pubkey): s.pubkey for s in derived.key_sources}


def policy_input_size(derived: DerivedOutput) -> InputSize:
    """Return the largest signed input spending ``derived`` (any of its spending paths).

    Raises:
        InvalidPolicy: a descriptor this wallet does not spend (no P2WSH or taproot).
    """
    hashes = _key_hashes(derived)
    base = 4 * (_OUTPOINT_AND_SEQUENCE + 1)
    if derived.taproot is not None:
        worst = _SCHNORR_KEY_PATH
        for leaf in derived.taproot.leaves:
            ms = decode_script(leaf.script, True, hashes)
            size = ms.max_input_witness_size(len(leaf.control_block))
            if size is None:
                raise InvalidPolicy("A leaf of the policy can never be satisfied.")
            worst = max(worst, size)
        return InputSize(base + worst, segwit=True)
    if derived.witness_script is None:
        raise InvalidPolicy(
            "Policy accounts spend P2WSH (wsh, sh(wsh)) and taproot (tr) descriptors only."
        )
    ms = decode_script(derived.witness_script, False, hashes)
    witness = ms.max_input_witness_size()
    if witness is None:
        raise InvalidPolicy("The policy can never be satisfied.")
    script_sig = 0 if derived.redeem_script is None else 1 + len(derived.redeem_script)
    return InputSize(4 * (_OUTPOINT_AND_SEQUENCE + 1 + script_sig) + witness, segwit=True)


class PolicyScripts:
    """An ``AccountScripts`` from a two-branch multipath descriptor (receive ``0``, change ``1``).

    Raises (constructor):
        InvalidPolicy: not exactly two multipath branches, not ranged, or a descriptor the
            wallet does not spend (see ``policy_input_size``).
    """

    def __init__(self, network: UtxoNetwork, descriptor: Descriptor) -> None:
        """Take the network and the parsed descriptor; size its inputs once."""
        if descriptor.multipath_count != 2 or not descriptor.is_ranged:
            raise InvalidPolicy(
                "A policy account needs a ranged descriptor with the receive and change "
                "branches, written .../<0;1>/* (BIP-389)."
            )
        self._network = network
        self._descriptor = descriptor
        self._format = address_format(network)
        try:
            first = descriptor.derive(0, 0)
        except DescriptorError as err:
            raise InvalidPolicy(f"The policy cannot be derived: {err}") from None
        self._spend_size = policy_input_size(first)

    @property
    def kind(self) -> None:
        """Return ``None``: a policy account has no single script kind."""
        return None

    @property
    def descriptor(self) -> Descriptor:
        """Return the account's descriptor."""
        return self._descriptor

    @property
    def spend_size(self) -> InputSize:
        """Return the largest signed input of the policy (its costliest spending path)."""
        return self._spend_size

    def derive(self, chain: int, start: int, count: int) -> list[tuple[str, bytes]]:
        """Return ``count`` addresses of ``chain`` from ``start``, each with its script."""
        scripts = self._descriptor.script_pubkeys(start, count, chain)
        return [(script_to_address(s, self._format), s) for s in scripts]

    def path_of(self, chain: int, index: int) -> str | None:
        """Return ``None``: a policy address has one path per key, not one path."""
        return None

    def derived(self, chain: int, index: int) -> DerivedOutput:
        """Return the output at ``chain``/``index`` with its scripts and key origins."""
        return self._descriptor.derive(index, chain)

    def input_fields(
        self, chain: int, index: int, prev: Transaction, spent: TxOut
    ) -> dict[str, Any]:
        """Return what a PSBT input spending ``chain``/``index`` carries for every cosigner.

        P2WSH: both UTXOs (hardware signers want the previous transaction since the BIP-143
        fee attack), the witness script (and redeem script for ``sh(wsh())``), and every key
        with its origin. Taproot: the witness UTXO, internal key, merkle root, each leaf by
        its control block, and every key with the hashes of the leaves it appears in.
        """
        derived = self.derived(chain, index)
        tap = derived.taproot
        if tap is None:
            fields = self.output_fields(chain, index)
            fields["non_witness_utxo"] = prev
            fields["witness_utxo"] = spent
            return fields
        fields = {"witness_utxo": spent, "tap_internal_key": tap.internal_key}
        if tap.merkle_root is not None:
            fields["tap_merkle_root"] = tap.merkle_root
        fields["tap_leaf_scripts"] = {
            leaf.control_block: TapLeaf(leaf.script, leaf.leaf_version) for leaf in tap.leaves
        }
        fields["tap_bip32_derivations"] = _tap_sources(derived)
        return fields

    def output_fields(self, chain: int, index: int) -> dict[str, Any]:
        """Return the change output's scripts (or tap tree) and every key's origin."""
        derived = self.derived(chain, index)
        tap = derived.taproot
        if tap is None:
            fields: dict[str, Any] = {
                "witness_script": derived.witness_script,
                "bip32_derivations": {
                    s.pubkey: KeySource(s.fingerprint, s.path) for s in derived.key_sources
                },
            }
            if derived.redeem_script is not None:
                fields["redeem_script"] = derived.redeem_script
            return fields
        fields = {
            "tap_internal_key": tap.internal_key,
            "tap_bip32_derivations": _tap_sources(derived),
        }
        if tap.leaves:
            fields["tap_tree"] = tuple(
                TapTreeLeaf((len(leaf.control_block) - 33) // 32, leaf.leaf_version, leaf.script)
                for leaf in tap.leaves
            )
        return fields


def _tap_sources(derived: DerivedOutput) -> dict[bytes, TapKeySource]:
    assert derived.taproot is not None  # noqa: S101 - called for taproot outputs only
    out: dict[bytes, TapKeySource] = {}
    for source in derived.key_sources:
        leaves = tuple(
            leaf.leaf_hash for leaf in derived.taproot.leaves if source.pubkey in leaf.keys
        )
        out[source.pubkey] = TapKeySource(leaves, KeySource(source.fingerprint, source.path))
    return out
