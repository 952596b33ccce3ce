#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine with Node 20 and npm: pnpm 10 (corepack's
# download check fails on some networks, so npm installs it), the locked dependencies, and, for
# the etcd registry's tests, a real etcd from Debian's etcd-server package when none is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  npm install --global pnpm@10 >/dev/null
fi
if ! command -v etcd >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
  else
    echo "setup: etcd is not installed; the etcd registry tests need it (apt-get install etcd-server)" >&2
  fi
fi
pnpm install --frozen-lockfile
