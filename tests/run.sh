#!/bin/sh
# Run every test program given; print each one's cmocka output and a closing
# "N passed, N failed" over all of them.  Exit 1 when any failed.
pass=0; fail=0; failed=""
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n 1)
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
    if [ $rc -ne 0 ]; then
        failed="$failed $t"
        [ -z "$f" ] && fail=$((fail + 1))
    fi
done
[ -n "$failed" ] && echo "failing programs:$failed"
echo "tests: $pass passed, $fail failed"
[ -z "$failed" ]
