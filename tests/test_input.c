/* test_input.c -- the CLI's record reader (engine/cli/input.c). */
#include "testutil.h"

#include <unistd.h>

#include "input.h"

/* Records kept per file by these tests. */
#define MAX_RECS 16

typedef struct got {
    int n;
    char *text[MAX_RECS];
    long record[MAX_RECS];
    long line[MAX_RECS];
    bool too_long[MAX_RECS];
    bool malformed[MAX_RECS];
    char why[MAX_RECS][160];
} got;

static char dir[] = "/tmp/cs-test-input-XXXXXX";
static char path[512];

static int setup(void **state)
{
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write len bytes of s to a file called name in the test directory; returns
 * its path. */
static const char *put_file(const char *name, const char *s, size_t len)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, len, f), len);
    fclose(f);
    return path;
}

/* Read every record of name (written from s) in format fmt. */
static void read_all(const char *name, const char *s, cs_input_format fmt, got *g)
{
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open(put_file(name, s, strlen(s)), fmt, err, sizeof err);
    assert_non_null(r);
    memset(g, 0, sizeof *g);
    cs_record rec;
    int rc;
    while ((rc = cs_reader_next(r, &rec)) == 1) {
        assert_true(g->n < MAX_RECS);
        assert_int_equal(strlen(rec.text), rec.len);
        g->text[g->n] = strdup(rec.text);
        g->record[g->n] = rec.record;
        g->line[g->n] = rec.line;
        g->too_long[g->n] = rec.too_long;
        g->malformed[g->n] = rec.malformed;
        snprintf(g->why[g->n], sizeof g->why[g->n], "%s", rec.why);
        g->n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(cs_reader_next(r, &rec), 0); /* stays at the end */
    cs_reader_close(r);
}

static void got_free(got *g)
{
    for (int i = 0; i < g->n; i++) free(g->text[i]);
}

/* Record i is text, starting on line. */
static void expect(const got *g, int i, const char *text, long line)
{
    assert_true(i < g->n);
    assert_string_equal(g->text[i], text);
    assert_int_equal(g->record[i], i + 1);
    assert_int_equal(g->line[i], line);
    assert_false(g->too_long[i]);
    if (g->malformed[i]) fail_msg("record %d is malformed: %s", i + 1, g->why[i]);
}

/* Record i is text, starting on line, and is not JSON. */
static void expect_bad(const got *g, int i, const char *text, long line)
{
    assert_true(i < g->n);
    assert_string_equal(g->text[i], text);
    assert_int_equal(g->record[i], i + 1);
    assert_int_equal(g->line[i], line);
    if (!g->malformed[i]) fail_msg("record %d is not flagged malformed", i + 1);
    assert_true(g->why[i][0] != 0);
}

/* ---- JSONL ---- */

static void test_jsonl_lines(void **state)
{
    got g;
    read_all("a.jsonl", "{\"id\":1}\n\n   \t\n{\"id\":2}\n{\"id\":3}", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 3);
    expect(&g, 0, "{\"id\":1}", 1);
    expect(&g, 1, "{\"id\":2}", 4);
    expect(&g, 2, "{\"id\":3}", 5);
    got_free(&g);
}

static void test_jsonl_crlf(void **state)
{
    got g;
    read_all("crlf.jsonl", "{\"a\":1}\r\n\r\n{\"b\":\"x\\r\"}\r\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{\"a\":1}", 1);
    expect(&g, 1, "{\"b\":\"x\\r\"}", 3);
    got_free(&g);
}

static void test_jsonl_not_json_is_a_record(void **state)
{
    got g;
    read_all("bad.jsonl", "{\"a\":1}\nnot json at all\n{\"a\":[1,\n{\"c\":3}\n",
             CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 4);
    expect(&g, 0, "{\"a\":1}", 1);
    expect(&g, 1, "not json at all", 2);
    expect(&g, 2, "{\"a\":[1,", 3);     /* a broken line costs only itself */
    expect(&g, 3, "{\"c\":3}", 4);
    got_free(&g);
}

static void test_jsonl_forced_on_other_name(void **state)
{
    got g;
    read_all("x.txt", "{}\n[]\n", CS_INPUT_JSONL, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{}", 1);
    expect(&g, 1, "[]", 2);
    got_free(&g);
}

static void test_jsonl_bom(void **state)
{
    got g;
    read_all("bom.jsonl", "\xEF\xBB\xBF{\"a\":1}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 1);
    expect(&g, 0, "{\"a\":1}", 1);
    got_free(&g);
}

/* ---- JSON ---- */

static void test_json_array(void **state)
{
    got g;
    read_all("arr.json",
             "[\n"
             "  {\"id\":\"a\",\"lines\":[{\"m\":[\"25\",\"59\"]},{}]},\n"
             "  {\"id\":\"b]}[{\",\"n\":\"say \\\"hi\\\" ]\"},\n"
             "\n"
             "  {\"id\":\"c\\\\\"}\n"
             "]\n",
             CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 3);
    expect(&g, 0, "{\"id\":\"a\",\"lines\":[{\"m\":[\"25\",\"59\"]},{}]}", 2);
    expect(&g, 1, "{\"id\":\"b]}[{\",\"n\":\"say \\\"hi\\\" ]\"}", 3);
    expect(&g, 2, "{\"id\":\"c\\\\\"}", 5);
    got_free(&g);
}

static void test_json_array_multiline_element(void **state)
{
    got g;
    read_all("ml.json", "[{\n\"a\": 1\n},\n{\n\"b\": 2\n}]", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{\n\"a\": 1\n}", 1);
    expect(&g, 1, "{\n\"b\": 2\n}", 4);
    got_free(&g);
}

static void test_json_array_scalars_and_empty(void **state)
{
    got g;
    read_all("sc.json", "[1, \"two\", true, [3]]", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 4);
    expect(&g, 0, "1", 1);
    expect(&g, 1, "\"two\"", 1);
    expect(&g, 2, "true", 1);
    expect(&g, 3, "[3]", 1);
    got_free(&g);

    read_all("empty-array.json", "  [ ]  \n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 0);
}

static void test_json_single_object(void **state)
{
    got g;
    read_all("one.json", "\n\n  {\"id\": \"x\", \"lines\": [ {\"code\": \"99213\"} ]}\n",
             CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 1);
    expect(&g, 0, "{\"id\": \"x\", \"lines\": [ {\"code\": \"99213\"} ]}", 3);
    got_free(&g);
}

static void test_json_concatenated_objects(void **state)
{
    got g;
    read_all("seq.json", "{\"a\":\"}\"}{\"b\":2}\n\n{\"c\":\n3}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 3);
    expect(&g, 0, "{\"a\":\"}\"}", 1);
    expect(&g, 1, "{\"b\":2}", 1);
    expect(&g, 2, "{\"c\":\n3}", 3);
    got_free(&g);
}

static void test_json_stray_closer_progresses(void **state)
{
    got g;
    read_all("stray.json", "} {\"a\":1}\n{\"b\":2}", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect_bad(&g, 0, "} {\"a\":1}", 1);    /* the broken line is one record */
    expect(&g, 1, "{\"b\":2}", 2);
    got_free(&g);
}

/* A value that never closes costs only itself: the next record starts at
 * the next line that opens a value no deeper than it did. */
static void test_json_unterminated_resyncs(void **state)
{
    got g;
    read_all("open.json", "[{\"a\":1},\n{\"b\":[1,2},\n{\"c\":3}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 3);
    expect(&g, 0, "{\"a\":1}", 1);
    expect_bad(&g, 1, "{\"b\":[1,2},", 2);
    expect(&g, 2, "{\"c\":3}", 3);
    got_free(&g);

    read_all("openstr.json", "{\"a\":\"never closed}\n{\"b\":2}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect_bad(&g, 0, "{\"a\":\"never closed}", 1);
    expect(&g, 1, "{\"b\":2}", 2);
    got_free(&g);

    /* cut short outside a string: the next line's object completes the
     * broken one's member, and the one after is out of place */
    read_all("cut.json", "{\"a\":1,\"b\":\n{\"c\":2}\n{\"d\":3}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 3);
    expect_bad(&g, 0, "{\"a\":1,\"b\":", 1);
    expect(&g, 1, "{\"c\":2}", 2);
    expect(&g, 2, "{\"d\":3}", 3);
    got_free(&g);

    /* an open array at the end of a line, the next line a claim */
    read_all("arr.json", "{\"a\":[1,2\n{\"c\":2}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect_bad(&g, 0, "{\"a\":[1,2", 1);
    expect(&g, 1, "{\"c\":2}", 2);
    got_free(&g);

    /* the file ends inside the value */
    read_all("eof.json", "{\"a\":1}\n{\"b\":[", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect_bad(&g, 1, "{\"b\":[", 2);
    got_free(&g);
}

/* Pretty-printed claims in an array: a broken one ends at the next element
 * at its own indentation, not at its inner objects. */
static void test_json_pretty_broken_element(void **state)
{
    got g;
    read_all("pretty.json",
             "[\n"
             "  {\n"
             "    \"id\": \"a\",\n"
             "    \"lines\": [\n"
             "      {\"code\": 99213 x}\n"
             "    ]\n"
             "  },\n"
             "  {\n"
             "    \"id\": \"b\"\n"
             "  }\n"
             "]\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    assert_true(g.malformed[0]);
    assert_int_equal(g.line[0], 2);
    assert_string_equal(g.why[0], "line 5: unexpected 'x' where ',' or '}' should be");
    expect(&g, 1, "{\n    \"id\": \"b\"\n  }", 8);
    got_free(&g);
}

/* Whatever the malformation, the records after it are those of the same
 * claims without it. */
static void test_json_garbage_lines(void **state)
{
    got g;
    read_all("garbage.json", "{\"a\":1}\ngarbage {\"x\":\n{\"b\":2}\nnull\n\"s\"\n{\"c\":3}",
             CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 6);
    expect(&g, 0, "{\"a\":1}", 1);
    expect_bad(&g, 1, "garbage {\"x\":", 2);
    assert_string_equal(g.why[1], "line 2: 'garbage' is not a JSON value");
    expect(&g, 2, "{\"b\":2}", 3);
    expect(&g, 3, "null", 4);         /* JSON, not a claim: the engine says so */
    expect(&g, 4, "\"s\"", 5);
    expect(&g, 5, "{\"c\":3}", 6);
    got_free(&g);
}

/* JSONL lines are not checked as they are read (it costs); cs_json_check
 * says which are not JSON, what is wrong and on which line of the text. */
static void test_json_check(void **state)
{
    got g;
    read_all("m.jsonl", "{\"a\":1}\n{\"a\":\"cut\n[1,2]\n{\"a\":1} x\n42\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 5);
    static const char *const why[] = {NULL, "the text ends inside a string", NULL,
                                      "text after the JSON value", NULL};
    for (int i = 0; i < 5; i++) {
        assert_false(g.malformed[i]);
        char w[128];
        long at = -1;
        bool ok = cs_json_check(g.text[i], strlen(g.text[i]), w, sizeof w, &at);
        if (!why[i]) { assert_true(ok); continue; }
        assert_false(ok);
        assert_string_equal(w, why[i]);
        assert_int_equal(at, 0);
    }
    got_free(&g);

    static const struct { const char *text, *why; long line; } cases[] = {
        {"{\"a\": [1, 2,\n 3]}", NULL, 0},
        {"  {\"a\":\"x\\\"\"}  ", NULL, 0},                 /* escaped quote */
        {"{\"a\": tru}", "'tru' is not a JSON value", 0},
        {"{\"a\":\n1,\n\"b\" 2}", "unexpected '2' where ':' should be", 2},
        {"{\"a\":1]", "unexpected ']' where ',' or '}' should be", 0},
        {"[1,\n{\"b\":\"open\n}]", "a string is not closed at the end of the line", 1},
        {"", "no JSON value", 0},
        {"{\"n\": -1.5e3, \"t\": [true, false, null]}", NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char w[128];
        long at = -1;
        bool ok = cs_json_check(cases[i].text, strlen(cases[i].text), w, sizeof w, &at);
        if (!cases[i].why) {
            if (!ok) fail_msg("%s: %s", cases[i].text, w);
            continue;
        }
        if (ok) fail_msg("%s: called well-formed", cases[i].text);
        assert_string_equal(w, cases[i].why);
        assert_int_equal(at, cases[i].line);
    }
    /* deeper than cJSON reads is malformed; as deep as it reads is not */
    char deep[2 * CS_JSON_MAX_DEPTH + 3];
    memset(deep, '[', CS_JSON_MAX_DEPTH);
    memset(deep + CS_JSON_MAX_DEPTH, ']', CS_JSON_MAX_DEPTH);
    char w[128];
    long at;
    assert_true(cs_json_check(deep, 2 * CS_JSON_MAX_DEPTH, w, sizeof w, &at));
    memmove(deep + 1, deep, 2 * CS_JSON_MAX_DEPTH);
    deep[0] = '[';
    deep[2 * CS_JSON_MAX_DEPTH + 1] = ']';
    assert_false(cs_json_check(deep, 2 * CS_JSON_MAX_DEPTH + 2, w, sizeof w, &at));
    assert_string_equal(w, "nested deeper than 1000");
}

static void test_json_forced_on_jsonl_name(void **state)
{
    got g;
    read_all("forced.jsonl", "[{\"a\":1},{\"b\":2}]\n", CS_INPUT_JSON, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 1, "{\"b\":2}", 1);
    got_free(&g);
}

/* ---- both ---- */

static void test_empty_files(void **state)
{
    got g;
    read_all("e.jsonl", "", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 0);
    read_all("e.json", "", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 0);
    read_all("ws.json", " \n\t\r\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 0);
    read_all("ws.jsonl", "\n\n  \r\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 0);
}

static void test_cannot_open(void **state)
{
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open("/nonexistent/claims.json", CS_INPUT_AUTO, err, sizeof err);
    assert_null(r);
    assert_string_equal(err, "cannot open /nonexistent/claims.json: No such file or directory");
}

static void test_format_by_name(void **state)
{
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open(put_file("f.jsonl", "", 0), CS_INPUT_AUTO, err, sizeof err);
    assert_int_equal(cs_reader_format(r), CS_INPUT_JSONL);
    cs_reader_close(r);
    r = cs_reader_open(put_file("f.json", "", 0), CS_INPUT_AUTO, err, sizeof err);
    assert_int_equal(cs_reader_format(r), CS_INPUT_JSON);
    cs_reader_close(r);
}

/* Build a file of: a record of exactly CS_MAX_RECORD_BYTES, one a byte
 * longer, then a small one; in JSONL or as a JSON array. */
static char *big_input(bool jsonl, size_t *len)
{
    size_t n = 2 * CS_MAX_RECORD_BYTES + 64;
    char *s = malloc(n), *p = s;
    const char *sep = jsonl ? "\n" : ",";
    if (!jsonl) *p++ = '[';
    for (int extra = 0; extra <= 1; extra++) {
        size_t body = CS_MAX_RECORD_BYTES + (size_t)extra - 2; /* minus quotes */
        *p++ = '"';
        memset(p, 'x', body);
        p += body;
        *p++ = '"';
        p += sprintf(p, "%s", sep);
    }
    p += sprintf(p, "{\"small\":1}%s", jsonl ? "\n" : "]");
    *len = (size_t)(p - s);
    return s;
}

static void check_big(const char *name, bool jsonl)
{
    size_t len;
    char *s = big_input(jsonl, &len);
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open(put_file(name, s, len), CS_INPUT_AUTO, err, sizeof err);
    free(s);
    assert_non_null(r);
    cs_record rec;
    assert_int_equal(cs_reader_next(r, &rec), 1);
    assert_false(rec.too_long);
    assert_int_equal(rec.len, CS_MAX_RECORD_BYTES);
    assert_int_equal(cs_reader_next(r, &rec), 1);
    assert_true(rec.too_long);
    assert_int_equal(rec.len, 0);
    assert_string_equal(rec.text, "");
    assert_int_equal(rec.record, 2);
    assert_int_equal(cs_reader_next(r, &rec), 1);
    assert_string_equal(rec.text, "{\"small\":1}");
    assert_int_equal(rec.record, 3);
    assert_int_equal(rec.line, jsonl ? 3 : 1);
    assert_int_equal(cs_reader_next(r, &rec), 0);
    cs_reader_close(r);
}

static void test_too_long_jsonl(void **state) { check_big("big.jsonl", true); }
static void test_too_long_json(void **state) { check_big("big.json", false); }

/* Standard input is read as JSON by default. */
static void test_stdin(void **state)
{
    const char *s = "[{\"a\":1},\n{\"b\":2}]";
    const char *p = put_file("stdin.json", s, strlen(s));
    int saved = dup(STDIN_FILENO);
    assert_non_null(freopen(p, "rb", stdin));
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open("-", CS_INPUT_AUTO, err, sizeof err);
    assert_non_null(r);
    cs_record rec;
    assert_int_equal(cs_reader_next(r, &rec), 1);
    assert_string_equal(rec.text, "{\"a\":1}");
    assert_int_equal(cs_reader_next(r, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_int_equal(cs_reader_next(r, &rec), 0);
    cs_reader_close(r);
    dup2(saved, STDIN_FILENO);
    close(saved);
}

/* Read every record of s (len bytes) given as standard input, format AUTO;
 * returns the format the reader settled on. */
static cs_input_format read_stdin(const char *s, size_t len, got *g)
{
    const char *p = put_file("stdin.in", s, len);
    int saved = dup(STDIN_FILENO);
    assert_non_null(freopen(p, "rb", stdin));
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open("-", CS_INPUT_AUTO, err, sizeof err);
    assert_non_null(r);
    cs_input_format fmt = cs_reader_format(r);
    memset(g, 0, sizeof *g);
    cs_record rec;
    int rc;
    while ((rc = cs_reader_next(r, &rec)) == 1) {
        assert_true(g->n < MAX_RECS);
        g->text[g->n] = strdup(rec.text);
        g->record[g->n] = rec.record;
        g->line[g->n] = rec.line;
        g->malformed[g->n] = rec.malformed;
        snprintf(g->why[g->n], sizeof g->why[g->n], "%s", rec.why);
        g->n++;
    }
    assert_int_equal(rc, 0);
    cs_reader_close(r);
    dup2(saved, STDIN_FILENO);
    close(saved);
    return fmt;
}

/* JSON lines on standard input are read as a .jsonl file is: one record per
 * non-blank line, CRLF, a byte order mark and blank lines taken in stride,
 * a line that is JSON but not an object (an array too) one record. */
static void test_stdin_json_lines(void **state)
{
    static const char s[] = "\xEF\xBB\xBF{\"a\":1}\r\n\r\n{\"b\":\"cut\r\n[1,2]\n  \n42\n{\"c\":3}";
    got g, f;
    assert_int_equal(read_stdin(s, sizeof s - 1, &g), CS_INPUT_JSONL);
    read_all("same.jsonl", s, CS_INPUT_AUTO, &f);
    assert_int_equal(g.n, 5);
    assert_int_equal(f.n, 5);
    for (int i = 0; i < g.n; i++) {
        assert_string_equal(g.text[i], f.text[i]);
        assert_int_equal(g.line[i], f.line[i]);
        assert_int_equal(g.malformed[i], f.malformed[i]);
    }
    expect(&g, 0, "{\"a\":1}", 1);
    expect(&g, 1, "{\"b\":\"cut", 3);     /* the engine rejects it */
    expect(&g, 2, "[1,2]", 4);
    expect(&g, 3, "42", 6);
    expect(&g, 4, "{\"c\":3}", 7);
    got_free(&g);
    got_free(&f);
}

/* A pretty-printed claim, or an array of claims, on standard input. */
static void test_stdin_pretty_and_array(void **state)
{
    static const char pretty[] = "\n{\n  \"id\": \"x\",\n  \"lines\": [\n    {\"code\": \"99213\"}\n  ]\n}\n"
                                 "{\n  \"id\": \"y\"\n}\n";
    got g;
    assert_int_equal(read_stdin(pretty, sizeof pretty - 1, &g), CS_INPUT_JSON);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{\n  \"id\": \"x\",\n  \"lines\": [\n    {\"code\": \"99213\"}\n  ]\n}", 2);
    expect(&g, 1, "{\n  \"id\": \"y\"\n}", 8);
    got_free(&g);

    static const char arr[] = "[{\"a\":1},\r\n {\"b\":2}]\r\n";
    assert_int_equal(read_stdin(arr, sizeof arr - 1, &g), CS_INPUT_JSON);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{\"a\":1}", 1);
    expect(&g, 1, "{\"b\":2}", 2);
    got_free(&g);

    assert_int_equal(read_stdin("", 0, &g), CS_INPUT_JSONL);
    assert_int_equal(g.n, 0);
}

/* X12 is recognised on standard input (even a pipe: nothing is sought
 * back) and in files, whatever their name, after a byte order mark or
 * blank lines; UTF-16 text that is not X12 is refused, saying so. */
static void test_recognise_x12_and_utf16(void **state)
{
    static const char isa[] = "\xEF\xBB\xBF\r\n\n  ISA*00*          *00*          *ZZ*A*ZZ*B*260101*1200*^*00501*000000001*0*P*:~";
    char err[CS_READER_ERROR_MAX];
    cs_reader *r = cs_reader_open(put_file("claims.json", isa, sizeof isa - 1), CS_INPUT_AUTO,
                                  err, sizeof err);
    assert_int_equal(cs_reader_format(r), CS_INPUT_X12);
    size_t len = 0;
    char *all = cs_reader_slurp(r, 1 << 20, &len);
    assert_int_equal(len, sizeof isa - 1);
    assert_memory_equal(all, isa, len);     /* from the start, mark included */
    free(all);
    cs_reader_close(r);

    static const char u16[] = "{\0\"\0a\0\"\0:\0" "1\0}\0\n\0";
    r = cs_reader_open(put_file("u16.json", u16, sizeof u16 - 1), CS_INPUT_AUTO, err, sizeof err);
    cs_record rec;
    assert_int_equal(cs_reader_next(r, &rec), -1);
    assert_contains(cs_reader_error(r), "is UTF-16LE text");
    cs_reader_close(r);
    /* told the format, the reader reads the bytes it is given */
    r = cs_reader_open(path, CS_INPUT_JSONL, err, sizeof err);
    assert_int_equal(cs_reader_next(r, &rec), 1);
    cs_reader_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_lines),
        cmocka_unit_test(test_jsonl_crlf),
        cmocka_unit_test(test_jsonl_not_json_is_a_record),
        cmocka_unit_test(test_jsonl_forced_on_other_name),
        cmocka_unit_test(test_jsonl_bom),
        cmocka_unit_test(test_json_array),
        cmocka_unit_test(test_json_array_multiline_element),
        cmocka_unit_test(test_json_array_scalars_and_empty),
        cmocka_unit_test(test_json_single_object),
        cmocka_unit_test(test_json_concatenated_objects),
        cmocka_unit_test(test_json_stray_closer_progresses),
        cmocka_unit_test(test_json_unterminated_resyncs),
        cmocka_unit_test(test_json_pretty_broken_element),
        cmocka_unit_test(test_json_garbage_lines),
        cmocka_unit_test(test_json_check),
        cmocka_unit_test(test_json_forced_on_jsonl_name),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_cannot_open),
        cmocka_unit_test(test_format_by_name),
        cmocka_unit_test(test_too_long_jsonl),
        cmocka_unit_test(test_too_long_json),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_stdin_json_lines),
        cmocka_unit_test(test_stdin_pretty_and_array),
        cmocka_unit_test(test_recognise_x12_and_utf16),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
