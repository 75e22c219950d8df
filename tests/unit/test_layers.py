"""The import rules of STYLE.md section 1, enforced on every module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
NETWORK_LIBS = {
    "web3",
    "requests",
    "aiohttp",
    "httpx",
    "websockets",
    "urllib3",
    "socket",
    "http",
    "ssl",
}
FORBIDDEN: dict[str, set[str]] = {
    "keystore": {"chains", "wallet", "gui", "PySide6"} | NETWORK_LIBS,
    "primitives": {"chains", "wallet", "gui", "keystore", "PySide6"} | NETWORK_LIBS,
    "chains": {"keystore", "wallet", "gui", "PySide6"},
    "wallet": {"gui", "PySide6"},
    "gui": {"chains", "keystore"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(p for package in FORBIDDEN for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(ROOT)) for p in MODULES])
def test_no_forbidden_import_edge(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    bad = _imports(path) & FORBIDDEN[package]
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_keystore_loads_no_network_code() -> None:
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "keystore").rglob("*.py")
        if p.name != "__init__.py"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'web3', 'requests', 'aiohttp', 'httpx', 'websockets', 'urllib3', 'chains', 'wallet'}"
        " or m in {'http.client', 'ssl'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout.strip()
    assert out == "", f"importing keystore loaded: {out}"
