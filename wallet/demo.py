"""The end-to-end demo of ``make demo``: everything on embedded devnets, no network, no root."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import click

from chains.registry import all_networks
from wallet.wallet import Wallet

__all__ = ["run_demo"]

_DEMO_PASSWORD = "coffer demo password"  # noqa: S105 - a throwaway wallet in a temp folder


def _evm_part(wallet: Wallet, echo: Callable[[str], None]) -> None:
    from wallet.evm.demo import run_evm_demo

    run_evm_demo(wallet, echo).close()


_CHAIN_PARTS: tuple[Callable[[Wallet, Callable[[str], None]], None], ...] = (_evm_part,)
"""Each family's part of the demo on its embedded devnet, run in order on the demo wallet."""


def run_demo(folder: Path | None = None) -> None:
    """Create a wallet in a temporary folder and show one address for every network."""
    with tempfile.TemporaryDirectory(prefix="coffer-demo-") as tmp:
        base = folder or Path(tmp)
        path = base / "demo.coffer"
        click.echo(f"Creating a demo wallet at {path} (Argon2id, 64 MiB, 3 passes)...")
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
        with Wallet.open(path, _DEMO_PASSWORD) as wallet:
            evm = wallet.account("evm-embedded")
            click.echo(
                f"\nReopened: {len(wallet.accounts())} accounts stored, file mode "
                f"{oct(path.stat().st_mode & 0o777)}; the EVM account still shows "
                f"{evm.balance()} and {len(evm.history())} history entries."
            )
