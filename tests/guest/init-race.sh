#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest /init for the concurrency cases: spapr_race against one backend
# (ours or upstream's) on two vCPUs, then a kmemleak scan and the unload.
# The host judges the console: lockdep, sleeping in atomic, KASAN.
. /init-common.sh

echo "race: kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) cpus, mmu $(grep -m1 '^MMU' /proc/cpuinfo | cut -d: -f2)"
if [ -e /vfio-core-patched ]; then
	echo "race: VFIO core patched ($(cat /vfio-core-patched))"
else
	echo "race: VFIO core as the kernel has it"
fi
edu_bind || finish
backend_load race
# shellcheck disable=SC2046
spapr_race "$backend" "$bdf" "$(cat /race-secs)" $(cat /race-cases)
kmemleak_scan
backend_unload race
finish
