/*
 * parse.c -- the parse-only floor: read a JSONL file line by line and parse
 * each line with cJSON, nothing else.  Prints claims per second.
 *
 * usage: bench_parse FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: bench_parse FILE\n"); return 2; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    long claims = 0, bad = 0;
    while ((n = getline(&buf, &cap, f)) > 0) {
        cJSON *j = cJSON_ParseWithLength(buf, (size_t)n);
        if (!j) bad++;
        cJSON_Delete(j);
        claims++;
    }
    fclose(f);
    free(buf);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%ld %.3f %ld\n", claims, s, bad);
    return bad != 0;
}
