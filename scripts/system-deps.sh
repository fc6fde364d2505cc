#!/usr/bin/env bash
# Installs the Debian packages a task needs, when they are missing.
#
#   scripts/system-deps.sh test    what `npm test` needs
#   scripts/system-deps.sh ci      plus the WASM toolchain and swetest (.ci/run)
#
# As root (or with password-less sudo) it runs apt-get; elsewhere it prints the
# exact command to run and fails, so nothing is silently skipped.
set -euo pipefail

# Services the suite starts itself: redis-server backs the local Upstash REST emulator
# (scripts/stack/, vitest project `stack`); promtool (package prometheus) checks our /metrics
# exposition with Prometheus's own parser (test/stack/observability-e2e.test.ts).
test_packages=(redis-server prometheus)
ci_packages=(swetest swe-basic-data clang lld wasi-libc libclang-rt-dev-wasm32 binaryen wabt)

case "${1:-test}" in
  test) wanted=("${test_packages[@]}") ;;
  ci) wanted=("${test_packages[@]}" "${ci_packages[@]}") ;;
  *) echo "usage: $0 test|ci" >&2; exit 2 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "system-deps: missing ${missing[*]}; this is not a Debian/Ubuntu machine: install the equivalents of: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "system-deps: missing ${missing[*]}; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
