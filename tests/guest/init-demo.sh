#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make demo: load the module and show it registered.
. /init-common.sh

echo "demo: kernel $(uname -r) on $(grep -m1 '^cpu' /proc/cpuinfo)"
insmod /modules/vfio.ko
echo "demo: before loading vfio_spapr_tce:"
vfio_probe
insmod /modules/vfio_spapr_tce.ko
echo "demo: loaded:"
grep vfio /proc/modules
echo "demo: after loading vfio_spapr_tce:"
probe_expect demo_registered 1 1
ls -l /dev/vfio
finish
