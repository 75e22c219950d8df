"""The ``coffer`` command line, built on the public API.

Every command takes ``--wallet PATH`` (or ``COFFER_WALLET``) and ``--json``. The password comes
from a hidden prompt, or from ``COFFER_PASSWORD`` for scripts. Errors print one line and exit
non-zero: 3 for a wrong password, 4 for a missing wallet, 5 for a damaged one, 1 otherwise.

Commands live in modules by concern and are added to the group here, explicitly.
"""

from __future__ import annotations

from wallet.cli import chain, devnet, evm, keys, labels, utxo
from wallet.cli._app import cli

__all__ = ["cli", "main"]

for _command in (
    *keys.COMMANDS,
    *chain.COMMANDS,
    *utxo.COMMANDS,
    *evm.COMMANDS,
    *labels.COMMANDS,
    *devnet.COMMANDS,
):
    cli.add_command(_command)


def main() -> None:
    """Run the ``coffer`` command line."""
    cli(prog_name="coffer")
