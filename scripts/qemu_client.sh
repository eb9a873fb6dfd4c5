#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian's own ppc64el QEMU, to run inside a guest as the VFIO client:
#
#   qemu_client.sh 7.2    qemu-system-ppc of Debian 12 (bookworm)
#   qemu_client.sh 10.0   the newest for Debian 12 (bookworm-backports)
#
# Fetches qemu-system-ppc:ppc64el and its dependencies with a private apt
# state (the host's package lists are left alone), unpacks them, and
# stages what qemu-system-ppc64 needs to run: the binary, the shared
# libraries it loads (its DT_NEEDED closure, with the dynamic loader) and
# the pseries firmware (vof.bin, slof.bin). In the guest it runs as
#   /qemu/lib/ld64.so.2 --library-path /qemu/lib /qemu/bin/qemu-system-ppc64 -L /qemu/share
# Cached in $VST_CACHE/qemu-client-<version>; prints the staged tree.
set -euo pipefail

cache=${VST_CACHE:-$HOME/.cache/vfio_spapr_tce}
want=${1:?usage: qemu_client.sh 7.2|10.0}
case $want in
7.2) suites="bookworm bookworm-updates bookworm-security"; release=bookworm ;;
10.0) suites="bookworm bookworm-updates bookworm-security bookworm-backports"
      release=bookworm-backports ;;
*) echo "qemu_client.sh: unknown version $want" >&2; exit 2 ;;
esac
d=$cache/qemu-client-$want
stage=$d/stage
if [ -x "$stage/bin/qemu-system-ppc64" ] && [ -e "$stage/.complete" ]; then
	echo "$stage"
	exit 0
fi

. "$(dirname "$0")/apt_private.sh"
# shellcheck disable=SC2086 # $suites: words
apt_private "$d/apt" ppc64el $suites
mkdir -p "$d/apt/state"
echo "qemu_client: fetching qemu-system-ppc:ppc64el of $release and its dependencies" >&2
rm -f "$d"/apt/cache/archives/*.deb
apt-get "${apto[@]}" -o Dir::State="$d/apt/state" \
	-o Dir::State::Lists="$d/apt/lists" -o Debug::NoLocking=1 \
	install -y -qq -d --no-install-recommends -t "$release" qemu-system-ppc >&2

rm -rf "$d/root" "$stage"
mkdir -p "$d/root" "$stage/bin" "$stage/lib" "$stage/share"
for deb in "$d"/apt/cache/archives/*.deb; do
	dpkg-deb -x "$deb" "$d/root"
done
ver=$(dpkg-deb -f "$d"/apt/cache/archives/qemu-system-ppc_*.deb Version)
case $ver in
*:"$want"*) ;;
*) echo "qemu_client: got qemu-system-ppc $ver, not $want" >&2; exit 1 ;;
esac

libdirs="$d/root/lib/powerpc64le-linux-gnu $d/root/usr/lib/powerpc64le-linux-gnu $d/root/lib64"
# find_lib NAME: the unpacked file of a DT_NEEDED name
find_lib() {
	local dir
	for dir in $libdirs; do
		[ -e "$dir/$1" ] && { readlink -f "$dir/$1"; return 0; }
	done
	echo "qemu_client: $1 is in no fetched package" >&2
	return 1
}

install -m 0755 "$d/root/usr/bin/qemu-system-ppc64" "$stage/bin/"
todo=("$stage/bin/qemu-system-ppc64")
while [ "${#todo[@]}" -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	for need in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -e "$stage/lib/$need" ] && continue
		install -m 0755 "$(find_lib "$need")" "$stage/lib/$need"
		todo+=("$stage/lib/$need")
	done
done
install -m 0755 "$(find_lib ld64.so.2)" "$stage/lib/ld64.so.2"
for fw in vof.bin slof.bin; do
	install -m 0644 "$d/root/usr/share/qemu/$fw" "$stage/share/"
done
echo "$ver" >"$stage/version"
touch "$stage/.complete"
echo "qemu_client: $ver staged, $(du -sh "$stage" | cut -f1)" >&2
echo "$stage"
