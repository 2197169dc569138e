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
# A control plane's heap is small and mostly idle: the serial collector, and a heap that starts small
# and grows on demand, hold far less memory than the JVM's defaults sized for this machine's RAM.
# Every 5 s the JVM gives the C heap's free memory back to the OS (malloc_trim): start-up's class
# parsing and JIT compilation free megabytes that glibc would otherwise keep resident while the
# service idles. JAVA_OPTS comes after these, so any of them can be overridden.
jvm_opts="-XX:+UseSerialGC -Xms32m -XX:MaxRAMPercentage=50"
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
exec java ${cds_opts} ${jvm_opts} ${JAVA_OPTS:-} -jar "$jar" "$@"
