/* fuzz_jsonl.c -- the bytes as a JSONL stream through the CLI's reader
 * (engine/cli/input.c), every record through cs_check; then the same bytes
 * read as JSON.  Invariants: JSONL yields exactly one record per non-blank
 * line, in order, each starting on that line; JSON ends without error and a
 * record is flagged malformed exactly when cs_json_check says it is not
 * JSON. */
#include "fuzz_common.h"
#include "input.h"

static cs_engine *engine(void)
{
    static cs_engine *e;
    if (!e) {
        char *err = NULL;
        e = cs_engine_new(&(cs_options){0}, &err);
        if (!e) { fprintf(stderr, "fuzz_jsonl: %s\n", err ? err : "?"); abort(); }
    }
    return e;
}

/* 1-based numbers of the non-blank lines, as the reader defines them. */
static long nonblank_lines(const uint8_t *d, size_t n, long *first, long max)
{
    size_t i = 0;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) i = 3;
    long line = 1, count = 0;
    int blank = 1;
    for (; i <= n; i++) {
        if (i == n || d[i] == '\n') {
            if (!blank) { if (count < max) first[count] = line; count++; }
            if (i == n) break;
            line++;
            blank = 1;
        } else if (d[i] != ' ' && d[i] != '\t' && d[i] != '\r') {
            blank = 0;
        }
    }
    return count;
}

static long run(const char *path, cs_input_format fmt, const long *lines, long nlines)
{
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open(path, fmt, err, sizeof err);
    FUZZ_CHECK(r != NULL);
    cs_record rec;
    long n = 0;
    int rc;
    while ((rc = cs_reader_next(r, &rec)) == 1) {
        n++;
        FUZZ_CHECK(rec.record == n);
        if (lines && n <= nlines) FUZZ_CHECK(rec.line == lines[n - 1]);
        if (fmt == CS_INPUT_JSON && !rec.too_long) {   /* malformed: exactly not JSON */
            char why[128];
            long at;
            FUZZ_CHECK(rec.malformed == !cs_json_check(rec.text, rec.len, why, sizeof why, &at));
        }
        char *out = NULL;
        size_t outlen = 0;
        int st = cs_check(engine(), rec.text, rec.len,
                          &(cs_origin){.file = path, .record = rec.record, .line = rec.line}, &out, &outlen);
        fuzz_check_record(st, out, outlen);
        cs_free(out);
    }
    FUZZ_CHECK(rc == 0);
    cs_reader_close(r);
    return n;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static char path[128];
    if (!path[0]) snprintf(path, sizeof path, "%s/in.jsonl", fuzz_tmp());
    fuzz_put(path, data, size);
    static long lines[4096];
    long expect = nonblank_lines(data, size, lines, 4096);
    FUZZ_CHECK(run(path, CS_INPUT_JSONL, lines, expect < 4096 ? expect : 4096) == expect);
    run(path, CS_INPUT_JSON, NULL, 0);
    return 0;
}
