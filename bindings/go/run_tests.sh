#!/usr/bin/env bash
# Run the Go binding's tests against a meson build tree and report as TAP
# (meson test --suite bindings; protocol: tap).
#
#   bash bindings/go/run_tests.sh BUILD_DIR
#
# Nothing is written outside BUILD_DIR (the Go build cache and GOPATH live in
# BUILD_DIR/go-cache) and the network is never used (GOPROXY=off; the module
# has no dependencies).  Skipped when `go` is not installed.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
if ! command -v go >/dev/null 2>&1; then
	echo "1..0 # SKIP go not installed"
	exit 0
fi

build_dir=$(cd "$1" && pwd) || { echo "Bail out! no build directory $1"; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src_dir=$(cd "$here/../.." && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/crmweaver-go.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Build flags.  `#cgo pkg-config: crmweaver` runs `pkg-config crmweaver`:
# give it the build tree's uninstalled .pc file under the name crmweaver.pc
# (pkg-config would also pick crmweaver-uninstalled.pc by itself, unless
# PKG_CONFIG_DISABLE_UNINSTALLED is set).  Without pkg-config, a stand-in
# script prints the flags of the build tree.
unset PKG_CONFIG_DISABLE_UNINSTALLED
pc=""
for f in "$build_dir/meson-uninstalled/crmweaver-uninstalled.pc" "$build_dir/meson-private/crmweaver.pc"; do
	if [ -f "$f" ]; then pc=$f; break; fi
done
mkdir -p "$tmp/pkgconfig"
if [ -n "$pc" ]; then
	cp "$pc" "$tmp/pkgconfig/crmweaver.pc"
fi
export PKG_CONFIG_PATH="$tmp/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
if [ -z "$pc" ] || ! command -v "${PKG_CONFIG:-pkg-config}" >/dev/null 2>&1 ||
	! "${PKG_CONFIG:-pkg-config}" --cflags --libs crmweaver >/dev/null 2>&1; then
	cat >"$tmp/pkg-config" <<PKG
#!/bin/sh
for a in "\$@"; do
	case "\$a" in
	--cflags) printf '%s\n' "-I$src_dir/include -I$build_dir/include" ;;
	--libs) printf '%s\n' "-L$build_dir/lib -lcrmweaver" ;;
	esac
done
PKG
	chmod +x "$tmp/pkg-config"
	export PKG_CONFIG="$tmp/pkg-config"
fi

export LD_LIBRARY_PATH="$build_dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GOCACHE="$build_dir/go-cache/build"
export GOPATH="$build_dir/go-cache"
export GOMODCACHE="$build_dir/go-cache/pkg/mod"
export GOFLAGS=-mod=mod
export GO111MODULE=on
export GOPROXY=off
export GOSUMDB=off
export GOTOOLCHAIN=local
export GOTELEMETRY=off
export CGO_ENABLED=1
export TMPDIR="$tmp"

cd "$here" || exit 1
out=$(go test -count=1 -timeout 300s -v ./... 2>&1)
rc=$?

if [ $rc -eq 0 ]; then
	echo "ok 1 - go test"
else
	echo "not ok 1 - go test"
fi
# Long lines (JSON in failure messages) are cut so the log stays readable.
printf '%s\n' "$out" | cut -c1-2000 | sed 's/^/# /'
echo "1..1"
exit $rc
