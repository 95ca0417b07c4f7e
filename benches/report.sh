#!/usr/bin/env bash
# Prints criterion's median for each benchmark group in target/criterion as a
# Markdown table, with goldiloop's time divided by the fastest of the others.
# Run after `cargo bench -p goldiloop-benches`.
set -euo pipefail
root="${CARGO_TARGET_DIR:-$(dirname "$0")/../target}/criterion"
median_ns() {
  grep -o '"median":{"confidence_interval":{[^}]*},"point_estimate":[0-9.e+-]*' "$1" |
    grep -o '[0-9.e+-]*$'
}
echo "| workload | goldiloop | tokio | smol | goldiloop / fastest other |"
echo "|---|---:|---:|---:|---:|"
for group in "$root"/*/; do
  g=$(basename "$group")
  [ -f "$group/goldiloop/new/estimates.json" ] || continue
  row=()
  for rt in goldiloop tokio smol; do
    f="$group/$rt/new/estimates.json"
    if [ -f "$f" ]; then row+=("$(median_ns "$f")"); else row+=(""); fi
  done
  awk -v g="$g" -v a="${row[0]}" -v b="${row[1]}" -v c="${row[2]}" 'BEGIN {
    best = b; if (best == "" || (c != "" && c + 0 < best + 0)) best = c
    printf "| %s | %.2f ms | %s | %s | %s |\n", g, a / 1e6,
      b == "" ? "-" : sprintf("%.2f ms", b / 1e6),
      c == "" ? "-" : sprintf("%.2f ms", c / 1e6),
      best == "" ? "-" : sprintf("%.2fx", a / best)
  }'
done
