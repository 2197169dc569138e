#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Java 17, Maven, Python 3 and Go: installs the
# emulators into ignored folders when missing (.tools/), then runs every test against them, then
# checks from the Surefire/Failsafe reports that every test class ran (scripts/check-test-reports.py).
# Options that would run less than the suite are refused: this command's answer is about all of it.
# (One test: mvn -B -o -ntp -Dtest='FooTest' -Dsurefire.failIfNoSpecifiedTests=false -DskipITs test)
set -euo pipefail
cd "$(dirname "$0")/.."
narrowing='skipTests|skipITs|skipUTs|maven\.test\.skip|test\.skip|surefire\.skip|failsafe\.skip|-Dtest=|-Dit\.test=|-Dgroups|excludedGroups|-DexcludedGroups|includesFile|excludesFile|failIfNoSpecifiedTests|testFailureIgnore|-fae|--fail-at-end|-fn|--fail-never|-Dskip|-pl|--projects'
for arg in "$@" ${MAVEN_OPTS:-} ${MAVEN_ARGS:-}; do
  if [[ "$arg" =~ $narrowing ]]; then
    echo "scripts/test.sh runs the whole suite; '$arg' would run less (or hide failures). Refused." >&2
    exit 2
  fi
done
if [ -f .mvn/maven.config ] && grep -Eq "$narrowing" .mvn/maven.config; then
  echo "scripts/test.sh: .mvn/maven.config narrows the run; refused." >&2
  exit 2
fi
scripts/install-tools.sh
# The CloudFormation template must lint clean before anything else runs.
.tools/venv/bin/cfn-lint cloud/control-plane.yaml
echo "cfn-lint: cloud/control-plane.yaml clean"
# Old reports must not stand in for tests this run did not make.
rm -rf target/surefire-reports target/failsafe-reports
mvn -B -ntp verify "$@"
python3 scripts/check-test-reports.py
# The benchmarks in smoke mode (small counts, goals not checked), so scripts/bench.sh never rots.
scripts/bench.sh --smoke
