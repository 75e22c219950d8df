"""The ``coffer`` command line, built on the public API.

Every command takes ``--wallet PATH`` (or ``COFFER_WALLET``) and ``--json``, before or after
the command's name. The password comes from a hidden prompt, or from ``COFFER_PASSWORD`` for
scripts. Errors print one line and exit non-zero: 1 refused, 2 a mistyped command or value, 3 a
wrong password, 4 a missing wallet, 5 a damaged one, 6 in use elsewhere, 130 interrupted
(``EXIT_CODES_HELP``). While ``coffer unlock`` keeps a wallet unlocked, commands take its keys
from the agent.

Commands live in modules by concern and are added to the group here, explicitly.
"""

from __future__ import annotations

from wallet.cli import (
    agent,
    backup,
    chain,
    devnet,
    evm,
    fiat,
    fiat_items,
    keys,
    labels,
    messages,
    money,
    musig,
    onramp,
    policy,
    psbt,
    qr,
    receive,
    requests,
    signer,
    tax,
    utxo,
)
from wallet.cli._app import Devices, cli

__all__ = ["Devices", "cli", "main"]

for _command in (
    *keys.COMMANDS,
    *chain.COMMANDS,
    *utxo.COMMANDS,
    *evm.COMMANDS,
    *labels.COMMANDS,
    *receive.COMMANDS,
    *agent.COMMANDS,
    *devnet.COMMANDS,
    *fiat.COMMANDS,
    *fiat_items.COMMANDS,
    *money.COMMANDS,
    *psbt.COMMANDS,
    *signer.COMMANDS,
    *messages.COMMANDS,
    *qr.COMMANDS,
    *requests.COMMANDS,
    *tax.COMMANDS,
    *onramp.COMMANDS,
    *backup.COMMANDS,
    *musig.COMMANDS,
    *policy.COMMANDS,
):
    cli.add_command(_command)


def main() -> None:
    """Run the ``coffer`` command line."""
    cli(prog_name="coffer")
