#!/usr/bin/env bash
# Installs the test emulators into ignored project folders when they are missing:
#   .tools/venv         moto's server (AWS emulator), cfn-lint (CloudFormation linter)
#   .tools/go/bin       stripe-mock (Stripe API emulator)
#   chromium            Debian's browser, for the dashboard's browser tests (apt-get; root or sudo)
# Idempotent: a second run with everything present does nothing but check.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools"

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
STRIPE_MOCK_VERSION="${STRIPE_MOCK_VERSION:-v0.203.0}"
CFN_LINT_VERSION="${CFN_LINT_VERSION:-1.58.0}"

if [ ! -x "$tools/venv/bin/moto_server" ]; then
  echo "install-tools: moto[server]==$MOTO_VERSION into .tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet "moto[server]==$MOTO_VERSION"
fi

# Schema fuzzing of the served OpenAPI document (SchemaFuzzTest runs it against the real service).
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
if [ ! -x "$tools/venv/bin/st" ]; then
  echo "install-tools: schemathesis==$SCHEMATHESIS_VERSION into .tools/venv"
  "$tools/venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

# CloudFormation lint of cloud/control-plane.yaml (scripts/test.sh runs it before the tests).
if [ ! -x "$tools/venv/bin/cfn-lint" ]; then
  echo "install-tools: cfn-lint==$CFN_LINT_VERSION into .tools/venv"
  "$tools/venv/bin/pip" install --quiet "cfn-lint==$CFN_LINT_VERSION"
fi

if [ ! -x "$tools/go/bin/stripe-mock" ]; then
  echo "install-tools: stripe-mock@$STRIPE_MOCK_VERSION into .tools/go/bin"
  GOBIN="$tools/go/bin" GOPATH="$tools/go/path" GOMODCACHE="$tools/go/mod" GOFLAGS=-modcacherw \
    go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
fi
# The browser tests drive the system's chromium through Playwright (which never downloads a browser).
if ! command -v chromium >/dev/null 2>&1; then
  echo "install-tools: chromium (apt-get, log in .tools/apt-chromium.log)"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium; } > "$tools/apt-chromium.log" 2>&1 \
    || { echo "install-tools: installing chromium failed; see .tools/apt-chromium.log" >&2; exit 1; }
fi

echo "install-tools: moto $("$tools/venv/bin/python" -c 'import moto; print(moto.__version__)'), $("$tools/venv/bin/cfn-lint" --version), stripe-mock $STRIPE_MOCK_VERSION, $(chromium --version 2>/dev/null | tail -1)"
