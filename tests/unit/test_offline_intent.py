"""The offline signer shows what an EVM call does, read with its own ERC-7730 descriptors.

On the embedded EVM chain: a request (EIP-4527) for an ``approve`` on a contract the signer's
token list does not name is shown both ways (token or collection: only a simulation could tell
and the offline signer has none); a call no descriptor reads is said to be blind; the intent
comes from the request, never from anything the host attached.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from keystore.types import MessageRequest, TxSummary
from tests.conftest import ABANDON, PASSWORD
from wallet import EvmAccount, Wallet
from wallet.signing.eth_request import eth_sign_request
from wallet.signing.offline import sign_eth_request

NET = "evm-embedded"
SPENDER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


class Seen:
    def __init__(self) -> None:
        self.calls: list[str | None] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.calls.append(summary.contract_call)
        return True

    def confirm_message(self, request: MessageRequest) -> bool:
        return False


def _sign(w: Wallet, account: EvmAccount, to: str, data: str, blind: bool = False) -> str | None:
    draft = account.prepare_call(to, data)
    if blind:
        draft.accept_risks(blind=True)
    request = eth_sign_request(account, draft)
    seen = Seen()
    answer = sign_eth_request(w.signer(), [a.record for a in w.accounts()], request, prompt=seen)
    assert answer
    assert len(seen.calls) == 1
    return seen.calls[0]


def test_the_offline_signer_shows_the_calls_intent(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        account = w.account(NET)
        assert isinstance(account, EvmAccount)
        w.devnet(NET).fund(account.address, Decimal(1))
        approve = "0x095ea7b3" + SPENDER[2:].lower().rjust(64, "0") + f"{10**8:064x}"
        shown = _sign(w, account, "0x" + "42" * 20, approve)
        assert shown is not None
        assert "intent: either Approve" in shown
        assert "ERC-721" in shown
        assert "cannot tell which" in shown
        blind = _sign(w, account, "0x" + "43" * 20, "0xdeadbeef" + "00" * 32, blind=True)
        assert blind is not None
        assert "intent: blind" in blind
