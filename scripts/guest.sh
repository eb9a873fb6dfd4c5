#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Boot the test kernel in QEMU with our modules and a busybox initramfs.
#
#   guest.sh MODE [pseries|powernv9]
#
#   kunit   run the KUnit suites and the module checks (make check)
#   e2e     DMA through our TCEs with QEMU's edu device, against our
#           backend and upstream's in the same boot
#   demo    the e2e client against our backend only, with its progress
#   qemu    Debian's qemu-system-ppc64 (QEMU_CLIENT 7.2, default, or 10.0;
#           scripts/qemu_client.sh) as the VFIO client of edu, against
#           ours and upstream's, v2 and v1 (tests/guest/init-qemu.sh)
#   fuzz    spapr_fuzz against one backend (FUZZ_BACKEND ours|upstream),
#           seeds FUZZ_SEEDS, FUZZ_OPS operations each (scripts/fuzz.sh)
#   race    spapr_race against one backend (RACE_BACKEND ours|upstream),
#           RACE_SECS seconds per case (default 4), cases RACE_CASES
#           (default all), on two vCPUs
#   fail    spapr_fail against one backend (FAIL_BACKEND ours|upstream),
#           the paths FAIL_PATHS (default all); needs the kasan kernel
#           (fault injection)
#   bench   tools/bench/spapr_bench against ours and upstream's, interleaved
#           (BENCH_ROUNDS, default 3; BENCH_SIZES in MiB, 0 for the
#           largest the window allows; BENCH_ICOUNT=1 runs the guest with
#           -icount shift=0: its clock then counts guest instructions, one
#           per nanosecond, so timings repeat exactly but leave out what
#           QEMU spends emulating hypercalls and devices; BENCH_PROFILE
#           and BENCH_PLUGIN: see scripts/bench.sh)
#
# pseries (default) boots with VOF in seconds; powernv9 boots skiboot, the
# host-side (IODA2/PHB4) path, in about a minute.
#
# The kernel and the modules must be built (make kernel, then make). The
# console log is kept in build/logs/<mode>-<machine>[-debian-<flavour>][-$GUEST_TAG].log;
# the qemu mode's log is qemu-<machine>-<client version>[...].log;
# a guest that does not power off within $GUEST_TIMEOUT seconds (default
# 600) is killed and fails.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:?usage: guest.sh kunit|e2e|demo|qemu|fuzz|race|fail|bench [pseries|powernv9]}
machine=${2:-pseries}
kdir=${KDIR:-$top/build/kernel}
timeout=${GUEST_TIMEOUT:-600}
# GUEST_TAG: runs of another kernel keep their own work dir and log
tag=${GUEST_TAG:+-$GUEST_TAG}
# The real client's runs are named by its version too
[ "$mode" = qemu ] && tag=-${QEMU_CLIENT:-7.2}$tag
work=$top/build/guest/$mode-$machine$tag
log=$top/build/logs/$mode-$machine$tag.log

busybox=$("$top/scripts/busybox.sh")

# DEBIAN=FLAVOUR: boot Debian's own kernel binary of that flavour
# (powerpc64le or powerpc64le-64k, scripts/debian.sh) with its own VFIO
# modules and upstream backend; our module from $MODDIR, built against
# Debian's headers. The guest programs still take the uapi headers of the
# test kernel (KDIR), the same 6.12 ABI.
vmlinux=$kdir/vmlinux
if [ -n "${DEBIAN:-}" ]; then
	droot=$("$top/scripts/debian.sh" image "$DEBIAN")
	krel=$("$top/scripts/debian.sh" version "$DEBIAN")
	vmlinux=$droot/boot/vmlinux-$krel
	work=$top/build/guest/$mode-$machine-debian-$DEBIAN$tag
	log=$top/build/logs/$mode-$machine-debian-$DEBIAN$tag.log
fi

# A run that fails before the guest boots must not leave the last run's
# console behind for the host to read
rm -rf "$work" "$log"
mkdir -p "$work/root/bin" "$work/root/modules" "$work/root/proc" \
	"$work/root/sys" "$work/root/dev" "$work/root/tmp" "$(dirname "$log")"
install -m 0755 "$busybox" "$work/root/bin/busybox"
ln -s busybox "$work/root/bin/sh"
# Our module comes from $MODDIR (default: the clone, built by make modules)
moddir=${MODDIR:-$top}
if [ -n "${DEBIAN:-}" ]; then
	# Debian's are xz-compressed; irqbypass is built in there
	for m in vfio vfio_iommu_spapr_tce pci/vfio-pci pci/vfio-pci-core; do
		xz -dc "$droot/lib/modules/$krel/kernel/drivers/vfio/$m.ko.xz" \
			>"$work/root/modules/${m#pci/}.ko"
	done
	cp "$moddir/vfio_spapr_tce.ko" "$work/root/modules/"
	touch "$work/root/debian"
else
	# VFIO_CORE: a directory with a patched vfio.ko to load instead of
	# the tree's (scripts/vfio_core.sh)
	cp "${VFIO_CORE:-$kdir/drivers/vfio}/vfio.ko" "$kdir/drivers/vfio/vfio_iommu_spapr_tce.ko" \
		"$kdir/drivers/vfio/pci/vfio-pci.ko" \
		"$kdir/drivers/vfio/pci/vfio-pci-core.ko" \
		"$kdir/virt/lib/irqbypass.ko" "$moddir/vfio_spapr_tce.ko" \
		"$work/root/modules/"
	[ "$mode" = bench ] ||
		cp "$moddir/tests/vfio_spapr_tce_test.ko" "$work/root/modules/"
fi

[ -z "${VFIO_CORE:-}" ] || [ -n "${DEBIAN:-}" ] ||
	echo "$VFIO_CORE" >"$work/root/vfio-core-patched"
for prog in tests/guest/vfio_probe tests/guest/spapr_dma tests/guest/spapr_hostile \
	    tests/guest/spapr_fuzz tests/guest/spapr_race tests/guest/spapr_fail \
	    tests/guest/spapr_observe \
	    tools/bench/spapr_bench; do
	powerpc64le-linux-gnu-gcc -static -O2 -pthread -Wall -Wextra -Werror \
		-isystem "$kdir/usr/include" -I"$top/tests/guest" \
		-o "$work/root/bin/${prog##*/}" "$top/$prog.c" \
		"$top/tests/guest/vfio_edu.c"
done

cp "$top/tests/guest/init-common.sh" "$work/root/init-common.sh"
case $mode in
kunit) cp "$top/tests/guest/init-kunit.sh" "$work/root/init" ;;
e2e)
	cp "$top/tests/guest/init-e2e.sh" "$work/root/init"
	# spapr_fuzz on ours after the other clients: fixed seeds, so that
	# make check repeats (make fuzz draws its own, scripts/fuzz.sh)
	echo "${FUZZ_SEEDS:-1 2 3}" >"$work/root/fuzz-seeds"
	echo "${FUZZ_OPS:-1500}" >"$work/root/fuzz-ops"
	;;
fuzz)
	cp "$top/tests/guest/init-fuzz.sh" "$work/root/init"
	echo "${FUZZ_SEEDS:?}" >"$work/root/fuzz-seeds"
	echo "${FUZZ_OPS:-20000}" >"$work/root/fuzz-ops"
	echo "${FUZZ_BACKEND:-ours}" >"$work/root/fuzz-backend"
	;;
race)
	cp "$top/tests/guest/init-race.sh" "$work/root/init"
	echo "${RACE_SECS:-4}" >"$work/root/race-secs"
	echo "${RACE_CASES:-}" >"$work/root/race-cases"
	echo "${RACE_BACKEND:-ours}" >"$work/root/race-backend"
	;;
fail)
	cp "$top/tests/guest/init-fail.sh" "$work/root/init"
	echo "${FAIL_PATHS:-}" >"$work/root/fail-paths"
	echo "${FAIL_BACKEND:-ours}" >"$work/root/fail-backend"
	;;
demo)
	cp "$top/tests/guest/init-e2e.sh" "$work/root/init"
	touch "$work/root/demo"
	;;
qemu)
	# QEMU_NESTED="BACKEND:ACCEL:VER ...": the client boots a guest of its
	# own too, this kernel with this initramfs but init-nested.sh as
	# /init, on BACKEND (ours, upstream), under ACCEL (tcg, kvm: KVM-HV,
	# Debian's kernels only) on a VER container (v2, v1). "demo" is
	# ours:tcg:v2 ours:tcg:v1 ours:kvm:v2.
	if [ -n "${QEMU_NESTED:-}" ]; then
		runs=${QEMU_NESTED/#demo/ours:tcg:v2 ours:tcg:v1 ours:kvm:v2}
		case $runs in
		*:kvm:*)
			[ -n "${DEBIAN:-}" ] || {
				echo "guest: kvm runs need DEBIAN=" >&2; exit 2; }
			for m in kvm kvm-hv; do
				xz -dc "$droot/lib/modules/$krel/kernel/arch/powerpc/kvm/$m.ko.xz" \
					>"$work/root/modules/$m.ko"
			done
			;;
		esac
		rm -rf "$work/nested"
		cp -a "$work/root" "$work/nested"
		rm -f "$work/nested/modules/kvm.ko" "$work/nested/modules/kvm-hv.ko"
		cp "$top/tests/guest/init-nested.sh" "$work/nested/init"
		chmod 0755 "$work/nested/init"
		mkdir -p "$work/root/nested"
		(cd "$work/nested" && find . | cpio -o -H newc --quiet) \
			>"$work/root/nested/initramfs.cpio"
		cp "$vmlinux" "$work/root/nested/vmlinux"
		echo "${QEMU_NESTED_TIMEOUT:-1800}" >"$work/root/nested/timeout"
		echo "$runs" | tr ' ' '\n' | tr ':' ' ' >"$work/root/nested/runs"
	fi
	cp "$top/tests/guest/init-qemu.sh" "$work/root/init"
	cp -a "$("$top/scripts/qemu_client.sh" "${QEMU_CLIENT:-7.2}")" \
		"$work/root/qemu"
	powerpc64le-linux-gnu-gcc -shared -fPIC -O2 -Wall -Wextra -Werror \
		-isystem "$kdir/usr/include" -o "$work/root/qemu/v1only.so" \
		"$top/tests/guest/vfio_v1_only.c"
	;;
bench)
	cp "$top/tools/bench/init-bench.sh" "$work/root/init"
	echo "${BENCH_ROUNDS:-3}" >"$work/root/bench-rounds"
	echo "${BENCH_SIZES:-4 64 256 0}" >"$work/root/bench-sizes"
	[ -z "${BENCH_PROFILE:-}" ] || echo "$BENCH_PROFILE" >"$work/root/bench-profile"
	;;
*) echo "guest: unknown mode $mode" >&2; exit 2 ;;
esac
chmod 0755 "$work/root/init"

(cd "$work/root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

mem=2G
[ "$mode" = bench ] && mem=4G
# Races need two vCPUs running at once (QEMU runs them in threads of its own)
smp=1
[ "$mode" = race ] && smp=2
qemu=(qemu-system-ppc64 -m "$mem" -smp "$smp" -nographic -serial mon:stdio
      -no-reboot -kernel "$vmlinux" -initrd "$work/initramfs.cpio"
      -append "console=hvc0 kmemleak=on kunit.enable=1 kunit.autorun=1 panic=-1 oops=panic")
# edu does real DMA; it must reach all of the 64-bit bus space
edu=edu,dma_mask=0xffffffffffffffff
if [ "$mode" = bench ] && [ -n "${BENCH_ICOUNT:-}" ]; then
	qemu+=(-icount shift=0)
fi
# BENCH_PLUGIN: a QEMU plugin (with its arguments) for the bench guest
if [ "$mode" = bench ] && [ -n "${BENCH_PLUGIN:-}" ]; then
	qemu+=(-plugin "$BENCH_PLUGIN")
fi
# KVM-HV in the guest runs its guests through the nested-HV hcalls
nested_hv=
case ${QEMU_NESTED:-} in
demo*|*:kvm:*) nested_hv=,cap-nested-hv=on ;;
esac
case $machine in
pseries)
	# 16M pages for a hash MMU guest's hugetlb (radix ones have 2M)
	qemu+=(-M "pseries,x-vof=on,cap-hpt-max-page-size=16M$nested_hv" -nodefaults)
	# edu alone behind its own PHB, so that it is alone in its group
	[ "$mode" = kunit ] || qemu+=(-device spapr-pci-host-bridge,index=1,id=phb1
				      -device "$edu,bus=phb1.0")
	# e2e: a second edu in a group of its own (spapr_hostile needs two)
	if [ "$mode" = e2e ] || [ "$mode" = fuzz ] || [ "$mode" = fail ]; then
		qemu+=(-device spapr-pci-host-bridge,index=2,id=phb2
		       -device "$edu,bus=phb2.0")
	fi
	;;
powernv9)
	# skiboot from Debian's qemu package; edu under a PHB4 root port
	qemu+=(-M powernv9)
	[ "$mode" = kunit ] || qemu+=(-device "$edu,bus=pcie.0")
	# e2e: a second edu, under another PHB (spapr_hostile needs two groups)
	if [ "$mode" = e2e ] || [ "$mode" = fuzz ] || [ "$mode" = fail ]; then
		qemu+=(-device "$edu,bus=pcie.1")
	fi
	;;
*) echo "guest: unknown machine $machine" >&2; exit 2 ;;
esac

echo "guest: booting $machine ($mode), log $log" >&2
start=$(date +%s.%N)
rc=0
if [ "$mode" = demo ] || [ -n "${QEMU_NESTED:-}" ]; then
	# Show the guest's progress as it goes, without the kernel's noise
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null 2>&1 |
		tee "$log" | grep --line-buffered -aE \
		'^(e2e:|E2E |SUMMARY|VST-BOOTED|VST-DONE|qemu: |VST-RESULT qemu_|nested: [a-z]+ [a-z]+ v[12]: (nested:|SUMMARY|VST-BOOTED))' |
		grep --line-buffered -avE '^qemu: .* (out|trace): ' || true
	rc=${PIPESTATUS[0]}
else
	timeout --foreground -k 10 "$timeout" "${qemu[@]}" </dev/null >"$log" 2>&1 || rc=$?
fi
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc)
printf 'guest: %s %s finished in %.1f s (qemu exit %d)\n' "$machine" "$mode" "$secs" "$rc" >&2
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "guest: TIMEOUT after ${timeout}s; console log kept in $log" >&2
	exit 124
fi
exit "$rc"
