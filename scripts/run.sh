#!/usr/bin/env bash
# Builds the service when needed and runs it from this folder (application.properties, routes/).
# Local mode by default: no cloud account, no Stripe key, no mail server (local.properties overlays
# application.properties; data in data/local). EDGEHIVE_PROFILE=cloud runs with application.properties
# alone, i.e. real AWS (or AWS_ENDPOINT=<emulator>) and the secrets from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=target/edge-hive-cloud.jar
if [ ! -f "$jar" ] || [ ! -d target/local-lib ] || [ -n "$(find src pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -q -ntp -DskipTests package
fi
profile="${EDGEHIVE_PROFILE:-local}"
launch=(-jar "$jar")
if [ "$profile" = cloud ]; then
  unset EDGEHIVE_PROFILE
else
  export EDGEHIVE_PROFILE="$profile"
  # People read local mode's log; production keeps JSON lines (LOG_FORMAT=json, the default).
  export LOG_FORMAT="${LOG_FORMAT:-text}"
  # DynamoDB Local is not in the service jar: a profile that runs it (local.properties does) gets
  # target/local-lib, where packaging puts it and what only it needs, on its class path.
  if [ "${LOCAL_DYNAMODB_ENABLED:-}" = true ] || grep -Eqs '^[[:space:]]*local\.dynamodb\.enabled[[:space:]]*=[[:space:]]*true' "$profile.properties"; then
    launch=(-cp "$jar:target/local-lib/*" cloud.edgehive.EdgeHive)
  fi
fi
# Class-data sharing (AppCDS): the first start of a new jar records the classes it loads into an archive,
# written when that process stops; every later start maps them instead of loading and verifying them
# again (see README, "Performance"). EDGEHIVE_CDS=off starts without it.
cds_opts=""
if [ "${EDGEHIVE_CDS:-on}" != off ] && [ "${1:-}" != validate ] && [ "${1:-}" != sign-in ]; then
  archive="target/edge-hive-cloud-${profile}.jsa"
  if [ -f "$archive" ] && [ "$archive" -nt "$jar" ]; then
    cds_opts="-XX:SharedArchiveFile=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  else
    rm -f "$archive"
    cds_opts="-XX:ArchiveClassesAtExit=$archive -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
fi
# A control plane's heap is small and mostly idle: the serial collector, and a heap that starts small,
# grows on demand and gives back what a full collection frees, hold far less memory than the JVM's
# defaults sized for this machine's RAM; the young generation is a sixth of the heap, so it is small
# at idle and grows with the heap under load. Its work waits on the network, so the C1 compiler
# alone: it starts a second sooner and holds 20 MB less than C1 + C2, and on two cores the service kept
# up better with it (see README, "Performance"). Every 5 s the JVM gives the C heap's free memory
# back to the OS (malloc_trim): start-up's class parsing and compilation free megabytes that glibc
# would otherwise keep resident while the service idles. JAVA_OPTS comes after these, so any of them
# can be overridden (-XX:TieredStopAtLevel=4 brings C2 back).
jvm_opts="-XX:+UseSerialGC -Xms16m -XX:NewRatio=5 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MaxRAMPercentage=50 -XX:TieredStopAtLevel=1"
# TrimNativeHeapInterval exists in recent JDK 17 updates only: asked once per java binary, the answer kept in target/.
java_bin="$(readlink -f "$(command -v java)")"
trim_known="target/jvm-trim-$(printf '%s' "$java_bin" | cksum | cut -d' ' -f1)"
if [ ! -f "$trim_known" ]; then
  if java -XX:TrimNativeHeapInterval=5000 -version >/dev/null 2>&1; then echo on; else echo off; fi > "$trim_known"
fi
if [ "$(cat "$trim_known")" = on ]; then
  jvm_opts="$jvm_opts -XX:TrimNativeHeapInterval=5000"
fi
# glibc's per-thread malloc arenas keep freed native memory (class parsing, JIT) resident; two are plenty.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec java ${cds_opts} ${jvm_opts} ${JAVA_OPTS:-} "${launch[@]}" "$@"
