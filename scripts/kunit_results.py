#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check the KUnit results that kunit.py parse wrote as JSON.

Every suite defined in tests/*.c must be present with every one of its
cases (kunit.py can silently drop suites); prints one line per case,
"PASS suite.case" or "FAIL suite.case (why)", and exits 1 if any failed
or went missing.
"""
import json
import pathlib
import re
import sys


def expected_suites(tests_dir):
    """Map suite name -> list of case names, read from the sources."""
    suites = {}
    for src in sorted(pathlib.Path(tests_dir).glob("*.c")):
        text = src.read_text()
        cases = re.findall(r"KUNIT_CASE\((\w+)\)", text)
        for name in re.findall(r'\.name\s*=\s*"([\w]+)"', text):
            suites[name] = cases
    return suites


def main():
    results_json, tests_dir = sys.argv[1], sys.argv[2]
    try:
        data = json.loads(pathlib.Path(results_json).read_text())
    except (OSError, ValueError) as err:
        print(f"FAIL kunit.results (unreadable: {err})")
        return 1
    got = {g["name"]: {c["name"]: c["status"] for c in g["test_cases"]}
           for g in data.get("sub_groups", [])}
    bad = 0
    for suite, cases in expected_suites(tests_dir).items():
        if suite not in got:
            print(f"FAIL {suite} (suite did not run)")
            bad += 1
            continue
        for case in cases:
            status = got[suite].get(case, "MISSING")
            if status == "PASS":
                print(f"PASS {suite}.{case}")
            else:
                print(f"FAIL {suite}.{case} ({status})")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
