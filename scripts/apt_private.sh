# SPDX-License-Identifier: GPL-2.0-only
# Sourced: apt_private DIR ARCH SUITE...: set up a private apt state in DIR
# (lists, cache, sources.list), for packages of ARCH from SUITE... of the
# host's Debian mirror (its debian-security for "*-security" suites), and
# fetch its lists once; the host's own package lists are left alone. Sets
# the array apto to the options of apt-get and apt-cache for that state.
# Then: (cd DIR/deb && apt-get "${apto[@]}" download PKG...).
apt_private() {
	local d=$1 arch=$2 mirror security suite
	shift 2

	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/deb"
	apto=(-o APT::Architecture="$arch" -o APT::Architectures="$arch"
	      -o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache"
	      -o Dir::State::status=/dev/null
	      -o Dir::Etc::SourceList="$d/sources.list"
	      -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root)
	[ -s "$d/sources.list" ] && [ -e "$d/lists/.fetched" ] && return 0

	mirror=$(grep -rhos '^URIs: http[s]*://[^ ]*/debian/*$\|^deb http[s]*://[^ ]*/debian/* ' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ | head -n1 |
		sed -e 's/^URIs: //' -e 's/^deb //' -e 's/ *$//' || true)
	mirror=${mirror:-http://deb.debian.org/debian}
	security=$(grep -rhos '^URIs: http[s]*://[^ ]*/debian-security/*$\|^deb http[s]*://[^ ]*/debian-security/* ' \
		/etc/apt/sources.list /etc/apt/sources.list.d/ | head -n1 |
		sed -e 's/^URIs: //' -e 's/^deb //' -e 's/ *$//' || true)
	security=${security:-http://deb.debian.org/debian-security}
	: >"$d/sources.list"
	for suite in "$@"; do
		case $suite in
		*-security) echo "deb $security $suite main" ;;
		*) echo "deb $mirror $suite main" ;;
		esac >>"$d/sources.list"
	done
	echo "apt: fetching package lists for $arch ($*) into $d" >&2
	apt-get "${apto[@]}" update -qq >&2 && touch "$d/lists/.fetched"
}
