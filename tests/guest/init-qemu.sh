#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for the real client: Debian's own qemu-system-ppc64 (in
# /qemu, scripts/qemu_client.sh) passes the edu device through, against
# our backend and upstream's in turn, v2 (QEMU's choice) and v1 (v2
# hidden by /qemu/v1only.so). Each run: the device realized with a
# pseries machine, stopped (-S); QEMU's windows and RAM registration as
# its traces report them, and the pins and locked_vm they hold; a machine
# reset (QEMU removes and makes its window again); a clean quit; every
# pin released. Results: VST-RESULT qemu_<backend>_<ver>_<step>.
. /init-common.sh

client=$(cat /qemu/version)
psz=$(($(sed -n 's/^KernelPageSize: *\([0-9]*\) kB/\1/p' /proc/self/smaps | head -n1) * 1024))
pseries=
grep -q '^platform.*pSeries' /proc/cpuinfo && pseries=1
edu_bind || finish
group=$(basename "$(readlink "/sys/bus/pci/devices/$bdf/iommu_group")")
echo "qemu: kernel $(uname -r), page size $psz, client qemu-system-ppc64 $client"
echo "qemu: edu at $bdf, iommu group $group"

# expect BACKEND VER: realize, or refuse where QEMU must give up on the
# device: upstream refuses QEMU's v2 window on pseries with 4K pages (it
# asks two levels, Documentation/ioctls.rst)
expect() {
	if [ "$1" = upstream ] && [ "$2" = v2 ] && [ -n "$pseries" ] &&
	   [ "$psz" = 4096 ]; then
		echo refuse
	else
		echo realize
	fi
}

pins() {
	echo 1 >/proc/sys/vm/stat_refresh
	a=$(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat)
	r=$(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat)
	echo $((a - r))
}

# qemu_exec VER ARG...: become Debian's QEMU with ARG (run it in the
# background: "$!" is then QEMU's pid); for VER v1 with v2 hidden
qemu_exec() {
	pre=
	[ "$1" = v1 ] && pre="--preload /qemu/v1only.so"
	shift
	# shellcheck disable=SC2086 # $pre: none, or an option and its value
	exec /qemu/lib/ld64.so.2 --library-path /qemu/lib $pre \
		/qemu/bin/qemu-system-ppc64 -L /qemu/share "$@"
}

# wait_exit SECS: wait for QEMU ($qpid) to exit, SECS at most, then kill
# it; its exit status in $rc
wait_exit() {
	n=0
	while kill -0 "$qpid" 2>/dev/null && [ "$n" -lt "$1" ]; do
		sleep 1
		n=$((n + 1))
	done
	kill -0 "$qpid" 2>/dev/null && kill -9 "$qpid"
	wait "$qpid"
	rc=$?
}

# pins_released P PINS0: the system's pins are back to PINS0
pins_released() {
	p1=$(pins)
	if [ "$p1" = "$2" ]; then
		result "$1_pins_released" PASS
	else
		result "$1_pins_released" FAIL "$2 before, $p1 after"
	fi
}

# wait_for FILE PATTERN COUNT SECS: until PATTERN matches COUNT lines of
# FILE, or QEMU ($qpid) exited, or SECS passed; 0 if it matched
wait_for() {
	n=0
	while [ "$n" -lt "$4" ]; do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		kill -0 "$qpid" 2>/dev/null || break
		sleep 1
		n=$((n + 1))
	done
	[ "$(grep -c "$2" "$1")" -ge "$3" ]
}

# run_qemu BACKEND VER
run_qemu() {
	p=qemu_$1_$2
	want=$(expect "$1" "$2")
	out=/tmp/$p.out
	trace=/tmp/$p.trace
	rm -f /tmp/in "$out" "$trace"
	mkfifo /tmp/in
	pins0=$(pins)
	t0=$(cut -d' ' -f1 /proc/uptime)
	qemu_exec "$2" \
		-M pseries,x-vof=on -accel tcg -m 256M -smp 1 -nodefaults \
		-display none -serial none -S -monitor stdio \
		-device "vfio-pci,host=$bdf,id=edu0" -D "$trace" \
		-trace vfio_spapr_create_window -trace vfio_spapr_remove_window \
		-trace vfio_prereg_register -trace vfio_prereg_unregister \
		</tmp/in >"$out" 2>&1 &
	qpid=$!
	exec 3>/tmp/in
	echo "info pci" >&3
	if wait_for "$out" '11e8' 1 600; then
		t1=$(cut -d' ' -f1 /proc/uptime)
		echo "qemu: $1 $2 realized in $(awk "BEGIN { print $t1 - $t0 }") s"
		case $want in
		realize) result "${p}_realize" PASS ;;
		*) result "${p}_realize" FAIL "realized, expected $want" ;;
		esac
		held_checks "$1" "$2"
		reset_check "$2"
		echo quit >&3
		wait_exit 120
		if [ "$rc" = 0 ]; then
			result "${p}_quit" PASS
		else
			result "${p}_quit" FAIL "exit $rc"
		fi
	else
		wait "$qpid"
		rc=$?
		echo "qemu: $1 $2 did not realize (exit $rc)"
		# QEMU traces a window once made: refused, it says why
		if [ "$want" = refuse ] && [ "$rc" != 0 ] &&
		   grep -q 'Failed to create a window.*Invalid argument' "$out"; then
			result "${p}_refused" PASS
		else
			result "${p}_realize" FAIL "exit $rc, expected $want"
		fi
	fi
	exec 3>&-
	# (without the monitor's line editing)
	grep -v "$(printf '\033')" "$out" | sed "s/^/qemu: $1 $2 out: /"
	sed "s/^/qemu: $1 $2 trace: /" "$trace"
	pins_released "$p" "$pins0"
}

# held_checks BACKEND VER: what the stopped QEMU holds
held_checks() {
	lck=$(sed -n 's/^VmLck:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$qpid/status")
	held=$(($(pins) - pins0))
	echo "qemu: $1 $2 stopped: VmLck ${lck} kB, ${held} pages pinned"
	if [ "$2" = v2 ]; then
		# Guest RAM registered (256M), QEMU's window made with the
		# levels it asks: two on a 4K-page host, else one
		lv=1
		[ "$psz" = 4096 ] && lv=2
		if grep -q 'vfio_prereg_register va=.* size=0x10000000 ret=0' "$trace" &&
		   grep -q 'vfio_spapr_remove_window' "$trace" &&
		   grep -q "vfio_spapr_create_window pageshift=0xc levels=$lv winsize=0x40000000 offset=0x0" "$trace"; then
			result "${p}_window" PASS
		else
			result "${p}_window" FAIL "$(tr '\n' ';' <"$trace")"
		fi
		# RAM and the window's table are charged, RAM is pinned
		if [ "$lck" -gt 262144 ] && [ "$held" -ge $((262144 * 1024 / psz)) ]; then
			result "${p}_held" PASS
		else
			result "${p}_held" FAIL "VmLck $lck kB, $held pins"
		fi
	else
		# v1: ENABLE charges the default window; nothing is pinned
		# until the guest maps
		if [ "$lck" -gt 0 ] && ! grep -q 'vfio_spapr_create_window\|vfio_prereg_register' "$trace"; then
			result "${p}_held" PASS
		else
			result "${p}_held" FAIL "VmLck $lck kB; $(tr '\n' ';' <"$trace")"
		fi
	fi
}

# reset_check VER: a machine reset takes the window away and makes it
# again (v2), and QEMU keeps the device
reset_check() {
	made=$(grep -c 'vfio_spapr_create_window' "$trace")
	echo system_reset >&3
	echo "info pci" >&3
	if [ "$1" = v2 ]; then
		if wait_for "$trace" 'vfio_spapr_create_window' $((made + 1)) 300 &&
		   wait_for "$out" '11e8' 2 60; then
			result "${p}_reset" PASS
		else
			result "${p}_reset" FAIL "$(tr '\n' ';' <"$trace")"
		fi
	elif wait_for "$out" '11e8' 2 300; then
		result "${p}_reset" PASS
	else
		result "${p}_reset" FAIL "no device after reset"
	fi
}

# nested_run BACKEND ACCEL VER: with /nested (guest.sh QEMU_NESTED), QEMU
# boots a guest of its own on a VER container of BACKEND, whose DMA client
# (init-nested.sh) runs v2 and v1 on a v2 container, v1 on a v1 one.
#   tcg: every MAP the nested client makes is an H_PUT_TCE to this QEMU,
#        which maps it with MAP_DMA here (ours traces each: spapr_tce_map)
#   kvm: KVM-HV runs the nested guest, and QEMU attaches the group to
#        KVM's TCE table: KVM handles the H_PUT_TCEs in the kernel and
#        writes the backend's window itself; no MAP_DMA comes, yet the
#        nested DMA must work and every pin be released at the end
# The nested client's results come back as qemu_nested_BACKEND_ACCEL_VER_*.
nested_run() {
	p=qemu_nested_$1_$2_$3
	vers=v2,v1
	[ "$3" = v1 ] && vers=v1
	# KVM-HV cannot back the 64K pages QEMU offers a guest by default
	# with a host's 4K pages
	machine=pseries,x-vof=on
	[ "$2" = kvm ] && [ "$psz" = 4096 ] &&
		machine=$machine,cap-hpt-max-page-size=4k
	con=/tmp/$p.console
	trace=/tmp/$p.trace
	rm -f "$con" "$trace"
	pins0=$(pins)
	# Ours traces QEMU's MAP_DMA and TCE_CREATE calls; only these, so
	# that the ring buffer is not overrun by the UNMAPs of QEMU's
	# teardown
	ev=/sys/kernel/tracing/events/vfio_spapr_tce
	if [ "$1" = ours ]; then
		echo >/sys/kernel/tracing/trace
		echo 1 >"$ev/spapr_tce_map/enable"
		echo 1 >"$ev/spapr_tce_create/enable"
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	qemu_exec "$3" \
		-M "$machine" -accel "$2" -m 512M -smp 1 -nodefaults \
		-display none -monitor none -no-reboot -serial "file:$con" \
		-device "vfio-pci,host=$bdf" -kernel /nested/vmlinux \
		-initrd /nested/initramfs.cpio \
		-append "console=hvc0 panic=-1 vst_vers=$vers" -D "$trace" \
		-trace vfio_spapr_group_attach \
		</dev/null >"/tmp/$p.out" 2>&1 &
	qpid=$!
	wait_exit "$(cat /nested/timeout)"
	t1=$(cut -d' ' -f1 /proc/uptime)
	# The MAP_DMA calls QEMU made, and its windows (v2), which show that
	# the tracing worked (upstream's runs are not judged on the path)
	maps=-
	made=-
	if [ "$1" = ours ]; then
		maps=$(grep -c 'spapr_tce_map:.* ret=0 ' /sys/kernel/tracing/trace)
		made=$(grep -c 'spapr_tce_create:.* ret=0 ' /sys/kernel/tracing/trace)
		echo 0 >"$ev/enable"
	fi
	echo "qemu: nested $1 $2 $3 ran $(awk "BEGIN { print $t1 - $t0 }") s, exit $rc; $maps MAP_DMA and $made TCE_CREATE calls"
	sed "s/^/qemu: nested $1 $2 $3 out: /" "/tmp/$p.out"
	grep 'vfio_spapr_group_attach' "$trace" |
		sed "s/^/qemu: nested $1 $2 $3 trace: /"
	tr -d '\r' <"$con" | sed "s/^/nested: $1 $2 $3: /"
	tr -d '\r' <"$con" | grep '^VST-RESULT ' |
	while read -r _ name res detail; do
		result "${p}_$name" "$res" "$detail"
	done
	if grep -q '^VST-DONE' "$con" && [ "$rc" = 0 ]; then
		result "${p}_done" PASS
	else
		result "${p}_done" FAIL "exit $rc"
	fi
	if [ "$2" = kvm ] && ! grep -q 'vfio_spapr_group_attach' "$trace"; then
		result "${p}_kvm_attached" FAIL "QEMU did not attach the group to KVM's table"
	elif [ "$2" = kvm ]; then
		result "${p}_kvm_attached" PASS
	fi
	if [ "$maps" = - ]; then
		:
	elif { [ "$2" = tcg ] && [ "$maps" -gt 0 ]; } ||
	     { [ "$2" = kvm ] && [ "$maps" = 0 ] && [ "$made" -gt 0 ]; }; then
		result "${p}_path" PASS
	else
		result "${p}_path" FAIL "$2: $maps MAP_DMA, $made TCE_CREATE calls"
	fi
	pins_released "$p" "$pins0"
}

# KVM-HV for the nested guests (guest.sh QEMU_NESTED with kvm: the outer
# machine has cap-nested-hv, and Debian's kvm modules are here)
if [ -e /modules/kvm-hv.ko ]; then
	insmod /modules/kvm.ko
	if insmod /modules/kvm-hv.ko && [ -c /dev/kvm ]; then
		result qemu_kvm_hv_loaded PASS
	else
		result qemu_kvm_hv_loaded FAIL "$(dmesg | grep -i kvm | tail -n 3)"
	fi
fi

# nested_runs BACKEND: the nested boots of BACKEND /nested/runs lists
# ("ours tcg v2" ...); each must be one QEMU can realize here
nested_runs() {
	[ -e /nested/runs ] || return 0
	while read -r b accel ver; do
		[ "$b" = "$1" ] || continue
		if [ "$(expect "$b" "$ver")" = realize ]; then
			nested_run "$b" "$accel" "$ver"
		else
			result "qemu_nested_${b}_${accel}_$ver" FAIL "QEMU refuses"
		fi
	done </nested/runs
}

for backend in ours upstream; do
	case $backend in
	ours) mod=vfio_spapr_tce ;;
	*) mod=vfio_iommu_spapr_tce ;;
	esac
	insmod "/modules/$mod.ko" || result "qemu_${backend}_load" FAIL
	for ver in v2 v1; do
		run_qemu "$backend" "$ver"
	done
	nested_runs "$backend"
	if rmmod "$mod" && ! loaded "$mod"; then
		result "qemu_${backend}_unload" PASS
	else
		result "qemu_${backend}_unload" FAIL
	fi
done
kmemleak_scan
finish
