#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make fuzz: spapr_fuzz with every seed against one
# backend (ours or upstream's), then a kmemleak scan and the unload. The
# host judges the console (scripts/fuzz.sh).
. /init-common.sh

edu_bind || finish
backend=$(cat /fuzz-backend)
case $backend in
ours) mod=vfio_spapr_tce ;;
*) mod=vfio_iommu_spapr_tce ;;
esac
echo 4 >/proc/sys/vm/nr_hugepages
insmod "/modules/$mod.ko" || result "fuzz_${backend}_load" FAIL
for seed in $(cat /fuzz-seeds); do
	SPAPR_FUZZ_TRACE=1 spapr_fuzz "$backend" "$seed" "$(cat /fuzz-ops)" \
		"$bdf" $bdf2
done
kmemleak_scan
if rmmod "$mod" && ! loaded "$mod"; then
	result "fuzz_${backend}_unload" PASS
else
	result "fuzz_${backend}_unload" FAIL
fi
finish
