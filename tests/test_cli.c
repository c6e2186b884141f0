/*
 * test_cli.c -- end-to-end tests of the claimscrub tool.
 *
 * Runs build/claimscrub (or $CLAIMSCRUB) from the repository root with
 * fork/exec, its standard output and error going to files.  The rules roots
 * are written into a temporary directory: "rules" holds one payer, testpay,
 * whose only rule denies a line with more than 3 units; "broken" holds a
 * pack with a syntax error.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Records in the --jobs test: more than two batches of the CLI (512). */
#define MANY 1300

static char tmp[] = "/tmp/cs-test-cli-XXXXXX";
static char rules[256], broken[256];

typedef tu_result result;


/* The path tmp/name, in a static buffer (one of four, rotating). */
static const char *tpath(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, name);
    return buf[k];
}

/* Write s to tmp/name, making its directory; returns the path. */
static const char *put(const char *name, const char *s)
{
    const char *p = tpath(name);
    char dir[512];
    snprintf(dir, sizeof dir, "mkdir -p \"$(dirname '%s')\"", p);
    assert_int_equal(system(dir), 0);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
    return p;
}

/* Run the tool with args (NULL-terminated), standard input from the file
 * in (NULL: /dev/null). */
static result run_cli(const char *in, const char *const *args)
{
    return tu_run_cli(tmp, in, args);
}

#define RUN(in, ...) run_cli(in, (const char *const[]){__VA_ARGS__, NULL})
#define CHECK(in, ...) RUN(in, "check", "--rules", rules, "--payer", "testpay", __VA_ARGS__)

static void done(result *r) { tu_result_free(r); }

static void expect(const result *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* A claim for payer testpay with one line of the given units.  The claim
 * shape follows the claim model (engine/src/claim.h); keep it in step with
 * docs/claims.md. */
static char *claim(char *buf, size_t size, const char *id, int units)
{
    snprintf(buf, size,
             "{\"id\":\"%s\",\"payer\":\"testpay\","
             "\"patient\":{\"id\":\"P1\",\"birth_date\":\"1980-01-01\",\"sex\":\"F\"},"
             "\"billing_provider\":{\"npi\":\"1234567893\"},\"place_of_service\":\"11\","
             "\"diagnoses\":[\"D51.0\"],"
             "\"lines\":[{\"code\":\"99213\",\"units\":%d,\"service_date\":\"2026-03-02\","
             "\"charge\":\"100.00\",\"diagnosis_pointers\":[1]}]}",
             id, units);
    return buf;
}

static int setup(void **state)
{
    if (!mkdtemp(tmp)) return -1;
    snprintf(rules, sizeof rules, "%s/rules", tmp);
    snprintf(broken, sizeof broken, "%s/broken", tmp);
    put("rules/payers/testpay/payer.lua",
        "payer { id = \"testpay\", name = \"test\", scripts = { \"r.lua\" } }\n");
    put("rules/payers/testpay/r.lua",
        "rule { id = \"t.units\", summary = \"too many units\", severity = \"deny\",\n"
        "  check = function(claim)\n"
        "    for i, line in ipairs(claim.lines) do\n"
        "      if line.units > 3 then flag(line, \"too many units\") end\n"
        "    end\n"
        "  end }\n");
    put("broken/payers/bad/payer.lua", "payer { id = \"bad\", name = \n");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

/* ---- usage: these need only the tool, not working rules ---- */

static void test_version(void **state)
{
    result r = RUN(NULL, "--version");
    expect(&r, 0);
    assert_string_equal(r.out, "claimscrub 0.1.0\n");
    done(&r);
}

static void test_help(void **state)
{
    result r = RUN(NULL, "--help");
    expect(&r, 0);
    assert_contains(r.out, "usage: claimscrub");
    assert_contains(r.out, "check");
    done(&r);
    r = RUN(NULL, "-h");
    expect(&r, 0);
    done(&r);
    r = RUN(NULL, "check", "--help");
    expect(&r, 0);
    assert_contains(r.out, "--jobs");
    assert_contains(r.out, "--format");
    done(&r);
}

static void test_no_command(void **state)
{
    result r = RUN(NULL, NULL);
    expect(&r, 2);
    assert_contains(r.err, "usage:");
    assert_string_equal(r.out, "");
    done(&r);
}

static void test_unknown_command(void **state)
{
    result r = RUN(NULL, "frobnicate");
    expect(&r, 2);
    assert_contains(r.err, "unknown command 'frobnicate'");
    done(&r);
}

static void test_unknown_option(void **state)
{
    result r = RUN(NULL, "--frob");
    expect(&r, 2);
    assert_contains(r.err, "unknown option '--frob'");
    done(&r);
    r = RUN(NULL, "check", "--frob", "x.json");
    expect(&r, 2);
    assert_contains(r.err, "unknown option '--frob'");
    assert_string_equal(r.out, "");
    done(&r);
}

static void test_bad_option_values(void **state)
{
    static const char *const bad[][2] = {
        {"--jobs", "0"}, {"--jobs", "65"}, {"--jobs", "2x"}, {"--jobs", ""},
        {"--format", "xml"}, {"--input", "yaml"}, {"--payer", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        result r = RUN(NULL, "check", bad[i][0], bad[i][1]);
        expect(&r, 2);
        assert_contains(r.err, bad[i][0]);
        done(&r);
    }
    result r = RUN(NULL, "check", "--rules");
    expect(&r, 2);
    assert_contains(r.err, "--rules needs a value");
    done(&r);
}

static void test_missing_rules_dir(void **state)
{
    result r = RUN(NULL, "check", "--rules", tpath("no-such-dir"));
    expect(&r, 2);
    assert_contains(r.err, "no-such-dir");
    assert_string_equal(r.out, "");
    done(&r);
}

/* ---- these need the engine ---- */

static void test_broken_rules(void **state)
{
    result r = RUN(NULL, "check", "--rules", broken, "--payer", "bad");
    expect(&r, 2);
    assert_contains(r.err, "payer.lua:");
    assert_string_equal(r.out, "");
    done(&r);
}

static void test_missing_file_others_still_checked(void **state)
{
    char c[1024];
    const char *good = put("one.jsonl", strcat(claim(c, sizeof c, "OK-1", 1), "\n"));
    result r = CHECK(NULL, "no-such-claims.json", good);
    expect(&r, 2);
    assert_contains(r.err, "claimscrub: cannot open no-such-claims.json: "
                           "No such file or directory");
    assert_int_equal(count_lines(r.out), 1);
    assert_contains(r.out, "\"claim\":\"OK-1\"");
    done(&r);
}

static void test_pass_exits_0(void **state)
{
    char c[1024];
    const char *p = put("pass.json", claim(c, sizeof c, "OK-1", 2));
    result r = CHECK(NULL, p);
    expect(&r, 0);
    assert_string_equal(r.err, "");
    assert_int_equal(count_lines(r.out), 1);
    assert_contains(r.out, "\"status\":\"pass\"");
    assert_contains(r.out, "\"record\":1");
    done(&r);
}

static void test_deny_exits_1(void **state)
{
    char c[1024];
    const char *p = put("deny.json", claim(c, sizeof c, "BAD-1", 9));
    result r = CHECK(NULL, p);
    expect(&r, 1);
    assert_contains(r.out, "\"status\":\"deny\"");
    assert_contains(r.out, "t.units");
    done(&r);
}

static void test_not_json_is_rejected(void **state)
{
    const char *p = put("junk.jsonl", "this is not json\n");
    result r = CHECK(NULL, p);
    expect(&r, 2);          /* input that could not be read */
    assert_int_equal(count_lines(r.out), 1);
    assert_contains(r.out, "\"status\":\"reject\"");
    assert_contains(r.err, "junk.jsonl:1: record 1 is not valid JSON (line 1: 'this' is not a "
                    "JSON value); it is rejected");
    done(&r);
    /* JSON that is not a claim was read: the claim is rejected, status 1 */
    p = put("scalar.jsonl", "42\n");
    r = CHECK(NULL, p);
    expect(&r, 1);
    assert_string_equal(r.err, "");
    done(&r);
}

static void test_empty_input_exits_0(void **state)
{
    const char *p = put("empty.json", "");
    result r = CHECK(NULL, p);
    expect(&r, 0);
    assert_string_equal(r.out, "");
    done(&r);
}

static void test_stdin(void **state)
{
    char a[1024], b[1024], s[2200];
    snprintf(s, sizeof s, "[%s,\n%s]", claim(a, sizeof a, "IN-1", 1), claim(b, sizeof b, "IN-2", 5));
    const char *p = put("stdin.json", s);
    result r = CHECK(p, "-");
    expect(&r, 1);
    assert_int_equal(count_lines(r.out), 2);
    assert_contains(r.out, "\"file\":\"-\"");
    assert_contains(r.out, "\"line\":2");
    done(&r);
    r = CHECK(p, "--format", "text");  /* no FILE: standard input */
    expect(&r, 1);
    assert_contains(r.out, "IN-1  PASS");
    assert_contains(r.out, "IN-2  DENY");
    assert_contains(r.out, "t.units");
    done(&r);
}

static void test_directory_in_name_order(void **state)
{
    char a[1024], b[1024];
    put("dir/b.jsonl", strcat(claim(b, sizeof b, "FROM-B", 1), "\n"));
    put("dir/a.json", claim(a, sizeof a, "FROM-A", 1));
    put("dir/notes.txt", "not a claim");
    result r = CHECK(NULL, tpath("dir"));
    expect(&r, 0);
    assert_int_equal(count_lines(r.out), 2);
    const char *x = strstr(r.out, "FROM-A"), *y = strstr(r.out, "FROM-B");
    assert_non_null(x);
    assert_non_null(y);
    assert_true(x < y);
    done(&r);
}

static void test_too_long_record_is_rejected(void **state)
{
    const char *p = tpath("long.jsonl");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs("{\"id\":\"", f);
    for (int i = 0; i < (5 << 20) / 64; i++)
        fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", f);
    fputs("\"}\n", f);
    fclose(f);
    result r = CHECK(NULL, p);
    expect(&r, 2);
    assert_int_equal(count_lines(r.out), 1);
    assert_contains(r.out, "\"status\":\"reject\"");
    assert_contains(r.err, "longer than");
    done(&r);
}

/* --jobs changes nothing in the output, across several batches. */
static void test_jobs_same_output(void **state)
{
    size_t cap = (size_t)MANY * 1100, n = 0;
    char *s = malloc(cap), c[1024];
    for (int i = 0; i < MANY; i++) {
        char id[32];
        snprintf(id, sizeof id, "J-%d", i);
        if (i % 101 == 7) n += (size_t)snprintf(s + n, cap - n, "broken {\n");
        else n += (size_t)snprintf(s + n, cap - n, "%s\n", claim(c, sizeof c, id, 1 + i % 5));
    }
    const char *p = put("many.jsonl", s);
    free(s);
    result one = CHECK(NULL, "--jobs", "1", p);
    expect(&one, 2);        /* the broken lines */
    assert_contains(one.err, "many.jsonl:8: record 8 is not valid JSON");
    assert_int_equal(count_lines(one.out), MANY);
    for (int i = 0; i < MANY; i += 97) {     /* spot-check the order */
        char want[48];
        snprintf(want, sizeof want, "\"record\":%d", i + 1);
        const char *line = one.out;
        for (int k = 0; k < i; k++) line = strchr(line, '\n') + 1;
        char *end = strchr(line, '\n');
        *end = 0;
        assert_contains(line, want);
        *end = '\n';
    }
    static const char *const jobs[] = {"2", "7"};
    for (size_t k = 0; k < 2; k++) {
        result many = CHECK(NULL, "--jobs", jobs[k], p);
        expect(&many, 2);
        assert_string_equal(many.err, one.err);
        assert_string_equal(many.out, one.out);
        done(&many);
    }
    done(&one);
}

/* A claim with a repeated diagnosis and a repeated modifier is readable:
 * each repeat is a warn finding and the rule still runs.  Only warnings:
 * exit 0; with the rule's denial too: exit 1. */
#define REPEATS(id, units) \
    "{\"id\":\"" id "\",\"payer\":\"testpay\",\"diagnoses\":[\"D51.0\",\"d510\"],\"lines\":[" \
    "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"100.00\"," \
    "\"diagnosis_pointers\":[2]}," \
    "{\"code\":\"96372\",\"units\":" units ",\"service_date\":\"2026-03-02\",\"charge\":\"50.00\"," \
    "\"modifiers\":[\"25\",\"25\"],\"diagnosis_pointers\":[1,2]}]}\n"

static void test_readable_problems_are_checked(void **state)
{
    const char *p = put("repeats.jsonl", REPEATS("REP-1", "2") REPEATS("REP-2", "9"));
    result r = CHECK(NULL, p);
    expect(&r, 1);
    assert_int_equal(count_lines(r.out), 2);
    char *second = strchr(r.out, '\n') + 1;
    second[-1] = 0;
    assert_contains(r.out, "\"status\":\"warn\"");
    assert_contains(r.out, "\"rule\":\"input.duplicate_diagnosis\",\"severity\":\"warn\"");
    assert_contains(r.out, "\"rule\":\"input.duplicate_modifier\",\"severity\":\"warn\",\"line\":2");
    assert_contains(second, "\"status\":\"deny\",\"amount_at_risk\":\"50.00\"");
    assert_contains(second, "\"rule\":\"t.units\"");
    done(&r);
    p = put("repeats-warn.jsonl", REPEATS("REP-1", "2"));
    r = CHECK(NULL, p);
    expect(&r, 0);
    done(&r);
}

/* The text report end to end: claim-level findings first, then each line
 * with its primary reason and the others as "also". */
static void test_text_report_grouped(void **state)
{
    const char *p = put("repeats-text.jsonl", REPEATS("REP-2", "9"));
    result r = CHECK(NULL, "--format", "text", p);
    expect(&r, 1);
    char want[2048];
    snprintf(want, sizeof want,
             "REP-2  DENY  $50.00 at risk  payer testpay  (%s #1, line 1)\n"
             "  claim   warn    input.duplicate_diagnosis\n"
             "          diagnoses[1]: D51.0 is already diagnoses[0]; read once, pointers to 2 read as 1\n"
             "  line 2  deny    t.units  $50.00\n"
             "          too many units\n"
             "          at payers/testpay/r.lua:4 (testpay)\n"
             "    also  warn    input.duplicate_modifier\n"
             "          lines[1].modifiers[1]: 25 is already modifiers[0]; read once\n", p);
    assert_string_equal(r.out, want);
    done(&r);
}

/* Standard input is read by its content: X12 (from the start, a byte order
 * mark and blank lines first) and UTF-16 X12 give their claims' records;
 * UTF-16 that is not X12, or X12 without its ISA, is refused with exit 2,
 * saying what it is, never read as JSON. */
static void test_stdin_recognised(void **state)
{
    char *x = tu_slurp("examples/x12/sore-throat-without-25.837", NULL);
    assert_non_null(x);
    size_t n = strlen(x);
    char *bom = malloc(n + 8);
    snprintf(bom, n + 8, "\xEF\xBB\xBF\n\n%s", x);
    const char *p = put("x12.in", bom);
    result r = RUN(p, "check", "-");
    expect(&r, 1);
    assert_contains(r.out, "\"claim\":\"CLM-X2\",\"input\":{\"file\":\"-\",\"record\":1,"
                    "\"line\":23");
    assert_contains(r.out, "\"rule\":\"cms.ncci.ptp\"");
    done(&r);

    char *u = malloc(2 * n), *j = malloc(64);       /* UTF-16LE, no mark */
    for (size_t i = 0; i < n; i++) { u[2 * i] = x[i]; u[2 * i + 1] = 0; }
    const char *pu = tpath("x12.u16");
    FILE *f = fopen(pu, "wb");
    fwrite(u, 1, 2 * n, f);
    fclose(f);
    r = RUN(pu, "check", "-");
    expect(&r, 1);
    assert_contains(r.out, "\"claim\":\"CLM-X2\"");
    assert_contains(r.out, "{\"rule\":\"input.x12\",\"severity\":\"warn\",\"message\":\"the "
                    "file is UTF-16LE text without a byte order mark; read as UTF-8\"");
    done(&r);

    static const char uj[] = "\xFF\xFE{\0}\0\n\0";     /* UTF-16 JSON */
    f = fopen(pu, "wb");
    fwrite(uj, 1, sizeof uj - 1, f);
    fclose(f);
    r = CHECK(pu, "-");
    expect(&r, 2);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "standard input is UTF-16LE text; claimscrub reads claim JSON as "
                    "UTF-8");
    done(&r);

    p = put("gs.in", strstr(x, "GS*"));             /* no ISA: read from its GS */
    r = RUN(p, "check", "-");
    expect(&r, 1);
    assert_contains(r.out, "\"claim\":\"CLM-X2\"");
    assert_contains(r.out, "the file has no ISA: its interchange is read with the separators "
                    "of its GS");
    done(&r);
    p = put("st.in", strstr(x, "ST*"));             /* no ISA, no GS: refused */
    r = CHECK(p, "-");
    expect(&r, 2);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "-: not an X12 file: no ISA segment at the start");
    done(&r);
    free(x); free(bom); free(u); free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_no_command),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_unknown_option),
        cmocka_unit_test(test_bad_option_values),
        cmocka_unit_test(test_missing_rules_dir),
        cmocka_unit_test(test_broken_rules),
        cmocka_unit_test(test_missing_file_others_still_checked),
        cmocka_unit_test(test_pass_exits_0),
        cmocka_unit_test(test_deny_exits_1),
        cmocka_unit_test(test_not_json_is_rejected),
        cmocka_unit_test(test_empty_input_exits_0),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_directory_in_name_order),
        cmocka_unit_test(test_too_long_record_is_rejected),
        cmocka_unit_test(test_jobs_same_output),
        cmocka_unit_test(test_readable_problems_are_checked),
        cmocka_unit_test(test_text_report_grouped),
        cmocka_unit_test(test_stdin_recognised),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
