#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""vfio_h_check.py OURS VFIO_H...: does include/headers-only/vfio.h (OURS)
declare what each kernel's drivers/vfio/vfio.h does, for what the backend
uses: enum vfio_group_type, struct vfio_iommu_driver_ops and the two
registration functions? Compared as C tokens, without comments, parameter
names or attributes; prints each difference and exits 1 if there is one.
"""
import re
import sys

KEYWORDS = {"struct", "enum", "union", "const", "unsigned", "signed",
            "long", "int", "short", "char", "void", "bool", "size_t",
            "dma_addr_t", "u8", "u16", "u32", "u64"}


def tokens(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.findall(r"[A-Za-z_]\w*|\d+|\S", text)


def find(toks, head, end=";"):
    """The tokens of the declaration starting with @head, to its end."""
    n = len(head)
    for i in range(len(toks) - n + 1):
        if toks[i:i + n] != head:
            continue
        depth = sum(t in ("(", "{") for t in head)
        for j in range(i + n, len(toks)):
            depth += toks[j] in ("(", "{")
            depth -= toks[j] in (")", "}")
            if depth == 0 and toks[j] == end:
                return toks[i:j + 1]
    return None


def drop_param_names(decl):
    """In every parameter list, drop a parameter's trailing name (not
    the member name of a function pointer, "(*name)")."""
    out, stack = [], []
    for t in decl:
        if t == "(":
            stack.append(len(out))
        if t in (",", ")") and stack:
            param = out[stack[-1] + 1:] if t == ")" else None
            last = out[-1]
            prev = out[-2] if len(out) >= 2 else ""
            if (re.match(r"[A-Za-z_]\w*$", last) and last not in KEYWORDS
                    and prev not in ("struct", "enum", "union", "(", ",")
                    and param != [] and param != ["*", last]):
                out.pop()
        if t == ")" and stack:
            stack.pop()
        out.append(t)
    return out


WANT = [
    (["enum", "vfio_group_type", "{"], ";"),
    (["struct", "vfio_iommu_driver_ops", "{"], ";"),
    (["int", "vfio_register_iommu_driver", "("], ";"),
    (["void", "vfio_unregister_iommu_driver", "("], ";"),
]


def main():
    ours = tokens(open(sys.argv[1]).read())
    bad = 0
    for path in sys.argv[2:]:
        before = bad
        theirs = tokens(open(path).read())
        for head, end in WANT:
            a, b = find(ours, head, end), find(theirs, head, end)
            name = " ".join(head[:2])
            if a is None or b is None:
                print(f"{path}: {name}: missing in "
                      f"{'ours' if a is None else 'theirs'}")
                bad += 1
                continue
            a, b = drop_param_names(a), drop_param_names(b)
            if a != b:
                print(f"{path}: {name} differs:\n  ours:   {' '.join(a)}\n"
                      f"  theirs: {' '.join(b)}")
                bad += 1
        if bad == before:
            print(f"{path}: same declarations")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
