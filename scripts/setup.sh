#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine with Node 20 and npm: pnpm 10 (corepack's
# download check fails on some networks, so npm installs it), then the locked dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  npm install --global pnpm@10 >/dev/null
fi
pnpm install --frozen-lockfile
