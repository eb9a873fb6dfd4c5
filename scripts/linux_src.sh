#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# linux_src.sh [SERIES]: unpack Debian's linux-source-SERIES outside the
# clone, once per package version, in $VST_CACHE; print its directory.
# SERIES 6.12 (default) is the host's package, installed by setup.sh; 7.3
# is the newest stable series, from trixie-backports, downloaded (it is
# architecture-independent) with a private apt state, as scripts/debian.sh
# does for the ppc64el kernel packages.
set -euo pipefail

cache=${VST_CACHE:-$HOME/.cache/vfio_spapr_tce}
series=${1:-6.12}

case $series in
6.12)
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
	tarball=/usr/src/linux-source-6.12.tar.xz
	;;
7.3)
	d=$cache/apt-debian-$series
	if ! ls "$d"/deb/linux-source-"$series"_*.deb >/dev/null 2>&1; then
		. "$(dirname "$0")/apt_private.sh"
		apt_private "$d" amd64 trixie-backports
		echo "linux-src: fetching linux-source-$series (trixie-backports)" >&2
		(cd "$d/deb" && apt-get "${apto[@]}" download "linux-source-$series" >&2)
	fi
	deb=$(ls "$d"/deb/linux-source-"$series"_*.deb | head -n1)
	ver=$(dpkg-deb -f "$deb" Version)
	tarball=$d/x/usr/src/linux-source-$series.tar.xz
	if [ ! -f "$tarball" ]; then
		rm -rf "$d/x"
		dpkg-deb -x "$deb" "$d/x"
	fi
	;;
*)
	echo "linux-src: unknown series $series" >&2
	exit 2
	;;
esac

src=$cache/linux-source-$(echo "$ver" | tr -c 'A-Za-z0-9.\n' '_')
if [ ! -f "$src/.unpacked" ]; then
	echo "linux-src: unpacking linux-source-$series $ver into $src" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball" --strip-components=1
	mv "$src.tmp" "$src"
	touch "$src/.unpacked"
fi
echo "$src"
