"""Which policies hardware wallets sign through HWI, and HWI's form of a multisig address.

HWI 3.x signs ``wsh(sortedmulti(...))`` and ``sh(wsh(sortedmulti(...)))`` inputs through the
same ``sign_tx`` as single-key ones, and shows such an address with
``display_multisig_address(addr_type, MultisigDescriptor)`` (``hwilib/hwwclient.py``,
``devices/trezor.py``, ``devices/coldcard.py``). This module says whether a registered policy
is one of those, and builds the ``MultisigDescriptor`` of one of its addresses.
"""

from __future__ import annotations

from hwilib.common import AddressType
from hwilib.descriptor import MultisigDescriptor, PubkeyProvider
from hwilib.key import KeyOriginInfo

from keystore.errors import ForeignKeyPath
from keystore.signers.base import Capability, SigningContext, UnsupportedCapability
from keystore.signers.policy_review import read_policy
from primitives.descriptors import Descriptor, DescriptorError
from primitives.descriptors.nodes import MultiNode, ShNode, WshNode

__all__ = ["HWI_POLICY_FORMS", "hardware_multisig", "multisig_to_show"]

HWI_POLICY_FORMS = "sorted multisig in wsh() or sh(wsh())"
"""The policies hardware wallets sign through HWI (besides single-key accounts)."""


def hardware_multisig(ctx: SigningContext, label: str) -> tuple[Descriptor, int]:
    """Return the policy of ``ctx`` and its threshold if HWI's devices sign it, else refuse.

    HWI's devices sign sorted multisig in ``wsh()`` and ``sh(wsh())`` (the key order is then
    fixed by the keys, so every device rebuilds the same script from the PSBT, and Coldcard's
    and Jade's registration files describe it). Miniscript, taproot ``multi_a`` leaves and
    MuSig2 keys would need per-vendor policy registration HWI 3.x does not offer.

    Args:
        ctx: the signing context; ``ctx.policy`` is the registered descriptor.
        label: how the device is named in the refusal.

    Raises:
        UnsupportedCapability: any other policy (``Capability.POLICY``).
        UnsupportedInput: the policy cannot be read.
    """
    descriptor = read_policy(ctx)
    node = descriptor.node
    inner = node.inner if isinstance(node, ShNode) else node
    multi = inner.inner if isinstance(inner, WshNode) else None
    if not (isinstance(multi, MultiNode) and multi.sorted and not multi.tapscript):
        raise UnsupportedCapability(
            f"{label} signs through HWI single-key accounts and {HWI_POLICY_FORMS} only "
            f"(wsh(sortedmulti(...)), sh(wsh(sortedmulti(...)))); not this policy "
            f"({descriptor.kind}).",
            Capability.POLICY,
        )
    return descriptor, multi.threshold


def multisig_to_show(
    descriptor: Descriptor, threshold: int, branch: int, index: int
) -> tuple[AddressType, MultisigDescriptor]:
    """Return HWI's address type and ``MultisigDescriptor`` of the address at ``(branch, index)``.

    Each key is the derived public key with its full origin (master fingerprint and path):
    the device finds its own by fingerprint, derives it itself and builds the script from the
    keys (sorted, BIP-67), as HWI's ``displayaddress --desc`` hands them over.

    Args:
        descriptor: a policy ``hardware_multisig`` accepted.
        threshold: its threshold.
        branch: 0 for receive, 1 for change.
        index: the address index.

    Raises:
        ForeignKeyPath: the policy has no address there.
    """
    try:
        derived = descriptor.derive(index, branch)
    except DescriptorError as err:
        raise ForeignKeyPath(f"The policy has no address there: {err}") from None
    multisig = MultisigDescriptor(
        [
            PubkeyProvider(KeyOriginInfo(s.fingerprint, list(s.path)), s.pubkey.hex(), None)
            for s in derived.key_sources
        ],
        threshold,
        True,
    )
    kind = AddressType.SH_WIT if isinstance(descriptor.node, ShNode) else AddressType.WIT
    return kind, multisig
