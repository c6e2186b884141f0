/*
 * claim_parse.c -- micro-benchmark of cs_claim_from_json() against the cJSON
 * parse it follows.  Every line of FILE is parsed once; then the parsed
 * claims are read round-robin ROUNDS times in all (so the figure is an
 * average over realistic claims, not one claim hot in every cache), and the
 * same lines are parsed with cJSON_ParseWithLength (ROUNDS / 10 times, and
 * at least once each) for scale; freeing the trees is timed apart.
 * Every claim must be valid: a validator that rejects early would look fast.
 *
 * usage: bench_claim_parse FILE [ROUNDS]   (ROUNDS defaults to 1,000,000)
 *        bench_gen 1000 > claims.jsonl && bench_claim_parse claims.jsonl
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include "claim.h"

#define MAX_CLAIMS 100000

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static cs_claim claim;
static cs_input_errors errs;

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_claim_parse FILE [ROUNDS]\n");
        return 2;
    }
    long rounds = argc > 2 ? atol(argv[2]) : 1000000;
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    static char *text[MAX_CLAIMS];
    static size_t len[MAX_CLAIMS];
    static cJSON *json[MAX_CLAIMS];
    char *buf = NULL;
    size_t cap = 0, bytes = 0;
    ssize_t n;
    int nclaims = 0;
    while (nclaims < MAX_CLAIMS && (n = getline(&buf, &cap, f)) > 0) {
        text[nclaims] = malloc((size_t)n + 1);
        memcpy(text[nclaims], buf, (size_t)n + 1);
        len[nclaims] = (size_t)n;
        bytes += (size_t)n;
        json[nclaims] = cJSON_ParseWithLength(buf, (size_t)n);
        if (!json[nclaims]) { fprintf(stderr, "line %d: bad JSON\n", nclaims + 1); return 2; }
        if (!cs_claim_from_json(json[nclaims], &claim, &errs, true)) {
            fprintf(stderr, "line %d: invalid claim: %s\n", nclaims + 1, errs.msg[0]);
            return 2;
        }
        nclaims++;
    }
    fclose(f);
    free(buf);
    if (nclaims == 0) { fprintf(stderr, "%s: no claims\n", argv[1]); return 2; }

    long bad = 0;
    double t0 = now();
    for (long r = 0; r < rounds; r++)
        bad += !cs_claim_from_json(json[r % nclaims], &claim, &errs, true);
    double validate = (now() - t0) / (double)rounds;

    /* parse every line into tmp (timed), then free them (timed apart) */
    static cJSON *tmp[MAX_CLAIMS];
    long passes = rounds / 10 / nclaims > 0 ? rounds / 10 / nclaims : 1;
    double parse_ns = 0, delete_ns = 0;
    for (long r = 0; r < passes; r++) {
        t0 = now();
        for (int i = 0; i < nclaims; i++)
            tmp[i] = cJSON_ParseWithLength(text[i], len[i]);
        double t1 = now();
        for (int i = 0; i < nclaims; i++) {
            bad += tmp[i] == NULL;
            cJSON_Delete(tmp[i]);
        }
        parse_ns += t1 - t0;
        delete_ns += now() - t1;
    }
    long parses = passes * nclaims;
    double parse = parse_ns / (double)parses;

    printf("claims: %d, %.0f bytes each on average, sizeof(cs_claim) %zu\n",
           nclaims, (double)bytes / nclaims, sizeof(cs_claim));
    printf("cs_claim_from_json:           %8.1f ns/claim (%ld calls)\n", validate, rounds);
    printf("cJSON_ParseWithLength:        %8.1f ns/claim (%ld calls)\n", parse, parses);
    printf("cJSON_Delete:                 %8.1f ns/claim\n", delete_ns / (double)parses);
    printf("validation / parse:           %8.2f\n", validate / parse);
    for (int i = 0; i < nclaims; i++) {
        cJSON_Delete(json[i]);
        free(text[i]);
    }
    return bad != 0;
}
