#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for make fuzz: spapr_fuzz with every seed against one
# backend (ours or upstream's), then a kmemleak scan and the unload. The
# host judges the console (scripts/fuzz.sh).
. /init-common.sh

edu_bind || finish
echo 4 >/proc/sys/vm/nr_hugepages
backend_load fuzz
for seed in $(cat /fuzz-seeds); do
	SPAPR_FUZZ_TRACE=1 spapr_fuzz "$backend" "$seed" "$(cat /fuzz-ops)" \
		"$bdf" $bdf2
done
kmemleak_scan
backend_unload fuzz
finish
