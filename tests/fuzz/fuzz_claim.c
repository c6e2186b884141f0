/* fuzz_claim.c -- one claim's JSON through cs_check, with the repository's
 * rules, stdlib and starter data set (one engine for the whole run). */
#include "fuzz_common.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static cs_engine *e;
    if (!e) {
        char *err = NULL;
        e = cs_engine_new(&(cs_options){0}, &err);
        if (!e) { fprintf(stderr, "fuzz_claim: %s\n", err ? err : "?"); abort(); }
    }
    char *out = NULL;
    size_t n = 0;
    int st = cs_check(e, (const char *)data, size, &(cs_origin){.file = "fuzz.json", .record = 1, .line = 1}, &out, &n);
    fuzz_check_record(st, out, n);
    cs_free(out);
    return 0;
}
