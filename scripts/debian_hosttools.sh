#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# debian_hosttools.sh DIR ABI: make the Debian headers trees unpacked in
# DIR/root usable on this machine. linux-kbuild's tools (fixdep, modpost,
# genksyms, objtool, resolve_btfids) are ppc64le binaries; rebuild them from the same
# version's linux-source-6.12, configured as Debian's kernel, and put
# them in their place. The headers' Makefiles include the common tree by
# its absolute path under /usr/src: point them at DIR/root. Once per DIR.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
d=${1:?usage: debian_hosttools.sh DIR ABI}
abi=${2:?usage: debian_hosttools.sh DIR ABI}
root=$d/root
kb=$root/usr/lib/linux-kbuild-$abi
o=$d/hosttools

for mk in "$root"/usr/src/linux-headers-"$abi"-*/Makefile; do
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$mk"
done
[ -e "$kb/.host-tools" ] && exit 0

src=$("$top/scripts/linux_src.sh")
start=$(date +%s)
echo "debian: building host tools from $src for $abi" >&2
rm -rf "$o"
mkdir -p "$o"
# Debian's configuration, of whichever flavour is unpacked (the tools do
# not depend on the page size)
cp "$(ls "$root"/usr/src/linux-headers-"$abi"-*/.config | head -n1)" "$o/.config"
export ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
make -s -C "$src" O="$o" olddefconfig >&2
make -s -C "$src" O="$o" -j"$(nproc)" modules_prepare >&2
make -s -C "$src" O="$o" tools/bpf/resolve_btfids >&2

install -m 0755 "$o/scripts/basic/fixdep" "$kb/scripts/basic/fixdep"
install -m 0755 "$o/scripts/genksyms/genksyms" "$kb/scripts/genksyms/genksyms"
rm -f "$kb"/scripts/mod/modpost.real-* "$kb"/tools/objtool/objtool.real-*
install -m 0755 "$o/scripts/mod/modpost" "$kb/scripts/mod/modpost"
install -m 0755 "$o/tools/objtool/objtool" "$kb/tools/objtool/objtool"
install -m 0755 "$o/tools/bpf/resolve_btfids/resolve_btfids" \
	"$kb/tools/bpf/resolve_btfids/resolve_btfids"
touch "$kb/.host-tools"
echo "debian: host tools built in $(($(date +%s) - start)) s" >&2
