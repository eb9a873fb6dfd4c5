# SPDX-License-Identifier: GPL-2.0-only
# Sourced by the guest's /init: mounts, module helpers, result lines.
# Each check prints "VST-RESULT <name> PASS|FAIL [detail]" for the host.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null || true
mount -t debugfs debugfs /sys/kernel/debug
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

finish() {
	echo "VST-DONE uptime=$(cut -d' ' -f1 /proc/uptime)s"
	poweroff -f
}
