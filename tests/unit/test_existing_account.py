"""A command that may be refused uses an account the wallet has: a refusal changes no byte.

``AccountBook.get`` derives and stores an account the first time it is asked for; a payment,
a signed message or a PSBT from an account that does not exist is refused before anything is
written (``AccountBook.existing``), so the wallet file stays as it was.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli
from wallet.errors import AccountNotFound

TO = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_existing_never_derives(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        first = w.account("bitcoin")
        assert w.accounts_book.existing("bitcoin").id == first.id
        count = len(w.accounts())
        with pytest.raises(AccountNotFound, match="coffer receive bitcoin --account 8"):
            w.accounts_book.existing("bitcoin", 8)
        with pytest.raises(AccountNotFound, match="--kind p2tr"):
            w.accounts_book.existing("bitcoin", 0, "p2tr")
        assert len(w.accounts()) == count


@pytest.mark.parametrize(
    "args",
    [
        ("send", "bitcoin", "--to", TO, "--amount", "0.1", "--account", "8", "--yes"),
        ("sign-message", "bitcoin", "hello", "--account", "\u0663", "--yes"),
        ("psbt", "create", "bitcoin", "--to", TO, "--amount", "0.1", "--account", "5"),
        ("utxos", "bitcoin", "--account", "7"),
    ],
    ids=["send", "sign-message", "psbt-create", "utxos"],
)
def test_a_refused_command_leaves_the_file_as_it_was(
    tmp_path: Path, runner: CliRunner, args: tuple[str, ...]
) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    before = _digest(path)
    result = runner.invoke(cli, ["--wallet", str(path), *args])
    assert result.exit_code == 1, result.output
    assert "has no Bitcoin account" in result.stderr
    assert _digest(path) == before


def test_existing_of_any_kind_takes_the_first_account_numbered_so(tmp_path: Path) -> None:
    # What ``coffer request`` and ``coffer pay`` take: with no kind given, an account of any
    # kind at that number (a wallet with only a taproot account 0 pays from it).
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        taproot = w.account("bitcoin", 0, "p2tr")
        with pytest.raises(AccountNotFound, match="no Bitcoin account 0"):
            w.accounts_book.existing("bitcoin")  # the default kind, p2wpkh, is not there
        assert w.accounts_book.existing("bitcoin", any_kind=True).id == taproot.id
        segwit = w.account("bitcoin", 0, "p2wpkh")
        assert w.accounts_book.existing("bitcoin", any_kind=True).id == taproot.id  # first made
        assert w.accounts_book.existing("bitcoin", 0, "p2wpkh", any_kind=True).id == segwit.id
        with pytest.raises(AccountNotFound, match="no Bitcoin account 1"):
            w.accounts_book.existing("bitcoin", 1, any_kind=True)
