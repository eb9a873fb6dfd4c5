#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Prepare a ppc64le Linux 6.12 kernel: unpack Debian's linux-source-6.12
# outside the clone, configure it from allnoconfig + config fragments,
# verify every requested option survived, build vmlinux and modules.
#
#   kernel.sh [test]   tests/config/*.config: the test kernel (KUnit,
#                      lockdep, kmemleak), linked as build/kernel
#   kernel.sh bench    tests/config/{base,vfio}.config + tools/bench/bench.config:
#                      the same kernel without the debug options, for
#                      make bench, linked as build/kernel-bench
#   kernel.sh bench4k  the same with 4K system pages (tools/bench/4k.config),
#                      linked as build/kernel-bench4k
#   kernel.sh kasan    the test kernel's fragments + tests/config/kasan/:
#                      KASAN (radix MMU) and fault injection, linked as
#                      build/kernel-kasan
#
# KERNEL_SERIES=7.3 builds from Debian's linux-source-7.3 instead (the
# newest stable series; scripts/linux_src.sh), linked with a "-7.3" suffix
# (build/kernel-7.3, build/linux-src-7.3).
#
# The build is cached in $VST_CACHE (default ~/.cache/vfio_spapr_tce), keyed
# by the source package version and the fragments, and reused when present.
# Links it as build/kernel (and the source as build/linux-src) in the clone
# and prints nothing on stdout but the build directory (KDIR) on success.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
profile=${1:-test}
cache=${VST_CACHE:-$HOME/.cache/vfio_spapr_tce}
export ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-
jobs=${JOBS:-$(nproc)}

log() { echo "kernel: $*" >&2; }

series=${KERNEL_SERIES:-6.12}
src=$("$top/scripts/linux_src.sh" "$series")
# The cache key: the package version (6.12's as it always was)
ver=$(basename "$src")
[ "$series" != 6.12 ] || ver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
# The 6.12 links keep their names; other series get a suffix
sfx=
[ "$series" = 6.12 ] || sfx=-$series

case $profile in
test) frags=$(ls "$top"/tests/config/*.config) ;;
kasan) frags="$(ls "$top"/tests/config/*.config) $top/tests/config/kasan/kasan.config" ;;
bench) frags="$top/tests/config/base.config $top/tests/config/vfio.config $top/tools/bench/bench.config" ;;
bench4k) frags="$top/tests/config/base.config $top/tests/config/vfio.config $top/tools/bench/bench.config $top/tools/bench/4k.config" ;;
*) log "unknown profile $profile"; exit 2 ;;
esac
# shellcheck disable=SC2086
hash=$( (echo "$ver"; cat $frags) | sha256sum | cut -c1-16)
out=$cache/build-$hash

link() {
	mkdir -p "$top/build"
	if [ "$profile" = test ]; then
		ln -sfn "$out" "$top/build/kernel$sfx"
	else
		ln -sfn "$out" "$top/build/kernel-$profile$sfx"
	fi
	ln -sfn "$src" "$top/build/linux-src$sfx"
	echo "$out"
}

if [ -f "$out/.built" ]; then
	log "cached build $out"
	link
	exit 0
fi

start=$(date +%s)
log "configuring $out (allnoconfig + $(echo $frags | xargs -n1 basename | tr '\n' ' '))"
rm -rf "$out"
mkdir -p "$out"
cd "$src"
# shellcheck disable=SC2086
scripts/kconfig/merge_config.sh -n -O "$out" $frags >"$out/merge.log" 2>&1 ||
	{ cat "$out/merge.log" >&2; exit 1; }
make -s O="$out" olddefconfig >&2

missing=0
# What the fragments ask, the last fragment winning as in merge_config.sh
declare -A want=()
# shellcheck disable=SC2086
for line in $(grep -h '^CONFIG_' $frags); do
	want[${line%%=*}]=$line
done
for line in "${want[@]}"; do
	if [ "${line#*=}" = n ]; then
		# Asked to be off: it must not be set
		grep -q "^${line%%=*}=" "$out/.config" || continue
		log "option forced on by Kconfig: $line"
		missing=1
	elif ! grep -qx "$line" "$out/.config"; then
		log "option dropped by Kconfig: $line (have: $(grep "^${line%%=*}=" "$out/.config" || echo unset))"
		missing=1
	fi
done
[ "$missing" = 0 ] || exit 1

log "building vmlinux, modules and uapi headers with -j$jobs (log: $out/build.log)"
make O="$out" -j"$jobs" vmlinux modules headers >"$out/build.log" 2>&1 &
pid=$!
# Minutes of work: say every 30 s that it goes on, and how far
n=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 1
	n=$((n + 1))
	[ $((n % 30)) != 0 ] ||
		log "... $(( $(date +%s) - start )) s, $(grep -c '^  CC' "$out/build.log") files compiled"
done
if ! wait "$pid"; then
	tail -n 40 "$out/build.log" >&2
	exit 1
fi
touch "$out/.built"
log "built in $(( $(date +%s) - start )) s"
link
