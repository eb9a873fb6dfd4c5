#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make fuzz: tests/guest/spapr_fuzz at length, each seed against our
# backend in one boot and against upstream's in another, on each machine.
# Ours must pass every oracle (VmLck and pins back, module unloads) and
# leave a clean console; upstream's results are listed beside, not judged
# (its own defects are not ours to fix). Reproduce a seed with
# FUZZ_SEEDS=<seed> make fuzz.
#
#   FUZZ_SEEDS     seeds (default: 6 drawn at random, printed)
#   FUZZ_OPS       operations per seed (default 20000)
#   FUZZ_MACHINES  default "pseries powernv9"
#
# Last line: "N passed, N failed" (ours only).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
logs=$top/build/logs
seeds=${FUZZ_SEEDS:-$(for _ in 1 2 3 4 5 6; do od -An -N4 -tu4 /dev/urandom; done | tr -s ' \n' ' ')}
export FUZZ_SEEDS=$seeds FUZZ_OPS=${FUZZ_OPS:-20000}
passed=0
failed=0

make -C "$top" -s modules >/dev/null || { echo "fuzz: build failed"; exit 1; }
echo "fuzz: seeds $seeds, $FUZZ_OPS operations each"
for machine in ${FUZZ_MACHINES:-pseries powernv9}; do
	for backend in ours upstream; do
		log=$logs/fuzz-$machine-$backend.log
		FUZZ_BACKEND=$backend GUEST_TAG=$backend GUEST_TIMEOUT=3600 \
			"$top/scripts/guest.sh" fuzz "$machine"
		console=$("$top/scripts/console_check.sh" "$log" 2>&1)
		crc=$?
		while read -r _ name res detail; do
			if [ "$backend" = upstream ]; then
				echo "upstream $machine.$name $res $detail"
			elif [ "$res" = PASS ]; then
				echo "PASS $machine.$name"
				passed=$((passed + 1))
			else
				echo "FAIL $machine.$name $detail"
				failed=$((failed + 1))
			fi
		done < <(grep -a '^VST-RESULT ' "$log" | tr -d '\r')
		grep -a '^FUZZ calls' "$log" | sed "s/^/$backend $machine: /"
		if [ "$backend" = upstream ]; then
			[ "$crc" = 0 ] || echo "upstream $machine console: $console"
		elif [ "$crc" = 0 ]; then
			echo "PASS $machine.fuzz_console"
			passed=$((passed + 1))
		else
			echo "$console"
			echo "FAIL $machine.fuzz_console (see $log)"
			failed=$((failed + 1))
		fi
	done
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
