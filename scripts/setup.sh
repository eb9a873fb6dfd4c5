#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Install every Debian package the project uses. Idempotent: skips what is
# present, says what it does. Nothing outside Debian's archive is fetched.
set -euo pipefail

PKGS="gcc gcc-powerpc64le-linux-gnu qemu-system-ppc sparse linux-source-6.12 flex
bison bc libelf-dev libssl-dev cpio python3 make xz-utils rsync kmod
libc6-dev-ppc64el-cross dwarves dkms patch binutils"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

need=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		need="$need $p"
done

if [ -z "$need" ]; then
	echo "setup: all packages present"
	exit 0
fi

echo "setup: missing:$need"

# linux-source-6.12 lives in bookworm-backports on Debian 12.
if ! apt-cache policy linux-source-6.12 2>/dev/null | grep -q 'Candidate: [0-9]'; then
	. /etc/os-release
	if [ "${VERSION_CODENAME:-}" = bookworm ] &&
	   ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		mirror=$(grep -rhos 'http[s]*://[^ ]*/debian/*$\|URIs: http[s]*://[^ ]*/debian/*$' \
			/etc/apt/sources.list /etc/apt/sources.list.d/ | head -n1 |
			sed "s/^URIs: //" || true)
		mirror=${mirror:-http://deb.debian.org/debian}
		echo "setup: adding bookworm-backports from $mirror"
		echo "deb $mirror bookworm-backports main" |
			$SUDO tee /etc/apt/sources.list.d/vfio-spapr-tce-backports.list >/dev/null
	fi
	echo "setup: apt-get update"
	$SUDO apt-get update -qq
fi

echo "setup: apt-get install$need"
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need ||
{
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need
}
echo "setup: done"
