"""Run ``coffer signer`` as a process of its own, offline, for the integration tests.

The process runs in a network namespace of its own (``unshare --net``, where the machine
allows it) and under an audit hook installed before anything is imported: the first socket
event of any kind ends it with exit code 97. At its end it writes the names of the modules it
loaded, and the caller checks that no module that talks to servers is among them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import PASSWORD

__all__ = ["BACKEND_MODULES", "PRELUDE", "run_offline_command", "run_signer"]

ROOT = Path(__file__).parents[1]

PRELUDE = """
import os, sys
def _no_sockets(event, args):
    if event.startswith("socket."):
        os.write(2, ("socket event in the offline signer: " + event + "\\n").encode())
        os._exit(97)
sys.addaudithook(_no_sockets)
try:
    from wallet.cli import main
    main()
finally:
    with open(os.environ["COFFER_TEST_MODULES"], "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
"""

BACKEND_MODULES = (
    "chains.utxo.electrum",
    "chains.utxo.corerpc",
    "chains.jsonrpc_http",
    "chains.evm.jsonrpc",
    "web3",
    "requests",
    "urllib3",
    "websockets",
    "aiohttp",
    "hwilib",
)
"""Modules that talk to servers or devices: none may be loaded by the offline signer."""


def _netns() -> list[str]:
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "--net", "true"], capture_output=True, check=False)
    return [unshare, "--net"] if probe.returncode == 0 else []


def run_signer(
    wallet_path: Path, request: Path | list[Path], out: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """Run ``coffer --wallet WALLET signer REQUEST... --out OUT EXTRA...`` offline."""
    requests = request if isinstance(request, list) else [request]
    modules = wallet_path.with_name(Path(out.rstrip("/")).name + ".modules")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "COFFER_PASSWORD": PASSWORD,
        "COFFER_TEST_MODULES": str(modules),
        "HOME": str(wallet_path.parent),
    }
    args = ["--wallet", str(wallet_path), "signer", *map(str, requests), "--out", out, *extra]
    command = [*_netns(), sys.executable, "-c", PRELUDE, *args]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode != 97, done.stderr  # a socket event: the signer was not offline
    loaded = set(modules.read_text().split()) if modules.exists() else set()
    leaked = sorted(m for m in loaded if m.startswith(BACKEND_MODULES))
    assert not leaked, f"the offline signer loaded network code: {leaked}"
    return done


def run_offline_command(wallet_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``coffer --wallet WALLET ARGS...`` offline, as ``run_signer`` runs the signer."""
    modules = wallet_path.with_name(wallet_path.name + f".{os.getpid()}.modules")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "COFFER_PASSWORD": PASSWORD,
        "COFFER_TEST_MODULES": str(modules),
        "HOME": str(wallet_path.parent),
    }
    command = [*_netns(), sys.executable, "-c", PRELUDE, "--wallet", str(wallet_path), *args]
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    assert done.returncode != 97, done.stderr  # a socket event: the command was not offline
    loaded = set(modules.read_text().split()) if modules.exists() else set()
    leaked = sorted(m for m in loaded if m.startswith(BACKEND_MODULES))
    assert not leaked, f"the offline command loaded network code: {leaked}"
    return done
