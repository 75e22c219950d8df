"""Token and collectible sends from the send page, on anvil: the asset list offers the
account's ERC-20 balance and its ERC-721 item; each send is reviewed, signed, broadcast and
mined by the node; offscreen.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from chains.evm.abi import encode_call
from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from gui.main_window import MainWindow
from gui.pages.send import SendPage
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode
from wallet import Balance, Collectible, EvmAccount, EvmDraft, Wallet
from wallet.types import TxStatus

FRIEND = "0x" + "5e" * 20
LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)
TICKET = {"name": "Concert ticket"}


@pytest.fixture
def holder(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> Path:
    """A wallet on anvil holding ether, 5 CFT and one ERC-721 ticket."""
    anvil = anvil_factory(31337)
    backend = JsonRpcBackend(LOCAL, [anvil.http_url])
    devnet = AnvilDevnet(backend)
    path = tmp_path / "assets.coffer"
    with Wallet.create(path, PASSWORD) as w:
        w.backends.set_servers("evm-local", [anvil.http_url])
        acct = w.account("evm-local")
        assert isinstance(acct, EvmAccount)
        devnet.fund(acct.address, 10**18)
        erc20 = compile_contract("ERC20").initcode(
            ("string", "string", "uint8"), ("Coffer test token", "CFT", 18)
        )
        token = devnet.deploy_contract(erc20)
        devnet.transact(token, encode_call("mint(address,uint256)", acct.address, 5 * 10**18))
        erc721 = compile_contract("ERC721").initcode(("string", "string"), ("Tickets", "TIX"))
        nft = devnet.deploy_contract(erc721)
        uri = "data:application/json;base64," + base64.b64encode(
            json.dumps(TICKET).encode()
        ).decode("ascii")
        devnet.transact(nft, encode_call("mint(address,uint256,string)", acct.address, 7, uri))
        acct.tokens.add(token)
        acct.sync()
    backend.close()
    return path


def _page(qtbot, path: Path) -> tuple[MainWindow, SendPage]:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    window.nav.setCurrentRow(window.pages.indexOf(window.send_page))
    page = window.send_page
    qtbot.waitUntil(lambda: not page.fees.loading and not page.value.loading, timeout=60_000)
    return window, page


def _choose(page: SendPage, text: str) -> None:
    found = [i for i in range(page.asset.count()) if page.asset.itemText(i) == text]
    assert found, [page.asset.itemText(i) for i in range(page.asset.count())]
    page.asset.setCurrentIndex(found[0])


def _send(qtbot, window: MainWindow, page: SendPage) -> str:  # type: ignore[no-untyped-def]
    page.recipient.setText(FRIEND)
    assert page.recipient_error.text() == ""
    assert page.amount_error.text() == ""
    page.prepare()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 1, timeout=60_000)
    assert isinstance(page.draft, EvmDraft)
    assert FRIEND.lower() in page.review_text.text().lower()
    page.sign_and_send()
    qtbot.waitUntil(lambda: page.steps.currentIndex() == 2, timeout=60_000)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    statuses = {r.txid: r.status for r in window.session.require().history.iter_rows()}
    assert statuses[page.txid] is TxStatus.CONFIRMED  # mined by the node
    return page.txid


@pytest.mark.nodes
def test_token_send_from_the_send_page(qtbot, holder: Path) -> None:  # type: ignore[no-untyped-def]
    window, page = _page(qtbot, holder)
    _choose(page, "CFT (token)")
    asset = page.current_asset()
    assert isinstance(asset, Balance)
    assert asset.token is not None
    assert page.symbol.text() == "CFT"
    assert not page.max.isEnabled()  # max is for the coin (its fee is paid in ether)
    page.amount.setText("6")
    assert page.amount_error.text().startswith("That is more than the balance")
    page.amount.setText("2")
    _send(qtbot, window, page)
    acct = window.session.require().account("evm-local")
    assert isinstance(acct, EvmAccount)
    [cft] = [b for b in acct.token_balances() if b.symbol == "CFT"]
    assert cft.confirmed == 3 * 10**18


@pytest.mark.nodes
def test_collectible_send_from_the_send_page(qtbot, holder: Path) -> None:  # type: ignore[no-untyped-def]
    window, page = _page(qtbot, holder)
    _choose(page, "Concert ticket (collectible)")
    item = page.current_asset()
    assert isinstance(item, Collectible)
    assert item.token_id == 7
    assert page.amount.text() == "1"
    page.amount.setText("2")
    assert page.amount_error.text() == "You hold 1 of this item."
    page.amount.setText("1")
    _send(qtbot, window, page)
    acct = window.session.require().account("evm-local")
    assert isinstance(acct, EvmAccount)
    assert acct.nfts() == []
    assert acct.balance().confirmed < 10**18  # the fees were paid in ether
