"""Benchmark (a): derive 5,000 receive addresses from an account xpub, Bitcoin p2wpkh and EVM.

Every implementation derives the same addresses in one process, from the same public keys:
the Bitcoin account key ``m/84'/0'/0'`` (receive chain ``0``, indexes 0..4999) and the EVM
key ``m/44'/60'/0'/0`` (indexes 0..4999) of the BIP-84 test-vector mnemonic. The bench
asserts that every row produced exactly Coffer's list (and that index 0 is the published
BIP-84 / common-wallet address), so no row is timed on wrong output.

Rows:
- ``limit``: raw coincurve with the fastest calls known here, written inline: HMAC-SHA512
  with its pads hashed once, ``PublicKey.add`` for all points first (then the hashing, which
  keeps libsecp256k1's tables in cache), hashlib SHA-256/RIPEMD-160 or pysha3 Keccak, and
  bech32 / EIP-55 written for this one case (20-bit checksum tables, byte-wise case flips).
  The practical limit of Python on libsecp256k1; every ratio is to this row.
- ``raw coincurve, textbook codecs``: the same coincurve calls in one loop per address, with
  ``hmac.digest``, the BIP-173 reference bech32 and the EIP-55 reference loop (pycryptodome
  Keccak): what a minimal program usually looks like.
- Coffer: ``wallet.derive.derive_addresses`` from an ``ExtendedPublicKey``, and (Bitcoin)
  ``UtxoAccount.addresses(5000)``, which also stores them in a fresh wallet file.
- Peers: the ``bip32`` package (derivation only; it encodes no addresses, so the limit's
  encoders are added), bip-utils (``Bip84`` / ``Bip44`` from the extended key), embit
  (``HDKey.derive`` and ``script.p2wpkh``), bitcoinlib (``HDKey.child_public``) and, for EVM,
  eth-account's HD-key API (``key_from_seed`` per index, then ``Account.from_key``: it derives
  private keys from the seed, five steps per address, as eth-account has no xpub derivation).

Each fast row runs ROUNDS times, interleaved with the others, and keeps its best time; the
slow peers (bitcoinlib, eth-account) run once. The garbage collector is off while a row runs
(as in ``timeit``), so no row pays for the others' garbage.

Run: ``.venv/bin/python bench/derive.py`` (also run by ``make bench``).
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# bitcoinlib writes ~/.bitcoinlib on import unless told otherwise.
os.environ.setdefault("BCL_DATA_DIR", tempfile.mkdtemp(prefix="coffer-bench-bcl-"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bip32 import BIP32
from bip_utils import Bip44, Bip44Changes, Bip44Coins, Bip84, Bip84Coins
from bitcoinlib.keys import HDKey as BclHDKey
from coincurve import PublicKey
from Crypto.Hash import keccak as pycryptodome_keccak
from embit import script as embit_script
from embit.bip32 import HDKey as EmbitHDKey
from embit.networks import NETWORKS as EMBIT_NETWORKS
from eth_account import Account
from eth_account.hdaccount import key_from_seed
from sha3 import keccak_256

from chains.registry import ScriptKind, get_network
from keystore.bip32 import ExtendedPrivateKey, ExtendedPublicKey, parse_path
from keystore.mnemonic import parse_mnemonic
from wallet import UtxoAccount, Wallet
from wallet.derive import derive_addresses

COUNT = 5000
ROUNDS = 9
MNEMONIC = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
# Index 0 as published: BIP-84 "Test vectors" (receive 0) and the m/44'/60'/0'/0/0 address
# of this mnemonic that MetaMask and tests/unit/test_wallet_api.py agree on.
BTC_FIRST = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
EVM_FIRST = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
XPUB = 0x0488B21E
ZPUB = 0x04B24746

# -- the limit's own codecs, written for exactly this case ------------------------------------

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def polymod(values: list[int], chk: int = 1) -> int:
    """BIP-173 reference checksum."""
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= GEN[i] if ((top >> i) & 1) else 0
    return chk


def steps(chk: int, n: int) -> int:
    for _ in range(n):
        chk = polymod([0], chk)
    return chk


HIGH = [steps(x << 20, 4) for x in range(1024)]
MID = [steps(x << 10, 4) for x in range(1024)]
HIGH2 = [steps(x << 20, 2) for x in range(1024)]
PAIRS = [CHARSET[i >> 5] + CHARSET[i & 31] for i in range(1024)]
# State after "bc", the separator expansion and witness version 0.
BC_V0 = polymod([ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"] + [0])


def limit_bech32_p2wpkh(program: bytes) -> str:
    """bc1q... of a 20-byte program: 8 chunks of 20 bits, checksum four symbols a step."""
    n = int.from_bytes(program, "big")
    chk = BC_V0
    out = ["bc1q"]
    for shift in (140, 120, 100, 80, 60, 40, 20, 0):
        c = (n >> shift) & 0xFFFFF
        chk = HIGH[chk >> 20] ^ MID[(chk >> 10) & 0x3FF] ^ ((chk & 0x3FF) << 20) ^ c
        out += (PAIRS[c >> 10], PAIRS[c & 0x3FF])
    chk = HIGH[chk >> 20] ^ MID[(chk >> 10) & 0x3FF] ^ ((chk & 0x3FF) << 20)
    chk = (HIGH2[chk >> 20] ^ ((chk & 0xFFFFF) << 10)) ^ 1
    out += (PAIRS[chk >> 20], PAIRS[(chk >> 10) & 0x3FF], PAIRS[chk & 0x3FF])
    return "".join(out)


HEX = b"0123456789abcdef"
NIBBLE_HIGH = bytes.maketrans(HEX, b"\x00" * 8 + b"\x20" * 8)
LETTER = bytes.maketrans(HEX, b"\x00" * 10 + b"\x20" * 6)


def limit_eip55(raw: bytes) -> str:
    """EIP-55 as byte arithmetic: flip the case bit of letters under high hash nibbles."""
    lower = raw.hex().encode()
    digest = keccak_256(lower).hexdigest().encode()[:40]
    flips = int.from_bytes(digest.translate(NIBBLE_HIGH), "big") & int.from_bytes(
        lower.translate(LETTER), "big"
    )
    return "0x" + (int.from_bytes(lower, "big") ^ flips).to_bytes(40, "big").decode()


def pads(chain_code: bytes) -> tuple[Callable[[], Any], Callable[[], Any]]:
    block = chain_code.ljust(128, b"\x00")
    return (
        hashlib.sha512(bytes(b ^ 0x36 for b in block)).copy,
        hashlib.sha512(bytes(b ^ 0x5C for b in block)).copy,
    )


def limit_points(chain_code: bytes, pubkey: bytes) -> list[PublicKey]:
    """BIP-32 CKDpub for indexes 0..COUNT-1: HMAC-SHA512 from copied pads, one tweak-add each.

    The points come first and the hashing after: interleaving the two costs about 15% here,
    as libsecp256k1's precomputed tables then keep leaving the CPU cache.
    """
    inner, outer = pads(chain_code)
    add = PublicKey(pubkey).add
    points = []
    for i in range(COUNT):
        h = inner()
        h.update(pubkey + i.to_bytes(4, "big"))
        o = outer()
        o.update(h.digest())
        points.append(add(o.digest()[:32]))
    return points


def limit_btc(chain_code: bytes, pubkey: bytes) -> list[str]:
    sha256 = hashlib.sha256
    rip = hashlib.new("ripemd160").copy
    out = []
    for point in limit_points(chain_code, pubkey):
        r = rip()
        r.update(sha256(point.format()).digest())
        out.append(limit_bech32_p2wpkh(r.digest()))
    return out


def limit_evm(chain_code: bytes, pubkey: bytes) -> list[str]:
    return [
        limit_eip55(keccak_256(point.format(compressed=False)[1:]).digest()[12:])
        for point in limit_points(chain_code, pubkey)
    ]


# -- textbook codecs: BIP-173 reference and the EIP-55 reference loop ------------------------


def convertbits(data: bytes, frombits: int, tobits: int) -> list[int]:
    acc = bits = 0
    ret = []
    maxv = (1 << tobits) - 1
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if bits:
        ret.append((acc << (tobits - bits)) & maxv)
    return ret


def textbook_segwit(hrp: str, version: int, program: bytes) -> str:
    data = [version, *convertbits(program, 8, 5)]
    values = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + data
    mod = polymod([*values, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def textbook_eip55(raw: bytes) -> str:
    lower = raw.hex()
    digest = pycryptodome_keccak.new(data=lower.encode(), digest_bits=256).hexdigest()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )


def textbook_btc(chain_code: bytes, pubkey: bytes) -> list[str]:
    parent = PublicKey(pubkey)
    out = []
    for i in range(COUNT):
        tweak = hmac.digest(chain_code, pubkey + i.to_bytes(4, "big"), "sha512")[:32]
        child = parent.add(tweak).format()
        h160 = hashlib.new("ripemd160", hashlib.sha256(child).digest()).digest()
        out.append(textbook_segwit("bc", 0, h160))
    return out


def textbook_evm(chain_code: bytes, pubkey: bytes) -> list[str]:
    parent = PublicKey(pubkey)
    out = []
    for i in range(COUNT):
        tweak = hmac.digest(chain_code, pubkey + i.to_bytes(4, "big"), "sha512")[:32]
        child = parent.add(tweak).format(compressed=False)
        digest = pycryptodome_keccak.new(data=child[1:], digest_bits=256).digest()
        out.append(textbook_eip55(digest[12:]))
    return out


# -- the work ----------------------------------------------------------------------------------


class Keys:
    """The public keys every row starts from, serialised for the peers."""

    def __init__(self) -> None:
        self.seed = parse_mnemonic(MNEMONIC).to_seed("").reveal()
        root = ExtendedPrivateKey.from_seed(self.seed)
        self.btc_account = root.derive_path(parse_path("m/84'/0'/0'")).public()
        self.btc_chain = self.btc_account.child(0)
        self.evm = root.derive_path(parse_path("m/44'/60'/0'/0")).public()
        self.btc_xpub = self.btc_account.serialize(XPUB)
        self.btc_zpub = self.btc_account.serialize(ZPUB)
        self.btc_chain_xpub = self.btc_chain.serialize(XPUB)
        self.evm_xpub = self.evm.serialize(XPUB)


def coffer_btc(keys: Keys) -> list[str]:
    account, _ = ExtendedPublicKey.parse(keys.btc_zpub)
    return derive_addresses(get_network("bitcoin"), account, ScriptKind.P2WPKH, 0, 0, COUNT)


def coffer_evm(keys: Keys) -> list[str]:
    key, _ = ExtendedPublicKey.parse(keys.evm_xpub)
    return derive_addresses(get_network("ethereum"), key, None, 0, 0, COUNT)


def bip32_btc(keys: Keys) -> list[str]:
    chain = BIP32.from_xpub(keys.btc_chain_xpub)
    out = []
    for i in range(COUNT):
        pub = chain.get_pubkey_from_path([i])
        r = hashlib.new("ripemd160", hashlib.sha256(pub).digest()).digest()
        out.append(limit_bech32_p2wpkh(r))
    return out


def bip32_evm(keys: Keys) -> list[str]:
    key = BIP32.from_xpub(keys.evm_xpub)
    out = []
    for i in range(COUNT):
        pub = PublicKey(key.get_pubkey_from_path([i])).format(compressed=False)
        out.append(limit_eip55(keccak_256(pub[1:]).digest()[12:]))
    return out


def bip_utils_btc(keys: Keys) -> list[str]:
    chain = Bip84.FromExtendedKey(keys.btc_zpub, Bip84Coins.BITCOIN).Change(Bip44Changes.CHAIN_EXT)
    return [chain.AddressIndex(i).PublicKey().ToAddress() for i in range(COUNT)]


def bip_utils_evm(keys: Keys) -> list[str]:
    change = Bip44.FromExtendedKey(keys.evm_xpub, Bip44Coins.ETHEREUM)
    return [change.AddressIndex(i).PublicKey().ToAddress() for i in range(COUNT)]


def embit_btc(keys: Keys) -> list[str]:
    chain = EmbitHDKey.from_string(keys.btc_xpub).derive([0])
    main = EMBIT_NETWORKS["main"]
    return [embit_script.p2wpkh(chain.derive([i]).key).address(main) for i in range(COUNT)]


def bitcoinlib_btc(keys: Keys) -> list[str]:
    chain = BclHDKey(keys.btc_xpub, network="bitcoin", witness_type="segwit").child_public(0)
    return [chain.child_public(i).address() for i in range(COUNT)]


def eth_account_evm(keys: Keys) -> list[str]:
    seed = keys.seed
    return [
        Account.from_key(key_from_seed(seed, f"m/44'/60'/0'/0/{i}")).address for i in range(COUNT)
    ]


class WalletRow:
    """Time ``UtxoAccount.addresses(COUNT)`` on a fresh wallet file (its creation untimed)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="coffer-bench-wallet-"))
        self.made = 0
        self.elapsed = 0.0

    def __call__(self, keys: Keys) -> list[str]:
        self.made += 1
        with Wallet.create(self.folder / f"w{self.made}.coffer", "bench", MNEMONIC) as wallet:
            account = wallet.account("bitcoin")
            assert isinstance(account, UtxoAccount)
            assert account.export_xpub() == keys.btc_zpub
            start = time.perf_counter()
            infos = account.addresses(COUNT)
            self.elapsed = time.perf_counter() - start
        return [info.address for info in infos]


Row = tuple[str, Callable[[Keys], list[str]], int]


def measure(rows: list[Row], keys: Keys, expected: list[str] | None) -> dict[str, float]:
    """Run the rows round-robin; return each row's best seconds. Check every output."""
    best: dict[str, float] = {}
    rounds = max(r for _, _, r in rows)
    for turn in range(rounds):
        for name, fn, wanted in rows:
            if turn >= wanted:
                continue
            gc.collect()
            gc.disable()  # as timeit does: a collection would land on whichever row runs
            try:
                start = time.perf_counter()
                got = fn(keys)
                elapsed = time.perf_counter() - start
            finally:
                gc.enable()
            if isinstance(fn, WalletRow):
                elapsed = fn.elapsed
            if expected is None:
                expected = got
            assert got == expected, f"{name} derived other addresses than Coffer"
            best[name] = min(best.get(name, elapsed), elapsed)
    return best


def table(title: str, best: dict[str, float]) -> None:
    limit = COUNT / best["limit"]
    print(f"\n{title}: {COUNT} receive addresses")
    print(f"  {'implementation':44s} {'addr/s':>10s} {'vs limit':>9s}")
    for name, seconds in best.items():
        rate = COUNT / seconds
        print(f"  {name:44s} {rate:10,.0f} {rate / limit:9.2f}")


def main() -> None:
    keys = Keys()
    reference_btc = coffer_btc(keys)
    reference_evm = coffer_evm(keys)
    assert reference_btc[0] == BTC_FIRST, reference_btc[0]
    assert reference_evm[0] == EVM_FIRST, reference_evm[0]
    chain_code, chain_pub = keys.btc_chain.chain_code, keys.btc_chain.public_key
    evm_code, evm_pub = keys.evm.chain_code, keys.evm.public_key
    btc_rows: list[Row] = [
        ("limit", lambda k: limit_btc(chain_code, chain_pub), ROUNDS),
        ("raw coincurve, textbook codecs", lambda k: textbook_btc(chain_code, chain_pub), ROUNDS),
        ("Coffer derive_addresses", coffer_btc, ROUNDS),
        ("Coffer UtxoAccount.addresses (+ wallet file)", WalletRow(), 3),
        ("bip32 (+ the limit's bech32)", bip32_btc, ROUNDS),
        ("bip-utils", bip_utils_btc, ROUNDS),
        ("embit", embit_btc, ROUNDS),
        ("bitcoinlib", bitcoinlib_btc, 1),
    ]
    evm_rows: list[Row] = [
        ("limit", lambda k: limit_evm(evm_code, evm_pub), ROUNDS),
        ("raw coincurve, textbook codecs", lambda k: textbook_evm(evm_code, evm_pub), ROUNDS),
        ("Coffer derive_addresses", coffer_evm, ROUNDS),
        ("bip32 (+ the limit's EIP-55)", bip32_evm, ROUNDS),
        ("bip-utils", bip_utils_evm, ROUNDS),
        ("eth-account (HD keys from the seed)", eth_account_evm, 1),
    ]
    table("Bitcoin p2wpkh", measure(btc_rows, keys, reference_btc))
    table("EVM", measure(evm_rows, keys, reference_evm))
    print(
        "\nEvery row derived the same addresses as Coffer (index 0 = the published vector);"
        f" best of up to {ROUNDS} interleaved rounds."
    )


if __name__ == "__main__":
    main()
