#!/usr/bin/env bash
# Builds the service when needed and runs it with application.properties from this folder.
# Until local mode lands it needs an AWS endpoint (real AWS credentials, or AWS_ENDPOINT=<emulator>).
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/edge-hive-cloud.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -q -ntp -DskipTests package
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
