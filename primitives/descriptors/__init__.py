"""Output descriptors (BIP-380..390) and wallet policies (BIP-388), public keys only.

``parse_descriptor`` reads a descriptor into an immutable ``Descriptor`` whose ``str()`` is
the canonical text with checksum; ``Descriptor.derive`` gives the output script and what
signing needs; ``WalletPolicy`` converts BIP-388 policies to and from descriptors.
"""

from primitives.descriptors.checksum import add_checksum, descriptor_checksum, split_checksum
from primitives.descriptors.derive import DerivedOutput, TapLeafInfo, TaprootInfo, tapleaf_hash
from primitives.descriptors.descriptor import Descriptor, parse_descriptor
from primitives.descriptors.errors import (
    ChecksumError,
    ContextError,
    DescriptorError,
    DescriptorSyntaxError,
    DuplicateKeyError,
    HardenedDerivationError,
    KeyExpressionError,
    MultipathError,
    NetworkMismatchError,
    PolicyError,
    PrivateKeyError,
    UnknownFunctionError,
    UnsupportedError,
)
from primitives.descriptors.keys import (
    BITCOIN_MAINNET_XPUBS,
    BITCOIN_TESTNET_XPUBS,
    LITECOIN_MAINNET_XPUBS,
    LITECOIN_TESTNET_XPUBS,
    ConstKey,
    ExtendedKey,
    KeyExpr,
    KeyOrigin,
    KeySource,
    MusigKey,
)
from primitives.descriptors.nodes import MiniscriptFragment, MiniscriptParser, ScriptContext
from primitives.descriptors.parser import ParseOptions
from primitives.descriptors.policy import WalletPolicy

__all__ = [
    "BITCOIN_MAINNET_XPUBS",
    "BITCOIN_TESTNET_XPUBS",
    "LITECOIN_MAINNET_XPUBS",
    "LITECOIN_TESTNET_XPUBS",
    "ChecksumError",
    "ConstKey",
    "ContextError",
    "DerivedOutput",
    "Descriptor",
    "DescriptorError",
    "DescriptorSyntaxError",
    "DuplicateKeyError",
    "ExtendedKey",
    "HardenedDerivationError",
    "KeyExpr",
    "KeyExpressionError",
    "KeyOrigin",
    "KeySource",
    "MiniscriptFragment",
    "MiniscriptParser",
    "MultipathError",
    "MusigKey",
    "NetworkMismatchError",
    "ParseOptions",
    "PolicyError",
    "PrivateKeyError",
    "ScriptContext",
    "TapLeafInfo",
    "TaprootInfo",
    "UnknownFunctionError",
    "UnsupportedError",
    "WalletPolicy",
    "add_checksum",
    "descriptor_checksum",
    "parse_descriptor",
    "split_checksum",
    "tapleaf_hash",
]
