#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for the end-to-end passthrough checks: bind edu to vfio-pci,
# then run the DMA client against our backend and upstream's, in turn.
. /init-common.sh

edu_bind || finish
echo "e2e: edu at $bdf, iommu group $(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")"

# Each backend in turn: ours, then upstream's (the oracle); the demo
# runs ours only
backends="ours:vfio_spapr_tce upstream:vfio_iommu_spapr_tce"
[ -e /demo ] && backends=ours:vfio_spapr_tce
for pair in $backends; do
	tag=${pair%%:*}
	mod=${pair#*:}
	insmod "/modules/$mod.ko" || result "e2e_${tag}_load" FAIL
	for ver in v1 v2; do
		spapr_dma "$ver" "$bdf" "$tag"
	done
	if rmmod "$mod" && ! loaded "$mod"; then
		result "e2e_${tag}_unload" PASS
	else
		result "e2e_${tag}_unload" FAIL
	fi
done

kmemleak_scan
finish
