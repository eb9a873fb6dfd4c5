#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make check: module load/unload, registration, KUnit.
. /init-common.sh

insmod /modules/vfio.ko
probe_expect registered_none 0 0

if insmod /modules/vfio_spapr_tce.ko && loaded vfio_spapr_tce; then
	result module_load PASS
else
	result module_load FAIL
fi
probe_expect registered_after_load 1 1

if rmmod vfio_spapr_tce && ! loaded vfio_spapr_tce; then
	result module_unload PASS
else
	result module_unload FAIL
fi
probe_expect unregistered_after_unload 0 0

if insmod /modules/vfio_spapr_tce.ko && loaded vfio_spapr_tce; then
	result module_reload PASS
else
	result module_reload FAIL
fi
probe_expect registered_after_reload 1 1

echo "VST-KUNIT-BEGIN"
insmod /modules/vfio_spapr_tce_test.ko
echo "VST-KUNIT-END"
rmmod vfio_spapr_tce_test

kmemleak_scan

if rmmod vfio_spapr_tce && ! loaded vfio_spapr_tce; then
	result module_unload_after_tests PASS
else
	result module_unload_after_tests FAIL
fi
finish
