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
