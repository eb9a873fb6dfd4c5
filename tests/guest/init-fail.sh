#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for the fault-injection sweep: spapr_fail against one
# backend, every allocation and user copy of each call failed in turn
# (fail-nth), then a kmemleak scan and the unload. Needs a kernel with
# FAULT_INJECTION (the kasan variant, tests/config/kasan/).
. /init-common.sh

echo "fail: kernel $(uname -r), mmu $(grep -m1 '^MMU' /proc/cpuinfo | cut -d: -f2)"
d=/sys/kernel/debug
if [ ! -e /proc/self/fail-nth ]; then
	result fail_injection_available FAIL "no fail-nth: kernel without FAULT_INJECTION"
	finish
fi
# fail-nth counts every point the three capabilities pass through: let
# them see sleeping allocations and order-0 pages too, and stay quiet
for cap in failslab fail_page_alloc; do
	echo N >"$d/$cap/ignore-gfp-wait"
done
echo 0 >"$d/fail_page_alloc/min-order"
echo N >"$d/fail_page_alloc/ignore-gfp-highmem"
for cap in failslab fail_page_alloc fail_usercopy; do
	echo 0 >"$d/$cap/verbose"
done
# Set as asked, or the sweep would see fewer points than there are
knobs="$(cat "$d/failslab/ignore-gfp-wait" "$d/fail_page_alloc/ignore-gfp-wait" \
	"$d/fail_page_alloc/min-order")"
if [ "$(echo $knobs)" = "N N 0" ]; then
	result fail_injection_setup PASS
else
	result fail_injection_setup FAIL "ignore-gfp-wait, min-order: $(echo $knobs)"
fi
edu_bind || finish
backend_load fail
# shellcheck disable=SC2046
spapr_fail "$backend" "$bdf" "$bdf2" $(cat /fail-paths)
kmemleak_scan
backend_unload fail
finish
