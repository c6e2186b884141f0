/*
 * gen.c -- deterministic generator of realistic professional claims (JSONL)
 * for the benchmark.  Same arguments, same bytes: a fixed-seed xorshift.
 *
 * usage: bench_gen N > claims.jsonl
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t next(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static int pick(int n) { return (int)(next() % (uint32_t)n); }

#define COUNT(a) (sizeof a / sizeof *a)

static const char *const EM[] = {"99202", "99203", "99204", "99211", "99212", "99213", "99214", "99215"};
static const char *const DRUGS[] = {"J0696", "J3420", "J1885", "J1100", "J0897", "J3301"};
static const char *const OTHER[] = {"80053", "85025", "71046", "93000", "36415", "81002", "87880", "90471", "90686", "20610"};
static const char *const DX[] = {"J02.9", "D51.0", "E53.8", "I10", "E11.9", "M17.11", "J06.9", "R05.9", "Z00.00", "N18.4", "E78.5", "M54.50"};
static const char *const PAYERS[] = {"medicare", "medicare", "medicare"};
static const char *const NPIS[] = {"1234567893", "1245319599", "1003000126", "1497758544"};
static const char *const ROUTES[] = {"IM", "IM", "SC", "IV"};

static void line(int first, const char *code, const char *mods, int units, int month, int day,
                 int ndx, long cents, const char *extra)
{
    printf("%s{\"code\":\"%s\",%s\"units\":%d,\"service_date\":\"2026-%02d-%02d\","
           "\"diagnosis_pointers\":[%d],\"charge\":\"%ld.%02ld\"%s}",
           first ? "" : ",", code, mods, units, month, day, 1 + pick(ndx), cents / 100, cents % 100, extra);
}

static void claim(long i)
{
    int month = 1 + pick(6), day = 1 + pick(28), ndx = 1 + pick(4);
    printf("{\"id\":\"BEN-%07ld\",\"payer\":\"%s\",\"patient\":{\"id\":\"P%06d\",\"birth_date\":\"19%02d-%02d-%02d\",\"sex\":\"%s\"},",
           i, PAYERS[pick(COUNT(PAYERS))], pick(900000), 30 + pick(60), 1 + pick(12), 1 + pick(28), pick(2) ? "F" : "M");
    printf("\"billing_provider\":{\"npi\":\"%s\",\"taxonomy\":\"207Q00000X\"},", NPIS[pick(COUNT(NPIS))]);
    printf("\"rendering_provider\":{\"npi\":\"%s\"},\"place_of_service\":\"11\",\"diagnoses\":[", NPIS[pick(COUNT(NPIS))]);
    int used[COUNT(DX)] = {0};
    for (int d = 0; d < ndx; d++) {
        int k;
        do k = pick(COUNT(DX)); while (used[k]);
        used[k] = 1;
        printf("%s\"%s\"", d ? "," : "", DX[k]);
    }
    printf("],\"lines\":[");
    line(1, EM[pick(COUNT(EM))], pick(3) ? "\"modifiers\":[\"25\"]," : "", 1, month, day, ndx, 7500 + pick(10000), "");
    if (pick(2)) {
        char extra[64];
        snprintf(extra, sizeof extra, ",\"route\":\"%s\"", ROUTES[pick(COUNT(ROUTES))]);
        line(0, "96372", "", 1, month, day, ndx, 2500 + pick(2000), extra);
        line(0, DRUGS[pick(COUNT(DRUGS))], "", 1 + pick(4), month, day, ndx, 500 + pick(5000), ",\"ndc\":\"00409733201\"");
    }
    for (int k = pick(3); k > 0; k--)
        line(0, OTHER[pick(COUNT(OTHER))], "", 1, month, day, ndx, 1000 + pick(20000), "");
    printf("]}\n");
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    for (long i = 1; i <= n; i++) claim(i);
    return 0;
}
