"""Block headers and merkle branches: what lets a light client trust a confirmation.

A server says "transaction T is in the block at height H". The client checks that claim
itself: it parses the 80-byte header of block H (Bitcoin developer reference, "Block
Headers"), checks that the header's proof of work meets the target its ``nBits`` encode and
that this target is no easier than the network's limit, then folds T's txid with the merkle
branch the server gave (``blockchain.transaction.get_merkle``) and compares the result with
the header's merkle root (Bitcoin's ``ComputeMerkleRoot``; BIP-37 "Partial Merkle Branch"
for the folding).

Proof of work is SHA-256d on Bitcoin and scrypt(N=1024, r=1, p=1) on Litecoin and Dogecoin
(Litecoin Core ``CBlockHeader::GetPoWHash``); the block hash is SHA-256d everywhere.

What is not checked here: that the header chains to the genesis with the difficulty the
retarget rules demand (that needs the whole header chain), and Dogecoin's AuxPoW (merge-mined
headers meet their target through the parent block, which is not checked).
"""

from __future__ import annotations

import enum
import hashlib
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from chains.errors import ChainError
from chains.registry import UtxoNetwork
from primitives.hashes import sha256d

__all__ = [
    "HEADER_SIZE",
    "BlockHeader",
    "InvalidHeader",
    "InvalidMerkleProof",
    "PowAlgorithm",
    "PowRules",
    "bits_to_target",
    "merkle_root",
    "merkle_root_from_branch",
    "pow_rules",
    "verify_merkle_branch",
]

HEADER_SIZE = 80
_AUXPOW_FLAG = 0x100  # Dogecoin (and other merge-mined chains): version bit of AuxPoW blocks


class InvalidHeader(ChainError, ValueError):
    """A block header is malformed or does not meet its proof-of-work target."""


class InvalidMerkleProof(ChainError, ValueError):
    """A merkle branch does not lead from a txid to the block's merkle root."""


class PowAlgorithm(enum.Enum):
    """The hash a network's proof of work is measured with."""

    SHA256D = "sha256d"
    SCRYPT = "scrypt"


@dataclass(frozen=True, slots=True)
class PowRules:
    """A network's proof-of-work facts.

    Attributes:
        algorithm: the proof-of-work hash.
        limit: the easiest target allowed (``powLimit`` in the node's chain parameters).
        auxpow: whether merge-mined (AuxPoW) headers occur.
    """

    algorithm: PowAlgorithm
    limit: int
    auxpow: bool = False


_BTC_LIMIT = 0x00000000FFFF << 208
_LTC_LIMIT = (1 << 236) - 1  # 0x00000fff...ff (Litecoin and Dogecoin chainparams.cpp)
_REGTEST_LIMIT = (1 << 255) - 1  # 0x7fff...ff
_SIGNET_LIMIT = 0x00000377AE << 216

# Keyed by genesis hash, the network's identity that servers are checked against.
_RULES: Mapping[str, PowRules] = MappingProxyType(
    {
        # bitcoin, bitcoin-testnet, bitcoin-signet, bitcoin-regtest
        "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f": PowRules(
            PowAlgorithm.SHA256D, _BTC_LIMIT
        ),
        "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943": PowRules(
            PowAlgorithm.SHA256D, _BTC_LIMIT
        ),
        "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6": PowRules(
            PowAlgorithm.SHA256D, _SIGNET_LIMIT
        ),
        "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206": PowRules(
            PowAlgorithm.SHA256D, _REGTEST_LIMIT
        ),
        # litecoin, litecoin-testnet, litecoin-regtest
        "12a765e31ffd4059bada1e25190f6e98c99d9714d334efa41a195a7e7e04bfe2": PowRules(
            PowAlgorithm.SCRYPT, _LTC_LIMIT
        ),
        "4966625a4b2851d9fdee139e56211a0d88575f59ed816ff5e6a63deb4e3e29a0": PowRules(
            PowAlgorithm.SCRYPT, _LTC_LIMIT
        ),
        "530827f38f93b43ed12af0b3ad25a288dc02ed74d6d7857862df51fc56c416f9": PowRules(
            PowAlgorithm.SCRYPT, _REGTEST_LIMIT
        ),
        # dogecoin, dogecoin-testnet
        "1a91e3dace36e2be3bf030a65679fe821aa1d6ef92e7c9902eb318182c355691": PowRules(
            PowAlgorithm.SCRYPT, _LTC_LIMIT, auxpow=True
        ),
        "bb0a78264637406b6360aad926284d544d7049f45189db5664f3c4d07350559e": PowRules(
            PowAlgorithm.SCRYPT, _LTC_LIMIT, auxpow=True
        ),
    }
)


def pow_rules(network: UtxoNetwork) -> PowRules:
    """Return the proof-of-work rules of a network (by its genesis hash).

    Raises:
        KeyError: the network's genesis is not in the table (add it with the network).
    """
    return _RULES[network.genesis_hash]


def bits_to_target(bits: int) -> int:
    """Return the target a compact ``nBits`` value encodes (Bitcoin's ``SetCompact``).

    Raises:
        InvalidHeader: the encoding is negative, zero or overflows 256 bits.
    """
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    if bits & 0x00800000 and mantissa:
        raise InvalidHeader("the header's difficulty bits encode a negative target")
    target = mantissa >> 8 * (3 - exponent) if exponent <= 3 else mantissa << 8 * (exponent - 3)
    if target == 0:
        raise InvalidHeader("the header's difficulty bits encode a zero target")
    if target >> 256:
        raise InvalidHeader("the header's difficulty bits overflow 256 bits")
    return target


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """An 80-byte block header.

    Attributes:
        version: the block version (signed 32-bit).
        prev_hash: the previous block's hash, display byte order.
        merkle_root: the merkle root in internal byte order (as in the header).
        time: the block timestamp (Unix seconds).
        bits: the compact target.
        nonce: the nonce.
        raw: the 80 serialised bytes.
    """

    version: int
    prev_hash: str
    merkle_root: bytes
    time: int
    bits: int
    nonce: int
    raw: bytes

    @classmethod
    def parse(cls, raw: bytes) -> BlockHeader:
        """Parse a serialised header; longer data (AuxPoW) keeps only its first 80 bytes.

        Raises:
            InvalidHeader: fewer than 80 bytes.
        """
        if len(raw) < HEADER_SIZE:
            raise InvalidHeader(f"a block header has 80 bytes, not {len(raw)}")
        head = bytes(raw[:HEADER_SIZE])
        version, prev, root, time, bits, nonce = struct.unpack("<i32s32sIII", head)
        return cls(version, prev[::-1].hex(), root, time, bits, nonce, head)

    @property
    def hash(self) -> str:
        """Return the block hash (SHA-256d of the header), display byte order."""
        return sha256d(self.raw)[::-1].hex()

    @property
    def target(self) -> int:
        """Return the target the header's ``bits`` encode."""
        return bits_to_target(self.bits)

    def pow_hash(self, algorithm: PowAlgorithm) -> int:
        """Return the proof-of-work hash as a number (little-endian, as nodes compare it)."""
        if algorithm is PowAlgorithm.SCRYPT:
            digest = hashlib.scrypt(self.raw, salt=self.raw, n=1024, r=1, p=1, dklen=32)
        else:
            digest = sha256d(self.raw)
        return int.from_bytes(digest, "little")

    def check_pow(self, rules: PowRules) -> None:
        """Check that the header meets its target and the target is within the limit.

        Merge-mined (AuxPoW) headers on chains that have them are not checked: their work
        is in the parent block.

        Raises:
            InvalidHeader: the target is easier than the network allows, or the header's
                hash does not meet it.
        """
        target = self.target
        if target > rules.limit:
            raise InvalidHeader("the header claims a target easier than the network allows")
        if rules.auxpow and self.version & _AUXPOW_FLAG:
            return
        if self.pow_hash(rules.algorithm) > target:
            raise InvalidHeader(f"the header of block {self.hash} does not meet its target")


def _hash_pair(left: bytes, right: bytes) -> bytes:
    return sha256d(left + right)


def merkle_root(txids: Sequence[bytes]) -> bytes:
    """Return the merkle root of txids in internal byte order (Bitcoin's duplication rule).

    Raises:
        ValueError: no txids.
    """
    if not txids:
        raise ValueError("a block has at least one transaction")
    level = list(txids)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [_hash_pair(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def merkle_root_from_branch(txid: bytes, branch: Sequence[bytes], pos: int) -> bytes:
    """Fold a txid with its merkle branch (internal byte order) up to the root.

    ``pos`` is the transaction's index in the block: bit ``i`` says whether the running hash
    is the right (1) or left (0) child at level ``i``.

    Raises:
        InvalidMerkleProof: ``pos`` does not fit the branch length.
    """
    if pos < 0 or pos >> len(branch):
        raise InvalidMerkleProof(f"position {pos} does not fit a branch of {len(branch)}")
    running = txid
    for level, sibling in enumerate(branch):
        if len(sibling) != 32:
            raise InvalidMerkleProof("a merkle branch holds 32-byte hashes")
        right = (pos >> level) & 1
        running = _hash_pair(sibling, running) if right else _hash_pair(running, sibling)
    return running


def verify_merkle_branch(txid: str, branch: Sequence[str], pos: int, header: BlockHeader) -> None:
    """Check that a transaction is in the block of ``header``.

    Args:
        txid: the transaction id, display byte order (as servers send it).
        branch: the sibling hashes from the leaf up, display byte order (as
            ``blockchain.transaction.get_merkle`` sends them).
        pos: the transaction's index in the block.
        header: the block's parsed header.

    Raises:
        InvalidMerkleProof: malformed hex, a bad position, or the root does not match.
    """
    try:
        leaf = bytes.fromhex(txid)[::-1]
        siblings = [bytes.fromhex(h)[::-1] for h in branch]
    except ValueError:
        raise InvalidMerkleProof("a merkle branch holds non-hex hashes") from None
    if len(leaf) != 32:
        raise InvalidMerkleProof("a txid has 32 bytes")
    # A 64-byte transaction could pose as an inner node (CVE-2017-12842); a position that
    # fits the branch and a leaf that parses as a transaction (checked by the caller against
    # the raw transaction) keep that out.
    if merkle_root_from_branch(leaf, siblings, pos) != header.merkle_root:
        raise InvalidMerkleProof(f"transaction {txid} is not in block {header.hash}")
