#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench: map/unmap throughput of our module against upstream's
# vfio_iommu_spapr_tce, both built for the same kernel (the test kernel's
# options without the debug ones), in the same guest boot, in interleaved
# rounds. Machines: $BENCH_MACHINES (default "pseries powernv9"); rounds:
# $BENCH_ROUNDS (default 3); sizes in MiB: $BENCH_SIZES (default
# "4 64 256 0", 0 being the largest the window allows); BENCH_ICOUNT=1 for
# instruction-counted guest time (see guest.sh); BENCH_PAGES=4k for a guest
# kernel with 4K system pages. Writes
# build/bench/bench-<machine>[-4k][-icount].csv, .md and .log, and prints
# the tables.
#
# BENCH_PROFILE=<case> (map, map64k, unmap or register; map/thp etc. for
# the buffers of transparent huge pages of a BENCH_PAGES=4k guest; "all"
# for every case) profiles that case instead: one round (pseries by
# default, under -icount; powernv9 without), with tools/bench/insn_profile.c (a
# QEMU plugin) counting the guest instructions of each timed call, and
# prints where they go, per TCE and function and kind of work, ours next
# to upstream's, and each case's total
# (build/bench/profile-<case>[-4k]-<machine>.md, "/" in <case> written "-").
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
profile=bench
pages=64K
if [ "${BENCH_PAGES:-}" = 4k ]; then
	profile=bench4k
	pages=4K
fi
kdir=$("$top/scripts/kernel.sh" "$profile")
out=$top/build/bench
moddir=$out/module-$profile
# From scratch: a stale object built for another configuration (the test
# kernel's, with KUnit) once linked in and left the module unloadable
rm -rf "$moddir"
mkdir -p "$moddir"

# Our module, built for the bench kernel in a copy of the sources
rsync -a --delete --include='/Kbuild' --include='/*.c' --include='/include/***' \
	--exclude='*' "$top/" "$moddir/"
make -s -C "$kdir" M="$moddir" ARCH=powerpc \
	CROSS_COMPILE=powerpc64le-linux-gnu- CONFIG_VFIO_SPAPR_TCE=m modules

qemu_ver=$(qemu-system-ppc64 --version | head -n1)
clock="TCG, wall clock"
suffix=
[ "$pages" = 4K ] && suffix=-4k
machines=${BENCH_MACHINES:-pseries powernv9}
if [ -n "${BENCH_PROFILE:-}" ]; then
	gcc -shared -fPIC -O2 -Wall -Wextra -Werror -fvisibility=hidden \
		-o "$out/insn_profile.so" "$top/tools/bench/insn_profile.c"
	powerpc64le-linux-gnu-nm -n "$kdir/vmlinux" >"$out/vmlinux.nm"
	export BENCH_ICOUNT=1 BENCH_ROUNDS=1
	export BENCH_PLUGIN="$out/insn_profile.so,out=$out/profile-windows.txt"
fi
if [ -n "${BENCH_ICOUNT:-}" ]; then
	clock="TCG -icount shift=0, guest instructions"
	suffix=$suffix-icount
	machines=${BENCH_MACHINES:-pseries}
fi
for machine in $machines; do
	icount=${BENCH_ICOUNT:-}
	# QEMU 7.2's powernv9 (skiboot) dies under -icount: a profile (the
	# plugin counts instructions whatever the clock) is the only
	# instruction count there
	if [ "$machine" = powernv9 ] && [ -n "$icount" ]; then
		[ -n "${BENCH_PROFILE:-}" ] ||
			{ echo "bench: powernv9 has no -icount" >&2; exit 2; }
		icount=
	fi
	BENCH_ICOUNT=$icount GUEST_TIMEOUT=${GUEST_TIMEOUT:-1800} \
		KDIR="$kdir" MODDIR="$moddir" \
		"$top/scripts/guest.sh" bench "$machine"
	log=$top/build/logs/bench-$machine.log
	"$top/scripts/console_check.sh" "$log"
	if [ -n "${BENCH_PROFILE:-}" ]; then
		python3 "$top/scripts/profile_report.py" "$log" \
			"$out/profile-windows.txt" "$out/vmlinux.nm" |
			tee "$out/profile-${BENCH_PROFILE//\//-}${suffix%-icount}-$machine.md"
		continue
	fi
	cp "$log" "$out/bench-$machine$suffix.log"
	python3 "$top/scripts/bench_report.py" "$log" \
		"$out/bench-$machine$suffix.csv" \
		"$machine, $pages system pages, $qemu_ver, $clock, $(date -u +%Y-%m-%d)" |
		tee "$out/bench-$machine$suffix.md"
done
