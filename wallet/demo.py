"""The end-to-end demo of ``make demo``: everything on embedded devnets, no network, no root."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import click

from chains.addresses import parse_address
from chains.registry import all_networks
from chains.utxo.devnet import BitcoinDevnet
from wallet.accounts import UtxoAccount
from wallet.amounts import format_amount
from wallet.demo_evm import run_evm_demo
from wallet.errors import WalletError
from wallet.money.fiat.demo import run_fiat_demo
from wallet.money.prices.sample import sample_portfolio_lines
from wallet.wallet import Wallet

__all__ = ["NEXT_STEPS", "run_demo"]

_DEMO_PASSWORD = "coffer demo password"  # noqa: S105 - a throwaway wallet in a temp folder


def _evm_part(wallet: Wallet, echo: Callable[[str], None]) -> None:
    run_evm_demo(wallet, echo).close()


_DEMO_EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
"""A regtest address outside the demo wallet (the BIP-173 example key hash)."""


def _bitcoin_part(wallet: Wallet, echo: Callable[[str], None]) -> None:
    """Bitcoin on the embedded regtest devnet: mine, sync, send out and to self, mine, sync.

    The devnet (libbitcoinkernel in-process) is the network's default ``embedded`` server,
    its chain kept in the wallet's own folder; its mempool verifies every input.
    """
    account = wallet.account("bitcoin-regtest")
    assert isinstance(account, UtxoAccount)  # noqa: S101 - a UTXO network
    network = account.utxo_network
    devnet = wallet.backends.utxo(network)
    if not isinstance(devnet, BitcoinDevnet):
        raise WalletError("The demo needs the embedded Bitcoin devnet for bitcoin-regtest.")
    echo(f"\nBitcoin on the embedded regtest devnet (libbitcoinkernel), data in {devnet.datadir}:")
    reward_to = parse_address(network, account.receive_address()).script_pubkey
    devnet.mine(1, reward_to)
    devnet.mine(100)  # a block reward can be spent once 100 blocks are on top of it
    account.sync()
    echo(f"  Mined a block to account 0 and 100 more: {account.balance()}")
    self_address = account.receive_address()
    draft = account.prepare_send(
        _DEMO_EXTERNAL, Decimal("1.5"), "normal", recipients=[(self_address, Decimal("0.25"))]
    )
    fee = format_amount(draft.fee, network.decimals, network.symbol)
    echo(
        f"  Draft: 1.5 {network.symbol} out, 0.25 to self, fee {fee} "
        f"({draft.fee_rate.normalize():f} sat/vB, {draft.vsize} vB, {len(draft.inputs)} input, "
        f"{draft.algorithm}), replaceable: {draft.summary.replaceable}"
    )
    signed = wallet.sign(draft)
    txid = account.broadcast(signed)
    echo(f"  Signed, checked by libbitcoinkernel, sent: {txid}")
    echo(f"  Pending: {account.balance()}")
    devnet.mine(1)
    account.sync()
    echo(f"  After a block and a sync: {account.balance()}")
    echo("  History of account 0:")
    for entry in account.history():
        amount = format_amount(entry.amount, entry.decimals, entry.symbol)
        echo(
            f"    {entry.status.value:9} {entry.confirmations:>3} conf  {amount:>16}  {entry.txid}"
        )


_CHAIN_PARTS: tuple[Callable[[Wallet, Callable[[str], None]], None], ...] = (
    _bitcoin_part,
    _evm_part,
)
"""Each family's part of the demo on its embedded devnet, run in order on the demo wallet."""


def run_demo(folder: Path | None = None) -> None:
    """Create a wallet in a temporary folder and show one address for every network."""
    with tempfile.TemporaryDirectory(prefix="coffer-demo-") as tmp:
        base = folder or Path(tmp)
        path = base / "demo.coffer"
        click.echo(
            f"Creating a temporary demo wallet at {path} (Argon2id, 64 MiB, 3 passes); "
            "it is deleted when the demo ends..."
        )
        with Wallet.create(path, _DEMO_PASSWORD) as wallet:
            click.echo(f"Master fingerprint: {wallet.fingerprint}\n")
            for network in all_networks():
                account = wallet.account(network.name)
                click.echo(
                    f"  {network.name:18} {account.kind:12} {account.path or '':18} "
                    f"{account.receive_address()}"
                )
            for part in _CHAIN_PARTS:
                part(wallet, click.echo)
            run_fiat_demo(wallet.fiat, click.echo)
        with Wallet.open(path, _DEMO_PASSWORD) as wallet:
            evm = wallet.account("evm-embedded")
            click.echo(
                f"\nReopened: {len(wallet.accounts())} accounts stored, file mode "
                f"{oct(path.stat().st_mode & 0o777)}; the EVM account still shows "
                f"{evm.balance()} and {len(evm.history())} history entries."
            )
            btc = wallet.account("bitcoin-regtest")
            click.echo(
                f"The Bitcoin regtest account still shows {btc.balance()} and "
                f"{len(btc.history())} history entries."
            )
            click.echo("")
            for line in sample_portfolio_lines(
                wallet.database, wallet.holdings_sources, wallet.prices, "EUR"
            ):
                click.echo(line)
    click.echo(NEXT_STEPS)


NEXT_STEPS = """
The demo wallet was temporary: it and its devnets are deleted now. Next, for your own wallet:
  .venv/bin/coffer create             a new wallet: write down the words it shows
  .venv/bin/coffer receive bitcoin    an address (and its QR code) to receive bitcoin on
  .venv/bin/coffer sync; .venv/bin/coffer balance
More: .venv/bin/coffer --help, and README.md (the Python API and every command)."""
"""What the demo prints last: that its wallet is gone, and what a person does next."""
