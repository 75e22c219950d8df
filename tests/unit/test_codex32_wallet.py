"""codex32 backups through the wallet API: split a wallet's seed, restore a wallet from shares."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from keystore.keystore import Keystore
from keystore.mnemonic import parse_mnemonic
from tests.conftest import ABANDON, CANARY, PASSWORD
from wallet import Codex32Backup, Wallet, codex32_seed, codex32_worksheet
from wallet.errors import InvalidBackup, NoRecoveryWords, WrongPassword

NETWORKS = ("bitcoin", "litecoin", "dogecoin", "ethereum")
VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bip93.json").read_text())


def first_addresses(wallet: Wallet) -> dict[str, list[str]]:
    return {
        net: [a.address for a in wallet.account(net).addresses(3 if net != "ethereum" else 1)]
        for net in NETWORKS
    }


def test_bip39_wallet_splits_its_64_byte_seed_and_shares_restore_the_same_addresses(
    abandon_wallet: Wallet, tmp_path: Path
) -> None:
    backup = abandon_wallet.reveal_codex32_backup(PASSWORD, 3, 5, "ACDE")
    assert isinstance(backup, Codex32Backup)
    assert (backup.threshold, backup.identifier, backup.seed_bytes) == (3, "ACDE", 64)
    assert len(backup.shares) == 5
    assert all(len(s) == 127 and s.startswith("MS13ACDE") for s in backup.shares)  # long form
    seed = codex32_seed([backup.shares[4], backup.shares[0], backup.shares[2]])
    assert seed == Keystore(parse_mnemonic(ABANDON)).reveal_seed_unsafe().reveal()
    with Wallet.restore_from_seed(tmp_path / "restored.coffer", PASSWORD, seed) as restored:
        assert restored.fingerprint == abandon_wallet.fingerprint
        assert first_addresses(restored) == first_addresses(abandon_wallet)


def test_a_seed_wallet_reopens_from_its_file_and_has_no_words(tmp_path: Path) -> None:
    vector = VECTORS["share_sets"][0]
    seed = codex32_seed(vector["shares"])
    assert seed.hex() == vector["seed"]
    path = tmp_path / "seed.coffer"
    with Wallet.restore_from_seed(path, PASSWORD, seed, accounts=NETWORKS) as made:
        expected = first_addresses(made)
        fingerprint = made.fingerprint
    assert seed not in path.read_bytes()
    with Wallet.open(path, PASSWORD) as wallet:
        assert wallet.fingerprint == fingerprint
        assert first_addresses(wallet) == expected
        with pytest.raises(NoRecoveryWords, match="no recovery words"):
            wallet.reveal_mnemonic(PASSWORD)
        again = wallet.reveal_codex32_backup(PASSWORD, 2, 2)
        assert again.seed_bytes == 16
        assert len(again.shares[0]) == 48  # the short form
        assert codex32_seed(list(again.shares)) == seed


def test_reveal_checks_the_password_and_the_parameters(abandon_wallet: Wallet) -> None:
    with pytest.raises(WrongPassword):
        abandon_wallet.reveal_codex32_backup("not the password", 2, 3)
    with pytest.raises(InvalidBackup, match="threshold"):
        abandon_wallet.reveal_codex32_backup(PASSWORD, 1, 3)
    with pytest.raises(InvalidBackup, match="number of shares"):
        abandon_wallet.reveal_codex32_backup(PASSWORD, 3, 32)
    with pytest.raises(InvalidBackup, match="identifier"):
        abandon_wallet.reveal_codex32_backup(PASSWORD, 2, 3, "oops")


def test_restore_refuses_a_seed_of_the_wrong_size(tmp_path: Path) -> None:
    path = tmp_path / "short.coffer"
    with pytest.raises(InvalidBackup, match="16 to 64 bytes"):
        Wallet.restore_from_seed(path, PASSWORD, bytes(15))
    assert not path.exists()


def test_bad_shares_get_one_clear_reason() -> None:
    a, c = VECTORS["share_sets"][0]["shares"]
    damaged = a[:12] + ("Q" if a[12] != "Q" else "P") + a[13:]
    with pytest.raises(
        InvalidBackup, match=r"Share 1: The checksum fails; changing character 13 \(group 4\)"
    ) as caught:
        codex32_seed([damaged, c])
    assert caught.value.correction == a
    assert a not in str(caught.value)
    with pytest.raises(InvalidBackup, match="needs 2 shares; 1 was given"):
        codex32_seed([a])
    with pytest.raises(InvalidBackup, match="given twice"):
        codex32_seed([a, a.lower()])
    other_set = VECTORS["share_sets"][1]["shares"][1]
    with pytest.raises(InvalidBackup, match="from set CASH"):
        codex32_seed([a, other_set])


def test_worksheet_explains_the_header_and_groups_by_four() -> None:
    backup = Codex32Backup(2, "NAME", 16, tuple(VECTORS["share_sets"][0]["shares"]))
    sheet = codex32_worksheet(backup)
    assert "set NAME, any 2 of these 2 shares restore it" in sheet
    assert "Share 1 of 2" in sheet
    assert "Share 2 of 2" in sheet
    assert "threshold: 2 shares restore the seed" in sheet
    assert "NAME  identifier of this set" in sheet
    assert "   1: MS12 NAME A320 ZYXW VUTS RQPN" in sheet
    assert "   2: MLKJ HGFE DCAX RPP8 70HK KQRM" in sheet


def test_shares_and_seed_never_leak(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with Wallet.create(tmp_path / "canary.coffer", PASSWORD, CANARY) as wallet:
        backup = wallet.reveal_codex32_backup(PASSWORD, 2, 3, "leak")
        seed = wallet._unsealed().reveal_seed_unsafe()
        texts += [repr(backup), repr(seed), str(seed)]
    damaged = [
        share[:20] + ("Q" if share[20] != "Q" else "P") + share[21:] for share in backup.shares
    ]
    for bad in ([damaged[0], backup.shares[1]], [backup.shares[0]], [backup.shares[1]] * 2):
        with pytest.raises(InvalidBackup) as info:
            codex32_seed(bad)
        texts += [str(info.value), repr(info.value), repr(info.value.args)]
    restored_path = tmp_path / "restored.coffer"
    with Wallet.restore_from_seed(restored_path, PASSWORD, seed.reveal()) as restored:
        texts.append(repr(restored))
    texts += [record.getMessage() for record in caplog.records]
    blob = "\n".join(texts)
    raw = restored_path.read_bytes()
    for share in backup.shares:
        for piece in (share, share.lower(), share[8:40], share[40:90]):
            assert piece not in blob
            assert piece.encode() not in raw
    assert seed.reveal().hex() not in blob
    assert seed.reveal() not in raw
