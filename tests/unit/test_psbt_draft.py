"""``Wallet.draft_of_psbt``: a watch-only wallet reads back the PSBT it exported, finishes it.

On the embedded Bitcoin regtest devnet: the seed's wallet exports its account, a watch-only
wallet imports it, prepares a payment, reads its PSBT back as a draft (its own summary), and
finalises and broadcasts what the seed's wallet signed.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import HardwareWallet, UtxoAccount, Wallet, hardware_wallets
from wallet.errors import HardwareUnavailable, InvalidPsbt, NothingToSign, SigningRefused

NET = "bitcoin-regtest"
OTHER_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow"


def test_a_watch_only_wallet_reads_back_and_finishes_its_psbt(tmp_path: Path) -> None:
    hot = Wallet.create(tmp_path / "seed.coffer", PASSWORD, ABANDON)
    export = hot.export_account(NET)
    to = hot.account(NET).addresses(1, 12)[0].address
    with Wallet.create_watch_only(tmp_path / "w.coffer", PASSWORD, imports=[(NET, export)]) as w:
        account = w.account(NET)
        assert isinstance(account, UtxoAccount)
        w.devnet(NET).fund(account.new_receive_address().address, Decimal(1))
        w.sync_each(NET)
        draft = account.prepare_send(to, Decimal("0.2"), fee_rate=2)
        found, again = w.draft_of_psbt(draft.psbt_base64)
        assert found.id == account.id
        assert again.summary == draft.summary
        assert [o.is_change for o in again.summary.outputs].count(True) == 1
        with pytest.raises(InvalidPsbt):
            w.draft_of_psbt(b"not a psbt")
        # A signed PSBT of another draft is refused against this one.
        other = account.prepare_send(to, Decimal("0.3"), fee_rate=2)
        with pytest.raises(SigningRefused):
            account.import_signed(again, hot.sign_psbt(other.psbt))
        signed = account.import_signed(again, hot.sign_psbt(draft.psbt))
        txid = account.broadcast(signed)
        assert txid == signed.txid
    hot.close()


def test_a_psbt_of_another_wallet_names_nothing_to_sign(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "other.coffer", PASSWORD, OTHER_SEED) as other:
        acct = other.account(NET)
        other.devnet(NET).fund(acct.new_receive_address().address, Decimal(1))
        other.sync_each(NET)
        foreign = acct.prepare_send(acct.addresses(1, 3)[0].address, Decimal("0.1"), fee_rate=2)
        psbt = foreign.psbt
    with Wallet.create(tmp_path / "mine.coffer", PASSWORD, ABANDON) as w:
        w.account(NET)
        with pytest.raises(NothingToSign):
            w.draft_of_psbt(psbt)


def test_hardware_wallets_are_listed_or_the_reason_is_said() -> None:
    reason = ""
    found: list[HardwareWallet] = []
    try:
        found = hardware_wallets()
    except HardwareUnavailable as err:  # HWI missing, or no libusb on this machine
        reason = str(err)
    if reason:
        assert "HWI" in reason or "libusb" in reason
    assert all(isinstance(d, HardwareWallet) for d in found)  # none are plugged in here
