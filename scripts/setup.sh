#!/usr/bin/env bash
# Installs what the workspace needs on a fresh machine with Node 20 and npm: pnpm 10 (corepack's
# download check fails on some networks, so npm installs it), the locked dependencies, and the
# Debian packages the tests use when they are missing (etcd-server, openssl, dnsmasq-base,
# kubernetes-client).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pnpm >/dev/null 2>&1 || ! pnpm --version 2>/dev/null | grep -q '^10\.'; then
  npm install --global pnpm@10 >/dev/null
fi
# The etcd registry's tests start a real etcd; the TLS tests make certificates with openssl; the
# Kubernetes double of testkit is checked with a real kubectl.
missing=()
command -v etcd >/dev/null 2>&1 || missing+=(etcd-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# The DNS registry's tests start a real dnsmasq (dnsmasq-base: the binary without the system service).
[ -x /usr/sbin/dnsmasq ] || command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: missing ${missing[*]}; the tests need them (apt-get install ${missing[*]})" >&2
  fi
fi
pnpm install --frozen-lockfile
