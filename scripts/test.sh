#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Java 17, Maven, Python 3 and Go: installs the
# emulators into ignored folders when missing (.tools/), then runs every test against them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh
# The CloudFormation template must lint clean before anything else runs.
.tools/venv/bin/cfn-lint cloud/control-plane.yaml
echo "cfn-lint: cloud/control-plane.yaml clean"
mvn -B -ntp verify "$@"
# The benchmarks in smoke mode (small counts, goals not checked), so scripts/bench.sh never rots.
scripts/bench.sh --smoke
