"""Write tests/data/wallet-vN.coffer for the latest schema: the previous file, opened (so migrated)
by the current code, with a sync-free refresh of what the new version adds.

Run once when a migration is added: ``python scripts/make_schema_fixture.py``. When several
migrations arrive at once, write each version in turn: ``--version N`` stops the migrations at
version ``N`` (the file then holds exactly that schema).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import wallet.storage.database as database
from wallet import Wallet
from wallet.storage.migrations import LATEST_VERSION, MIGRATIONS

DATA = Path(__file__).parents[1] / "tests" / "data"


def main() -> None:
    """Copy the newest fixture, open it with the current code and keep it as the next one."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--version", type=int, default=LATEST_VERSION)
    version = parser.parse_args().version
    if not 1 < version <= LATEST_VERSION:
        raise SystemExit(f"--version must be 2 to {LATEST_VERSION}")
    # Stop the migrations at ``version``: the database module reads these two names.
    database.MIGRATIONS = MIGRATIONS[:version]  # type: ignore[misc]
    database.LATEST_VERSION = version  # type: ignore[misc]
    previous = DATA / f"wallet-v{version - 1}.coffer"
    target = DATA / f"wallet-v{version}.coffer"
    if target.exists():
        raise SystemExit(f"{target.name} exists already")
    shutil.copyfile(previous, target)
    target.chmod(0o600)
    with Wallet.open(target, "coffer-fixture") as wallet:
        if wallet.schema_version != version:
            raise SystemExit(f"opened at version {wallet.schema_version}")
        if version >= 5:  # the history index (version 5) is filled without a sync
            wallet.history.refresh()
    target.chmod(0o644)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
