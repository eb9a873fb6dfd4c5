#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make check: module load/unload, registration, KUnit.
. /init-common.sh

insmod /modules/vfio.ko
probe_expect registered_none 0 0

# ours NAME load|unload: insmod or rmmod our module, check /proc/modules
ours() {
	if [ "$2" = load ]; then
		insmod /modules/vfio_spapr_tce.ko && loaded vfio_spapr_tce
	else
		rmmod vfio_spapr_tce && ! loaded vfio_spapr_tce
	fi
	if [ $? = 0 ]; then result "$1" PASS; else result "$1" FAIL; fi
}

ours module_load load
probe_expect registered_after_load 1 1
ours module_unload unload
probe_expect unregistered_after_unload 0 0
ours module_reload load
probe_expect registered_after_reload 1 1

# Huge pages for the security suite's mixed-page-size case
echo 2 >/proc/sys/vm/nr_hugepages
if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge 2 ]; then
	result hugepages_for_kunit PASS
else
	result hugepages_for_kunit FAIL "$(grep -i huge /proc/meminfo | tr '\n' ' ')"
fi

echo "VST-KUNIT-BEGIN"
insmod /modules/vfio_spapr_tce_test.ko
echo "VST-KUNIT-END"
rmmod vfio_spapr_tce_test

kmemleak_scan

ours module_unload_after_tests unload
finish
