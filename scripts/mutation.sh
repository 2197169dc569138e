#!/usr/bin/env bash
# Mutation testing (PIT) of the domain that needs no emulator: billing decisions (Dunning), plans and
# prices, node-hours and plan limits, auth (tokens), problem mapping, fault classification and
# failure reasons. The classes and tests are listed in pom.xml (pitest-maven). Not part of
# scripts/test.sh: it answers "would the tests notice?", not "does it work?".
# Report: target/pit-reports/index.html; the score is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -o -q test-compile
mvn -B -ntp -o org.pitest:pitest-maven:mutationCoverage "$@"
python3 - <<'PY'
import xml.etree.ElementTree as ET
mutations = ET.parse("target/pit-reports/mutations.xml").getroot()
total = len(mutations)
killed = sum(1 for m in mutations if m.get("detected") == "true")
print(f"PIT: {killed}/{total} mutants killed = {100 * killed / total:.0f} %")
PY
