"""Helpers for MuSig2 wallet tests: participant keys, the account descriptor, spend PSBTs.

Until policy accounts build these PSBTs themselves, the tests build a spend of one coin of
the ``tr(musig(A,B)/<0;1>/*,and_v(v:pk(A/<0;1>/*),older(N)))`` descriptor here, with the
fields the policy account's ``PolicyScripts`` gives its inputs and change outputs.
"""

from __future__ import annotations

from dataclasses import replace

from chains.addresses import address_format
from chains.registry import UtxoNetwork, get_network
from keystore.bip32 import HARDENED
from keystore.keystore import Keystore
from keystore.mnemonic import parse_mnemonic
from keystore.types import UtxoParams
from primitives.descriptors import Descriptor, ParseOptions
from primitives.psbt import Psbt
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from wallet.musig.rounds import MusigAccountKeys, musig_descriptor
from wallet.signing.export import network_params
from wallet.utxo.policy_scripts import PolicyScripts

NETWORK = "litecoin-regtest"
FALLBACK = 10


def utxo_network(name: str = NETWORK) -> UtxoNetwork:
    net = get_network(name)
    assert isinstance(net, UtxoNetwork)
    return net


def params(name: str = NETWORK) -> UtxoParams:
    p = network_params(utxo_network(name))
    assert isinstance(p, UtxoParams)
    return p


def participant_key(mnemonic: str, name: str = NETWORK, account: int = 0) -> str:
    """Return ``[fp/48h/coinh/accounth/3h]tpub`` of a seed (BIP-48 script type 3)."""
    net = utxo_network(name)
    keystore = Keystore(parse_mnemonic(mnemonic))
    coin = net.coin_type
    path = (48 + HARDENED, coin + HARDENED, account + HARDENED, 3 + HARDENED)
    xpub = keystore.account_key(path).serialize(net.standard_xkey.public)
    return f"[{keystore.fingerprint.hex()}/48h/{coin}h/{account}h/3h]{xpub}"


def fingerprint(mnemonic: str) -> bytes:
    return Keystore(parse_mnemonic(mnemonic)).fingerprint


def descriptor(own: str, other: str, fallback: int = FALLBACK, name: str = NETWORK) -> Descriptor:
    net = utxo_network(name)
    options = ParseOptions(
        xpub_versions=frozenset({net.standard_xkey.public}), address_format=address_format(net)
    )
    return Descriptor.parse(musig_descriptor(own, other, fallback), options)


def account_keys(mnemonic: str, own: str, other: str, fallback: int = FALLBACK) -> MusigAccountKeys:
    return MusigAccountKeys(params(), descriptor(own, other, fallback), fingerprint(mnemonic))


def spend_psbt(
    keys: MusigAccountKeys,
    outpoint: OutPoint,
    value: int,
    index: int,
    pay_to: bytes,
    amount: int,
    *,
    branch: int = 0,
    sequence: int = 0xFFFFFFFD,
    change_index: int | None = None,
) -> Psbt:
    """Return an unsigned PSBT spending one coin of the account at ``branch``/``index``."""
    scripts = PolicyScripts(utxo_network(), keys.descriptor)
    derived = keys.derive(branch, index)
    spent = TxOut(value, derived.script_pubkey)
    outputs = [TxOut(amount, pay_to)]
    if change_index is not None:
        outputs.append(TxOut(value - amount - 500, keys.derive(1, change_index).script_pubkey))
    tx = Transaction(2, (TxIn(outpoint, b"", sequence),), tuple(outputs), 0)
    psbt = Psbt.from_unsigned_tx(tx)
    fields = scripts.input_fields(branch, index, tx, spent)  # prev is unused for taproot
    psbt = psbt.with_input(0, replace(psbt.inputs[0], **fields))
    if change_index is not None:
        out = replace(psbt.outputs[1], **scripts.output_fields(1, change_index))
        psbt = psbt.with_output(1, out)
    return psbt
