#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make bench: the same benchmark against our backend and
# upstream's, in interleaved rounds, in one boot.
. /init-common.sh

edu_bind || finish
rounds=$(cat /bench-rounds)
sizes=$(cat /bench-sizes)
# make bench BENCH_PROFILE=<case>: mark that case for the QEMU plugin, and
# give the report the addresses of the modules' functions
if [ -f /bench-profile ]; then
	SPAPR_BENCH_PROFILE=$(cat /bench-profile)
	export SPAPR_BENCH_PROFILE
fi
r=1
while [ "$r" -le "$rounds" ]; do
	for pair in ours:vfio_spapr_tce upstream:vfio_iommu_spapr_tce; do
		tag=${pair%%:*}
		mod=${pair#*:}
		insmod "/modules/$mod.ko"
		# Every module's, the VFIO core's too
		[ -f /bench-profile ] &&
			grep -E '^[0-9a-f]+ [tT] .*\[' /proc/kallsyms |
			sed 's/^/KSYM /'
		for ver in v1 v2; do
			echo "BENCH-ROUND $r $tag $ver"
			spapr_bench "$ver" "$bdf" "$tag" $sizes
		done
		rmmod "$mod"
	done
	r=$((r + 1))
done
finish
