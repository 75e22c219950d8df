"""Write tests/data/wallet-vN.coffer for the latest schema: the previous file, opened (so migrated)
by the current code, with a sync-free refresh of what the new version adds.

Run once when a migration is added: ``python scripts/make_schema_fixture.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from wallet import Wallet
from wallet.storage.migrations import LATEST_VERSION

DATA = Path(__file__).parents[1] / "tests" / "data"


def main() -> None:
    """Copy the newest fixture, open it with the current code and keep it as the next one."""
    previous = DATA / f"wallet-v{LATEST_VERSION - 1}.coffer"
    target = DATA / f"wallet-v{LATEST_VERSION}.coffer"
    if target.exists():
        raise SystemExit(f"{target.name} exists already")
    shutil.copyfile(previous, target)
    target.chmod(0o600)
    with Wallet.open(target, "coffer-fixture") as wallet:
        if wallet.schema_version != LATEST_VERSION:
            raise SystemExit(f"opened at version {wallet.schema_version}")
        wallet.history.refresh()
    target.chmod(0o644)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
