"""``coffer unlock`` and ``coffer lock``: keep the wallet unlocked in a background agent."""

from __future__ import annotations

import click

from wallet.agent import DEFAULT_LIFETIME, lock, parse_duration, unlock
from wallet.cli._app import Options, ask_password, emit, errors

__all__ = ["COMMANDS"]


@click.command("unlock")
@click.option(
    "--for",
    "lifetime",
    default=DEFAULT_LIFETIME,
    show_default=True,
    help="How long the wallet stays unlocked: 90s, 15m, 1h, 1h30m (at most 24h).",
)
@click.pass_obj
def unlock_command(opts: Options, lifetime: str) -> None:
    """Keep the wallet unlocked for a while: later commands ask no password."""
    with errors(opts):
        seconds = parse_duration(lifetime)
        info = unlock(opts.wallet, ask_password(), seconds)
    emit(
        opts,
        {"unlocked": True, "seconds": info.seconds_left, "pid": info.pid},
        lambda: click.echo(
            f"{opts.wallet} stays unlocked for {lifetime}; `coffer lock` locks it sooner."
        ),
    )


@click.command("lock")
@click.pass_obj
def lock_command(opts: Options) -> None:
    """Lock the wallet now: its unlock agent forgets the keys and ends."""
    with errors(opts):
        stopped = lock(opts.wallet)
    emit(
        opts,
        {"locked": True, "agent_was_running": stopped},
        lambda: click.echo("Locked." if stopped else "The wallet was not unlocked."),
    )


COMMANDS = (unlock_command, lock_command)
