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

. "$(dirname "$0")/apt_private.sh"
. /etc/os-release
apt_private "$d" ppc64el "${VERSION_CODENAME:-bookworm}"
echo "busybox: fetching busybox-static:ppc64el" >&2
rm -f "$d"/deb/*.deb
(cd "$d/deb" && apt-get "${apto[@]}" download busybox-static >&2)
rm -rf "$d/x"
dpkg-deb -x "$d"/deb/busybox-static_*.deb "$d/x"
install -m 0755 "$d/x/bin/busybox" "$bin"
echo "$bin"
