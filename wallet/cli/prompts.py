"""The questions a new wallet asks: the backup check, the phrase word by word, the password.

On a terminal a person gets help: the words are cleared from the screen before three are
asked back and a wrong one can be typed again; a phrase is typed one word at a time, each
completed from its first letters and checked at once, the checksum at the end. Piped input
(a script) is read as plain lines, with no prompt decoration and no terminal tricks.
"""

from __future__ import annotations

import os
import secrets
import sys

import click

from wallet.cli._app import ask_password
from wallet.errors import InvalidMnemonic, WalletError, WeakPassword
from wallet.mnemonics import complete_mnemonic_word, validate_mnemonic
from wallet.passwords import check_new_password

__all__ = ["BACKUP_TRIES", "ask_new_password", "ask_phrase", "check_backup"]

BACKUP_TRIES = 3
"""How many times each backup word may be typed before ``create`` gives up."""

_CLEAR = "\x1b[H\x1b[2J\x1b[3J"  # home, clear the screen, clear the scrollback (xterm)
_PHRASE_LENGTHS = ("12", "15", "18", "21", "24")


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def check_backup(words: list[str]) -> None:
    """Show the words, clear them (on a terminal), then ask three back, each with retries.

    Raises:
        WalletError: a word was wrong ``BACKUP_TRIES`` times; no wallet was created.
    """
    click.echo("\nWrite these words down, in order. They are shown once.\n", err=True)
    for i, word in enumerate(words, start=1):
        click.echo(f"  {i:2d}. {word}", err=True)
    click.echo("", err=True)
    if _interactive():
        click.prompt(
            "Press Enter once they are written down", default="", show_default=False, err=True
        )
        click.echo(_CLEAR, err=True, nl=False)
    rng = secrets.SystemRandom()
    positions = sorted(rng.sample(range(1, len(words) + 1), 3))
    click.echo("To check your backup, type the words at three positions.", err=True)
    for position in positions:
        for tries_left in range(BACKUP_TRIES - 1, -1, -1):
            answer = str(click.prompt(f"Word #{position}", err=True)).strip().lower()
            if answer == words[position - 1]:
                break
            if tries_left:
                click.echo(
                    f"That is not word #{position}; look at your backup and try again "
                    f"({tries_left} {'tries' if tries_left > 1 else 'try'} left).",
                    err=True,
                )
        else:
            raise WalletError(
                f"Word #{position} was wrong {BACKUP_TRIES} times; no wallet was created."
            )


def ask_new_password(prompt: str = "New wallet password", env: str = "COFFER_PASSWORD") -> str:
    """Return a new password of at least 8 characters; warn when it is easy to guess.

    From ``env`` a short password is refused at once. At a prompt it is checked before it is
    asked again for confirmation; at a terminal a refused or mistyped one is asked anew.

    Raises:
        WeakPassword: a short password from the environment or from piped input.
        WalletError: the confirmation differs (piped input).
    """
    if os.environ.get(env):
        password = ask_password(prompt, env=env)
        _warn(check_new_password(password))
        return password
    while True:
        password = ask_password(prompt, env=env)
        try:
            warnings = check_new_password(password)
        except WeakPassword as err:
            if not _interactive():
                raise
            click.echo(f"error: {err}", err=True)
            continue
        if ask_password("Repeat for confirmation", env=env) != password:
            if not _interactive():
                raise WalletError("The two passwords differ.")
            click.echo("error: The two passwords differ; try again.", err=True)
            continue
        _warn(warnings)
        return password


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)


def _ask_word(position: int, language: str) -> str:
    """Ask one word at a hidden prompt until it names one word of the list."""
    while True:
        typed = str(click.prompt(f"Word {position}", hide_input=True, err=True)).strip().lower()
        found = complete_mnemonic_word(typed, language)
        if typed in found or len(found) == 1:
            word = typed if typed in found else found[0]
            click.echo(f"  word {position}: ok ({len(word)} letters)", err=True)
            return word
        if not found:
            click.echo("No word of the list starts with what you typed; try again.", err=True)
        else:
            click.echo(f"{len(found)} words start so; type more letters.", err=True)


def ask_phrase(language: str = "english") -> str:
    """Return a recovery phrase: piped in as one line, or typed word by word at a terminal.

    At a terminal each word is completed from its first letters (four always suffice) and
    checked against the word list as it is typed; the checksum is checked at the end.

    Raises:
        InvalidMnemonic: the phrase is refused (an unknown word, the checksum, the count).
        WalletError: the input ended before a phrase was given.
    """
    if not _interactive():
        line = str(sys.stdin.readline())
        if not line.strip():
            raise WalletError("No recovery phrase was given (expected one line on the input).")
        validate_mnemonic(line)
        return line.strip()
    count = int(
        click.prompt("How many words", type=click.Choice(_PHRASE_LENGTHS), default="12", err=True)
    )
    words = [_ask_word(i, language) for i in range(1, count + 1)]
    phrase = ("\u3000" if language == "japanese" else " ").join(words)
    try:
        validate_mnemonic(phrase)
    except InvalidMnemonic as err:
        if err.reason == "checksum":
            raise InvalidMnemonic(
                "Every word is in the list, but together they fail the checksum: a word is "
                "wrong or out of order; compare them with your backup.",
                reason="checksum",
            ) from None
        raise
    return phrase
