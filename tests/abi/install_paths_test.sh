#!/usr/bin/env bash
# What `meson install` ships carries no path of the tree it was built in:
# install into a temporary prefix, then no installed file (the crmweaver
# program, the shared and static libraries, headers, crmweaver.pc) may hold
# the source root or the build root in its strings, no benchmark program is
# installed, and the installed `crmweaver bench` says in one line that the
# benchmarks run from a build tree.
#
# Debug sections are left out of the check (`objcopy --strip-debug` on a
# copy): DWARF records the directory each file was compiled in
# (DW_AT_comp_dir) by design, and distributions split it off or remap it
# (-fdebug-prefix-map).  What a program can read or open at run time is in
# the other sections.
# usage: install_paths_test.sh SOURCE_ROOT BUILD_ROOT MESON
set -u
src=$1; bld=$2; meson=$3
. "$(dirname "$0")/../lib/tap.sh"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$("$meson" install -C "$bld" --no-rebuild --destdir "$tmp/root" 2>&1) \
  && ok "meson install into a temporary prefix" || { not_ok "meson install" "$out"; finish; }

# The roots as given and as the file system resolves them (a symlinked
# checkout is compiled in under either name).
roots=()
for r in "$src" "$bld" "$(realpath "$src")" "$(realpath "$bld")"; do
  r=${r%/}
  [ -n "$r" ] && [ "$r" != / ] && roots+=("-e" "$r")
done

exe=$(find "$tmp/root" -path '*/bin/crmweaver' -type f | head -n1)
[ -n "$exe" ] && ok "crmweaver is installed" || { not_ok "crmweaver is installed"; finish; }
checked=0
while IFS= read -r -d '' f; do
  name=${f#"$tmp/root"}
  if head -c4 "$f" | grep -q 'ELF' || [[ $f == *.a ]]; then
    objcopy --strip-debug "$f" "$tmp/copy" 2>/dev/null || cp "$f" "$tmp/copy"
    hits=$(strings -a "$tmp/copy" | grep -F "${roots[@]}" | sort -u | head -n 20)
  else
    hits=$(grep -a -F "${roots[@]}" "$f" | head -n 20)
  fi
  checked=$((checked+1))
  [ -z "$hits" ] && ok "$name holds no source or build path" \
    || not_ok "$name holds no source or build path" "$hits"
done < <(find "$tmp/root" -type f -print0 | sort -z)
[ "$checked" -ge 4 ] && ok "$checked installed files checked" || not_ok "$checked installed files checked"

benches=$(find "$tmp/root" -iname '*bench*' -print)
[ -z "$benches" ] && ok "no benchmark program or script is installed" \
  || not_ok "no benchmark program or script is installed" "$benches"

# The installed CLI without a build tree beside it (and no
# CRMW_BENCH_PROGRAM): one clear line, exit status 1; --help still works.
libdir=$(dirname "$(find "$tmp/root" -name 'libcrmweaver.so*' | head -n1)")
run() { env -u CRMW_BENCH_PROGRAM LD_LIBRARY_PATH="$libdir" "$exe" "$@"; }
err=$(run bench memory --sizes 100 --queries 10 --repeat 1 --dir "$tmp" --json 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 1 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "not installed" <<<"$err" \
   && grep -q "build tree" <<<"$err"; then
  ok "the installed 'crmweaver bench' says the benchmarks run from a build tree"
else not_ok "the installed 'crmweaver bench' says the benchmarks run from a build tree" "rc=$rc: $err"; fi
out=$(run bench --help 2>&1); rc=$?
[ "$rc" -eq 0 ] && grep -q "build tree" <<<"$out" && ok "the installed 'crmweaver bench --help' says where they are" \
  || not_ok "the installed 'crmweaver bench --help' says where they are" "rc=$rc: $out"
finish
