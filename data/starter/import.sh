#!/bin/sh
# Build the starter data set from the CSVs of data/starter (run by make):
#   data/starter/import.sh CLAIMSCRUB OUT
# Three releases, each table with its default validity window
# (docs/data.md):
#   2024-07-01  ptp mue aoc pfs adj, ICD-10-CM FY2024 (icd10.csv), HCPCS
#               2024 (hcpcs.csv): the quarter 2024-07-01..2024-09-30, the
#               ICD-10-CM fiscal year 2023-10-01..2024-09-30
#   2024-10-01  ICD-10-CM FY2025 (icd10_fy2025.csv): 2024-10-01..2025-09-30
#   2025-10-01  ICD-10-CM FY2026 (icd10_fy2026.csv): 2025-10-01..2026-09-30,
#               HCPCS October 2025, CMS's ANWEB layout (hcpcs_anweb.csv):
#               2025-10-01..2025-12-31
set -e
bin=$1
out=$2
dir=$(dirname "$0")
[ -n "$bin" ] && [ -n "$out" ] || { echo "usage: $0 CLAIMSCRUB OUT" >&2; exit 2; }
rm -rf "$out"
args=""
for t in ptp mue aoc pfs icd10 hcpcs; do
    [ -f "$dir/$t.csv" ] && args="$args --$t $dir/$t.csv"
done
[ -f "$dir/adjustment_codes.csv" ] && args="$args --adjustment-codes $dir/adjustment_codes.csv"
# shellcheck disable=SC2086
"$bin" data import --out "$out" --release 2024-07-01 $args
"$bin" data import --out "$out" --release 2024-10-01 --icd10 "$dir/icd10_fy2025.csv"
"$bin" data import --out "$out" --release 2025-10-01 --icd10 "$dir/icd10_fy2026.csv" \
    --hcpcs "$dir/hcpcs_anweb.csv"
