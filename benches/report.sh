#!/usr/bin/env bash
# Prints the median of every criterion benchmark in target/criterion as a
# table, with each runtime's ratio to goldiloop's time in the same group.
set -euo pipefail
root="${CARGO_TARGET_DIR:-$(dirname "$0")/../target}/criterion"
for group in "$root"/*/; do
  g=$(basename "$group")
  [ "$g" = report ] && continue
  base=""
  for rt in goldiloop tokio smol; do
    f="$group/$rt/new/estimates.json"
    [ -f "$f" ] || continue
    med=$(grep -o '"median":{[^}]*"point_estimate":[0-9.e+-]*' "$f" | grep -o '[0-9.e+-]*$')
    [ -z "$base" ] && base=$med
    awk -v g="$g" -v rt="$rt" -v m="$med" -v b="$base" \
      'BEGIN { printf "| %-22s | %-9s | %12.3f ms | %5.2fx goldiloop |\n", g, rt, m / 1e6, m / b }'
  done
done
