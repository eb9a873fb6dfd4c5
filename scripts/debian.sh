#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Debian's own ppc64el kernel, the one a POWER administrator runs, at the
# version of the host's linux-source-6.12 (the same Debian build, so the
# host tools can be rebuilt from that source):
#
#   debian.sh headers FLAVOUR   linux-headers and linux-kbuild for
#                               FLAVOUR (powerpc64le or powerpc64le-64k),
#                               unpacked, their ppc64le host tools rebuilt
#                               for this machine; prints the headers tree
#                               to build modules against (KDIR)
#   debian.sh image FLAVOUR     linux-image for FLAVOUR, unpacked; prints
#                               the root it was unpacked in (boot/vmlinux-*,
#                               lib/modules/*)
#   debian.sh version           the kernel release of FLAVOUR powerpc64le
#
# Fetched with a private apt state (the host's package lists are left
# alone) into $VST_CACHE/debian-<version>, and kept there.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VST_CACHE:-$HOME/.cache/vfio_spapr_tce}
cmd=${1:?usage: debian.sh headers|image|version [FLAVOUR]}
flavour=${2:-powerpc64le}
case $flavour in
powerpc64le|powerpc64le-64k) ;;
*) echo "debian.sh: unknown flavour $flavour" >&2; exit 2 ;;
esac

# 6.12.117-1~deb12u1 (or ~bpo12+1) -> ABI 6.12.117+deb12
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
release=$(echo "$pkgver" | sed -n 's/.*~\(deb\|bpo\)\([0-9]*\).*/\2/p')
abi=${pkgver%%-*}+deb${release:?no Debian release in $pkgver}
if [ "$cmd" = version ]; then
	echo "$abi-$flavour"
	exit 0
fi

d=$cache/debian-$pkgver
mkdir -p "$d/deb"
. "$top/scripts/apt_private.sh"

# fetch PACKAGE...: download what is not in $d/deb yet, at $pkgver
fetch() {
	local p need=()

	for p in "$@"; do
		ls "$d/deb/${p}_"*.deb >/dev/null 2>&1 || need+=("$p=$pkgver")
	done
	[ ${#need[@]} = 0 ] && return 0
	. /etc/os-release
	local code=${VERSION_CODENAME:-bookworm}
	apt_private "$cache/apt-debian" ppc64el "$code" "$code-backports" \
		"$code-security"
	echo "debian: downloading ${need[*]}" >&2
	(cd "$d/deb" && apt-get "${apto[@]}" download "${need[@]}" >&2) && return 0
	# Lists older than the archive: fetch them again, once
	rm -f "$cache/apt-debian/lists/.fetched"
	apt_private "$cache/apt-debian" ppc64el "$code" "$code-backports" \
		"$code-security"
	(cd "$d/deb" && apt-get "${apto[@]}" download "${need[@]}" >&2)
}

# unpack PACKAGE: into $d/root, once
unpack() {
	local stamp=$d/root/.unpacked-$1

	[ -e "$stamp" ] && return 0
	mkdir -p "$d/root"
	echo "debian: unpacking $1" >&2
	dpkg-deb -x "$d/deb/${1}_"*.deb "$d/root"
	touch "$stamp"
}

case $cmd in
headers)
	fetch "linux-headers-$abi-$flavour" "linux-headers-$abi-common" \
		"linux-kbuild-$abi"
	for p in "linux-headers-$abi-$flavour" "linux-headers-$abi-common" \
		 "linux-kbuild-$abi"; do
		unpack "$p"
	done
	"$top/scripts/debian_hosttools.sh" "$d" "$abi" >&2
	echo "$d/root/usr/src/linux-headers-$abi-$flavour"
	;;
image)
	fetch "linux-image-$abi-$flavour"
	unpack "linux-image-$abi-$flavour"
	echo "$d/root"
	;;
*)
	echo "debian.sh: unknown command $cmd" >&2
	exit 2
	;;
esac
