#!/usr/bin/env bash
# Benchmarks, each beside its baseline in the same run (see README, "Performance"): builds the service
# jar, the two baseline apps (bench/baselines) and the driver (bench/src) when they are missing or
# stale, then runs them against DynamoDB Local. Writes bench/results/<UTC timestamp>.{json,md,svg}.
#   scripts/bench.sh            every benchmark, full counts, goals checked (about 15 minutes)
#   scripts/bench.sh --smoke    small counts, goals not checked (CI runs this at the end of scripts/test.sh)
#   scripts/bench.sh --only=startup,webhook,slots,list,pipeline,burst
set -euo pipefail
cd "$(dirname "$0")/.."
offline=""
if [ -n "${BENCH_MAVEN_OFFLINE:-}" ]; then offline="-o"; fi
jar=target/edge-hive-cloud.jar
stale() { [ ! -f "$1" ] || [ -n "$(find "${@:2}" -name target -prune -o -newer "$1" -print -quit)" ]; }
if stale "$jar" src pom.xml; then
  mvn -B -q -ntp $offline -DskipTests package
fi
if stale bench/baselines/bare-app/target/bare-app.jar bench/baselines || stale bench/baselines/bare-webhook/target/bare-webhook.jar bench/baselines; then
  mvn -B -q -ntp $offline -f bench/baselines/pom.xml package
fi
classes=bench/work/classes
if stale "$classes/.built" bench/src "$jar"; then
  rm -rf "$classes" && mkdir -p "$classes"
  javac -nowarn -d "$classes" -cp "$jar" $(find bench/src -name '*.java')
  touch "$classes/.built"
fi
exec java -Xmx1g -cp "$classes:$jar" cloud.edgehive.bench.Bench "$@"
