#!/usr/bin/env bash
# Install the real UTXO nodes the integration tests run against:
#   - litecoind / litecoin-cli (Litecoin Core, Debian package `litecoind`), via apt-get;
#   - ElectrumX (PyPI `e-x` with the `plyvel` LevelDB binding) in its own venv,
#     .venv-electrumx: it is a server, not a dependency of the wallet.
# Idempotent and quick when both are already there. Where an install is impossible (no root,
# no sudo, no network) it says so and exits 0: the tests that need the node then skip with a
# reason, or fail under COFFER_REQUIRE_NODES=1.
set -euo pipefail
cd "$(dirname "$0")/.."

EX_VENV=.venv-electrumx
EX_VERSION=2.0.0
APT_UPDATED=0

say() { echo "setup-nodes: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        return 1
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || return 1
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# -- Litecoin Core ------------------------------------------------------------------------
if command -v litecoind >/dev/null 2>&1 && command -v litecoin-cli >/dev/null 2>&1; then
    :
elif apt_install litecoind; then
    say "installed $(litecoind --version | head -n 1)"
else
    say "cannot install litecoind (needs root or sudo and apt-get); UTXO node tests will skip"
fi

# -- ElectrumX --------------------------------------------------------------------------------
ex_ready() {
    [ -x "$EX_VENV/bin/electrumx_server" ] &&
        "$EX_VENV/bin/python" -c "import plyvel, electrumx" >/dev/null 2>&1
}

if ex_ready; then
    exit 0
fi

PY=python3
if ! command -v "$PY" >/dev/null 2>&1; then
    apt_install python3 python3-venv || {
        say "python3 is missing; ElectrumX tests will skip"
        exit 0
    }
fi
# Debian's python3 needs the python3-venv package (ensurepip) for `python3 -m venv`.
if ! "$PY" -c "import ensurepip, venv" >/dev/null 2>&1; then
    apt_install python3-venv || {
        say "python3 -m venv is unavailable (install python3-venv); ElectrumX tests will skip"
        exit 0
    }
fi
if [ ! -x "$EX_VENV/bin/python" ]; then
    rm -rf "$EX_VENV"
    "$PY" -m venv "$EX_VENV"
fi
PIP=("$EX_VENV/bin/python" -m pip install --quiet --disable-pip-version-check)
# plyvel ships manylinux wheels with LevelDB inside; only without a wheel does it compile,
# and then it needs libleveldb-dev and a compiler.
if ! "${PIP[@]}" --only-binary plyvel plyvel; then
    say "no plyvel wheel for this Python; building it against libleveldb-dev"
    apt_install libleveldb-dev build-essential python3-dev || true
    "${PIP[@]}" plyvel || {
        say "plyvel cannot be installed; ElectrumX tests will skip"
        exit 0
    }
fi
if ! "${PIP[@]}" "e-x==$EX_VERSION"; then
    say "e-x $EX_VERSION cannot be installed (no PyPI?); ElectrumX tests will skip"
    exit 0
fi
ex_ready || {
    say "ElectrumX installed but does not import; ElectrumX tests will skip"
    exit 0
}
say "installed ElectrumX $EX_VERSION in $EX_VENV"
