#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make check: every check and test of vfio_spapr_tce. Installs what it needs,
# prepares the cached kernel, then runs the static checks (W=1 build, sparse,
# checkpatch --strict, kernel-doc) and the guest tests (module reload and
# registration, KUnit suites in QEMU pseries). Logs go to build/logs/.
# Exits non-zero if anything failed; the last line is "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs=$top/build/logs
mkdir -p "$logs"
passed=0
failed=0

pass() { echo "PASS $*"; passed=$((passed + 1)); }
fail() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

"$top/scripts/setup.sh" || { fail setup; finish; }
kdir=$("$top/scripts/kernel.sh") || { fail "kernel build"; finish; }
src=$top/build/linux-src
kbuild=(make -C "$kdir" M="$top" ARCH=powerpc
	CROSS_COMPILE=powerpc64le-linux-gnu-
	CONFIG_VFIO_SPAPR_TCE=m CONFIG_VFIO_SPAPR_TCE_KUNIT_TEST=m)
# Kernel sources (tests/guest/ and tools/ hold userspace programs)
ours=$(git ls-files '*.c' '*.h' | grep -v '^tests/guest/\|^tools/')
user=$(git ls-files 'tests/guest/*.[ch]' 'tools/*.[ch]')

# Our sources' warnings in a build log (the kernel's own are not ours)
our_warnings() {
	grep -E "^$top/.*: (warning|error):|^$top/.*: (sparse: )?(warning|error)" "$1" |
		grep -v '\.mod\.c:' || true
}

# 1. A clean W=1 build of both modules, without a warning
"${kbuild[@]}" clean >/dev/null 2>&1
if "${kbuild[@]}" W=1 modules >"$logs/build-w1.log" 2>&1; then
	w=$(our_warnings "$logs/build-w1.log")
	if [ -z "$w" ]; then pass "build W=1"; else echo "$w"; fail "build W=1 (warnings)"; fi
else
	tail -n 30 "$logs/build-w1.log"
	fail "build W=1"
	finish
fi

# 2. sparse on every file of ours
if "${kbuild[@]}" C=2 modules >"$logs/sparse.log" 2>&1; then
	w=$(our_warnings "$logs/sparse.log")
	n=$(grep -c '^  CHECK ' "$logs/sparse.log")
	if [ -n "$w" ]; then echo "$w"; fail "sparse C=2 (warnings)"
	elif [ "$n" -lt 1 ]; then fail "sparse C=2 (checked no file)"
	else pass "sparse C=2 ($n files)"; fi
else
	fail "sparse C=2 (build failed)"
fi

# 3. checkpatch --strict on our sources
# shellcheck disable=SC2086
if perl "$src/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		-f $ours $user >"$logs/checkpatch.log" 2>&1 &&
	! grep -qE ': (ERROR|WARNING|CHECK):' "$logs/checkpatch.log"; then
	pass "checkpatch --strict"
else
	grep -E ': (ERROR|WARNING|CHECK):' "$logs/checkpatch.log"
	fail "checkpatch --strict"
fi

# 4. kernel-doc: present on every non-static function and structure, valid;
# and every function the documents name exists (ours, or upstream's)
# shellcheck disable=SC2086
if python3 "$top/scripts/docs_check.py" $ours >"$logs/kernel-doc.log" 2>&1 &&
	python3 "$top/scripts/docs_check.py" --names "$src" \
		"$top"/Documentation/*.rst "$top/README.md" -- \
		$(git ls-files '*.c' '*.h' '*.sh' '*.py') \
		>>"$logs/kernel-doc.log" 2>&1 &&
	perl "$src/scripts/kernel-doc" -none -Wall $ours >>"$logs/kernel-doc.log" 2>&1 &&
	! grep -q . "$logs/kernel-doc.log"; then
	pass "kernel-doc"
else
	cat "$logs/kernel-doc.log"
	fail "kernel-doc"
fi

# build_for KDIR DIR: both modules with W=1 against the kernel in KDIR,
# from a copy of the sources in DIR (the clone's own objects stay those
# of the test kernel)
build_for() {
	rsync -a --delete --include='/Kbuild' --include='/*.c' \
		--include='/include/***' --include='/tests/' \
		--include='/tests/Kbuild' --include='/tests/*.[ch]' \
		--exclude='*' "$top/" "$2/"
	make -C "$1" M="$2" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
		CONFIG_VFIO_SPAPR_TCE=m CONFIG_VFIO_SPAPR_TCE_KUNIT_TEST=m \
		W=1 modules
}

# count_results PREFIX LOG: the VST-RESULT lines of a guest log, counted
count_results() {
	while read -r _ name res detail; do
		if [ "$res" = PASS ]; then pass "$1.$name"; else fail "$1.$name $detail"; fi
	done < <(grep -a '^VST-RESULT ' "$2" | tr -d '\r')
}

# run_kunit PREFIX: the pseries guest of the kernel in $KDIR (default the
# test kernel) with the modules in $MODDIR: module checks and KUnit
# suites, results named PREFIX.guest.* and PREFIX.kunit.*; GUEST_TAG
# names its log
run_kunit() {
	local p=$1 glog=$logs/kunit-pseries${GUEST_TAG:+-$GUEST_TAG}.log rc want
	local ktap=$logs/kunit${GUEST_TAG:+-$GUEST_TAG}

	"$top/scripts/guest.sh" kunit
	rc=$?
	"$top/scripts/console_check.sh" "$glog" || rc=1
	if [ "$rc" = 0 ]; then pass "${p}guest pseries boot and console"
	else fail "${p}guest pseries boot and console (see $glog)"; fi
	count_results "${p}guest" "$glog"
	for want in module_load module_unload module_reload \
		    registered_after_load unregistered_after_unload \
		    module_unload_after_tests; do
		grep -aq "^VST-RESULT $want " "$glog" ||
			fail "${p}guest.$want (did not run)"
	done
	sed -n '/VST-KUNIT-BEGIN/,/VST-KUNIT-END/p' "$glog" | tr -d '\r' >"$ktap.ktap"
	python3 "$src/tools/testing/kunit/kunit.py" parse --json="$ktap.json" \
		"$ktap.ktap" >"$ktap-parse.log" 2>&1
	while read -r res kname; do
		if [ "$res" = PASS ]; then pass "${p}kunit.$kname"
		else fail "${p}kunit.$kname"; fi
	done < <(python3 "$top/scripts/kunit_results.py" "$ktap.json" "$top/tests")
}

# run_e2e PREFIX MACHINE LOG [WANT...]: the e2e guest (environment as for
# run_kunit, or DEBIAN), its console, its results named PREFIX.*, the
# steps WANT that must have run, and the side-by-side table of ours and
# the upstream module of the same boot
run_e2e() {
	local p=$1 machine=$2 elog=$3 rc want
	shift 3

	"$top/scripts/guest.sh" e2e "$machine"
	rc=$?
	"$top/scripts/console_check.sh" "$elog" || rc=1
	grep -aq "^e2e: kernel " "$elog" || rc=1
	# Debian's kernel must be the one that ran
	if [ -n "${DEBIAN:-}" ]; then
		grep -aqx "e2e: kernel $("$top/scripts/debian.sh" version "$DEBIAN")" \
			<(tr -d '\r' <"$elog") || rc=1
	fi
	if [ "$rc" = 0 ]; then
		pass "$p boot $(grep -a -m1 '^e2e: kernel ' "$elog" | cut -d' ' -f3) and console"
	else
		fail "$p boot and console (see $elog)"
	fi
	count_results "$p" "$elog"
	for want in "$@"; do
		grep -aq "^VST-RESULT $want " "$elog" || fail "$p.$want (did not run)"
	done
	while read -r res sname rest; do
		case $res in
		PASS) pass "$p.$sname" ;;
		FAIL) fail "$p.$sname $rest" ;;
		esac
	done < <(python3 "$top/scripts/e2e_compare.py" "$elog" \
		 "$logs/e2e-side-by-side-$p.md")
}

# run_guest PREFIX MODE MACHINE LOG [WANT...]: a guest of MODE (race,
# fail; environment as for run_kunit), its console, its results named
# PREFIX.*, the steps WANT that must have run
run_guest() {
	local p=$1 mode=$2 machine=$3 glog=$4 rc want
	shift 4

	"$top/scripts/guest.sh" "$mode" "$machine"
	rc=$?
	"$top/scripts/console_check.sh" "$glog" || rc=1
	if [ "$rc" = 0 ]; then pass "$p boot and console"
	else fail "$p boot and console (see $glog)"; fi
	count_results "$p" "$glog"
	for want in "$@"; do
		grep -aq "^VST-RESULT $want " "$glog" || fail "$p.$want (did not run)"
	done
}

# What every e2e guest must have shown of ours' debugfs state and trace
# events (tests/guest/spapr_observe.c)
obs_want=(obs_all_trace_enable obs_v2_state_owner obs_v2_state_window_mapped
	  obs_v2_state_region obs_v2_state_locked_vm obs_v2_state_unmapped
	  obs_v2_trace_map obs_v2_trace_map_refused obs_v2_trace_time
	  obs_v2_dir_gone_after_close obs_v1_state_pinned obs_v1_state_locked_vm
	  obs_v1_dir_gone_after_close)

# What the e2e guest of a test kernel must have run: the DMA client,
# spapr_hostile's every row's last oracle and the hugetlb pool, and
# spapr_fuzz's oracles for its three fixed seeds (guest.sh)
e2e_want=(e2e_v1_dma_first e2e_v1_closed_vmlck e2e_v2_dma_first
	  e2e_v2_closed_vmlck e2e_ours_unload e2e_upstream_unload
	  e2e_ours_says_serving e2e_hugepages
	  e2e_v2_h_mixed_pins e2e_v1_h_romap_pins e2e_v2_h_roreg_pins
	  e2e_v1_h_munmap_pins e2e_v2_h_munmap_pins e2e_v2_h_other_pins
	  e2e_v2_h_shared_pins e2e_v1_h_fork_pins e2e_v2_h_fork_pins
	  e2e_v2_h_race_pins e2e_v1_h_disable_pins e2e_v2_h_charge_pins
	  fuzz_ours_1_vmlck fuzz_ours_1_pins fuzz_ours_2_pins fuzz_ours_3_pins
	  fuzz_ours_1_dma fuzz_ours_2_dma fuzz_ours_3_dma e2e_fuzz_unload
	  "${obs_want[@]}")

# 5. The pseries guest: module checks and KUnit suites
run_kunit ""

# 6. End to end: edu DMA through our TCEs, v1 and v2, beside upstream's,
# in a pseries guest (VOF) and a powernv9 guest (skiboot, IODA2)
for machine in pseries powernv9; do
	run_e2e "$machine" "$machine" "$logs/e2e-$machine.log" "${e2e_want[@]}"
done

# 7. Debian's own kernel: ours built and installed with DKMS against
# Debian's headers packages (4k and 64k flavours, the version of the
# host's linux-source-6.12), vfio.h of the headers-only build checked
# against the kernel tree's, then Debian's kernel binary booted with its
# own VFIO modules in both guests, the DMA client against ours and
# Debian's vfio_iommu_spapr_tce side by side
if python3 "$top/scripts/vfio_h_check.py" include/headers-only/vfio.h \
		"$src/drivers/vfio/vfio.h" >"$logs/vfio-h-check.log" 2>&1; then
	pass "headers-only vfio.h matches 6.12"
else
	cat "$logs/vfio-h-check.log"
	fail "headers-only vfio.h matches 6.12"
fi
for flavour in powerpc64le powerpc64le-64k; do
	while read -r res name rest; do
		case $res in
		PASS) pass "$name" ;;
		FAIL) fail "$name $rest" ;;
		*) echo "$res $name $rest" ;;
		esac
	done < <("$top/scripts/dkms_stage.sh" "$flavour" 2>&1)
	ko=$top/build/debian/$flavour/guest/vfio_spapr_tce.ko
	[ -f "$ko" ] || { fail "debian-$flavour (no module built)"; continue; }
	for machine in pseries powernv9; do
		# QEMU's default window as QEMU asks it on a 4K-page host
		# (two levels), where pseries has tables of one level
		qwant=
		[ "$flavour-$machine" = powerpc64le-pseries ] &&
			qwant="e2e_v2_qemu_create_window e2e_v2_qemu_closed_vmlck"
		# shellcheck disable=SC2086 # $qwant: none, or two words
		DEBIAN=$flavour MODDIR=$(dirname "$ko") \
			run_e2e "debian-$flavour-$machine" "$machine" \
			"$logs/e2e-$machine-debian-$flavour.log" \
			e2e_v1_dma_first e2e_v2_dma_first e2e_v1_closed_vmlck \
			e2e_v2_closed_vmlck e2e_ours_unload e2e_upstream_unload \
			e2e_ours_says_serving $qwant "${obs_want[@]}"
	done
done

# 7b. The real client: Debian's own qemu-system-ppc64, 7.2 (Debian 12)
# and 10.0 (its backports), inside the guest passes edu through against
# ours and upstream's, v2 and v1 (tests/guest/init-qemu.sh): on Debian's
# 4K-page kernel on pseries, where QEMU asks two levels for its window
# and upstream refuses it, on its 64K one, and on the test kernel (64K
# pages, lockdep, kmemleak) on pseries and powernv9.
# qemu_want BACKEND V2: the steps a run of BACKEND must report, its v2
# realized or refused
qemu_want() {
	local b=qemu_$1 s
	if [ "$2" = refused ]; then
		echo "${b}_v2_refused ${b}_v2_pins_released"
	else
		for s in realize window held reset quit pins_released; do
			echo "${b}_v2_$s"
		done
	fi
	for s in realize held reset quit pins_released; do
		echo "${b}_v1_$s"
	done
	echo "${b}_unload"
}
# With QEMU 7.2 there, QEMU boots nested guests whose DMA clients map
# through our TCEs (init-qemu.sh nested_run): under KVM-HV (Debian's
# kvm-hv, nested on the guest's cap-nested-hv), where KVM writes them
# into our window itself, on a v2 container; and under TCG, where each
# is QEMU's MAP_DMA, on a v1 container
nested_want=(qemu_kvm_hv_loaded qemu_nested_ours_kvm_v2_kvm_attached)
for run in ours_kvm_v2 ours_tcg_v1; do
	for s in path done e2e_v1_dma_first e2e_v1_closed_vmlck pins_released; do
		nested_want+=("qemu_nested_${run}_$s")
	done
done
nested_want+=(qemu_nested_ours_kvm_v2_e2e_v2_dma_first
	      qemu_nested_ours_kvm_v2_e2e_v2_closed_vmlck)
dko=$top/build/debian/powerpc64le/guest
for client in 7.2 10.0; do
	nested=
	[ "$client" = 7.2 ] && nested="ours:kvm:v2 ours:tcg:v1"
	# shellcheck disable=SC2046 # qemu_want: words
	QEMU_NESTED=$nested QEMU_NESTED_TIMEOUT=900 GUEST_TIMEOUT=1200 \
	QEMU_CLIENT=$client DEBIAN=powerpc64le MODDIR=$dko \
		run_guest "qemu-$client-debian-powerpc64le-pseries" qemu pseries \
		"$logs/qemu-pseries-debian-powerpc64le-$client.log" \
		$(qemu_want ours realized) $(qemu_want upstream refused) \
		${nested:+"${nested_want[@]}"}
	# shellcheck disable=SC2046
	QEMU_CLIENT=$client run_guest "qemu-$client-pseries" qemu pseries \
		"$logs/qemu-pseries-$client.log" \
		$(qemu_want ours realized) $(qemu_want upstream realized)
done
# KVM-HV side by side: on Debian's 64K-page kernel, where upstream
# serves QEMU's window too, the nested guest on ours and on upstream's
kvm64_want=(qemu_kvm_hv_loaded qemu_nested_ours_kvm_v2_path)
for b in ours upstream; do
	for s in kvm_attached done e2e_v2_dma_first e2e_v1_dma_first \
		 e2e_v2_closed_vmlck pins_released; do
		kvm64_want+=("qemu_nested_${b}_kvm_v2_$s")
	done
done
# shellcheck disable=SC2046
QEMU_NESTED="ours:kvm:v2 upstream:kvm:v2" QEMU_NESTED_TIMEOUT=600 \
QEMU_CLIENT=7.2 DEBIAN=powerpc64le-64k \
MODDIR=$top/build/debian/powerpc64le-64k/guest \
	run_guest qemu-7.2-debian-powerpc64le-64k-pseries qemu pseries \
	"$logs/qemu-pseries-debian-powerpc64le-64k-7.2.log" \
	$(qemu_want ours realized) $(qemu_want upstream realized) \
	"${kvm64_want[@]}"
# shellcheck disable=SC2046
QEMU_CLIENT=7.2 run_guest qemu-7.2-powernv9 qemu powernv9 \
	"$logs/qemu-powernv9-7.2.log" \
	$(qemu_want ours realized) $(qemu_want upstream realized)

# 8. The newest stable series, 7.3 (Debian's linux-source-7.3): the same
# sources, its own test kernel (cached like the 6.12 one), the W=1 build
# of both modules in a copy of the sources, the headers-only vfio.h
# against its vfio.h, the KUnit suites and the e2e guests
if k73=$(KERNEL_SERIES=7.3 "$top/scripts/kernel.sh"); then
	pass "7.3 kernel build"
	src73=$(readlink -f "$top/build/linux-src-7.3")
	m73=$top/build/series-7.3
	if build_for "$k73" "$m73" >"$logs/build-7.3-w1.log" 2>&1; then
		w=$(our_warnings "$logs/build-7.3-w1.log")
		if [ -z "$w" ]; then pass "7.3 build W=1"
		else echo "$w"; fail "7.3 build W=1 (warnings)"; fi
		if python3 "$top/scripts/vfio_h_check.py" \
				include/headers-only/vfio.h \
				"$src73/drivers/vfio/vfio.h" >>"$logs/vfio-h-check.log" 2>&1; then
			pass "headers-only vfio.h matches 7.3"
		else
			cat "$logs/vfio-h-check.log"
			fail "headers-only vfio.h matches 7.3"
		fi
		# 7.3.4 on ppc64 warns once at boot, before /init, from
		# lockdep_hardirqs_on_prepare() in a timer interrupt replayed
		# during console_init(); the warning turns lockdep off, so
		# the 7.3 runs have no lockdep (the 6.12 ones do). Known,
		# the kernel's own: the console is judged from /init on.
		export KNOWN_BOOT_SPLAT='DEBUG_LOCKS_WARN_ON(lockdep_hardirq_context())'
		KDIR=$k73 MODDIR=$m73 GUEST_TAG=7.3 run_kunit "7.3."
		for machine in pseries powernv9; do
			KDIR=$k73 MODDIR=$m73 GUEST_TAG=7.3 \
				run_e2e "7.3.$machine" "$machine" \
				"$logs/e2e-$machine-7.3.log" "${e2e_want[@]}"
		done
		unset KNOWN_BOOT_SPLAT
	else
		tail -n 30 "$logs/build-7.3-w1.log"
		fail "7.3 build W=1"
	fi
else
	fail "7.3 kernel build"
fi


# 9. Reliability. Concurrency (spapr_race, two vCPUs) on the test kernel
# with the VFIO core's fix (patches/) in its vfio.ko; without the fix the
# teardown race must still show the core's use-after-free (expected: the
# kernel's bug, any backend; shown so that the case is known to catch it).
# Then the kasan kernel (KASAN on the radix MMU, fault injection): KUnit,
# the e2e guests with the fuzzer, the race cases, and the fault sweep
# (spapr_fail: each allocation and user copy of every path failed in turn)
race_want=()
for c in map_disjoint_v1 map_disjoint_v2 map_overlap_v1 map_overlap_v2 \
	 register_vs_map_v2 create_vs_map_v2 state_vs_release_v2 \
	 teardown_vs_ioctl_v1 teardown_vs_ioctl_v2; do
	race_want+=("race_${c}_errnos" "race_${c}_pins" "race_${c}_vmlck")
done
race_want+=(race_ours_unload)
fail_paths=(open set_iommu_v1 set_iommu_v2 attach_second_v2 enable_v1 map_v1
	    unmap_v1 register_v2 map_v2 unmap_v2 create_v2 remove_v2
	    release_v1 release_v2)
# pseries: not the paths that make or give back a window through the
# platform (MAP and TCE_CREATE make the default window or a DDW, release
# restores the default one): its code oopses when an allocation there
# fails (Documentation/security.rst), and a failed DDW poisons the device
fail_paths_pseries=(open set_iommu_v1 set_iommu_v2 attach_second_v2 enable_v1
		    unmap_v1 register_v2 unmap_v2 remove_v2)
# fail_want PATH...: what the sweep of those paths must have run
fail_want() {
	local f
	echo fail_ours_unload fail_injection_setup
	for f in "$@"; do
		echo "fail_${f}_complete" "fail_${f}_usable" "fail_${f}_no_leak"
	done
}

# race_unpatched PREFIX: the teardown race on the kernel's own vfio.ko
# must show the core's bug: a report in our ioctl or our release, in a
# boot that says it runs the unpatched core and got to the case. The race
# shows as one of: our ioctl taking the freed container's lock (lockdep's
# magic check, or KASAN), or release freeing it while our ioctl holds it
# (mutex_destroy() of a locked mutex in release, often then the ioctl's
# oops)
race_report='DEBUG_LOCKS_WARN_ON\((lock->magic != lock|mutex_is_locked\(lock\))\)|BUG: KASAN: slab-use-after-free|BUG: Unable to handle kernel'
race_unpatched() {
	local glog=$logs/race-pseries-${GUEST_TAG}.log hit

	RACE_CASES=teardown_vs_ioctl_v1 RACE_SECS=3 GUEST_TIMEOUT=60 \
		"$top/scripts/guest.sh" race pseries
	hit=$(tr -d '\r' <"$glog" 2>/dev/null |
	      grep -a -A40 -E "$race_report" |
	      grep -a -m1 -oE 'tce_iommu_(ioctl|release)\+[0-9a-fx/]*')
	if grep -aq '^race: VFIO core as the kernel has it' "$glog" 2>/dev/null &&
	   [ -n "$hit" ]; then
		echo "EXPECTED unpatched VFIO core: $(grep -a -m1 -oE "$race_report" "$glog") in $hit (see $glog)"
		pass "$1.unpatched_core_shows_the_race"
	else
		fail "$1.unpatched_core_shows_the_race (no report from our ioctl or release; see $glog)"
	fi
}

if core=$("$top/scripts/vfio_core.sh" "$kdir" 2>"$logs/vfio-core.log"); then
	pass "VFIO core patched (patches/)"
	VFIO_CORE=$core RACE_SECS=3 run_guest race race pseries "$logs/race-pseries.log" \
		"${race_want[@]}"
	GUEST_TAG=unpatched race_unpatched race
else
	cat "$logs/vfio-core.log"
	fail "VFIO core patched (patches/)"
fi

if kk=$("$top/scripts/kernel.sh" kasan); then
	pass "kasan kernel build"
	mk=$top/build/series-kasan
	if build_for "$kk" "$mk" >"$logs/build-kasan.log" 2>&1 &&
	   kcore=$("$top/scripts/vfio_core.sh" "$kk" 2>>"$logs/build-kasan.log"); then
		export KDIR=$kk MODDIR=$mk GUEST_TAG=kasan
		run_kunit "kasan."
		run_e2e kasan.pseries pseries "$logs/e2e-pseries-kasan.log" \
			"${e2e_want[@]}"
		# QEMU 7.2's powernv9 gives the radix MMU no huge page
		# size: no hugetlb there, so not its pool nor the row
		# that maps a huge page
		# shellcheck disable=SC2046
		run_e2e kasan.powernv9 powernv9 "$logs/e2e-powernv9-kasan.log" \
			$(printf '%s\n' "${e2e_want[@]}" |
			  grep -v -e '^e2e_hugepages$' -e '_h_mixed_')
		for machine in pseries powernv9; do
			VFIO_CORE=$kcore RACE_SECS=3 run_guest "kasan.race.$machine" race \
				"$machine" "$logs/race-$machine-kasan.log" \
				"${race_want[@]}"
		done
		# shellcheck disable=SC2046
		run_guest kasan.fail.powernv9 fail powernv9 \
			"$logs/fail-powernv9-kasan.log" $(fail_want "${fail_paths[@]}")
		# shellcheck disable=SC2046
		FAIL_PATHS="${fail_paths_pseries[*]}" \
			run_guest kasan.fail.pseries fail pseries \
			"$logs/fail-pseries-kasan.log" \
			$(fail_want "${fail_paths_pseries[@]}")
		unset KDIR MODDIR GUEST_TAG
		# KASAN turns itself off on the hash MMU: every boot says on
		for l in "$logs"/{kunit,e2e,race,fail}-*-kasan.log; do
			if grep -aq 'KASAN init done' "$l"; then
				pass "kasan.active $(basename "$l" .log)"
			else
				fail "kasan.active $(basename "$l" .log)"
			fi
		done
	else
		tail -n 30 "$logs/build-kasan.log"
		fail "kasan build of the modules"
	fi
else
	fail "kasan kernel build"
fi

finish
