"""PSBTs signed by Coffer, judged by a real Litecoin Core node (Core's PSBT and script code).

Coins are sent by the node to the ``abandon ... about`` seed's addresses on regtest; Coffer
builds the PSBT, its hot signer signs it, and the node decodes it, finalizes it into the same
transaction Coffer extracts, accepts it into its mempool and mines it. The node also signs the
same transaction with the same keys (``signrawtransactionwithkey``): Litecoin Core 0.21 grinds
ECDSA nonces for a low R exactly as Bitcoin Core does, so its signatures must equal Coffer's
byte for byte.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from keystore.signers.base import SigningContext
from keystore.signers.hot import HotSigner
from keystore.types import UtxoParams
from primitives.base58 import b58check_encode
from primitives.hashes import hash160
from primitives.psbt import KeySource, Psbt, TapKeySource
from primitives.psbt_roles import extract, finalize
from primitives.script import p2pkh_script, p2sh_script, p2tr_script, p2wpkh_script
from primitives.secp256k1 import ecdsa_sign, taproot_output_key
from primitives.sighash import SighashCache
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.conftest import ABANDON
from tests.nodes.utxo import LitecoinNode, litecoin_regtest

pytestmark = pytest.mark.nodes

NETWORK = litecoin_regtest()
PARAMS = UtxoParams(
    NETWORK.name,
    NETWORK.title,
    NETWORK.symbol,
    NETWORK.decimals,
    NETWORK.coin_type,
    NETWORK.hrp,
    NETWORK.p2pkh_version,
    NETWORK.p2sh_versions[0],
)
PURPOSES = {"p2wpkh": 84, "p2sh-p2wpkh": 49, "p2pkh": 44, "p2tr": 86}
COIN = 200_000
FEE = 10_000
ROOT = ExtendedPrivateKey.from_seed(parse_mnemonic(ABANDON).to_seed().reveal())


def _script(kind: str, pubkey: bytes) -> bytes:
    if kind == "p2wpkh":
        return p2wpkh_script(hash160(pubkey))
    if kind == "p2sh-p2wpkh":
        return p2sh_script(hash160(p2wpkh_script(hash160(pubkey))))
    if kind == "p2pkh":
        return p2pkh_script(hash160(pubkey))
    return p2tr_script(taproot_output_key(pubkey[1:]))


@dataclass
class Coin:
    funding: Transaction
    vout: int
    index: int  # receive-chain index of its key

    @property
    def out(self) -> TxOut:
        return self.funding.outputs[self.vout]


def _account(kind: str) -> tuple[int, ...]:
    return (PURPOSES[kind] + HARDENED, NETWORK.coin_type + HARDENED, HARDENED)


def _fund(node: LitecoinNode, kind: str, count: int, first_index: int) -> list[Coin]:
    account = ROOT.derive_path(_account(kind))
    coins = []
    txids = []
    for index in range(first_index, first_index + count):
        script = _script(kind, account.child(0).child(index).public_key)
        txids.append((node.fund(node.address_of(script), COIN), script, index))
    node.mine(1)
    for txid, script, index in txids:
        funding = Transaction.parse(bytes.fromhex(node.rpc("getrawtransaction", txid, wallet=None)))
        vout = next(i for i, o in enumerate(funding.outputs) if o.script_pubkey == script)
        coins.append(Coin(funding, vout, index))
    return coins


def _psbt(kind: str, coins: list[Coin], pay_to: bytes) -> Psbt:
    account = _account(kind)
    keys = ROOT.derive_path(account)
    change_pub = keys.child(1).child(0).public_key
    total = sum(c.out.value for c in coins)
    tx = Transaction(
        2,
        tuple(TxIn(c.funding.outpoint(c.vout), b"", 0xFFFFFFFD) for c in coins),
        (TxOut(total // 2, pay_to), TxOut(total - total // 2 - FEE, _script(kind, change_pub))),
    )
    psbt = Psbt.from_unsigned_tx(tx)
    fp = ROOT.fingerprint
    inputs = []
    for coin, inp in zip(coins, psbt.inputs, strict=True):
        pub = keys.child(0).child(coin.index).public_key
        source = KeySource(fp, (*account, 0, coin.index))
        if kind == "p2tr":
            inputs.append(
                replace(
                    inp,
                    witness_utxo=coin.out,
                    tap_internal_key=pub[1:],
                    tap_bip32_derivations={pub[1:]: TapKeySource((), source)},
                )
            )
            continue
        inputs.append(
            replace(
                inp,
                non_witness_utxo=coin.funding,
                witness_utxo=None if kind == "p2pkh" else coin.out,
                redeem_script=p2wpkh_script(hash160(pub)) if kind == "p2sh-p2wpkh" else None,
                bip32_derivations={pub: source},
            )
        )
    change_source = KeySource(fp, (*account, 1, 0))
    if kind == "p2tr":
        tap = {change_pub[1:]: TapKeySource((), change_source)}
        change = replace(psbt.outputs[1], tap_bip32_derivations=tap)
    else:
        change = replace(psbt.outputs[1], bip32_derivations={change_pub: change_source})
    return replace(psbt, inputs=tuple(inputs), outputs=(psbt.outputs[0], change))


@pytest.mark.parametrize("kind", list(PURPOSES))
def test_node_finalizes_accepts_and_mines_what_coffer_signs(
    litecoind: LitecoinNode, kind: str
) -> None:
    first = {"p2wpkh": 0, "p2sh-p2wpkh": 10, "p2pkh": 20, "p2tr": 30}[kind]
    coins = _fund(litecoind, kind, 3, first)
    psbt = _psbt(kind, coins, litecoind.new_script())
    ctx = SigningContext(PARAMS, _account(kind), max_fee=FEE)
    signed = HotSigner(ROOT).sign_psbt(psbt.serialize(), ctx)
    text = base64.b64encode(signed).decode()
    decoded = litecoind.rpc("decodepsbt", text, wallet=None)
    assert len(decoded["inputs"]) == 3
    assert Decimal(decoded["fee"]) == Decimal(FEE) / 100_000_000
    tx = extract(finalize(Psbt.parse(signed)))
    if kind != "p2tr":  # Litecoin Core 0.21 predates the BIP-371 taproot PSBT fields
        final = litecoind.rpc("finalizepsbt", text, wallet=None)
        assert final["complete"]
        assert final["hex"] == tx.serialize().hex()
    (verdict,) = litecoind.rpc("testmempoolaccept", [tx.serialize().hex()], wallet=None)
    assert verdict["allowed"], verdict
    assert litecoind.rpc("sendrawtransaction", tx.serialize().hex(), wallet=None) == tx.txid
    litecoind.mine(1)
    assert litecoind.rpc("getrawtransaction", tx.txid, True, wallet=None)["confirmations"] == 1


def _fake_coins(kind: str, count: int) -> list[Coin]:
    """Coins from made-up funding transactions: the node signs from ``prevtxs`` alone."""
    account = ROOT.derive_path(_account(kind))
    coins = []
    for index in range(count):
        script = _script(kind, account.child(0).child(index).public_key)
        funding = Transaction(
            2, (TxIn(OutPoint(bytes([index + 1]) * 32, index)),), (TxOut(COIN + index, script),)
        )
        coins.append(Coin(funding, 0, index))
    return coins


@pytest.mark.parametrize("kind", ["p2wpkh", "p2sh-p2wpkh", "p2pkh"])
def test_low_r_signatures_equal_the_nodes(litecoind: LitecoinNode, kind: str) -> None:
    coins = _fake_coins(kind, 8)
    psbt = _psbt(kind, coins, p2wpkh_script(b"\x07" * 20))
    signed = Psbt.parse(
        HotSigner(ROOT).sign_psbt(psbt.serialize(), SigningContext(PARAMS, _account(kind)))
    )
    ours = extract(finalize(signed))
    account = ROOT.derive_path(_account(kind))
    secrets = [account.child(0).child(c.index).private_key for c in coins]
    wifs = [b58check_encode(bytes([NETWORK.wif_version]) + s + b"\x01") for s in secrets]
    prevtxs = []
    for coin in coins:
        entry = {
            "txid": coin.funding.txid,
            "vout": coin.vout,
            "scriptPubKey": coin.out.script_pubkey.hex(),
            "amount": str(Decimal(coin.out.value) / 100_000_000),
        }
        if kind == "p2sh-p2wpkh":
            pub = account.child(0).child(coin.index).public_key
            entry["redeemScript"] = p2wpkh_script(hash160(pub)).hex()
        prevtxs.append(entry)
    unsigned = psbt.unsigned_tx().serialize().hex()
    theirs = litecoind.rpc("signrawtransactionwithkey", unsigned, wifs, prevtxs, wallet=None)
    assert theirs["complete"], theirs
    assert theirs["hex"] == ours.serialize().hex()
    # The comparison covers grinding: some inputs' first RFC 6979 nonce gave a high R.
    cache = SighashCache(psbt.unsigned_tx(), [c.out for c in coins])
    high_r = 0
    for i, (coin, secret) in enumerate(zip(coins, secrets, strict=True)):
        code = (
            coin.out.script_pubkey
            if kind == "p2pkh"
            else p2pkh_script(hash160(account.child(0).child(coin.index).public_key))
        )
        if kind == "p2pkh":
            digest = cache.legacy(i, code, 1)
        else:
            digest = cache.segwit_v0(i, code, coin.out.value, 1)
        high_r += ecdsa_sign(secret, digest, grind=False)[3] == 0x21
    assert high_r > 0
