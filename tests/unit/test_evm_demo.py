"""``make demo``'s EVM part: ETH and a token sent on the embedded chain through the public API."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.conftest import PASSWORD
from wallet import EvmAccount, Wallet
from wallet.cli import cli
from wallet.demo import NEXT_STEPS
from wallet.demo_evm import run_evm_demo


def test_evm_demo_sends_eth_and_a_token(tmp_path: Path) -> None:
    lines: list[str] = []
    with Wallet.create(tmp_path / "demo.coffer", PASSWORD) as wallet:
        chain = run_evm_demo(wallet, lines.append)
        friend = wallet.account("evm-embedded", 1)
        assert isinstance(friend, EvmAccount)
        assert str(friend.balance()) == "1.5 ETH"
        assert [str(b) for b in friend.token_balances()] == ["250 CDT"]
        assert chain.get_balance(friend.address) == 15 * 10**17
        me = wallet.account("evm-embedded", 0)
        assert [e.status.value for e in me.history()] == ["confirmed"] * 4
        chain.close()
    text = "\n".join(lines)
    assert "Sent 1.5 ETH to account 1" in text
    assert "Sent 250 CDT to account 1" in text


def test_coffer_demo_runs() -> None:
    result = CliRunner().invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Sent 250 CDT to account 1" in result.stdout
    assert "the EVM account still shows" in result.stdout
    # Issue 13 item 16: the wallet was temporary, and the last lines say what comes next.
    assert "temporary demo wallet" in result.stdout
    assert result.stdout.rstrip().endswith(NEXT_STEPS.strip().splitlines()[-1])
    assert "coffer create" in result.stdout
    assert "coffer receive bitcoin" in result.stdout
