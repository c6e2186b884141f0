#!/bin/sh
# make bench: generate 100,000 claims, measure the cJSON parse-only floor and
# `claimscrub check` with the bundled packs at --jobs 1 and 2.
# Figures go to stdout; docs/performance.md records them.
set -e
N=${BENCH_CLAIMS:-100000}
B=build/bench
mkdir -p $B
build/bench_gen "$N" > $B/claims.jsonl
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo "claims: $N ($(wc -c < $B/claims.jsonl) bytes of JSONL)"

set -- $(build/bench_parse $B/claims.jsonl)
floor=$(awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }')
echo "parse-only floor (cJSON):   $floor claims/s"

check() {   # jobs -> "rate rss_kib"
    /usr/bin/time -f '%e %M' -o $B/time.txt build/claimscrub check --jobs "$1" $B/claims.jsonl > $B/out-$1.jsonl || [ $? -eq 1 ]
    read -r secs rss <<EOT
$(tail -n 1 $B/time.txt)
EOT
    awk -v n="$N" -v s="$secs" -v r="$rss" 'BEGIN { printf "%.0f %d", n / s, r }'
}
for j in 1 2; do
    set -- $(check $j)
    ratio=$(awk -v a="$1" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
    echo "check --jobs $j:             $1 claims/s  (ratio to floor $ratio, peak RSS $(($2 / 1024)) MiB)"
done
cmp -s $B/out-1.jsonl $B/out-2.jsonl && echo "output --jobs 1 == --jobs 2: identical" \
    || { echo "output --jobs 1 and --jobs 2 differ"; exit 1; }

# The same claims as an X12 837P file (bench_gen N --x12): reading X12 must
# not be slower per claim than reading JSON.
build/bench_gen "$N" --x12 > $B/claims.837
E=$B/no-rules
mkdir -p $E/payers/medicare
echo 'payer { id = "medicare", name = "reading only: no rules" }' > $E/payers/medicare/payer.lua
printf 'payer_id,pack\n00435,medicare\n' > $E/payers/payer-map.csv
rate() {   # file [options] -> claims/s of check
    f=$1; shift
    /usr/bin/time -f '%e' -o $B/time.txt build/claimscrub check "$@" "$f" > /dev/null || [ $? -eq 1 ]
    awk -v n="$N" -v s="$(tail -n 1 $B/time.txt)" 'BEGIN { printf "%.0f", n / s }'
}
echo "reading only (a pack with no rules): JSONL $(rate $B/claims.jsonl --rules $E) claims/s, X12 837P $(rate $B/claims.837 --rules $E) claims/s ($(wc -c < $B/claims.837) bytes)"
echo "check --jobs 1 of the X12 837P form: $(rate $B/claims.837) claims/s"

# With the full CMS tables (CMS_DATA, default ../shared/cms): import them,
# then measure start-up (check of no claims) and the check rate.
CMS=${CMS_DATA:-../shared/cms}
if [ -f "$CMS/ncci_ptp_practitioner_2024-07-01_pairs.csv.gz" ]; then
    D=$B/data
    rm -rf $D
    # three releases: 2024-07-01 (NCCI, PFS, adjustment codes, ICD-10-CM
    # FY2024), 2024-10-01 (FY2025), 2025-10-01 (FY2026, HCPCS October 2025
    # ANWEB); time and peak RSS of the three imports together
    /usr/bin/time -f '%e %M' -o $B/time.txt sh -c '
        C=$1 D=$2
        build/claimscrub data import --out $D --release 2024-07-01 \
            --ptp "$C/ncci_ptp_practitioner_2024-07-01_pairs.csv.gz" \
            --mue "$C/ncci_mue_practitioner_2024-07-01.csv" --aoc "$C/ncci_aoc_2024-06-03_active.csv" \
            --pfs "$C/pfs_pprrvu_2024_jul_national.csv" --icd10 "$C/icd10cm_fy2024_order_with_chapters.csv.gz" \
            --adjustment-codes "$C/x12_carc_rarc_group_codes.csv" &&
        build/claimscrub data import --out $D --release 2024-10-01 --icd10 "$C/icd10cm_fy2025_order.csv.gz" &&
        build/claimscrub data import --out $D --release 2025-10-01 --icd10 "$C/icd10cm_fy2026_order.csv.gz" \
            --hcpcs "$C/hcpcs_level2_2025_oct_anweb.csv"' sh "$CMS" "$D"
    set -- $(tail -n 1 $B/time.txt)
    echo "full CMS tables: import $1 s (peak RSS $(($2 / 1024)) MiB), data set $(du -m $D | cut -f1) MiB"
    sync; t0=$(date +%s%N)
    /usr/bin/time -f '%e %M' -o $B/time.txt build/claimscrub check --data $D /dev/null > /dev/null
    t1=$(date +%s%N)
    set -- $(tail -n 1 $B/time.txt)
    echo "full CMS tables: start to ready (check of no claims) $(( (t1 - t0) / 1000000 )) ms, peak RSS $(($2 / 1024)) MiB"
    /usr/bin/time -f '%e %M' -o $B/time.txt build/claimscrub check --data $D $B/claims.jsonl > $B/out-full.jsonl || [ $? -eq 1 ]
    set -- $(tail -n 1 $B/time.txt)
    rate=$(awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / s }')
    echo "check --jobs 1 with the full tables: $rate claims/s  (ratio to floor $(awk -v a="$rate" -v b="$floor" 'BEGIN { printf "%.2f", a / b }'), peak RSS $(($2 / 1024)) MiB)"
else
    echo "full CMS tables: skipped ($CMS not found; set CMS_DATA)"
fi
