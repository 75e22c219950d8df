"""The CLI is built on the public API alone, and its modules import no one in a loop.

Issue 12 item 6: ``wallet/cli/evm.py`` wrote through ``wallet.database``; ``chain``, ``evm``
and ``utxo`` imported one another (two of them late, inside functions).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "wallet" / "cli"
MODULES = sorted(CLI.glob("*.py"))

# Wallet internals the CLI must reach through ``Wallet``/accounts instead.
FORBIDDEN_PREFIXES = (
    "chains",
    "wallet.storage",
    "wallet.evm.settings",
    "wallet.utxo",
    "keystore.bip32",
)


def _imports(tree: ast.Module) -> list[tuple[str, bool]]:
    """Return (module, at top level) for every import in the tree."""
    top = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, id(node) in top))
            found.extend((f"{node.module}.{a.name}", id(node) in top) for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend((a.name, id(node) in top) for a in node.names)
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_cli_uses_no_internals(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for module, _ in _imports(tree):
        assert not module.startswith(FORBIDDEN_PREFIXES), f"{path.name} imports {module}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            assert node.attr != "database", f"{path.name} reaches the wallet's database"
            assert not (
                node.attr.startswith("_")
                and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id == "self")
            ), f"{path.name} uses the private member {node.attr}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_cli_modules_import_each_other_at_top_level_only(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    late = [m for m, top in _imports(tree) if m.startswith("wallet.cli") and not top]
    assert not late, f"{path.name} imports {late} inside a function"


def test_family_modules_do_not_import_the_shared_commands() -> None:
    for name in ("evm.py", "utxo.py", "signing.py"):
        tree = ast.parse((CLI / name).read_text(encoding="utf-8"))
        imported = {m for m, _ in _imports(tree)}
        assert "wallet.cli.chain" not in imported, name
        assert not {"wallet.cli.evm", "wallet.cli.utxo"} & imported, name
