#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Fetch Debian's busybox-static for ppc64el (the guest's userspace) with a
# private apt state, so the host's package lists are left alone. Cached in
# $VST_CACHE; prints the path of the busybox binary.
set -euo pipefail

cache=${VST_CACHE:-$HOME/.cache/vfio_spapr_tce}
d=$cache/apt-ppc64el
bin=$d/busybox

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/deb"
mirror=$(grep -rhos '^URIs: http[s]*://[^ ]*/debian/*$\|^deb http[s]*://[^ ]*/debian/* ' \
	/etc/apt/sources.list /etc/apt/sources.list.d/ | head -n1 |
	sed -e 's/^URIs: //' -e 's/^deb //' -e 's/ *$//' || true)
mirror=${mirror:-http://deb.debian.org/debian}
. /etc/os-release
echo "deb $mirror ${VERSION_CODENAME:-bookworm} main" >"$d/sources.list"

apto=(-o APT::Architecture=ppc64el -o APT::Architectures=ppc64el
      -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
      -o Dir::State::status=/dev/null
      -o Dir::Etc::SourceList="$d/sources.list"
      -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root)

echo "busybox: fetching busybox-static:ppc64el from $mirror" >&2
apt-get "${apto[@]}" update -qq >&2
rm -f "$d"/deb/*.deb
(cd "$d/deb" && apt-get "${apto[@]}" download busybox-static >&2)
rm -rf "$d/x"
dpkg-deb -x "$d"/deb/busybox-static_*.deb "$d/x"
install -m 0755 "$d/x/bin/busybox" "$bin"
echo "$bin"
