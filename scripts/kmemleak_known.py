#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""kmemleak_known.py LOG: print LOG with the kmemleak reports that are a
known platform leak left out, and on stderr how many were left out.

Known (kernel bugs, the same with upstream's backend, described in
Documentation/security.rst):

- pseries: an object allocated by spapr_tce_create_table()
  (arch/powerpc/platforms/pseries/iommu.c) in a call from the fuzzer
  (comm "spapr_fuzz"). That function allocates the iommu_table first and
  leaks it on each of its later error paths (a second 64-bit window, a
  failed DDW query or create). Reports from the other clients, which
  create only windows that succeed, stay.
- powernv: the default window's iommu_table allocated by
  pnv_pci_table_alloc() under pnv_pci_ioda2_setup_default_config() in a
  call from the fault sweep (comm "spapr_fail"). pnv_pci_ioda2_set_window()
  ignores the failure of pnv_pci_link_table_and_group()'s small
  allocation, so the table is never linked to the group and never put;
  only an injected allocation failure gets there.
"""
import sys

# (comm, the first frames that are not the allocator, a frame that must
# be in the backtrace too, what it is)
KNOWN = [
    ("spapr_fuzz", ("spapr_tce_create_table+",), "spapr_tce_create_table+",
     "the known pseries spapr_tce_create_table() leak, from the fuzzer"),
    ("spapr_fail", ("pnv_pci_table_alloc+", "iommu_init_table+"),
     "pnv_pci_ioda2_setup_default_config+",
     "the known powernv default-window leak, under injected faults"),
]
ALLOCATOR = ("kmalloc", "kmem_cache", "kmemleak_vmalloc", "vmalloc",
             "vzalloc")


def main():
    lines = open(sys.argv[1], errors="replace").read().splitlines(True)
    out, block = [], []
    known = [0] * len(KNOWN)

    def flush():
        nonlocal block
        text = "".join(block)
        bt = next((i for i, ln in enumerate(block)
                   if ln.strip().startswith("backtrace")), len(block))
        frames = [ln.strip() for ln in block[bt + 1:]]
        first = next((f for f in frames
                      if not any(a in f for a in ALLOCATOR)), "")
        for i, (comm, top, inside, _) in enumerate(KNOWN):
            if (f'comm "{comm}"' in text and first.startswith(top)
                    and any(f.startswith(inside) for f in frames)):
                known[i] += 1
                break
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
    for n, (_, _, _, what) in zip(known, KNOWN):
        if n:
            sys.stderr.write(f"console: {n} kmemleak report(s) of {what} "
                             "(Documentation/security.rst)\n")


if __name__ == "__main__":
    main()
