#!/usr/bin/env python3
"""Checks that the test run just made ran the whole suite.

Every test class under src/test/java (*Test: Surefire, *IT: Failsafe) must have a report in
target/surefire-reports or target/failsafe-reports, with no fewer tests than the class declares
(@Test / @ParameterizedTest / @RepeatedTest / @TestFactory methods; a parameterised method counts
once, Surefire counts each case) and no failures or errors. A skipped test fails the check unless
its class skips on purpose (a JUnit assumption, e.g. a Linux-only check).
Exit status 1 with one line per problem; 0 with a summary otherwise.
"""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

root = pathlib.Path(__file__).resolve().parent.parent
sources = root / "src/test/java"
reports = {"Test": root / "target/surefire-reports", "IT": root / "target/failsafe-reports"}
annotation = re.compile(r"^\s*@(Test|ParameterizedTest|RepeatedTest|TestFactory)\b", re.M)

problems = []
ran = {"Test": 0, "IT": 0}
classes = 0
for path in sorted(sources.rglob("*.java")):
    text = path.read_text(encoding="utf-8")
    kind = "IT" if path.stem.endswith("IT") else "Test" if path.stem.endswith("Test") else None
    if kind is None or re.search(r"\babstract\s+class\b", text):
        continue
    declared = len(annotation.findall(text))
    if declared == 0:
        continue
    classes += 1
    name = ".".join(path.relative_to(sources).with_suffix("").parts)
    report = reports[kind] / f"TEST-{name}.xml"
    if not report.exists():
        problems.append(f"{name}: no report in {report.parent.name} (not run)")
        continue
    suite = ET.parse(report).getroot()
    tests, skipped = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    ran[kind] += tests
    if tests < declared:
        problems.append(f"{name}: ran {tests} tests, declares {declared}")
    if failed:
        problems.append(f"{name}: {failed} failed")
    if skipped and "Assumptions" not in text and "assumeTrue" not in text:
        problems.append(f"{name}: {skipped} skipped")

if problems:
    print("check-test-reports: the run did not cover the suite:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    sys.exit(1)
print(f"check-test-reports: {classes} test classes ran: {ran['Test']} tests (Surefire) + {ran['IT']} (Failsafe)")
