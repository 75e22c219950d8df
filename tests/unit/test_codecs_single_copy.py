"""One copy of every address codec (issue 12, item 4): where it lives, and that both sides agree.

The wallet and the signer must render an address with the very same code: two copies that
could ever disagree would let the wallet show one address while the signer approves another.

The static half parses every module of keystore/, chains/, wallet/, primitives/ and gui/ and
fails when a module other than the codec's home in primitives/ defines a function of that job,
found by its name or by a tell-tale in its body (the ``TapTweak`` tag; Keccak-256 next to
case flips of hex; a bech32 or Base58Check address encoder called with a witness version or a
version byte; the ``OP_RETURN`` rendering of a summary), or when product code uses
eth_utils' ``to_checksum_address``. The behavioural half renders the BIP-341, BIP-44/49/84/86
and EIP-55 vectors (and anvil's accounts) on the wallet's side and on the signer's side.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

from chains.addresses import encode_outputs, output_address, parse_evm_address
from chains.registry import ScriptKind, get_network
from chains.registry import UtxoNetwork as RegistryUtxoNetwork
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from keystore.signers.base import SigningContext
from keystore.signers.evm_signer import sign_evm_with_key, summarize
from keystore.signers.utxo_review import review_psbt
from keystore.types import EvmParams, EvmTxRequest, UtxoParams
from primitives.hashes import hash160
from primitives.psbt import KeySource, Psbt, PsbtInput
from primitives.psbt_roles import SpendKind
from primitives.script import KeyScriptKind, p2tr_script, p2wpkh_script
from primitives.secp256k1 import taproot_output_key
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from wallet.derive import derive_addresses
from wallet.utxo.builder import summary_address, utxo_params

ROOT = Path(__file__).parents[2]
VECTORS = ROOT / "tests" / "vectors"
PACKAGES = ("keystore", "chains", "wallet", "primitives", "gui")

# The one home of each codec function.
HOMES = {
    "script_to_address": "primitives/script.py",
    "output_text": "primitives/script.py",
    "key_script": "primitives/script.py",
    "taproot_output_key": "primitives/secp256k1.py",
    "taproot_tweak": "primitives/secp256k1.py",
    "to_checksum_address": "primitives/evm_address.py",
    "is_valid_checksum": "primitives/evm_address.py",
    "evm_address_from_pubkey": "primitives/evm_address.py",
}
# Names that announce one of these jobs, however they are spelled exactly.
JOB_NAME = re.compile(
    r"script_?to_?addr|addr\w*_from_script|checksum_?addr|to_checksum|eip_?55"
    r"|taproot_?(output|tweak)|tap_?tweak|addr\w*_from_pub",
    re.IGNORECASE,
)
KECCAK = re.compile(r"keccak", re.IGNORECASE)
CASE_FLIPS = {"upper", "swapcase", "translate", "maketrans"}
ETH_CHECKSUM_NAMES = {"to_checksum_address", "is_checksum_address", "to_normalized_address"}

SOURCES = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _called_names(node: ast.AST) -> set[str]:
    """Return the names called under ``node``: ``f(...)`` gives f, ``x.f(...)`` gives f."""
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute):
                names.add(func.attr)
    return names


def _starts_with_bytes_call(expr: ast.expr) -> bool:
    """Whether ``expr`` is ``bytes([...]) + ...``: a version byte glued to a payload."""
    while isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        expr = expr.left
    return (
        isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "bytes"
    )


def codec_findings(path: Path, source: str) -> list[str]:
    """Return what in one module does a codec's job outside the codec's home."""
    tree = ast.parse(source)
    rel = _rel(path) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            home = HOMES.get(node.name)
            if (home is not None and rel != home) or (
                home is None and JOB_NAME.search(node.name) and rel not in HOMES.values()
            ):
                found.append(f"defines {node.name}() (the one copy is in {home or 'primitives'})")
            called = _called_names(node)
            keccak = any(KECCAK.search(n) for n in called)
            if keccak and called & CASE_FLIPS and rel != HOMES["to_checksum_address"]:
                found.append(f"{node.name}() flips the case of Keccak-hashed hex (EIP-55)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if "TapTweak" in node.value and rel != HOMES["taproot_tweak"]:
                found.append("computes the TapTweak tagged hash (BIP-341 output key)")
            if node.value.startswith("OP_RETURN ") and rel != HOMES["output_text"]:
                found.append("renders OP_RETURN outputs for a summary (output_text)")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("encode_segwit", "bech32_encode") and rel not in (
                HOMES["script_to_address"],
                "primitives/bech32.py",
            ):
                found.append(f"encodes a segwit address itself ({name})")
            if (
                name == "b58check_encode"
                and node.args
                and _starts_with_bytes_call(node.args[0])
                and rel != HOMES["script_to_address"]
            ):
                found.append("encodes a Base58Check address from a version byte itself")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("eth_utils"):
            used = {alias.name for alias in node.names} & ETH_CHECKSUM_NAMES
            if used:
                found.append(f"imports {sorted(used)} from {node.module}")
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in ETH_CHECKSUM_NAMES
            and rel != HOMES["to_checksum_address"]
        ):
            found.append(f"calls a foreign .{node.attr}")
    module_calls = _called_names(tree)
    if (
        rel != HOMES["to_checksum_address"]
        and any(KECCAK.search(n) for n in module_calls)
        and "maketrans" in module_calls
    ):
        found.append("builds case-flip tables next to Keccak (EIP-55)")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=[_rel(p) for p in SOURCES])
def test_no_second_copy_of_an_address_codec(path: Path) -> None:
    findings = codec_findings(path, path.read_text("utf-8"))
    assert not findings, f"{_rel(path)}: " + "; ".join(findings)


# Each tell-tale must fire on the code it is meant to catch, or the test above proves nothing.
_SECOND_COPIES = {
    "named": "def script_to_address(network, script):\n    return None\n",
    "renamed": "def to_eip55(raw):\n    return raw\n",
    "eip55 body": (
        "def _checksum(raw):\n"
        "    digest = keccak256(raw.hex().encode()).hex()\n"
        "    pairs = zip(raw.hex(), digest)\n"
        "    return ''.join(c.upper() if int(d, 16) > 7 else c for c, d in pairs)\n"
    ),
    "eip55 tables": "T = bytes.maketrans(b'0', b'1')\nH = keccak(b'')\n",
    "taptweak": "def out(key):\n    return tagged_hash('TapTweak', key)\n",
    "segwit": "def addr(hrp, h):\n    return encode_segwit(hrp, 0, h)\n",
    "base58": "def addr(v, h):\n    return b58check_encode(bytes([v]) + h)\n",
    "op_return": "def show(data):\n    return 'OP_RETURN ' + data.hex()\n",
    "eth_utils": "from eth_utils.address import to_checksum_address as c\n",
    "web3": "def f(w3, a):\n    return w3.to_checksum_address(a)\n",
}


@pytest.mark.parametrize("source", _SECOND_COPIES.values(), ids=list(_SECOND_COPIES))
def test_each_tell_tale_catches_a_second_copy(source: str) -> None:
    assert codec_findings(ROOT / "wallet" / "example.py", source)


def test_the_homes_themselves_pass() -> None:
    for home in set(HOMES.values()):
        path = ROOT / home
        assert not codec_findings(path, path.read_text("utf-8")), home


def _product_modules() -> list[ModuleType]:
    # gui/ is left to the static check: importing it needs Qt.
    names = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("keystore", "chains", "wallet", "primitives")
        for p in (ROOT / package).rglob("*.py")
    )
    return [importlib.import_module(name) for name in names]


def test_every_module_holds_the_one_copy_of_what_it_names() -> None:
    homes = {
        name: getattr(importlib.import_module(home[:-3].replace("/", ".")), name)
        for name, home in HOMES.items()
    }
    for module in _product_modules():
        for name, original in homes.items():
            if hasattr(module, name):
                assert getattr(module, name) is original, f"{module.__name__}.{name}"


# -- behaviour: the wallet and the signer render the same text ---------------------------------

BIP341 = json.loads((VECTORS / "bip341.json").read_text("utf-8"))["vectors"]["scriptPubKey"]
ACCOUNTS = json.loads((VECTORS / "bip44_49_84_86.json").read_text("utf-8"))
EIP55 = json.loads((VECTORS / "eip55.json").read_text("utf-8"))
ANVIL = json.loads((VECTORS / "anvil_accounts.json").read_text("utf-8"))
KINDS = {
    "p2wpkh": ScriptKind.P2WPKH,
    "p2sh-p2wpkh": ScriptKind.P2SH_P2WPKH,
    "p2pkh": ScriptKind.P2PKH,
    "p2tr": ScriptKind.P2TR,
}


def _root(mnemonic: str) -> ExtendedPrivateKey:
    return ExtendedPrivateKey.from_seed(parse_mnemonic(mnemonic).to_seed().reveal())


def _bitcoin() -> RegistryUtxoNetwork:
    network = get_network("bitcoin")
    assert isinstance(network, RegistryUtxoNetwork)
    return network


def _signer_shows(scripts: list[bytes], change: bytes | None = None) -> list[str]:
    """Return the addresses the signer's review shows for a PSBT paying ``scripts``.

    One BIP-84 coin of the vector mnemonic's account pays them (and ``change``, proven as
    change by the account key), as an online wallet would ask.
    """
    root = _root(ACCOUNTS["mnemonic"])
    account = (84 + HARDENED, HARDENED, HARDENED)
    xpub = root.derive_path(account).public()
    pubkey = xpub.child(0).child(0).public_key
    spent = TxOut(10_000_000, p2wpkh_script(hash160(pubkey)))
    funding = Transaction(2, (TxIn(OutPoint(b"\x42" * 32, 0)),), (spent,), 0)
    payments = [TxOut(1_000 + i, script) for i, script in enumerate(scripts)]
    if change is not None:
        payments.append(TxOut(5_000, change))
    tx = Transaction(2, (TxIn(funding.outpoint(0), b"", 0xFFFFFFFD),), tuple(payments), 0)
    psbt = Psbt.from_unsigned_tx(tx)
    source = KeySource(root.fingerprint, (*account, 0, 0))
    inp: PsbtInput = replace(
        psbt.inputs[0],
        non_witness_utxo=funding,
        witness_utxo=spent,
        bip32_derivations={pubkey: source},
    )
    outputs = list(psbt.outputs)
    if change is not None:
        change_key = xpub.child(1).child(0).public_key
        change_source = KeySource(root.fingerprint, (*account, 1, 0))
        outputs[-1] = replace(outputs[-1], bip32_derivations={change_key: change_source})
    psbt = replace(psbt, inputs=(inp,), outputs=tuple(outputs))
    ctx = SigningContext(utxo_params(_bitcoin()), account)
    summary = review_psbt(psbt, root.fingerprint, xpub, ctx).summary
    return [o.address for o in summary.outputs]


def test_bip341_outputs_read_the_same_in_the_wallet_and_the_signer() -> None:
    network = _bitcoin()
    params: UtxoParams = utxo_params(network)
    scripts = [bytes.fromhex(v["expected"]["scriptPubKey"]) for v in BIP341]
    expected = [v["expected"]["bip350Address"] for v in BIP341]
    assert _signer_shows(scripts) == expected
    assert [output_address(network, s) for s in scripts] == expected
    assert [summary_address(s, params) for s in scripts] == expected


@pytest.mark.parametrize(
    "vector",
    [v for v in BIP341 if v["given"]["scriptTree"] is None],
    ids=lambda v: v["given"]["internalPubkey"][:8],
)
def test_bip341_key_path_address_is_the_same_from_the_key(
    vector: dict[str, dict[str, str]],
) -> None:
    # The wallet derives a BIP-86 address from a full public key; the x-only internal key of
    # the vector is the even-y point's x coordinate.
    internal = bytes.fromhex(vector["given"]["internalPubkey"])
    script = bytes.fromhex(vector["expected"]["scriptPubKey"])
    ((address, derived),) = encode_outputs(_bitcoin(), ScriptKind.P2TR, [b"\x02" + internal])
    assert (address, derived) == (vector["expected"]["bip350Address"], script)
    assert p2tr_script(taproot_output_key(internal)) == script


@pytest.mark.parametrize("vector", ACCOUNTS["vectors"], ids=lambda v: v["kind"])
def test_account_addresses_read_the_same_in_the_wallet_and_the_signer(
    vector: dict[str, str],
) -> None:
    network = _bitcoin()
    kind = KINDS[vector["kind"]]
    root = _root(ACCOUNTS["mnemonic"])
    account = root.derive_path((vector["bip"] + HARDENED, HARDENED, HARDENED)).public()
    receive = derive_addresses(network, account, kind, 0, 0, 2)
    (change,) = derive_addresses(network, account, kind, 1, 0, 1)
    assert receive[0] == vector["receive0"]
    assert change == vector["change0"]
    pubkeys = [account.child(0).child(i).public_key for i in range(2)]
    scripts = [script for _, script in encode_outputs(network, kind, pubkeys)]
    assert _signer_shows(scripts) == receive


def test_account_script_kinds_are_the_key_script_kinds() -> None:
    # chains and the signer reach key_script through the kind's value: the sets must agree.
    values = {kind.value for kind in KeyScriptKind}
    assert {kind.value for kind in ScriptKind} == values
    assert values <= {kind.value for kind in SpendKind}


def test_change_reads_the_same_in_the_wallet_and_the_signer() -> None:
    network = _bitcoin()
    vector = next(v for v in ACCOUNTS["vectors"] if v["kind"] == "p2wpkh")
    root = _root(ACCOUNTS["mnemonic"])
    account = root.derive_path((84 + HARDENED, HARDENED, HARDENED)).public()
    ((change, script),) = encode_outputs(
        network, ScriptKind.P2WPKH, [account.child(1).child(0).public_key]
    )
    recipient = p2wpkh_script(bytes(20))
    shown = _signer_shows([recipient], change=script)
    assert shown == [output_address(network, recipient), change]
    assert change == vector["change0"]


EVM = EvmParams("evm-local", "Local EVM", "ETH", 31337)
_EIP55_CASES = EIP55["normal"] + EIP55["all_caps"] + EIP55["all_lower"]


@pytest.mark.parametrize("address", _EIP55_CASES)
def test_eip55_addresses_read_the_same_in_the_wallet_and_the_signer(address: str) -> None:
    shown_by_wallet = parse_evm_address(address.lower())
    if address in EIP55["normal"]:
        assert shown_by_wallet == address
    sender = ANVIL["accounts"][0]
    native = EvmTxRequest(31337, 0, address.lower(), 1, b"", 21_000, gas_price=1)
    assert summarize(native, EVM, sender).outputs[0].address == shown_by_wallet
    # The signer decodes an ERC-20 transfer's recipient from the call data itself.
    call = bytes.fromhex("a9059cbb") + bytes(12) + bytes.fromhex(address[2:]) + (5).to_bytes(32)
    token = EvmTxRequest(31337, 0, sender, 0, call, 60_000, gas_price=1)
    (transfer,) = summarize(token, EVM, sender).outputs
    assert transfer.address == shown_by_wallet


def test_evm_accounts_read_the_same_in_the_wallet_and_the_signer() -> None:
    root = _root(ANVIL["mnemonic"])
    path = (44 + HARDENED, 60 + HARDENED, HARDENED, 0)
    wallet_shows = derive_addresses(
        get_network("evm-local"), root.derive_path(path).public(), None, 0, 0, 3
    )
    assert wallet_shows == ANVIL["accounts"][:3]
    for index, address in enumerate(wallet_shows):
        ctx = SigningContext(EVM, (*path, index))
        key = root.derive_path((*path, index)).private_key
        tx = EvmTxRequest(31337, 0, ANVIL["accounts"][9], 1, b"", 21_000, gas_price=1)
        assert sign_evm_with_key(key, tx, ctx).sender == address
