#!/usr/bin/env bash
# README command 2: install, build, run every test (unit + regression) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh
cd build
exec ctest -j "$(nproc)" --output-on-failure --timeout 900
