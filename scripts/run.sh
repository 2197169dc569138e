#!/usr/bin/env bash
# Builds the service when needed and runs it from this folder (application.properties, routes/).
# Local mode by default: no cloud account, no Stripe key, no mail server (local.properties overlays
# application.properties; data in data/local). EDGEHIVE_PROFILE=cloud runs with application.properties
# alone, i.e. real AWS (or AWS_ENDPOINT=<emulator>) and the secrets from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/edge-hive-cloud.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -q -ntp -DskipTests package
fi
profile="${EDGEHIVE_PROFILE:-local}"
if [ "$profile" = cloud ]; then
  unset EDGEHIVE_PROFILE
else
  export EDGEHIVE_PROFILE="$profile"
  # People read local mode's log; production keeps JSON lines (LOG_FORMAT=json, the default).
  export LOG_FORMAT="${LOG_FORMAT:-text}"
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
