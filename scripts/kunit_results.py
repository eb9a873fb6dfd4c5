#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check the KUnit results that kunit.py parse wrote as JSON.

Every suite defined in tests/*.c must be present with every one of its
cases (kunit.py can silently drop suites), and every parameterised case
(KUNIT_CASE_PARAM) with at least two parameters; prints one line per case
or parameter, "PASS suite.case[.param]" or "FAIL ... (why)", and exits 1
if any failed or went missing.
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
        cases = re.findall(r"KUNIT_CASE(?:_PARAM)?\((\w+)[,)]", text)
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
    got = {}
    for g in data.get("sub_groups", []):
        cases = {c["name"]: c["status"] for c in g["test_cases"]}
        # A parameterised case is a group of its parameters
        for p in g.get("sub_groups", []):
            cases[p["name"]] = {c["name"]: c["status"]
                                for c in p["test_cases"]}
        got[g["name"]] = cases
    bad = 0
    for suite, cases in expected_suites(tests_dir).items():
        if suite not in got:
            print(f"FAIL {suite} (suite did not run)")
            bad += 1
            continue
        for case in cases:
            status = got[suite].get(case, "MISSING")
            if isinstance(status, dict):
                if len(status) < 2:
                    print(f"FAIL {suite}.{case} ({len(status)} parameters)")
                    bad += 1
                for param, st in status.items():
                    if st == "PASS":
                        print(f"PASS {suite}.{case}.{param}")
                    else:
                        print(f"FAIL {suite}.{case}.{param} ({st})")
                        bad += 1
            elif status == "PASS":
                print(f"PASS {suite}.{case}")
            else:
                print(f"FAIL {suite}.{case} ({status})")
                bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
