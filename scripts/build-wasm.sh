#!/usr/bin/env bash
# Builds wasm/swisseph.wasm from the official Swiss Ephemeris 2.10.03 C sources
# (shipped in the npm tarball sweph@2.10.3-b-1) with Debian's clang, wasi-libc
# and binaryen: a standalone wasm32-wasi reactor module, no Emscripten glue.
#
#   scripts/build-wasm.sh            build and replace wasm/swisseph.wasm
#   scripts/build-wasm.sh --check    build into a temp dir and fail unless the
#                                    result is byte-identical to the committed file
#
# Needs: clang lld wasi-libc libclang-rt-dev-wasm32 binaryen (Debian 12 packages).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-build}
SWEPH_TARBALL="sweph@2.10.3-b-1"
# npm's integrity for that tarball; a different upstream file fails the build.
SWEPH_INTEGRITY="sha512-5dgBQv+h+wBvD2HQHplgRJaQ8A1m5EAfemWiocc/CdVtO8VwKly3OL0v0TUf0IKLOkLFk6IT2AzyyJCrec5yJQ=="

for tool in clang wasm-ld wasm-opt; do
  command -v "$tool" >/dev/null || {
    echo "build-wasm: '$tool' missing; install: apt-get install -y clang lld wasi-libc libclang-rt-dev-wasm32 binaryen" >&2
    exit 1
  }
done
[ -f /usr/lib/wasm32-wasi/crt1-reactor.o ] || { echo "build-wasm: wasi-libc missing (apt-get install -y wasi-libc)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "$SWEPH_TARBALL" >/dev/null)
tarball=$(ls "$work"/sweph-*.tgz)
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$SWEPH_INTEGRITY" != "$actual" ]; then
  echo "build-wasm: $SWEPH_TARBALL integrity mismatch: expected $SWEPH_INTEGRITY, got $actual" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
src="$work/package/swisseph"

# Functions the engine calls; everything else is dropped by the linker.
exports=(
  swe_version swe_set_ephe_path swe_set_sid_mode swe_calc_ut swe_get_ayanamsa_ex_ut
  swe_houses_ex2 swe_house_pos swe_rise_trans swe_deltat_ex swe_julday swe_revjul
  swe_get_ayanamsa_name swe_close malloc free
)
export_flags=()
for name in "${exports[@]}"; do export_flags+=("-Wl,--export=$name"); done

# -DTLSOFF: wasm32-wasi has no thread-local storage.
# -DNO_SWE_GLP: skips dlfcn.h, which wasi-libc does not have.
# -Dfopen=astro_fopen: ephemeris files come from linear memory (wasm/shim/memfile.c).
# -ffile-prefix-map and the fixed source order keep the output byte-reproducible.
CFLAGS=(
  --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi
  -O2 -g0 -w -DTLSOFF -DNO_SWE_GLP -Dfopen=astro_fopen
  -ffile-prefix-map="$src"=swisseph -ffile-prefix-map="$root"=.
)
sources=(swecl.c swedate.c swehel.c swehouse.c swejpl.c swemmoon.c swemplan.c sweph.c swephlib.c)
objects=()
for file in "${sources[@]}"; do
  clang "${CFLAGS[@]}" -c "$src/$file" -o "$work/${file%.c}.o"
  objects+=("$work/${file%.c}.o")
done
clang --target=wasm32-wasi --sysroot=/usr -isystem /usr/include/wasm32-wasi -O2 -g0 \
  -ffile-prefix-map="$root"=. -c "$root/wasm/shim/memfile.c" -o "$work/memfile.o"

clang --target=wasm32-wasi --sysroot=/usr -L/usr/lib/wasm32-wasi -mexec-model=reactor -O2 \
  "${objects[@]}" "$work/memfile.o" -o "$work/linked.wasm" \
  -Wl,--strip-all -Wl,-z,stack-size=1048576 "${export_flags[@]}"

wasm-opt -O2 --strip-producers "$work/linked.wasm" -o "$work/swisseph.wasm"

out="$root/wasm/swisseph.wasm"
if [ "$mode" = "--check" ]; then
  want=$(sha256sum "$out" | cut -d' ' -f1)
  got=$(sha256sum "$work/swisseph.wasm" | cut -d' ' -f1)
  if [ "$want" != "$got" ]; then
    echo "build-wasm: rebuilt module differs from wasm/swisseph.wasm (committed $want, rebuilt $got)" >&2
    exit 1
  fi
  echo "build-wasm: rebuilt module is byte-identical to wasm/swisseph.wasm (sha256 $got)"
else
  cp "$work/swisseph.wasm" "$out"
  echo "build-wasm: wrote wasm/swisseph.wasm ($(stat -c %s "$out") bytes, sha256 $(sha256sum "$out" | cut -d' ' -f1))"
fi
