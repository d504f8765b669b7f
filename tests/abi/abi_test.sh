#!/usr/bin/env bash
# ABI test: (1) the built library matches the committed baseline
# abi/libcrmweaver.abi; (2) scripts/abi-check really fails on incompatible
# changes and on a stale baseline, shown on a probe library built here.
# usage: abi_test.sh SOURCE_ROOT BUILD_ROOT LIBCRMWEAVER_SO CC
set -u
src=$1; bld=$2; so=$3; cc=$4
check="$src/scripts/abi-check"
. "$(dirname "$0")/../lib/tap.sh"
expect() { # expect WANT_RC DESCRIPTION CMD...
  local want=$1 desc=$2; shift 2
  local out; out=$("$@" 2>&1); local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$desc"; else not_ok "$desc (status $rc, want $want)" "$out"; fi
}

expect 0 "libcrmweaver matches the committed ABI baseline" \
  "$check" "$src/abi/libcrmweaver.abi" "$so" "$src/include" "$bld/include"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
build_probe() { # build_probe NAME CFLAGS...
  local name=$1; shift
  "$cc" -g -O0 -shared -fPIC -Wl,-soname,libprobe.so.1 "$@" -I"$src/tests/abi/probe" \
    "$src/tests/abi/probe/probe.c" -o "$tmp/$name.so"
}
build_probe v1 && build_probe same && build_probe grow -DPROBE_GROW_STRUCT &&
  build_probe sig -DPROBE_CHANGE_SIGNATURE && build_probe removed -DPROBE_REMOVE_SYMBOL &&
  build_probe added -DPROBE_ADD_SYMBOL || { not_ok "build the probe libraries"; echo "1..$n"; exit 1; }
abidw --no-corpus-path --no-show-locs --out-file "$tmp/v1.abi" "$tmp/v1.so"

expect 0 "abi-check passes an unchanged library" "$check" "$tmp/v1.abi" "$tmp/same.so"
expect 1 "abi-check fails when a struct grows in the middle" "$check" "$tmp/v1.abi" "$tmp/grow.so"
expect 1 "abi-check fails when a signature changes" "$check" "$tmp/v1.abi" "$tmp/sig.so"
expect 1 "abi-check fails when a symbol is removed" "$check" "$tmp/v1.abi" "$tmp/removed.so"
expect 2 "abi-check asks for a baseline refresh when a symbol is added" "$check" "$tmp/v1.abi" "$tmp/added.so"
expect 3 "abi-check reports a missing baseline" "$check" "$tmp/none.abi" "$tmp/v1.so"

echo "1..$n"
[ "$failed" -eq 0 ]
