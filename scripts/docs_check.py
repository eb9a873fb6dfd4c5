#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every non-static function and every structure has a kernel-doc comment.

scripts/kernel-doc checks the comments that exist; this checks that they
exist. Prints one line per missing comment and exits 1 if there is any.
"""
import re
import sys

FUNC = re.compile(r"^(?!static\b)(?:[A-Za-z_][\w ]*[\s*])(\w+)\(")
STRUCT = re.compile(r"^struct (\w+) \{")


def doc_names(lines, end):
    """Names a /** ... */ block ending just before line index @end documents."""
    i = end - 1
    if i < 0 or not lines[i].rstrip().endswith("*/"):
        return None
    while i >= 0 and not lines[i].startswith("/**"):
        i -= 1
    if i < 0:
        return None
    m = re.match(r"\*\s*(?:struct\s+)?(\w+)(?:\(\))?\s+-",
                 lines[i + 1].strip())
    return m.group(1) if m else ""


def check(path):
    lines = open(path).read().split("\n")
    missing = []
    for n, line in enumerate(lines):
        m = STRUCT.match(line)
        kind = "struct"
        if not m:
            m = FUNC.match(line)
            kind = "function"
            if not m or line.startswith(("return", "typedef")):
                continue
            # A definition: the signature ends in a line that is just "{"
            j = n
            while j < len(lines) and not lines[j].rstrip().endswith((")", ";")):
                j += 1
            if j + 1 >= len(lines) or lines[j + 1] != "{":
                continue
        name = m.group(1)
        if doc_names(lines, n) != name:
            missing.append(f"{path}:{n + 1}: {kind} {name} has no kernel-doc")
    return missing


def main():
    missing = [m for p in sys.argv[1:] for m in check(p)]
    for m in missing:
        print(m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
