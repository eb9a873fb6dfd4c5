#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make bench: the same benchmark against our backend and
# upstream's, in interleaved rounds, in one boot.
. /init-common.sh

edu_bind || finish
rounds=$(cat /bench-rounds)
sizes=$(cat /bench-sizes)
r=1
while [ "$r" -le "$rounds" ]; do
	for pair in ours:vfio_spapr_tce upstream:vfio_iommu_spapr_tce; do
		tag=${pair%%:*}
		mod=${pair#*:}
		insmod "/modules/$mod.ko"
		for ver in v1 v2; do
			echo "BENCH-ROUND $r $tag $ver"
			spapr_bench "$ver" "$bdf" "$tag" $sizes
		done
		rmmod "$mod"
	done
	r=$((r + 1))
done
finish
