#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Guest instructions per TCE, by function, for make bench BENCH_PROFILE.

  profile_report.py CONSOLE_LOG WINDOWS NM_VMLINUX [TOP]

CONSOLE_LOG: the bench guest's console (PROFILED and KSYM lines);
WINDOWS: what tools/bench/insn_profile.c wrote (one window per PROFILED line, in
the same order); NM_VMLINUX: `nm -n vmlinux` of the guest kernel. Prints,
per profiled case and size, the instructions per TCE of the functions that
cost most and by kind of work, ours next to upstream's; then each case's
total and the ratio upstream/ours (how many times fewer instructions ours
needs: the ratio of pages/s on an instruction clock).
"""
import bisect
import re
import sys
from collections import defaultdict

KERNEL_BASE = 0xc000000000000000


class Symbols:
    """Function start addresses to names."""

    def __init__(self, pairs):
        pairs = sorted(pairs)
        self.addrs = [a for a, _ in pairs]
        self.names = [n for _, n in pairs]

    def name(self, addr):
        if addr < KERNEL_BASE:
            return "[user space]"
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else "[kernel ?]"


def kernel_symbols(path):
    pairs = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                pairs.append((int(parts[0], 16), parts[2]))
    return pairs


def read_console(path):
    """PROFILED records, each with the module symbols loaded at the time
    (the last block of KSYM lines before it)."""
    records, mod_syms, in_block = [], [], False
    ksym = re.compile(r"KSYM ([0-9a-f]+) [tT] (\S+)\s+\[(\S+)\]")
    prof = re.compile(r"PROFILED (\S+) (\S+) (\S+) (\d+) (\d+)")
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = ksym.search(line)
            if m:
                if not in_block:
                    mod_syms, in_block = [], True
                mod_syms.append((int(m.group(1), 16),
                                 f"{m.group(2)} [{m.group(3)}]"))
                continue
            in_block = False
            m = prof.search(line)
            if m:
                tag, ver, case, mb, tces = m.groups()
                records.append({"tag": tag, "ver": ver, "case": case,
                                "mb": int(mb), "tces": int(tces),
                                "mod_syms": list(mod_syms)})
    return records


# Where each function's instructions go, for the breakdown: the first
# pattern that matches its name (so invalidation before the platform's
# other pnv_ functions)
CATEGORIES = [
    ("this backend", r"\[vfio_spapr_tce\]|\[vfio_iommu_spapr_tce\]|"
     r"^mutex_|^iommu_direction_to_tce_perm|^iommu_tce_check_"),
    ("VFIO core", r"\[vfio\]"),
    ("pinning (GUP)", r"gup|pin_user_pages|try_grab|node_page_state|"
     r"^__pte_offset_map|^folio_|^__folio_"),
    ("pre-registered memory (mm_iommu)", r"^mm_iommu_"),
    ("invalidation", r"^iommu_tce_kill|tce_kill|invalidate"),
    ("TCE writes and clears (platform)", r"^tce_build|^tce_free|"
     r"^tce_exchange|^tce_get|^plpar_|^iommu_tce_xchg|^tce_useraddr|"
     r"^pnv_|^_raw_spin_|^iommu_flush_tce|^iommu_tce_direction"),
    ("syscall, copy of the argument", r"system_call|^sys_ioctl|"
     r"^interrupt_exit|^syscall_exit|^fdget|^start_virt_vectors|"
     r"^check_return_regs_valid|uaccess|copy_from_user|copy_tofrom_user|"
     r"^\[user space\]"),
]


def category(name):
    for cat, pattern in CATEGORIES:
        if re.search(pattern, name):
            return cat
    return "other"


def read_windows(path):
    windows, cur = [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if parts[0] == "WINDOW":
                cur = defaultdict(int)
            elif parts[0] == "END":
                windows.append(cur)
                cur = None
            elif cur is not None:
                cur[int(parts[0], 16)] += int(parts[1])
    return windows


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    records = read_console(sys.argv[1])
    windows = read_windows(sys.argv[2])
    kernel = kernel_symbols(sys.argv[3])
    if not records or len(records) != len(windows):
        sys.exit(f"profile: {len(records)} PROFILED lines but "
                 f"{len(windows)} windows")

    # (ver, case, mb) -> tag -> {function: instructions per TCE}
    cases = defaultdict(dict)
    for rec, win in zip(records, windows):
        syms = Symbols(kernel + rec["mod_syms"])
        per_fn = defaultdict(float)
        for addr, insns in win.items():
            per_fn[syms.name(addr)] += insns / rec["tces"]
        cases[(rec["ver"], rec["case"], rec["mb"])][rec["tag"]] = per_fn

    totals = []
    for (ver, case, mb), tags in cases.items():
        ours, up = tags.get("ours", {}), tags.get("upstream", {})
        print(f"### {ver} {case} {mb} MiB: guest instructions per TCE")
        print()
        print("| function | ours | upstream |")
        print("|---|---|---|")
        names = sorted(set(ours) | set(up),
                       key=lambda n: -max(ours.get(n, 0), up.get(n, 0)))
        for name in names[:top]:
            print(f"| {name} | {ours.get(name, 0):.1f} | {up.get(name, 0):.1f} |")
        rest_o = sum(ours.get(n, 0) for n in names[top:])
        rest_u = sum(up.get(n, 0) for n in names[top:])
        print(f"| (the rest) | {rest_o:.1f} | {rest_u:.1f} |")
        print(f"| **total** | **{sum(ours.values()):.1f}** | "
              f"**{sum(up.values()):.1f}** |")
        print()
        print(f"#### {ver} {case} {mb} MiB: by kind of work")
        print()
        print("| work | ours | upstream |")
        print("|---|---|---|")
        by_cat = {tag: defaultdict(float) for tag in ("ours", "upstream")}
        for tag, fns in (("ours", ours), ("upstream", up)):
            for name, insns in fns.items():
                by_cat[tag][category(name)] += insns
        for cat in [c for c, _ in CATEGORIES] + ["other"]:
            print(f"| {cat} | {by_cat['ours'][cat]:.1f} | "
                  f"{by_cat['upstream'][cat]:.1f} |")
        print()
        totals.append((ver, case, mb, sum(ours.values()), sum(up.values())))

    print("### Guest instructions per TCE, each case")
    print()
    print("| version | case | MiB | ours | upstream | upstream/ours |")
    print("|---|---|---|---|---|---|")
    for ver, case, mb, o, u in totals:
        print(f"| {ver} | {case} | {mb} | {o:.1f} | {u:.1f} | "
              f"{u / o if o else 0:.2f} |")


if __name__ == "__main__":
    main()
