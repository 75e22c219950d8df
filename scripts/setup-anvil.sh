#!/usr/bin/env bash
# Install anvil (a real EVM node, from npm @foundry-rs/anvil-linux-amd64) under .tools/.
# Idempotent: does nothing when the binary is already there. Needs Node.js 20+ and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.7.1
ANVIL=.tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
if [ -x "$ANVIL" ] && "$ANVIL" --version 2>/dev/null | grep -q "Version: $VERSION"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "setup-anvil: npm is missing; anvil tests will be skipped (install Node.js 20+)" >&2
    exit 0
fi
mkdir -p .tools
npm install --silent --no-audit --no-fund --prefix .tools "@foundry-rs/anvil-linux-amd64@$VERSION"
"$ANVIL" --version | head -n 1
