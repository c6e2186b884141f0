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
    read_all("stray.json", "} {\"a\":1}", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "}", 1);
    expect(&g, 1, "{\"a\":1}", 1);
    got_free(&g);
}

static void test_json_unterminated_takes_rest(void **state)
{
    got g;
    read_all("open.json", "[{\"a\":1},\n{\"b\":[1,2},\n{\"c\":3}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 2);
    expect(&g, 0, "{\"a\":1}", 1);
    expect(&g, 1, "{\"b\":[1,2},\n{\"c\":3}\n", 2);
    got_free(&g);

    read_all("openstr.json", "{\"a\":\"never closed}\n", CS_INPUT_AUTO, &g);
    assert_int_equal(g.n, 1);
    expect(&g, 0, "{\"a\":\"never closed}\n", 1);
    got_free(&g);
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
        cmocka_unit_test(test_json_unterminated_takes_rest),
        cmocka_unit_test(test_json_forced_on_jsonl_name),
        cmocka_unit_test(test_empty_files),
        cmocka_unit_test(test_cannot_open),
        cmocka_unit_test(test_format_by_name),
        cmocka_unit_test(test_too_long_jsonl),
        cmocka_unit_test(test_too_long_json),
        cmocka_unit_test(test_stdin),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
