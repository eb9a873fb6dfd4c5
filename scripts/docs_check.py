#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every non-static function and every structure has a kernel-doc comment.

scripts/kernel-doc checks the comments that exist; this checks that they
exist. Prints one line per missing comment and exits 1 if there is any.

With --names KSRC DOC... -- SRC...: every function a document names
(``name()``) exists, in our sources SRC or in the kernel source KSRC
(upstream's, which the documents compare with), and every KUnit case it
names (``suite.case``, the suite without its vfio_spapr_tce_ prefix) is a
case of that suite in tests/; one line per stale name.
"""
import os
import re
import sys

from kunit_results import expected_suites

DOC_NAME = re.compile(r"``(\w+)\(\)``")
DOC_CASE = re.compile(r"``(\w+)\.(\w+)``")
SUITE_PREFIX = "vfio_spapr_tce_"
TESTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                         "tests")
# Where the documents' upstream names live
KSRC_DIRS = ("drivers/vfio", "drivers/iommu", "arch/powerpc", "mm",
             "virt/kvm", "include", "lib/kunit")

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


def words(paths):
    """Every identifier in the files @paths."""
    found = set()
    for path in paths:
        with open(path, errors="replace") as f:
            found.update(re.findall(r"\w+", f.read()))
    return found


def stale_cases(docs):
    """The ``suite.case``s of @docs that name no case of that suite."""
    suites = {name[len(SUITE_PREFIX):]: set(cases) for name, cases in
              expected_suites(TESTS_DIR).items()
              if name.startswith(SUITE_PREFIX)}
    stale = []
    for doc in docs:
        for n, line in enumerate(open(doc).read().split("\n")):
            for suite, case in DOC_CASE.findall(line):
                if suite in suites and case not in suites[suite]:
                    stale.append(f"{doc}:{n + 1}: {suite}.{case} is no "
                                 f"KUnit case")
    return stale


def stale_names(ksrc, docs, srcs):
    """The ``name()``s of @docs found in neither @srcs nor the kernel's."""
    ours = words(srcs)
    named = {}
    for doc in docs:
        for n, line in enumerate(open(doc).read().split("\n")):
            for name in DOC_NAME.findall(line):
                if name not in ours:
                    named.setdefault(name, f"{doc}:{n + 1}")
    if not named:
        return []
    kernel = set()
    for d in KSRC_DIRS:
        for root, _, files in os.walk(os.path.join(ksrc, d)):
            kernel.update(words(os.path.join(root, f) for f in files
                                if f.endswith((".c", ".h"))))
    return [f"{where}: {name}() is in no source"
            for name, where in sorted(named.items()) if name not in kernel]


def main():
    if sys.argv[1:2] == ["--names"]:
        args = sys.argv[3:]
        sep = args.index("--")
        missing = (stale_names(sys.argv[2], args[:sep], args[sep + 1:]) +
                   stale_cases(args[:sep]))
    else:
        missing = [m for p in sys.argv[1:] for m in check(p)]
    for m in missing:
        print(m)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
