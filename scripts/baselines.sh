#!/usr/bin/env bash
# Baseline table: one pMAC and one bMAC cell (1x1 array, signed, dot products up to 256) at 4, 8
# and 16 bits, each synthesized onto OSU 0.18 um with timing and measured energy, side by side.
# Usage: scripts/baselines.sh [OUT_DIR]   (after scripts/build.sh; default OUT_DIR build/baselines)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/baselines}
qrtl=./build/qrtl
mkdir -p "$out"
csv="$out/baselines.csv"
: > "$csv"
for bits in 4 8 16; do
  for fam in pmac bmac; do
    d="$out/${fam}_${bits}b"
    "$qrtl" generate "$fam" --set rows=1 --set cols=1 --set a_bits=$bits --set w_bits=$bits --set max_len=256 \
      -o "$d" --force >/dev/null
    "$qrtl" synth "$d" --equiv off >/dev/null
    if [ ! -s "$csv" ]; then head -1 "$d/synth/report.csv" > "$csv"; fi
    tail -1 "$d/synth/report.csv" >> "$csv"
  done
done
# columns: design,family,library,area_um2,nand2_eq,cells,flops,clock_ns,critical_path_ns,slack_ns,fmax_mhz,
#          total_power_w,energy_per_op_pj,op,ops_per_cycle,equivalence
{
  echo "| design | area (µm²) | NAND2-eq | fmax (MHz) | energy / MAC (pJ) | cycles / MAC |"
  echo "|---|---|---|---|---|---|"
  tail -n +2 "$csv" | awk -F, '{ printf "| %s | %.0f | %.0f | %.1f | %.2f | %.2f |\n", $1, $4, $5, $11, $13, 1/$15 }'
} > "$out/baselines.md"
cat "$out/baselines.md"
echo "baselines: $csv"
