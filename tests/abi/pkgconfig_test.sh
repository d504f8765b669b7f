#!/usr/bin/env bash
# pkg-config consumer test: install the build into a temporary prefix, then
# build examples/features.c using nothing but `pkg-config crmweaver`, linked
# against the shared library and against the static one, and run both.
# usage: pkgconfig_test.sh SOURCE_ROOT BUILD_ROOT CC MESON
set -u
src=$1; bld=$2; cc=$3; meson=$4
. "$(dirname "$0")/../lib/tap.sh"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
out=$("$meson" install -C "$bld" --no-rebuild --destdir "$tmp/root" 2>&1) \
  && ok "meson install into a temporary prefix" || { not_ok "meson install" "$out"; finish; }

pcdir=$(dirname "$(find "$tmp/root" -name crmweaver.pc | head -n1)")
[ -f "$pcdir/crmweaver.pc" ] && ok "crmweaver.pc installed" || { not_ok "crmweaver.pc installed"; finish; }
prefix=$(PKG_CONFIG_PATH="$pcdir" pkg-config --variable=prefix crmweaver)
# The prefix inside the temporary root: everything else derives from it.
pc() { PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_LIBDIR="$pcdir:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/lib/pkgconfig:/usr/share/pkgconfig" \
       pkg-config --define-variable=prefix="$tmp/root$prefix" "$@" crmweaver; }
ver=$(pc --modversion)
[ "$ver" = "$(grep -m1 "version:" "$src/meson.build" | sed "s/.*'\(.*\)'.*/\1/")" ] \
  && ok "pkg-config --modversion is the project version ($ver)" || not_ok "modversion $ver"

libdir=$(pc --variable=libdir)
for f in "$libdir/libcrmweaver.so.0" "$libdir/libcrmweaver.a" \
         "$(pc --variable=includedir)/crmweaver.h" "$(pc --variable=includedir)/crmweaver/version.h"; do
  [ -e "$f" ] && ok "installed ${f#"$tmp/root"}" || not_ok "installed ${f#"$tmp/root"}"
done

# Shared: only pkg-config's flags.
if out=$("$cc" -Werror "$src/examples/features.c" $(pc --cflags --libs) -o "$tmp/shared" 2>&1); then
  ok "build against the shared library with pkg-config --cflags --libs"
  if out=$(LD_LIBRARY_PATH="$libdir" "$tmp/shared" 2>&1) && grep -q '"schema_version":1' <<<"$out"; then
    ok "the shared consumer runs"
  else not_ok "the shared consumer runs" "$out"; fi
  readelf -d "$tmp/shared" | grep -q 'libcrmweaver.so.0' && ok "it needs libcrmweaver.so.0 (SONAME)" \
    || not_ok "it needs libcrmweaver.so.0"
else not_ok "build against the shared library" "$out"; fi

# Static: the archive, the .pc's Libs.private, and its Requires.private
# (those libraries linked as shared ones: Debian's libcurl4-openssl-dev does
# not ship the static archives that a fully static link would need).
pcfile="$pcdir/crmweaver.pc"
libs_private=$(sed -n 's/^Libs.private: //p' "$pcfile")
requires=$(sed -n 's/^Requires.private: //p' "$pcfile" | sed 's/[<>=]\+ *[0-9.]\+//g; s/,/ /g')
priv="$libs_private $(pkg-config --libs $requires)"
if out=$("$cc" -Werror "$src/examples/features.c" $(pc --cflags) "$libdir/libcrmweaver.a" $priv -o "$tmp/static" 2>&1); then
  ok "build against the static library with Libs.private and Requires.private"
  if out=$("$tmp/static" 2>&1) && grep -q '"schema_version":1' <<<"$out"; then
    ok "the static consumer runs"
  else not_ok "the static consumer runs" "$out"; fi
  ! readelf -d "$tmp/static" | grep -q libcrmweaver && ok "the static consumer does not need libcrmweaver.so" \
    || not_ok "the static consumer does not need libcrmweaver.so"
else not_ok "build against the static library" "$out"; fi

# Without pkg-config's flags the same build must fail: the test really
# depends on what pkg-config says.
if "$cc" "$src/examples/features.c" -o "$tmp/bare" >/dev/null 2>&1; then
  not_ok "the example does not build without pkg-config flags"
else ok "the example does not build without pkg-config flags"; fi
finish
