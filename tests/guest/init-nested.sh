#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the nested guest (init-qemu.sh boots it with the real client):
# the same kernel and modules one level down, edu passed through by QEMU.
# The DMA client runs against our backend here, each version the kernel
# command line's vst_vers= names (v2,v1); its every MAP becomes an
# H_PUT_TCE, which the QEMU above maps with MAP_DMA (TCG) or KVM writes
# itself (KVM-HV) into the outer guest's backend's window, that is the
# outer edu's TCEs. The outer /init reads this console.
. /init-common.sh

echo "nested: kernel $(uname -r)"
edu_bind || finish
echo "nested: edu at $bdf"
insmod /modules/vfio_spapr_tce.ko || result nested_load FAIL
for ver in $(sed -n 's/.*vst_vers=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' '); do
	spapr_dma "$ver" "$bdf" ours
done
if rmmod vfio_spapr_tce && ! loaded vfio_spapr_tce; then
	result nested_unload PASS
else
	result nested_unload FAIL
fi
finish
