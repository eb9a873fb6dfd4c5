#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for the end-to-end passthrough checks: bind edu to vfio-pci,
# then run the DMA client against our backend and upstream's, in turn, and
# after it the hostile client (spapr_hostile, not in the demo).
. /init-common.sh

echo "e2e: kernel $(uname -r)"
edu_bind || finish
echo "e2e: edu at $bdf, iommu group $(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")"
if [ -n "$bdf2" ]; then
	echo "e2e: second edu at $bdf2, iommu group $(basename "$(readlink "/sys/bus/pci/devices/$bdf2/iommu_group")")"
fi

# spapr_hostile maps a hugetlb page: a few in the pool. Not on Debian's
# kernels (the DMA client proves the module there; the hostile rows are
# judged on the test kernel)
hostile=1
[ -e /demo ] && hostile=
[ -e /debian ] && hostile=
# QEMU 7.2's powernv9 gives the radix MMU no huge page size (the kasan
# kernel runs radix there): no hugetlb at all, said and not judged here;
# make check requires e2e_hugepages where the machine has it
if [ -n "$hostile" ] && [ ! -e /proc/sys/vm/nr_hugepages ]; then
	echo "e2e: no hugetlb in this boot ($(dmesg | grep -m1 -i 'hugetlb'))"
elif [ -n "$hostile" ]; then
	echo 4 >/proc/sys/vm/nr_hugepages
	hp=$(cat /proc/sys/vm/nr_hugepages)
	echo "e2e: $hp huge pages of $(grep Hugepagesize /proc/meminfo | tr -s ' ' | cut -d' ' -f2-)"
	if [ "$hp" -ge 1 ]; then
		result e2e_hugepages PASS
	else
		result e2e_hugepages FAIL "nr_hugepages=$hp"
	fi
fi

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
	# What ours shows of a container (debugfs, trace events)
	[ "$tag" = ours ] && [ ! -e /demo ] && spapr_observe "$bdf"
	# Ours says that it serves, at its first attach
	if [ "$tag" = ours ]; then
		if dmesg | grep -q 'vfio_spapr_tce: serving sPAPR TCE containers'; then
			result e2e_ours_says_serving PASS
		else
			result e2e_ours_says_serving FAIL
		fi
	fi
	[ -n "$hostile" ] && spapr_hostile "$bdf" "$tag" "$bdf2"
	if rmmod "$mod" && ! loaded "$mod"; then
		result "e2e_${tag}_unload" PASS
	else
		result "e2e_${tag}_unload" FAIL
	fi
done

# Random sequences, on ours only (upstream's own warnings would fail the
# boot's console check; make fuzz runs it in a boot of its own), and
# last: on pseries a failed window creation leaves the device without
# dynamic windows for the rest of the boot (Documentation/security.rst),
# which would change what the clients above see
if [ -n "$hostile" ]; then
	insmod /modules/vfio_spapr_tce.ko || result e2e_fuzz_load FAIL
	for seed in $(cat /fuzz-seeds); do
		SPAPR_FUZZ_TRACE=1 spapr_fuzz ours "$seed" "$(cat /fuzz-ops)" \
			"$bdf" $bdf2
	done
	if rmmod vfio_spapr_tce && ! loaded vfio_spapr_tce; then
		result e2e_fuzz_unload PASS
	else
		result e2e_fuzz_unload FAIL
	fi
fi

kmemleak_scan
finish
