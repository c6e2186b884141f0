/*
 * test_hostile.c -- hostile input, each case with its exact result.
 *
 * Every case is a file given to `build/claimscrub check` (the repository's
 * rules and starter data): the exit status, the number of records, and for
 * each record the claim id, status and a message naming the field path.
 * A few cases also go through cs_check directly (no CLI record limit).
 * What is accepted rather than rejected is documented in docs/limits.md and
 * docs/claim-format.md.
 */
#include "stream_util.h"
#include "claimscrub.h"

static char *tmp;

static int setup(void **state)
{
    tmp = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    tu_rmdir(tmp);
    return 0;
}

/* Write n bytes to tmp/name; returns the path (static, one of four). */
static const char *put(const char *name, const char *data, size_t n)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, name);
    FILE *f = fopen(buf[k], "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return buf[k];
}

#define LINE_OK "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\"," \
                "\"charge\":\"100.00\",\"diagnosis_pointers\":[1]}"

/* A claim for medicare that passes, with id, one extra member (may be "")
 * and the lines given (NULL: one good line). */
static char *claim(const char *id, const char *extra, const char *lines)
{
    size_t n = strlen(extra) + (lines ? strlen(lines) : 200) + 512;
    char *s = malloc(n);
    snprintf(s, n,
             "{\"id\":\"%s\",\"payer\":\"medicare\","
             "\"patient\":{\"id\":\"P1\",\"birth_date\":\"1980-01-01\",\"sex\":\"F\"},"
             "\"billing_provider\":{\"npi\":\"1234567893\"},\"place_of_service\":\"11\","
             "\"diagnoses\":[\"D51.0\"],%s\"lines\":[%s]}",
             id, extra, lines ? lines : LINE_OK);
    return s;
}

/* The good line with from replaced by to. */
static char *line_with(const char *from, const char *to)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    const char *p = strstr(LINE_OK, from);
    assert_non_null(p);
    snprintf(buf[k], sizeof buf[k], "%.*s%s%s", (int)(p - LINE_OK), LINE_OK, to, p + strlen(from));
    return buf[k];
}

typedef struct expect_rec {
    const char *claim;      /* NULL: the record's claim is null */
    const char *status;
    const char *message;    /* a substring of the record; NULL: none asked */
} expect_rec;

/* Check file path; expect exit status and the records given. */
static void expect_file(const char *path, int status, const expect_rec *recs, size_t n,
                        const char *stderr_has)
{
    su_result r = SU_RUN(tmp, "check", path);
    if (r.status != status)
        fail_msg("%s: exit %d, expected %d\n%s\n%s", path, r.status, status, r.out, r.err);
    char **lines;
    size_t got = r.out[0] ? su_lines(r.out, &lines) : (lines = NULL, 0);
    if (got != n) fail_msg("%s: %zu records, expected %zu\n%s", path, got, n, r.out);
    for (size_t i = 0; i < n; i++) {
        cJSON *rec = cJSON_Parse(lines[i]);
        assert_non_null(rec);
        const char *c = su_str(rec, "claim");
        if (recs[i].claim ? !c || strcmp(c, recs[i].claim) : c != NULL)
            fail_msg("%s record %zu: claim %s, expected %s", path, i + 1, c, recs[i].claim);
        assert_string_equal(su_str(rec, "status"), recs[i].status);
        assert_int_equal(su_input(rec, "record"), (long)i + 1);
        if (recs[i].message) assert_contains(lines[i], recs[i].message);
        cJSON_Delete(rec);
    }
    if (stderr_has) assert_contains(r.err, stderr_has);
    free(lines);
    su_done(&r);
}

/* One claim text in a file; one record expected. */
static void expect_one(const char *name, const char *text, size_t len, int status,
                       const char *claim_id, const char *st, const char *message)
{
    const char *p = put(name, text, len);
    expect_rec e = {claim_id, st, message};
    expect_file(p, status, &e, 1, NULL);
}

#define ONE(name, text, status, id, st, msg) expect_one(name, text, strlen(text), status, id, st, msg)

static void test_baseline_passes(void **state)
{
    char *c = claim("H-0", "", NULL);
    ONE("ok.json", c, 0, "H-0", "pass", "\"findings\":[]");
    free(c);
}

static void test_truncated_json(void **state)
{
    char *c = claim("H-1", "", NULL);
    size_t n = strlen(c);
    /* cut inside the lines: the id is still salvaged from the text */
    c[n - 20] = 0;
    char msg[64];
    snprintf(msg, sizeof msg, " of %zu)", n - 20);
    /* input that is not JSON: rejected, and exit status 2 (cli.md) */
    ONE("trunc.json", c, 2, "H-1", "reject", "not valid JSON (problem at byte ");
    ONE("trunc.json", c, 2, "H-1", "reject", msg);
    /* cut inside the id: no id */
    ONE("trunc-id.json", "{\"id\":\"H-", 2, NULL, "reject", "not valid JSON (problem at byte 8 of 9)");
    ONE("open.json", "{", 2, NULL, "reject", "not valid JSON");
    free(c);
}

static void test_wrong_types_everywhere(void **state)
{
    static const char text[] =
        "{\"id\":[\"x\"],\"payer\":1,\"client\":{},\"patient\":\"p\",\"billing_provider\":[],"
        "\"place_of_service\":11,\"diagnoses\":\"D51.0\",\"documentation\":[],\"lines\":{}}";
    const char *p = put("types.json", text, sizeof text - 1);
    su_result r = SU_RUN(tmp, "check", p);
    assert_int_equal(r.status, 1);
    static const char *const msgs[] = {
        "id: expected a string, got array", "payer: expected a string, got number",
        "client: expected a string, got object", "patient: expected an object, got string",
        "billing_provider: expected an object, got array",
        "place_of_service: expected a string, got number",
        "diagnoses: expected an array, got string",
        "documentation: expected an object, got array", "lines: expected an array, got object",
    };
    for (size_t i = 0; i < sizeof msgs / sizeof *msgs; i++) assert_contains(r.out, msgs[i]);
    assert_contains(r.out, "\"claim\":null");
    assert_contains(r.out, "\"status\":\"reject\"");
    su_done(&r);
    /* inside a line */
    static const char line[] =
        "{\"code\":99213,\"modifiers\":\"25\",\"units\":\"1\",\"service_date\":20260302,"
        "\"charge\":true,\"diagnosis_pointers\":{}}";
    char *c = claim("H-2", "", line);
    p = put("linetypes.json", c, strlen(c));
    r = SU_RUN(tmp, "check", p);
    assert_int_equal(r.status, 1);
    assert_contains(r.out, "\"claim\":\"H-2\"");
    assert_contains(r.out, "lines[0].code: expected a string, got number");
    assert_contains(r.out, "lines[0].units: expected a whole number, got string");
    assert_contains(r.out, "lines[0].modifiers:");
    assert_contains(r.out, "lines[0].service_date:");
    assert_contains(r.out, "lines[0].charge:");
    assert_contains(r.out, "lines[0].diagnosis_pointers:");
    su_done(&r);
    free(c);
    /* not an object at all */
    ONE("number.json", "42", 1, NULL, "reject", "claim: expected an object, got number");
    ONE("array.json", "[1]", 1, NULL, "reject", "claim: expected an object, got number");
    /* a top-level array is expanded (cli.md): an empty one holds no claim */
    expect_file(put("empty-array.json", "[]", 2), 0, NULL, 0, NULL);
}

static void test_nul_bytes(void **state)
{
    char *c = claim("H-3", "", NULL);
    size_t n = strlen(c);
    strstr(c, "H-3")[1] = 0;            /* a raw NUL inside the id: "H" NUL "3" */
    expect_one("nul.json", c, n, 1, NULL, "reject", "not valid JSON: NUL character at byte 9 of");
    free(c);
    /* escaped: "H-4\u0000X" would otherwise be read as "H-4" */
    c = claim("H-4\\u0000X", "", NULL);
    ONE("nul-escaped.json", c, 1, NULL, "reject", "not valid JSON: NUL character at byte 11 of");
    free(c);
    /* an escaped backslash before u0000 is text, not a NUL */
    c = claim("H-5", "\"documentation\":{\"note\":\"a\\\\u0000b\"},", NULL);
    ONE("nul-text.json", c, 0, "H-5", "pass", NULL);
    free(c);
}

static void test_invalid_utf8(void **state)
{
    char *c = claim("U\xff\xfe", "", NULL);
    ONE("utf8-id.json", c, 1, NULL, "reject", "id: U?? has characters that are not printable ASCII");
    free(c);
    c = claim("U-2", "", line_with("99213", "9921\xc3\x28"));
    ONE("utf8-code.json", c, 1, "U-2", "reject", "lines[0].code:");
    free(c);
    /* documentation values are free text: kept as bytes (docs/claim-format.md) */
    c = claim("U-3", "\"documentation\":{\"note\":\"caf\xc3\xa9 \xff\"},", NULL);
    ONE("utf8-doc.json", c, 0, "U-3", "pass", NULL);
    free(c);
}

static void test_ten_megabyte_string(void **state)
{
    size_t big = (size_t)10 << 20;
    char *note = malloc(big + 64);
    memcpy(note, "\"documentation\":{\"note\":\"", 25);
    memset(note + 25, 'x', big);
    strcpy(note + 25 + big, "\"},");
    char *c = claim("BIG-1", note, NULL);
    /* the CLI: longer than CS_MAX_RECORD_BYTES, checked as empty, warned */
    const char *p = put("big.json", c, strlen(c));
    expect_rec e = {NULL, "reject", "empty input: no JSON value"};
    expect_file(p, 2, &e, 1, "big.json:1: record 1 is longer than 4194304 bytes");
    /* the library has no record limit: the field limit names the path */
    char *err = NULL;
    cs_engine *eng = cs_engine_new(&(cs_options){0}, &err);
    if (!eng) fail_msg("%s", err);
    char *out = NULL;
    assert_int_equal(cs_check(eng, c, strlen(c), NULL, &out, NULL), CS_REJECT);
    assert_contains(out, "\"claim\":\"BIG-1\"");
    assert_contains(out, "documentation.note:");
    cs_free(out);
    cs_engine_free(eng);
    free(c);
    free(note);
}

static void test_deep_nesting(void **state)
{
    static const size_t depths[] = {998, 1000, 100000};
    for (size_t d = 0; d < 3; d++) {
        size_t n = depths[d];
        char *s = malloc(2 * n + 64);
        size_t k = (size_t)sprintf(s, "{\"id\":\"D-1\",\"x\":");
        memset(s + k, '[', n); k += n;
        memset(s + k, ']', n); k += n;
        strcpy(s + k, "}");
        if (n < 999)                    /* within cJSON's limit: read, then judged */
            expect_one("deep.json", s, k + 1, 1, "D-1", "reject", "x: unknown field");
        else                            /* past it: not valid JSON, no crash */
            expect_one("deep.json", s, k + 1, 2, "D-1", "reject",
                       "not valid JSON (problem at byte ");
        free(s);
    }
}

static void test_limits(void **state)
{
    char lines[51 * 128 + 1] = "";
    for (int i = 0; i < 51; i++) {
        if (i) strcat(lines, ",");
        strcat(lines, LINE_OK);
    }
    char *c = claim("L-51", "", lines);
    ONE("l51.json", c, 1, "L-51", "reject", "lines: has 51 lines, at most 50 allowed");
    free(c);
    c = claim("M-5", "", line_with("\"units\"", "\"modifiers\":[\"25\",\"59\",\"XE\",\"GA\",\"GY\"],\"units\""));
    ONE("mods.json", c, 1, "M-5", "reject", "lines[0].modifiers: has 5 modifiers, at most 4 allowed");
    free(c);
    static const char *const units[][2] = {
        {"-1", "lines[0].units: -1 is negative"},
        {"0", "lines[0].units:"},
        {"1.5", "lines[0].units: 1.5 is not a whole number"},
        {"100000", "lines[0].units: 100000 is more than the maximum 99999"},
        {"1e300", "lines[0].units: 1e+300 is more than the maximum 99999"},
        {"-1e300", "lines[0].units:"},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        char u[64];
        snprintf(u, sizeof u, "\"units\":%s", units[i][0]);
        c = claim("N-1", "", line_with("\"units\":1", u));
        ONE("units.json", c, 1, "N-1", "reject", units[i][1]);
        free(c);
    }
    c = claim("N-2", "", line_with("\"units\":1", "\"units\":2.0"));
    ONE("units2.json", c, 0, "N-2", "pass", NULL);     /* 2.0 is 2 (claim-format.md) */
    free(c);
}

static void test_dates_and_money(void **state)
{
    char *c = claim("D-30", "", line_with("2026-03-02", "2026-02-30"));
    ONE("feb30.json", c, 1, "D-30", "reject", "lines[0].service_date: 2026-02-30 is not a calendar date");
    free(c);
    static const char *const bad[][2] = {
        {"\"100.005\"", "lines[0].charge: 100.005 has more than two decimals"},
        {"\"1e2\"", "lines[0].charge: 1e2 has an exponent"},
        {"100.005", "lines[0].charge: 100.005 has more than two decimals"},
        {"\"-1.00\"", "lines[0].charge:"},
        {"1e300", "lines[0].charge:"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char ch[64];
        snprintf(ch, sizeof ch, "\"charge\":%s", bad[i][0]);
        c = claim("C-1", "", line_with("\"charge\":\"100.00\"", ch));
        ONE("charge.json", c, 1, "C-1", "reject", bad[i][1]);
        free(c);
    }
    /* a JSON number with an exponent is that number: 1e2 = 100.00 */
    c = claim("C-2", "", line_with("\"charge\":\"100.00\"", "\"charge\":1e2"));
    ONE("charge-exp.json", c, 0, "C-2", "pass", NULL);
    free(c);
}

static void test_duplicate_ids(void **state)
{
    /* Each record is checked on its own: the same id twice gives two
     * records, each with its own verdict (claim-format.md). */
    char *a = claim("DUP-1", "", NULL);
    char *b = claim("DUP-1", "", line_with("2026-03-02", "2026-02-30"));
    size_t n = strlen(a) + strlen(b) + 4;
    char *s = malloc(n);
    snprintf(s, n, "%s\n%s\n", a, b);
    const char *p = put("dup.jsonl", s, strlen(s));
    expect_rec e[] = {{"DUP-1", "pass", NULL}, {"DUP-1", "reject", "2026-02-30"}};
    expect_file(p, 1, e, 2, NULL);
    snprintf(s, n, "%s\n%s\n", a, a);
    p = put("dup2.jsonl", s, strlen(s));
    expect_rec e2[] = {{"DUP-1", "pass", NULL}, {"DUP-1", "pass", NULL}};
    expect_file(p, 0, e2, 2, NULL);
    free(a); free(b); free(s);
}

static void test_empty_files(void **state)
{
    static const char *const names[] = {"empty.json", "empty.jsonl", "blank.json", "blank.jsonl",
                                        "bom.json"};
    static const char *const texts[] = {"", "", "  \n\t\r\n", "\n\r\n \t \n", "\xef\xbb\xbf"};
    for (size_t i = 0; i < 5; i++) {
        const char *p = put(names[i], texts[i], strlen(texts[i]));
        expect_file(p, 0, NULL, 0, NULL);  /* no claims: no records, exit 0 */
    }
}

static void test_jsonl_blank_and_crlf(void **state)
{
    char *a = claim("J-1", "", NULL), *b = claim("J-2", "", NULL);
    size_t n = strlen(a) + strlen(b) + 64;
    char *s = malloc(n);
    /* line 1 blank, 2 J-1 (CRLF), 3 CR only, 4 spaces, 5 J-2 (CRLF), 6 broken, no end */
    snprintf(s, n, "\r\n%s\r\n\r\n \t \n%s\r\n{\"id\":\"J-3\",", a, b);
    const char *p = put("crlf.jsonl", s, strlen(s));
    su_result r = SU_RUN(tmp, "check", p);
    assert_int_equal(r.status, 2);      /* line 6 is not JSON */
    char **lines;
    assert_int_equal(su_lines(r.out, &lines), 3);
    static const long at[] = {2, 5, 6};
    static const char *const ids[] = {"J-1", "J-2", "J-3"};
    static const char *const st[] = {"pass", "pass", "reject"};
    for (int i = 0; i < 3; i++) {
        cJSON *rec = cJSON_Parse(lines[i]);
        assert_non_null(rec);
        assert_string_equal(su_str(rec, "claim"), ids[i]);
        assert_string_equal(su_str(rec, "status"), st[i]);
        assert_int_equal(su_input(rec, "line"), at[i]);
        cJSON_Delete(rec);
    }
    free(lines);
    su_done(&r);
    free(a); free(b); free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_passes),
        cmocka_unit_test(test_truncated_json),
        cmocka_unit_test(test_wrong_types_everywhere),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_ten_megabyte_string),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_dates_and_money),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_jsonl_blank_and_crlf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
