"""Policy accounts without a node: creation and its refusals, scripts, PSBT fields, signing.

The node-backed spends are in ``tests/integration/test_multisig_litecoind.py``; here the
wallets, descriptors and PSBTs are built in process and the signer's refusals are checked on
PSBTs tampered in exactly one place.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from keystore.bip32 import ExtendedPrivateKey
from keystore.errors import KeyMismatch
from keystore.mnemonic import parse_mnemonic
from keystore.signers.base import SigningContext
from keystore.signers.psbt_signer import sign_psbt_with_root
from primitives.descriptors import tapleaf_hash
from primitives.psbt import Psbt
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.conftest import ABANDON, CANARY, PASSWORD, TEST_JUNK
from wallet import UtxoAccount, Wallet
from wallet.cli import cli
from wallet.errors import (
    AccountExists,
    InvalidPolicy,
    PolicyAccount,
    PolicyMismatch,
    PolicyWithoutOwnKey,
)
from wallet.utxo.draft import utxo_params
from wallet.utxo.policy_scripts import PolicyScripts

NET = "litecoin-regtest"
SEEDS = (ABANDON, TEST_JUNK, CANARY)


@pytest.fixture(scope="module")
def wallets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Wallet]]:
    folder = tmp_path_factory.mktemp("policy")
    made = [
        Wallet.create(folder / f"w{n}.coffer", PASSWORD, mnemonic=words)
        for n, words in enumerate(SEEDS)
    ]
    yield made
    for w in made:
        w.close()


@pytest.fixture(scope="module")
def keys(wallets: list[Wallet]) -> list[str]:
    return [w.custody.cosigner_key(NET) for w in wallets]


@pytest.fixture(scope="module")
def tr_keys(wallets: list[Wallet]) -> list[str]:
    return [w.custody.cosigner_key(NET, script="tr") for w in wallets]


def _multisig(wallets: list[Wallet], keys: list[str], script: str = "wsh") -> UtxoAccount:
    found = [
        a
        for a in wallets[0].accounts(NET)
        if isinstance(a, UtxoAccount) and a.is_policy and a.label == script
    ]
    if found:
        return found[0]
    return wallets[0].custody.create_multisig(NET, 2, keys, script=script, label=script)


def _root(words: str) -> ExtendedPrivateKey:
    return ExtendedPrivateKey.from_seed(parse_mnemonic(words).to_seed().reveal())


# -- creation -------------------------------------------------------------------------------


def test_cosigner_key_is_bip48(wallets: list[Wallet], keys: list[str], tr_keys: list[str]) -> None:
    fp = wallets[0].fingerprint
    assert keys[0].startswith(f"[{fp}/48h/1h/0h/2h]tpub")
    assert tr_keys[0].startswith(f"[{fp}/48h/1h/0h/3h]tpub")
    assert wallets[0].custody.cosigner_key(NET, 1).startswith(f"[{fp}/48h/1h/1h/2h]")


def test_every_cosigner_gets_the_same_policy(wallets: list[Wallet], keys: list[str]) -> None:
    texts = set()
    for n, w in enumerate(wallets):
        order = keys[n:] + keys[:n]  # the order cosigners are listed in does not matter
        account = _multisig([w], order)
        texts.add(account.descriptor())
        own = [k.fingerprint for k in account.policy().keys if k.is_own]
        assert own == [w.fingerprint]
    assert len(texts) == 1
    account = _multisig(wallets, keys)
    view = account.policy()
    assert view.kind == "2-of-3 multisig (wsh sortedmulti)"
    assert view.threshold == 2
    assert sum(k.is_own for k in view.keys) == 1
    assert view.spending_paths[0].startswith("2 of ")
    with pytest.raises(PolicyAccount):
        _ = account.script_kind
    with pytest.raises(PolicyAccount):
        _ = account.account_xpub


def test_cosigner_exports_in_other_forms(wallets: list[Wallet], keys: list[str]) -> None:
    fp, path_and_key = keys[1][1:9], keys[1].split("]")[0][10:]
    xpub = keys[1].split("]")[1]
    coldcard_json = (
        f'{{"xfp": "{fp.upper()}", "p2wsh_deriv": "m/{path_and_key.replace("h", chr(39))}", '
        f'"p2wsh": "{xpub}"}}'
    )
    descriptor = f"wsh({keys[1]}/0/*)"
    for form in (coldcard_json, descriptor):
        with pytest.raises(AccountExists):  # the same policy as the one made from keys
            wallets[0].custody.create_multisig(NET, 2, [keys[0], form, keys[2]])
        _multisig(wallets, keys)


def test_coldcard_file_and_bip388_round_trip(
    wallets: list[Wallet], keys: list[str], tmp_path: Path
) -> None:
    account = _multisig(wallets, keys)
    coldcard = account.policy_export("coldcard")
    assert "Policy: 2 of 3" in coldcard
    assert "Format: P2WSH" in coldcard
    bip388 = account.policy_export("bip388")
    with Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD) as watch:
        from_file = watch.custody.create_policy_account(NET, coldcard)
        assert from_file.descriptor() == account.descriptor()
        with pytest.raises(AccountExists):
            watch.custody.create_policy_account(NET, bip388)
        from_file.check_policy_file(bip388)
        from_file.check_policy_file(account.descriptor())
        other = wallets[0].custody.create_multisig(NET, 1, keys, label="1-of-3")
        with pytest.raises(PolicyMismatch):
            from_file.check_policy_file(other.policy_export("coldcard"))


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda d: d[:-1] + ("q" if d[-1] != "q" else "p"), "checksum"),
        (lambda d: d.split("#")[0].replace("48h/1h", "48h/2h"), "coin type"),
    ],
    ids=["bad-checksum", "other-coin-type"],
)
def test_refusals_of_the_descriptor(
    wallets: list[Wallet], keys: list[str], make: object, words: str
) -> None:
    text = _multisig(wallets, keys).descriptor()
    assert callable(make)
    with pytest.raises(InvalidPolicy) as err:
        wallets[0].custody.create_policy_account(NET, make(text))
    assert words in str(err.value).lower()
    assert "coin type 2" in str(err.value) or words != "coin type"


def test_a_key_of_another_network_is_refused(wallets: list[Wallet], keys: list[str]) -> None:
    mainnet = wallets[1].custody.cosigner_key("litecoin")
    assert "]Ltub" in mainnet or "]xpub" in mainnet
    with pytest.raises(InvalidPolicy, match="not a Litecoin regtest key"):
        wallets[0].custody.create_multisig(NET, 2, [keys[0], mainnet, keys[2]])


@pytest.mark.parametrize(
    ("fragment", "words"),
    [
        ("or_d(sha256(" + "00" * 32 + "),pk(@0))", "malleable"),
        ("or_i(and_b(after(1),a:after(1000000000)),pk(@0))", "height and a time lock"),
        ("and_v(v:pk(@0),pk(@0))", "twice"),
    ],
    ids=["malleable", "timelock-mix", "duplicate-key"],
)
def test_insane_miniscript_is_refused(
    wallets: list[Wallet], keys: list[str], fragment: str, words: str
) -> None:
    text = "wsh(" + fragment.replace("@0", keys[0] + "/<0;1>/*") + ")"
    with pytest.raises(InvalidPolicy, match=words):
        wallets[0].custody.create_policy_account(NET, text)


def test_threshold_and_cosigner_refusals(wallets: list[Wallet], keys: list[str]) -> None:
    with pytest.raises(InvalidPolicy, match="threshold"):
        wallets[0].custody.create_multisig(NET, 4, keys)
    with pytest.raises(InvalidPolicy, match="threshold"):
        wallets[0].custody.create_multisig(NET, 0, keys)
    with pytest.raises(InvalidPolicy, match="twice"):
        wallets[0].custody.create_multisig(NET, 2, [keys[0], keys[0], keys[1]])
    with pytest.raises(PolicyWithoutOwnKey):
        wallets[0].custody.create_multisig(NET, 2, keys[1:])
    with pytest.raises(InvalidPolicy):
        wallets[0].custody.create_multisig(NET, 2, [*keys, "not a key"])


def test_a_miniscript_recovery_policy_is_an_account(wallets: list[Wallet], keys: list[str]) -> None:
    own, heir = keys[0] + "/<0;1>/*", keys[1] + "/<0;1>/*"
    account = wallets[0].custody.create_policy_account(
        NET, f"wsh(or_d(pk({own}),and_v(v:pkh({heir}),older(4032))))", "recovery"
    )
    paths = account.policy().spending_paths
    assert paths[0].startswith("this wallet")
    assert "after 4032 blocks (about 7 days)" in paths[1]  # Litecoin: 150 s per block
    assert account.addresses(1)[0].address.startswith("rltc1q")


# -- scripts and PSBT fields ----------------------------------------------------------------


def test_input_and_output_fields_name_every_key(wallets: list[Wallet], keys: list[str]) -> None:
    scripts = _multisig(wallets, keys).context.scripts
    assert isinstance(scripts, PolicyScripts)
    derived = scripts.derived(0, 5)
    prev = Transaction(2, (TxIn(OutPoint(b"\x01" * 32, 0), b"", 0),), (TxOut(1000, b"\x51"),))
    fields = scripts.input_fields(0, 5, prev, TxOut(1000, derived.script_pubkey))
    assert fields["witness_script"] == derived.witness_script
    assert fields["non_witness_utxo"] == prev
    fps = {s.fingerprint.hex() for s in fields["bip32_derivations"].values()}
    assert fps == {w.fingerprint for w in wallets}
    assert all(s.path[-2:] == (0, 5) for s in fields["bip32_derivations"].values())
    out = scripts.output_fields(1, 3)
    assert out["witness_script"] == scripts.derived(1, 3).witness_script
    assert len(out["bip32_derivations"]) == 3


def test_taproot_fields_carry_the_leaf(wallets: list[Wallet], tr_keys: list[str]) -> None:
    account = _multisig(wallets, tr_keys, "tr")
    scripts = account.context.scripts
    assert isinstance(scripts, PolicyScripts)
    derived = scripts.derived(0, 0)
    assert derived.taproot is not None
    (leaf,) = derived.taproot.leaves
    prev = Transaction(2, (TxIn(OutPoint(b"\x01" * 32, 0), b"", 0),), (TxOut(1000, b"\x51"),))
    fields = scripts.input_fields(0, 0, prev, TxOut(1000, derived.script_pubkey))
    assert fields["tap_merkle_root"] == tapleaf_hash(leaf.script)
    assert fields["tap_leaf_scripts"][leaf.control_block].script == leaf.script
    sources = fields["tap_bip32_derivations"]
    assert len(sources) == 3
    assert all(s.leaf_hashes == (leaf.leaf_hash,) for s in sources.values())
    assert "non_witness_utxo" not in fields
    out = scripts.output_fields(1, 0)
    change_tap = scripts.derived(1, 0).taproot
    assert change_tap is not None
    assert out["tap_tree"][0].script == change_tap.leaves[0].script


def test_spend_size_covers_the_largest_witness(
    wallets: list[Wallet], keys: list[str], tr_keys: list[str]
) -> None:
    wsh = _multisig(wallets, keys).context.scripts.spend_size
    # outpoint and sequence and empty scriptSig (41 bytes, 4 WU each), then the witness:
    # count, the CHECKMULTISIG dummy, two 73-byte signatures, the 105-byte script.
    assert wsh.weight >= 4 * 41 + 1 + 1 + 2 * (1 + 72) + (1 + 105)
    tr = _multisig(wallets, tr_keys, "tr").context.scripts.spend_size
    # count, two 64-byte signatures and an empty push, the leaf (3 keys), the control block
    assert tr.weight >= 4 * 41 + 1 + 2 * (1 + 64) + 1 + (1 + 3 * 34 + 2) + (1 + 33)


# -- the signer -----------------------------------------------------------------------------


def _psbt(scripts: PolicyScripts, change_script: bytes | None = None) -> Psbt:
    derived = scripts.derived(0, 2)
    prev = Transaction(
        2, (TxIn(OutPoint(b"\x02" * 32, 0), b"", 0),), (TxOut(100_000, derived.script_pubkey),)
    )
    change = scripts.derived(1, 0).script_pubkey if change_script is None else change_script
    tx = Transaction(
        2,
        (TxIn(OutPoint(bytes.fromhex(prev.txid)[::-1], 0), b"", 0xFFFFFFFD),),
        (TxOut(60_000, b"\x00\x14" + b"\x07" * 20), TxOut(39_000, change)),
        0,
    )
    psbt = Psbt.from_unsigned_tx(tx)
    inp = replace(psbt.inputs[0], **scripts.input_fields(0, 2, prev, prev.outputs[0]))
    out = replace(psbt.outputs[1], **scripts.output_fields(1, 0))
    return replace(psbt, inputs=(inp,), outputs=(psbt.outputs[0], out))


def _ctx(account: UtxoAccount) -> SigningContext:
    return SigningContext(utxo_params(account.utxo_network), (), policy=account.descriptor())


def test_signer_signs_and_proves_change(wallets: list[Wallet], keys: list[str]) -> None:
    account = _multisig(wallets, keys)
    scripts = account.context.scripts
    assert isinstance(scripts, PolicyScripts)
    seen = []

    class Prompt:
        def confirm_transaction(self, summary: object) -> bool:
            seen.append(summary)
            return True

        def confirm_message(self, request: object) -> bool:  # pragma: no cover
            return False

    ctx = replace(_ctx(account), prompt=Prompt())  # type: ignore[arg-type]
    signed = Psbt.parse(sign_psbt_with_root(_root(SEEDS[1]), _psbt(scripts).serialize(), ctx))
    assert len(signed.inputs[0].partial_sigs) == 1
    (summary,) = seen
    assert [o.is_change for o in summary.outputs] == [False, True]  # type: ignore[attr-defined]


def test_signer_refuses_a_witness_script_not_the_policys(
    wallets: list[Wallet], keys: list[str]
) -> None:
    account = _multisig(wallets, keys)
    scripts = account.context.scripts
    assert isinstance(scripts, PolicyScripts)
    psbt = _psbt(scripts)
    forged = replace(psbt.inputs[0], witness_script=scripts.derived(0, 3).witness_script)
    psbt = replace(psbt, inputs=(forged,))
    with pytest.raises(KeyMismatch, match="witness script"):
        sign_psbt_with_root(_root(SEEDS[0]), psbt.serialize(), _ctx(account))


def test_change_not_derivable_from_the_policy_is_external(
    wallets: list[Wallet], keys: list[str]
) -> None:
    account = _multisig(wallets, keys)
    scripts = account.context.scripts
    assert isinstance(scripts, PolicyScripts)
    seen = []

    class Prompt:
        def confirm_transaction(self, summary: object) -> bool:
            seen.append(summary)
            return True

        def confirm_message(self, request: object) -> bool:  # pragma: no cover
            return False

    # An output of another policy (the 1-of-3 of the same keys), without origins: external.
    stranger = b"\x00\x20" + b"\x09" * 32
    psbt = _psbt(scripts, stranger)
    plain = replace(psbt.outputs[1], witness_script=None, bip32_derivations={})
    psbt = replace(psbt, outputs=(psbt.outputs[0], plain))
    ctx = replace(_ctx(account), prompt=Prompt())  # type: ignore[arg-type]
    sign_psbt_with_root(_root(SEEDS[0]), psbt.serialize(), ctx)
    assert [o.is_change for o in seen[0].outputs] == [False, False]  # type: ignore[attr-defined]
    # The same output naming the policy's change keys: a swapped address, refused.
    swapped = _psbt(scripts, stranger)
    with pytest.raises(KeyMismatch, match="swapped"):
        sign_psbt_with_root(_root(SEEDS[0]), swapped.serialize(), _ctx(account))


def test_coffer_accounts_lists_a_policy_account_by_its_descriptor(
    tmp_path: Path, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cli.coffer"
    with Wallet.create(path, PASSWORD, mnemonic=ABANDON) as w:
        account = w.custody.create_multisig(NET, 2, keys, label="vault")
        text = account.descriptor()
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    result = CliRunner().invoke(cli, ["--wallet", str(path), "--json", "accounts"])
    assert result.exit_code == 0, result.stderr
    (row,) = [r for r in json.loads(result.stdout) if r["label"] == "vault"]
    assert row["kind"] == "policy"
    assert row["descriptor"] == text
    assert "xpub" not in row
