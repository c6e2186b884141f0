/* fuzz_x12.c -- an X12 837P file through cs_x12_read, and each of its claims
 * through cs_check_x12, with the repository's rules, payer map and starter
 * data set (one engine for the whole run).  A claim's record must be the
 * one cs_check gives for its claim JSON (cs_x12_claim_json), or, when it
 * has X12 problems that leave it unreadable (cs_x12_problems_fatal), the
 * one cs_check_problem gives for them; with a finding per warning and per
 * readable problem (x12_twin.h). */
#include <stdbool.h>

#include "fuzz_common.h"
#include "../x12_twin.h"

#define MAX_CLAIMS 64   /* claims checked per input; the rest are only read */

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static cs_engine *e;
    if (!e) {
        char *err = NULL;
        e = cs_engine_new(&(cs_options){0}, &err);
        if (!e) { fprintf(stderr, "fuzz_x12: %s\n", err ? err : "?"); abort(); }
    }
    cs_x12_file *f = NULL;
    char *err = NULL;
    int rc = cs_x12_read((const char *)data, size, &(cs_x12_options){0}, &f, &err);
    FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2);
    if (rc == -2) { FUZZ_CHECK(f == NULL && err == NULL); return 0; }
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK((rc == -1) == (err != NULL));
    size_t n = cs_x12_count(f);
    for (size_t i = 0; i < n && i < MAX_CLAIMS; i++) {
        cs_x12_info info;
        const cs_x12_claim *c = cs_x12_claim_at(f, i, &info);
        FUZZ_CHECK(c != NULL && info.transaction != NULL && info.segment > 0 && info.line > 0);
        size_t jlen = 0;
        char *json = NULL, *problems = NULL, *again = NULL;
        if (cs_x12_claim_json(c, &json, &jlen, &problems) < 0) {
            FUZZ_CHECK(json == NULL && problems == NULL);
            continue;
        }
        /* the problems alone are the same */
        if (cs_x12_claim_json(c, NULL, NULL, &again) == 0)
            FUZZ_CHECK((problems == NULL) == (again == NULL) &&
                       (!problems || strcmp(problems, again) == 0));
        cs_free(again);
        if (json) {
            FUZZ_CHECK(strlen(json) == jlen);
            cJSON *j = cJSON_Parse(json);
            FUZZ_CHECK(cJSON_IsObject(j));
            cJSON_Delete(j);
        } else {
            FUZZ_CHECK(problems != NULL);       /* a claim we do not read */
        }
        cs_origin o = {.file = "fuzz.837", .record = (long)i + 1, .line = info.line,
                       .segment = info.segment,
                       .transaction = info.transaction[0] ? info.transaction : NULL};
        char *out = NULL, *twin = NULL;
        size_t outlen = 0, twinlen = 0;
        int st = cs_check_x12(e, c, &o, &out, &outlen);
        fuzz_check_record(st, out, outlen);
        bool fatal = cs_x12_problems_fatal(problems) || !json;
        const char *readable = fatal ? NULL : problems;
        int st2 = fatal
            ? cs_check_problem(e, info.id, problems ? problems : "", &o, &twin, &twinlen)
            : cs_check(e, json, jlen, &o, &twin, &twinlen);
        if ((!info.warnings && !readable) || st < 0 || st2 < 0) {
            FUZZ_CHECK(st == st2);
            FUZZ_CHECK(st < 0 || (outlen == twinlen && memcmp(out, twin, outlen) == 0));
        } else {
            int wst = -1;
            char *a = x12_twin_strip(out, info.warnings, readable, &wst), *b = x12_twin_reprint(twin, readable != NULL);
            FUZZ_CHECK(a && b && wst == st2 && strcmp(a, b) == 0);
            free(a);
            free(b);
        }
        cs_free(out);
        cs_free(twin);
        cs_free(json);
        cs_free(problems);
    }
    cs_free(err);
    cs_x12_free(f);
    return 0;
}
