# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the guest's /init: mounts, module helpers, result lines.
# Each check prints "VST-RESULT <name> PASS|FAIL [detail]" for the host.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || true
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
echo "VST-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime)s"

result() {
	echo "VST-RESULT $1 $2${3:+ $3}"
}

loaded() {
	grep -q "^$1 " /proc/modules
}

# probe_expect NAME V1 V2: the registered backends answer CHECK_EXTENSION
probe_expect() {
	out=$(vfio_probe)
	echo "$out"
	case "$out" in
	*"spapr_tce_v1=$2 spapr_tce_v2=$3 "*) result "$1" PASS ;;
	*) result "$1" FAIL "$out" ;;
	esac
}

# edu_bind: load vfio-pci, bind QEMU's edu devices to it; sets $bdf (the
# first) and $bdf2 (a second one, in the e2e guests; else empty)
edu_bind() {
	for m in irqbypass vfio vfio-pci-core vfio-pci; do
		# irqbypass is built into Debian's kernels
		[ -e "/modules/$m.ko" ] || continue
		insmod "/modules/$m.ko" || result "load_$m" FAIL
	done
	bdf=
	bdf2=
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] &&
		   [ "$(cat "$d/device")" = 0x11e8 ]; then
			if [ -z "$bdf" ]; then
				bdf=${d##*/}
			elif [ -z "$bdf2" ]; then
				bdf2=${d##*/}
			fi
		fi
	done
	if [ -z "$bdf" ]; then
		result e2e_edu_found FAIL "no edu device"
		return 1
	fi
	for b in $bdf $bdf2; do
		echo vfio-pci >"/sys/bus/pci/devices/$b/driver_override"
		echo "$b" >/sys/bus/pci/drivers_probe
	done
	if [ -e "/sys/bus/pci/drivers/vfio-pci/$bdf" ]; then
		result e2e_bind_vfio_pci PASS
	else
		result e2e_bind_vfio_pci FAIL
		return 1
	fi
	if [ -n "$bdf2" ] && [ ! -e "/sys/bus/pci/drivers/vfio-pci/$bdf2" ]; then
		result e2e_bind_vfio_pci_second FAIL "$bdf2"
		bdf2=
	fi
}

# kmemleak reports objects older than 5 s: let them age, then scan twice;
# the host fails the run on any report between the markers
kmemleak_scan() {
	if [ -w /sys/kernel/debug/kmemleak ]; then
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		echo "VST-KMEMLEAK-BEGIN"
		cat /sys/kernel/debug/kmemleak
		echo "VST-KMEMLEAK-END"
	else
		echo "VST-KMEMLEAK-OFF"
	fi
}

# backend_load RUN: load the backend /RUN-backend names (ours or
# upstream); sets $backend and $mod; RUN_<backend>_load FAIL if it fails
backend_load() {
	backend=$(cat "/$1-backend")
	case $backend in
	ours) mod=vfio_spapr_tce ;;
	*) mod=vfio_iommu_spapr_tce ;;
	esac
	insmod "/modules/$mod.ko" || result "$1_${backend}_load" FAIL
}

# backend_unload RUN: unload it again; RUN_<backend>_unload PASS|FAIL
backend_unload() {
	if rmmod "$mod" && ! loaded "$mod"; then
		result "$1_${backend}_unload" PASS
	else
		result "$1_${backend}_unload" FAIL
	fi
}

finish() {
	echo "VST-DONE uptime=$(cut -d' ' -f1 /proc/uptime)s"
	poweroff -f
}
