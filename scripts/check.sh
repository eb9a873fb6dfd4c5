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
# Kernel sources (the guest and bench programs are userspace)
ours=$(git ls-files '*.c' '*.h' | grep -v '^tests/guest/\|^bench/')
user=$(git ls-files 'tests/guest/*.[ch]' 'bench/*.[ch]')

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

# 4. kernel-doc: present on every non-static function and structure, valid
# shellcheck disable=SC2086
if python3 "$top/scripts/docs_check.py" $ours >"$logs/kernel-doc.log" 2>&1 &&
	perl "$src/scripts/kernel-doc" -none -Wall $ours >>"$logs/kernel-doc.log" 2>&1 &&
	! grep -q . "$logs/kernel-doc.log"; then
	pass "kernel-doc"
else
	cat "$logs/kernel-doc.log"
	fail "kernel-doc"
fi

# count_results PREFIX LOG: the VST-RESULT lines of a guest log, counted
count_results() {
	while read -r _ name res detail; do
		if [ "$res" = PASS ]; then pass "$1.$name"; else fail "$1.$name $detail"; fi
	done < <(grep -a '^VST-RESULT ' "$2" | tr -d '\r')
}

# 5. The pseries guest: module checks and KUnit suites
guest_log=$logs/kunit-pseries.log
"$top/scripts/guest.sh" kunit
rc=$?
"$top/scripts/console_check.sh" "$guest_log" || rc=1
if [ "$rc" = 0 ]; then pass "guest pseries boot and console"; else fail "guest pseries boot and console (see $guest_log)"; fi

count_results guest "$guest_log"
for want in module_load module_unload module_reload registered_after_load \
	    unregistered_after_unload module_unload_after_tests; do
	grep -aq "^VST-RESULT $want " "$guest_log" || fail "guest.$want (did not run)"
done

sed -n '/VST-KUNIT-BEGIN/,/VST-KUNIT-END/p' "$guest_log" | tr -d '\r' >"$logs/kunit.ktap"
python3 "$src/tools/testing/kunit/kunit.py" parse --json="$logs/kunit.json" \
	"$logs/kunit.ktap" >"$logs/kunit-parse.log" 2>&1
while read -r res name; do
	if [ "$res" = PASS ]; then pass "kunit.$name"; else fail "kunit.$name"; fi
done < <(python3 "$top/scripts/kunit_results.py" "$logs/kunit.json" "$top/tests")

# 6. End to end: edu DMA through our TCEs, v1 and v2, beside upstream's,
# in a pseries guest (VOF) and a powernv9 guest (skiboot, IODA2)
for machine in pseries powernv9; do
	e2e_log=$logs/e2e-$machine.log
	"$top/scripts/guest.sh" e2e "$machine"
	rc=$?
	"$top/scripts/console_check.sh" "$e2e_log" || rc=1
	if [ "$rc" = 0 ]; then pass "guest $machine e2e boot and console"
	else fail "guest $machine e2e boot and console (see $e2e_log)"; fi
	count_results "$machine" "$e2e_log"
	# spapr_hostile: every row's last oracle, and the hugetlb pool
	for want in e2e_v1_dma_first e2e_v1_closed_vmlck e2e_v2_dma_first \
		    e2e_v2_closed_vmlck e2e_ours_unload e2e_ours_says_serving \
		    e2e_hugepages \
		    e2e_v2_h_mixed_pins e2e_v1_h_romap_pins e2e_v2_h_roreg_pins \
		    e2e_v1_h_munmap_pins e2e_v2_h_munmap_pins \
		    e2e_v2_h_other_pins e2e_v2_h_shared_pins \
		    e2e_v1_h_fork_pins e2e_v2_h_fork_pins \
		    e2e_v2_h_race_pins e2e_v1_h_disable_pins \
		    e2e_v2_h_charge_pins; do
		grep -aq "^VST-RESULT $want " "$e2e_log" ||
			fail "$machine.$want (did not run)"
	done
	while read -r res name rest; do
		case $res in
		PASS) pass "$machine.$name" ;;
		FAIL) fail "$machine.$name $rest" ;;
		esac
	done < <(python3 "$top/scripts/e2e_compare.py" "$e2e_log" \
		 "$logs/e2e-side-by-side-$machine.md")
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
	krel=$("$top/scripts/debian.sh" version "$flavour")
	for machine in pseries powernv9; do
		dname=debian-$flavour-$machine
		e2e_log=$logs/e2e-$machine-debian-$flavour.log
		DEBIAN=$flavour MODDIR=$(dirname "$ko") \
			"$top/scripts/guest.sh" e2e "$machine"
		rc=$?
		"$top/scripts/console_check.sh" "$e2e_log" || rc=1
		grep -aq "^e2e: kernel $krel" "$e2e_log" || rc=1
		if [ "$rc" = 0 ]; then pass "$dname boot $krel and console"
		else fail "$dname boot $krel and console (see $e2e_log)"; fi
		count_results "$dname" "$e2e_log"
		for want in e2e_v1_dma_first e2e_v2_dma_first e2e_v1_closed_vmlck \
			    e2e_v2_closed_vmlck e2e_ours_unload e2e_upstream_unload \
			    e2e_ours_says_serving; do
			grep -aq "^VST-RESULT $want " "$e2e_log" ||
				fail "$dname.$want (did not run)"
		done
		while read -r res sname rest; do
			case $res in
			PASS) pass "$dname.$sname" ;;
			FAIL) fail "$dname.$sname $rest" ;;
			esac
		done < <(python3 "$top/scripts/e2e_compare.py" "$e2e_log" \
			 "$logs/e2e-side-by-side-$dname.md")
	done
done

finish
