#!/usr/bin/env bash
# libcrmweaver as a meson subproject of another project: the host finds it
# with dependency('crmweaver', fallback: ['crmweaver']) (meson.override_dependency),
# builds and runs a program against it, and gets none of our test suites,
# examples or binding tests unless it asks for them (-Dcrmweaver:tests=enabled).
# usage: subproject_test.sh SOURCE_ROOT MESON
set -u
src=$1; meson=$2
n=0; failed=0
ok()     { n=$((n+1)); echo "ok $n - $1"; }
not_ok() { n=$((n+1)); failed=$((failed+1)); echo "not ok $n - $1"; sed 's/^/# /' <<<"${2:-}" | tail -n 30; }
finish() { echo "1..$n"; [ "$failed" -eq 0 ]; exit $?; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/host/subprojects"
ln -s "$src" "$tmp/host/subprojects/crmweaver"
cat > "$tmp/host/meson.build" <<'M'
project('host', 'c', meson_version: '>= 1.0.0')
crmw = dependency('crmweaver', fallback: ['crmweaver'])
executable('host', 'host.c', dependencies: crmw)
test('host-own', find_program('true'))
M
cat > "$tmp/host/host.c" <<'C'
#include <crmweaver.h>
#include <stdio.h>
int main(void)
{
	printf("libcrmweaver %s\n", crmw_version_string());
	return 0;
}
C
opts=(-Dcrmweaver:faiss=disabled -Dcrmweaver:curl=disabled --force-fallback-for=crmweaver)
if out=$("$meson" setup "$tmp/b" "$tmp/host" "${opts[@]}" 2>&1); then
  ok "a host project configures with dependency('crmweaver', fallback: ['crmweaver'])"
else
  not_ok "a host project configures" "$out"; finish
fi
tests=$("$meson" introspect --tests "$tmp/b" 2>&1)
if grep -q '"host-own"' <<<"$tests" && ! grep -q '"suite": \[[^]]*"crmweaver:' <<<"$tests" \
   && [ "$(grep -o '"name": ' <<<"$tests" | wc -l)" -eq 1 ]; then
  ok "as a subproject its tests, examples and binding tests are off (only the host's test is registered)"
else
  not_ok "the subproject registers no tests" "$tests"
fi
targets=$("$meson" introspect --targets "$tmp/b" 2>&1)
grep -q '"name": "example-' <<<"$targets" && not_ok "no example hosts are built" "$targets" \
  || ok "no example hosts are built"
if out=$(ninja -C "$tmp/b" host 2>&1) && run=$(LD_LIBRARY_PATH="$tmp/b/subprojects/crmweaver/lib" "$tmp/b/host" 2>&1) \
   && grep -q "^libcrmweaver $(grep -m1 "version:" "$src/meson.build" | sed "s/.*'\(.*\)'.*/\1/")\$" <<<"$run"; then
  ok "the host builds against the subproject's library and runs"
else
  not_ok "the host builds and runs" "$out $run"
fi
if out=$("$meson" setup "$tmp/b2" "$tmp/host" "${opts[@]}" -Dcrmweaver:tests=enabled 2>&1) \
   && "$meson" introspect --tests "$tmp/b2" | grep -q '"name": "common"'; then
  ok "asked for (-Dcrmweaver:tests=enabled), its test suites are there"
else
  not_ok "-Dcrmweaver:tests=enabled registers the suites" "$out"
fi
finish
