#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""kmemleak_known.py LOG: print LOG with the kmemleak reports that are a
known platform leak left out, and on stderr how many were left out.

Known: an object allocated by spapr_tce_create_table() (pseries,
arch/powerpc/platforms/pseries/iommu.c) in a call from the fuzzer
(comm "spapr_fuzz"). That function allocates the iommu_table first and
leaks it on each of its later error paths (a second 64-bit window,
a failed DDW query or create): a kernel bug, the same with upstream's
backend, described in Documentation/security.rst. Reports from the other
clients, which create only windows that succeed, stay.
"""
import sys


def main():
    lines = open(sys.argv[1], errors="replace").read().splitlines(True)
    out, block, known = [], [], 0

    def flush():
        nonlocal known, block
        text = "".join(block)
        bt = next((i for i, ln in enumerate(block)
                   if ln.strip().startswith("backtrace")), len(block))
        frames = [ln.strip() for ln in block[bt + 1:]]
        first = next((f for f in frames if "kmalloc" not in f
                      and "kmem_cache" not in f), "")
        if ('comm "spapr_fuzz"' in text
                and first.startswith("spapr_tce_create_table+")):
            known += 1
        else:
            out.extend(block)
        block = []

    for line in lines:
        if line.startswith("unreferenced object "):
            if block:
                flush()
            block = [line]
        elif block and line.startswith(" "):
            block.append(line)
        else:
            if block:
                flush()
            out.append(line)
    if block:
        flush()
    sys.stdout.write("".join(out))
    if known:
        sys.stderr.write(f"console: {known} kmemleak report(s) of the known "
                         "pseries spapr_tce_create_table() leak, from the "
                         "fuzzer (Documentation/security.rst)\n")


if __name__ == "__main__":
    main()
