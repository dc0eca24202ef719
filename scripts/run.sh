#!/usr/bin/env bash
# README command 1: install, build, then generate -> lint -> verify -> synthesize the default
# designs into rtl_out/ and print the summary. Extra arguments go to `qrtl run`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
exec ./build/qrtl run "$@"
