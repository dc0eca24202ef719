#!/usr/bin/env bash
# Installs qrtl's build, test and EDA dependencies from Debian 12 packages.
# Idempotent: packages already present are skipped, so re-running costs one dpkg query.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  verilator iverilog yosys opensta
  qflow-tech-osu018 qflow-tech-osu035 qflow-tech-osu050
  catch2 libboost-graph-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libfmt-dev libkainjow-mustache-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
