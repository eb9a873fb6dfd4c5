#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Side by side: our backend's answers and upstream's, from one guest boot.

Reads the "E2E <tag> <ver> <step> <value>" lines of a console log, prints
a table step by step, writes it to OUT, and prints "PASS e2e.side_by_side"
when every step agrees or differs only as Documentation/ioctls.rst says,
else "FAIL e2e.side_by_side" with the rows that differ.
"""
import sys

# (version, step) -> (ours, upstream): deliberate, documented differences
KNOWN = {
    ("v1", "map_over_mapping"): ("EBUSY", "0"),
    ("v2", "map_over_mapping"): ("EBUSY", "0"),
    # upstream returns its parameter check's boolean, 1, not an errno
    ("v1", "map_misaligned"): ("EINVAL", "1"),
    ("v2", "map_misaligned"): ("EINVAL", "1"),
    # spapr_hostile (tests/guest/spapr_hostile.c): upstream's defects.
    # v1 MAP read-only of read-only memory: upstream's tce_iommu_use_page()
    # takes the direction from the page-aligned user address, not the
    # mapping's, so it always pins for writing and fails
    ("v1", "h_romap_map_ro"): ("0", "EFAULT"),
    # REGISTER of pages of which only the first two can be pinned for
    # writing: upstream's mm_iommu_new() returns pin_user_pages()' partial
    # count as the ioctl's result (nothing is registered)
    ("v2", "h_roreg_partial"): ("EFAULT", "2"),
    # MAP of a region only another container of the same mm registered:
    # upstream maps any region of the mm, which that other container may
    # unregister (or drop at its release) while this one's TCEs use it
    ("v2", "h_other_map_a_region"): ("EINVAL", "0"),
    # UNREGISTER by a container whose TCEs still map the region, which
    # another container shares: upstream gives the use back and keeps the
    # TCEs (closing the other container would warn and leak the region);
    # the row's second REGISTER repairs that for upstream, and is EBUSY
    # for ours, where the container still holds the region
    ("v2", "h_shared_unregister_mapped"): ("EBUSY", "0"),
    ("v2", "h_shared_register_again"): ("EBUSY", "0"),
    # v1 DISABLE with live mappings: upstream uncharges the window and
    # leaves every TCE in place: 64 pins (4 64K pages, one pin per 4K
    # TCE) held and no longer charged; ours clears them
    ("v1", "h_disable_pins_after"): ("0", "64"),
    # QEMU's default window on a 4K-page host, asked with two levels,
    # where tables have one level (pseries): ours serves it with one,
    # upstream refuses ("-": the removal not tried). Refusing, upstream's
    # tce_iommu_create_table() keeps the locked_vm it charged for
    # pseries' answer to two levels, ~0U bytes: 4194300 kB stay charged
    # to the process after its container closed
    ("v2", "qemu_create_window"): ("0", "EINVAL"),
    ("v2", "qemu_remove_window"): ("0", "-"),
    ("v2", "qemu_closed_vmlck"): ("0", "4194300"),
}


def main():
    log, out = sys.argv[1], sys.argv[2]
    got = {"ours": {}, "upstream": {}}
    order = []
    for raw in open(log, errors="replace"):
        line = raw.strip()
        if not line.startswith("E2E "):
            continue
        parts = line.split(None, 4)
        if len(parts) < 4 or parts[1] not in got:
            continue
        tag, ver, step = parts[1:4]
        got[tag][(ver, step)] = parts[4] if len(parts) > 4 else ""
        if (ver, step) not in order:
            order.append((ver, step))

    rows, bad = [], []
    for key in order:
        ours = got["ours"].get(key, "(missing)")
        up = got["upstream"].get(key, "(missing)")
        if ours == up:
            verdict = "same"
        elif KNOWN.get(key) == (ours.split()[0], up.split()[0]):
            verdict = "documented difference"
        else:
            verdict = "DIFFERENT"
            bad.append(key)
        rows.append((f"{key[0]} {key[1]}", ours, up, verdict))

    width = [max(len(r[i]) for r in rows + [("step", "ours", "upstream",
                                              "")]) for i in range(4)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in
                               zip(("step", "ours", "upstream", "verdict"),
                                   width)) + " |",
             "|" + "|".join("-" * (w + 2) for w in width) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, width)) + " |"
              for r in rows]
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not rows or not got["upstream"]:
        print("FAIL e2e.side_by_side (no results from one backend)")
        return 1
    if bad:
        print("FAIL e2e.side_by_side (%s)" %
              ", ".join(f"{v} {s}" for v, s in bad))
        return 1
    print("PASS e2e.side_by_side")
    return 0


if __name__ == "__main__":
    sys.exit(main())
