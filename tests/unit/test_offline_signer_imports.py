"""The offline signer imports no network code and cannot open a socket.

Three checks: the import graph of the signer's own modules (AST, every import at any level)
reaches no module that talks to servers; a fresh interpreter that imports the signer's
entry points (``coffer signer``, ``python -m gui.signer``) under a socket audit hook loads
none of them and makes no socket; and the guard the signer arms refuses every socket, even
to loopback, with ``NetworkForbidden``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from tests.signer_process import BACKEND_MODULES

ROOT = Path(__file__).parents[2]

SIGNER_MODULES = [
    "wallet/signing/offline.py",
    "wallet/signing/guard.py",
    "wallet/signing/psbt.py",
    "wallet/signing/export.py",
    "wallet/signing/ur_export.py",
    "wallet/cli/signer.py",
    "wallet/cli/files.py",
    "keystore/signers/airgap.py",
    "keystore/signers/airgap_evm.py",
    "keystore/signers/hot.py",
    "gui/signer/window.py",
    "gui/signer/__main__.py",
]
FORBIDDEN = (*BACKEND_MODULES, "wallet.backends", "wallet.agent", "chains.connect", "socket")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_signers_own_modules_import_no_network_code() -> None:
    for module in SIGNER_MODULES:
        bad = sorted(n for n in _imports(ROOT / module) if n.startswith(FORBIDDEN))
        assert not bad, f"{module} imports {bad}"


PROBE = """
import os, sys
events = []
sys.addaudithook(lambda e, a: events.append(e) if e.startswith("socket.") else None)
import wallet.cli.signer, gui.signer.window, gui.signer.__main__
from wallet.signing.guard import NetworkGuard
print("SOCKETS", len(events))
print("\\n".join(sorted(sys.modules)))
"""


def test_a_fresh_signer_process_loads_no_backend_and_makes_no_socket() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, check=True
    )
    lines = done.stdout.split("\n")
    assert lines[0] == "SOCKETS 0"
    leaked = sorted(m for m in lines[1:] if m.startswith(BACKEND_MODULES))
    assert leaked == []


GUARDED = """
import socket, urllib.request
from wallet.errors import NetworkForbidden
from wallet.signing.guard import NetworkGuard
with NetworkGuard():
    for attempt in (
        lambda: socket.socket(),
        lambda: socket.create_connection(("127.0.0.1", 9)),
        lambda: urllib.request.urlopen("http://127.0.0.1:9/", timeout=1),
        lambda: socket.getaddrinfo("localhost", 80),
    ):
        try:
            attempt()
        except NetworkForbidden as err:
            print("refused:", str(err).split("(")[1].split(")")[0])
        else:
            print("NOT REFUSED")
socket.socket().close()  # the guard is inert after its block
print("after: allowed")
"""


def test_the_guard_refuses_every_socket_while_armed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", GUARDED], capture_output=True, text=True, env=env, check=True
    )
    lines = done.stdout.strip().split("\n")
    assert "NOT REFUSED" not in done.stdout
    assert lines[:4] == [
        "refused: socket.__new__",
        "refused: socket.getaddrinfo",  # create_connection resolves first
        "refused: urllib.Request",
        "refused: socket.getaddrinfo",
    ]
    assert lines[-1] == "after: allowed"
