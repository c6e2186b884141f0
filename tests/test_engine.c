/*
 * test_engine.c -- the public API (claimscrub.h) and the documented example
 * stories, checked with the repository's own rules (rules root ".", stdlib
 * "stdlib") and the built-in starter data set; run from the repository
 * root.
 */
#include "testutil.h"

#include <ctype.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"

#define EX1 "examples/claims/01-sore-throat-visit-injection-with-25.json"
#define EX2 "examples/claims/02-sore-throat-visit-injection-without-25.json"
#define EX3 "examples/claims/03-nurse-visit-99211-injection.json"

/* Every example of examples/claims with the verdict examples/README.md
 * documents: status and the rule of each finding, in record order. */
static const struct example {
    const char *file, *status, *rules;
} EXAMPLES[] = {
    {EX1, "pass", ""},
    {EX2, "deny", "cms.ncci.ptp@1"},
    {EX3, "deny", "cms.ncci.ptp@1"},
    {"examples/claims/04-b12-shot-with-deficiency.json", "pass", ""},
    {"examples/claims/05-b12-shot-without-deficiency.json", "deny", "cms.inj.diagnosis@2"},
    {"examples/claims/06-iv-push-billed-as-96372.json", "deny", "cms.inj.iv_route@1"},
    {"examples/claims/07-flu-shot-billed-as-96372.json", "deny", "cms.inj.vaccine@1"},
    {"examples/claims/08-leuprolide-billed-with-96372.json", "deny", "cms.inj.chemo@1"},
    {"examples/claims/09-aranesp-ckd-with-ec-and-hemoglobin.json", "pass", ""},
    {"examples/claims/10-aranesp-ckd-without-ec-and-hemoglobin.json", "deny",
     "cms.esa.modifier_missing@2 cms.esa.hb_missing@2"},
    {"examples/claims/11-injection-in-knee-replacement-global-period.json", "deny", "cms.global.postop@2"},
};
#define NEXAMPLES (sizeof EXAMPLES / sizeof *EXAMPLES)

static cs_engine *g_e;      /* on the repository's rules */
static char *g_out;
static cJSON *g_rec;
static char *g_tmp[3];      /* buffers a test frees through teardown */

static cs_engine *repo_engine(void)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("repository rules did not load: %s", err);
    return e;
}

static int group_setup(void **state)
{
    g_e = repo_engine();
    return 0;
}

static int group_teardown(void **state)
{
    cs_engine_free(g_e);
    return 0;
}

static int teardown(void **state)
{
    cJSON_Delete(g_rec);
    g_rec = NULL;
    cs_free(g_out);
    g_out = NULL;
    for (int i = 0; i < 3; i++) { free(g_tmp[i]); g_tmp[i] = NULL; }
    return 0;
}

/* Check text (len bytes) on e; the record goes to g_out/g_rec.  Returns the
 * status cs_check returned, checked against the record's. */
static int check_n(cs_engine *e, const char *text, size_t len, const cs_origin *o)
{
    cJSON_Delete(g_rec);
    cs_free(g_out);
    size_t outlen = 0;
    int st = cs_check(e, text, len, o, &g_out, &outlen);
    assert_non_null(g_out);
    assert_int_equal(outlen, strlen(g_out));
    assert_null(strchr(g_out, '\n'));
    g_rec = cJSON_Parse(g_out);
    if (!g_rec) fail_msg("record is not JSON: %s", g_out);
    assert_string_equal(cs_status_name(st), cJSON_GetStringValue(cJSON_GetObjectItem(g_rec, "status")));
    return st;
}

static int check_text(const char *text) { return check_n(g_e, text, strlen(text), NULL); }

static int check_file(const char *path)
{
    char *text = tu_slurp(path, NULL);
    if (!text) fail_msg("cannot read %s", path);
    int st = check_text(text);
    free(text);
    return st;
}

static const char *js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v) return "(absent)";
    if (cJSON_IsNull(v)) return "(null)";
    return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static int nlist(const char *list)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, list));
}

static const cJSON *finding(int i)
{
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(g_rec, "findings"), i);
    if (!f) fail_msg("no finding %d in %s", i, g_out);
    return f;
}

/* ---- the example stories ------------------------------------------------- */

/* 01: E/M with modifier 25 and an injection passes with no findings. */
static void test_example_01_pass(void **state)
{
    assert_int_equal(check_file(EX1), CS_PASS);
    assert_string_equal(js(g_rec, "claim"), "CLM-1001");
    assert_string_equal(js(g_rec, "payer"), "medicare");
    assert_string_equal(js(g_rec, "client"), "riverside-clinic");
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
    assert_contains(g_out, "\"layers\":[\"medicare\"],\"findings\":[],\"waived\":[]");
}

/* 02: without modifier 25 the E/M is denied; the fix adds 25 to line 1. */
static void test_example_02_needs_25(void **state)
{
    assert_int_equal(check_file(EX2), CS_DENY);
    assert_string_equal(js(g_rec, "claim"), "CLM-1002");
    assert_int_equal(nlist("findings"), 1);
    const cJSON *f = finding(0);
    assert_string_equal(js(f, "rule"), "cms.ncci.ptp");
    assert_string_equal(js(f, "severity"), "deny");
    assert_int_equal(cJSON_GetObjectItem(f, "line")->valueint, 1);
    assert_contains(g_out, "\"lines\":[2,1]");
    assert_contains(js(f, "message"), "NCCI PTP edit 96372/99213 (modifier indicator 1");
    assert_contains(g_out, "\"fix\":{\"action\":\"add_modifier\",\"line\":1,\"modifier\":\"25\"}");
    assert_string_equal(js(f, "amount"), "125.00");
    assert_string_equal(js(f, "group"), "CO");
    assert_string_equal(js(f, "carc"), "97");
    assert_string_equal(js(f, "rarc"), "M15");
    assert_string_equal(js(g_rec, "amount_at_risk"), "125.00");
}

/* 03: 99211 with an injection is denied even with 25; the fix removes it. */
static void test_example_03_99211(void **state)
{
    assert_int_equal(check_file(EX3), CS_DENY);
    assert_string_equal(js(g_rec, "claim"), "CLM-1003");
    assert_int_equal(nlist("findings"), 1);
    const cJSON *f = finding(0);
    assert_string_equal(js(f, "rule"), "cms.ncci.ptp");
    assert_contains(js(f, "message"), "NCCI PTP edit 96372/99211 (modifier indicator 0");
    assert_int_equal(cJSON_GetObjectItem(f, "line")->valueint, 1);
    assert_contains(g_out, "\"fix\":{\"action\":\"remove_line\",\"line\":1}");
    assert_string_equal(js(f, "amount"), "25.00");
}

/* Every example gets the verdict examples/README.md documents: its status
 * and exactly the findings listed (rule and line), with the reference data
 * releases used named in the record. */
static void test_examples_documented(void **state)
{
    for (size_t i = 0; i < NEXAMPLES; i++) {
        check_file(EXAMPLES[i].file);
        if (strcmp(js(g_rec, "status"), EXAMPLES[i].status))
            fail_msg("%s: status %s, documented %s\n%s", EXAMPLES[i].file, js(g_rec, "status"),
                     EXAMPLES[i].status, g_out);
        char got[512] = "";
        size_t n = 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, "findings")) {
            const cJSON *line = cJSON_GetObjectItem(f, "line");
            n += (size_t)snprintf(got + n, sizeof got - n, "%s%s@%d", n ? " " : "", js(f, "rule"),
                                  cJSON_IsNumber(line) ? line->valueint : 0);
            if (n >= sizeof got) break;
        }
        if (strcmp(got, EXAMPLES[i].rules))
            fail_msg("%s: findings \"%s\", documented \"%s\"\n%s", EXAMPLES[i].file, got,
                     EXAMPLES[i].rules, g_out);
        assert_int_equal(nlist("waived"), 0);
        assert_contains(g_out, "\"data\":{\"ptp\":\"2024-07-01\"");
    }
}

/* ---- bad input ----------------------------------------------------------- */

/* Text that is not JSON is one record: reject, input.invalid; the claim
 * id is salvaged when the text has a top-level "id" string. */
static void test_invalid_json(void **state)
{
    assert_int_equal(check_text("{\"payer\": \"medicare\", \"id\": \"X-1\", \"lines\": ["), CS_REJECT);
    assert_int_equal(nlist("findings"), 1);
    assert_string_equal(js(finding(0), "rule"), "input.invalid");
    assert_string_equal(js(finding(0), "severity"), "reject");
    assert_contains(js(finding(0), "message"), "not valid JSON");
    assert_string_equal(js(g_rec, "claim"), "X-1");
    assert_string_equal(js(g_rec, "payer"), "(null)");
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
    assert_contains(g_out, "\"layers\":[]");
    /* an "id" inside a nested object is not the claim's */
    assert_int_equal(check_text("{\"patient\": {\"id\": \"P\"}, "), CS_REJECT);
    assert_string_equal(js(g_rec, "claim"), "(null)");
    assert_int_equal(check_text("not json"), CS_REJECT);
    assert_string_equal(js(g_rec, "claim"), "(null)");
    /* empty text, and no text at all */
    assert_int_equal(check_n(g_e, "", 0, NULL), CS_REJECT);
    assert_contains(js(finding(0), "message"), "empty input: no JSON value");
    assert_int_equal(check_n(g_e, " \r\n", 3, NULL), CS_REJECT);
    assert_contains(js(finding(0), "message"), "empty input: no JSON value");
    assert_int_equal(check_n(g_e, NULL, 0, NULL), CS_REJECT);
    assert_contains(js(finding(0), "message"), "empty input: no JSON value");
}

/* One claim per call: text after the claim's JSON value makes the whole
 * text invalid rather than being ignored (two claims in one buffer must
 * not silently become one). */
static void test_trailing_text_is_invalid(void **state)
{
    char *one = g_tmp[0] = tu_slurp(EX1, NULL), *two = g_tmp[1] = tu_slurp(EX2, NULL);
    size_t n1 = strlen(one), n2 = strlen(two);
    char *buf = g_tmp[2] = malloc(n1 + n2 + 8);
    /* trailing white space is fine */
    memcpy(buf, one, n1);
    memcpy(buf + n1, " \n\t\r\n", 6);
    assert_int_equal(check_text(buf), CS_PASS);
    /* two claims */
    memcpy(buf + n1, two, n2 + 1);
    assert_int_equal(check_text(buf), CS_REJECT);
    assert_string_equal(js(finding(0), "rule"), "input.invalid");
    assert_contains(js(finding(0), "message"), "not valid JSON");
    /* a claim and junk */
    memcpy(buf + n1, " junk", 6);
    assert_int_equal(check_text(buf), CS_REJECT);
    assert_contains(js(finding(0), "message"), "not valid JSON");
}

/* A claim that is JSON but not valid is rejected with the path of the
 * problem; its id and payer are still echoed. */
static void test_invalid_claim(void **state)
{
    assert_int_equal(check_text(
        "{\"id\":\"BAD-1\",\"payer\":\"medicare\",\"diagnoses\":[\"J02.9\"],\"lines\":["
        "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[2]}]}"),
        CS_REJECT);
    assert_string_equal(js(g_rec, "claim"), "BAD-1");
    assert_string_equal(js(g_rec, "payer"), "medicare");
    assert_int_equal(nlist("findings"), 1);
    assert_string_equal(js(finding(0), "rule"), "input.invalid");
    assert_string_equal(js(finding(0), "message"),
                        "lines[0].diagnosis_pointers[0]: points at diagnosis 2 but the claim has 1");
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
}

/* ---- readable input problems ---------------------------------------------- */

/* The B12 shot without a deficiency diagnosis (example 05), with its
 * diagnosis repeated: the claim is readable, so the repeat is a warn
 * finding of its own and the rules still run and deny the drug. */
#define B12_REPEATED(npi) \
    "{\"id\":\"DUP-1\",\"payer\":\"medicare\",\"place_of_service\":\"11\"," \
    "\"billing_provider\":{\"npi\":\"" npi "\"}," \
    "\"diagnoses\":[\"R53.83\",\"r5383\"],\"documentation\":{\"supervision\":\"direct\"},\"lines\":[" \
    "{\"code\":\"96372\",\"units\":1,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[1]," \
    "\"charge\":\"35.00\",\"route\":\"IM\"}," \
    "{\"code\":\"J3420\",\"units\":1,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[2,1]," \
    "\"modifiers\":[\"JW\",\"jw\"],\"charge\":\"12.00\"}]}"

static void test_readable_problems_rules_still_run(void **state)
{
    assert_int_equal(check_text(B12_REPEATED("1234567893")), CS_DENY);
    assert_string_equal(js(finding(0), "rule"), "input.duplicate_diagnosis");
    assert_string_equal(js(finding(0), "severity"), "warn");
    assert_string_equal(js(finding(0), "message"),
                        "diagnoses[1]: R53.83 is already diagnoses[0]; read once, pointers to 2 read as 1");
    assert_null(cJSON_GetObjectItem(finding(0), "line"));
    assert_string_equal(js(finding(1), "rule"), "input.duplicate_modifier");
    assert_int_equal(cJSON_GetObjectItem(finding(1), "line")->valueint, 2);
    assert_string_equal(js(finding(1), "message"),
                        "lines[1].modifiers[1]: JW is already modifiers[0]; read once");
    /* the rules ran: the drug is denied for its (one) diagnosis */
    const cJSON *f;
    int denied = 0;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, "findings"))
        if (!strcmp(js(f, "rule"), "cms.inj.diagnosis")) {
            denied++;
            assert_int_equal(cJSON_GetObjectItem(f, "line")->valueint, 2);
            assert_contains(js(f, "message"), "is linked to R53.83;");
        }
    assert_int_equal(denied, 1);
    assert_string_equal(js(g_rec, "amount_at_risk"), "47.00");
    assert_contains(g_out, "\"layers\":[\"medicare\"]");
}

/* An NPI failing its check digit is a front-end rejection, but the claim
 * is readable: the finding stays reject and the rules still run. */
static void test_npi_check_digit_rules_still_run(void **state)
{
    assert_int_equal(check_text(B12_REPEATED("1234567890")), CS_REJECT);
    int npi = 0, drug = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, "findings")) {
        if (!strcmp(js(f, "rule"), "input.npi_check_digit")) {
            npi++;
            assert_string_equal(js(f, "severity"), "reject");
            assert_string_equal(js(f, "message"),
                                "billing_provider.npi: 1234567890 fails the NPI check digit");
        }
        drug += !strcmp(js(f, "rule"), "cms.inj.diagnosis");
    }
    assert_int_equal(npi, 1);
    assert_int_equal(drug, 1);
    /* a claim-level reject: the whole claim's charge, once */
    assert_string_equal(js(g_rec, "amount_at_risk"), "47.00");
}

/* A claim that cannot be read is rejected without running rules: no
 * layer, no per-line summary, nothing at risk. */
static void test_unreadable_runs_no_rules(void **state)
{
    assert_int_equal(check_text(
        "{\"id\":\"U-1\",\"payer\":\"medicare\",\"diagnoses\":[\"R53.83\",\"R53.83\"],\"lines\":["
        "{\"code\":\"J3420\",\"units\":0,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[1],"
        "\"charge\":\"12.00\"}]}"), CS_REJECT);
    assert_contains(g_out, "\"lines\":[],\"layers\":[],");
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
    assert_string_equal(js(finding(0), "rule"), "input.invalid");
    assert_string_equal(js(finding(0), "message"), "lines[0].units: must be at least 1, got 0");
    /* the readable problem is still reported, on the claim */
    assert_string_equal(js(finding(1), "rule"), "input.duplicate_diagnosis");
    assert_int_equal(nlist("findings"), 2);
}

/* Format 2: the record names its format, and lists every line of the claim
 * in order with its status, primary rule and money at risk; these add up to
 * amount_at_risk, which never exceeds the claim's charge. */
static void test_record_format_2(void **state)
{
    assert_int_equal(check_file(EX2), CS_DENY);
    assert_contains(g_out, "\"format\":2,\"payer\":");
    assert_contains(g_out, "\"amount_at_risk\":\"125.00\",\"lines\":["
                    "{\"line\":1,\"status\":\"deny\",\"primary\":\"cms.ncci.ptp\",\"amount\":\"125.00\"},"
                    "{\"line\":2,\"status\":\"pass\",\"amount\":\"0.00\"},"
                    "{\"line\":3,\"status\":\"pass\",\"amount\":\"0.00\"}],\"layers\":");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(finding(0), "primary")));
}

/* ---- determinism ----------------------------------------------------------- */

/* The records of the examples, in order, as one string. */
static char *records(cs_engine *e)
{
    size_t cap = 1, n = 0;
    char *all = calloc(1, 1);
    for (size_t i = 0; i < NEXAMPLES; i++) {
        char *text = tu_slurp(EXAMPLES[i].file, NULL);
        char *out = NULL;
        assert_true(cs_check(e, text, strlen(text), NULL, &out, NULL) >= 0);
        free(text);
        cap += strlen(out) + 1;
        all = realloc(all, cap);
        n += (size_t)sprintf(all + n, "%s\n", out);
        cs_free(out);
    }
    return all;
}

/* The same claims give byte-identical records: twice on one engine, with
 * failing claims in between, and on a second engine. */
static void test_deterministic(void **state)
{
    cs_engine *e1 = repo_engine();
    char *a = records(e1);
    static const char *const bad[] = {
        "not json", "{\"id\":\"B\"}", "{\"id\":\"B\",\"payer\":\"nosuch\",\"lines\":[{\"code\":\"99213\","
        "\"units\":1,\"service_date\":\"2026-03-02\"}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *out = NULL;
        assert_int_equal(cs_check(e1, bad[i], strlen(bad[i]), NULL, &out, NULL), CS_REJECT);
        cs_free(out);
    }
    char *b = records(e1);
    cs_engine *e2 = repo_engine();
    char *c = records(e2);
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    assert_contains(a, "CLM-1003");
    free(a); free(b); free(c);
    cs_engine_free(e1);
    cs_engine_free(e2);
}

/* A rule that errors or runs out of CPU on one claim leaves nothing behind:
 * the next claims' records are as on a fresh engine. */
static void test_deterministic_after_script_error(void **state)
{
    char *root = tu_tmpdir();
    tu_write(root, "payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\" } }\n");
    tu_write(root, "payers/p/a.lua",
             "rule { id = \"x\", summary = \"s\", severity = \"warn\", check = function(claim)\n"
             "  if claim.id == \"LOOP\" then while true do end end\n"
             "  if claim.id == \"ERR\" then error(\"bad\") end\n"
             "  local t = { b = 1, a = 2 }\n"
             "  local s = \"\" for k in pairs(t) do s = s .. k end\n"
             "  flag(1, claim.id .. s .. tostring({}))\n"
             "end }\n");
    const char *fmt = "{\"id\":\"%s\",\"payer\":\"p\",\"lines\":[{\"code\":\"99213\",\"units\":1,"
                      "\"service_date\":\"2026-03-02\",\"charge\":\"1.00\"}]}";
    char ok[256], loop[256], err[256];
    snprintf(ok, sizeof ok, fmt, "OK");
    snprintf(loop, sizeof loop, fmt, "LOOP");
    snprintf(err, sizeof err, fmt, "ERR");
    cs_engine *e1 = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    cs_engine *e2 = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    assert_non_null(e1);
    assert_non_null(e2);
    char *first, *after, *fresh, *tmp;
    cs_check(e1, ok, strlen(ok), NULL, &first, NULL);
    assert_int_equal(cs_check(e1, loop, strlen(loop), NULL, &tmp, NULL), CS_REVIEW);
    assert_contains(tmp, "CPU budget exceeded");
    cs_free(tmp);
    assert_int_equal(cs_check(e1, err, strlen(err), NULL, &tmp, NULL), CS_REVIEW);
    assert_contains(tmp, "bad");
    cs_free(tmp);
    cs_check(e1, ok, strlen(ok), NULL, &after, NULL);
    cs_check(e2, ok, strlen(ok), NULL, &fresh, NULL);
    assert_contains(first, "\"message\":\"OKabtable\"");
    assert_string_equal(first, after);
    assert_string_equal(first, fresh);
    cs_free(first); cs_free(after); cs_free(fresh);
    cs_engine_free(e1);
    cs_engine_free(e2);
    tu_rmdir(root);
}

/* ---- the API --------------------------------------------------------------- */

/* The rules hash: 64 lower-case hex digits, in every record, the same for
 * the same files, different when a script changes. */
static void test_rules_hash(void **state)
{
    const char *h = cs_engine_rules_hash(g_e);
    assert_non_null(h);
    assert_int_equal(strlen(h), 64);
    for (const char *p = h; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f')) fail_msg("not hex: %s", h);
    check_file(EX1);
    assert_string_equal(js(cJSON_GetObjectItem(g_rec, "engine"), "rules"), h);
    assert_string_equal(js(cJSON_GetObjectItem(g_rec, "engine"), "version"), CS_VERSION);

    char *root = tu_tmpdir();
    tu_write(root, "payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\" } }\n");
    tu_write(root, "payers/p/a.lua", "-- one\n");
    cs_engine *a = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    cs_engine *b = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    tu_write(root, "payers/p/a.lua", "-- two\n");
    cs_engine *c = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    assert_non_null(a); assert_non_null(b); assert_non_null(c);
    assert_int_equal(strlen(cs_engine_rules_hash(c)), 64);
    assert_string_equal(cs_engine_rules_hash(a), cs_engine_rules_hash(b));
    assert_string_not_equal(cs_engine_rules_hash(a), cs_engine_rules_hash(c));
    assert_string_not_equal(cs_engine_rules_hash(a), h);
    /* the stdlib is part of what decides verdicts: it is hashed too */
    tu_write(root, "lib/m.lua", "return {}\n");
    cs_engine *d = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, NULL);
    char *lib = malloc(strlen(root) + 8);
    sprintf(lib, "%s/lib", root);
    cs_engine *f = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = lib}, NULL);
    assert_non_null(d); assert_non_null(f);
    assert_string_equal(cs_engine_rules_hash(c), cs_engine_rules_hash(d));
    assert_string_not_equal(cs_engine_rules_hash(d), cs_engine_rules_hash(f));
    free(lib);
    cs_engine_free(a); cs_engine_free(b); cs_engine_free(c);
    cs_engine_free(d); cs_engine_free(f);
    tu_rmdir(root);
}

/* Status names for every status; NULL out of range. */
static void test_status_names(void **state)
{
    static const char *const names[] = {"pass", "info", "warn", "review", "deny", "reject"};
    for (int s = CS_PASS; s <= CS_REJECT; s++)
        assert_string_equal(cs_status_name(s), names[s]);
    assert_null(cs_status_name(-1));
    assert_null(cs_status_name(CS_REJECT + 1));
    assert_null(cs_status_name(1000));
    assert_string_equal(cs_version(), CS_VERSION);
}

/* len bounds the text: it need not be NUL-terminated, and what follows it
 * in memory is not read. */
static void test_len_not_nul_terminated(void **state)
{
    size_t n = 0;
    char *text = tu_slurp(EX2, &n);
    assert_non_null(text);
    check_text(text);
    char *want = strdup(g_out);
    char *exact = malloc(n);            /* no room for a NUL: valgrind sees over-reads */
    memcpy(exact, text, n);
    check_n(g_e, exact, n, NULL);
    assert_string_equal(g_out, want);
    free(exact);
    char *more = malloc(n + 16);        /* followed by garbage */
    memcpy(more, text, n);
    memcpy(more + n, "}]{\"x\":1, zzzz", 15);
    check_n(g_e, more, n, NULL);
    assert_string_equal(g_out, want);
    /* and a prefix of a claim is just invalid JSON */
    check_n(g_e, more, n / 2, NULL);
    assert_string_equal(js(g_rec, "status"), "reject");
    free(more);
    free(want);
    free(text);
}

/* The origin is echoed as "input" right after the claim id; no origin, no
 * "input". */
static void test_origin(void **state)
{
    check_n(g_e, "{}", 2, &(cs_origin){.file = "claims/a.jsonl", .record = 2, .line = 9});
    assert_contains(g_out, "{\"claim\":null,\"input\":{\"file\":\"claims/a.jsonl\",\"record\":2,\"line\":9},");
    char *text = tu_slurp(EX3, NULL);
    check_n(g_e, text, strlen(text), &(cs_origin){.file = "x \"y\".json", .record = 1, .line = 1});
    assert_contains(g_out, "{\"claim\":\"CLM-1003\",\"input\":{\"file\":\"x \\\"y\\\".json\",\"record\":1,\"line\":1},");
    check_n(g_e, text, strlen(text), NULL);
    assert_null(cJSON_GetObjectItem(g_rec, "input"));
    check_n(g_e, text, strlen(text), &(cs_origin){0});
    assert_null(cJSON_GetObjectItem(g_rec, "input"));
    free(text);
}

/* A real record renders as text with the claim id and its status in
 * upper case. */
static void test_record_to_text(void **state)
{
    check_file(EX2);
    char *t = cs_record_to_text(g_out);
    assert_non_null(t);
    assert_contains(t, "CLM-1002");
    assert_contains(t, "DENY");
    assert_contains(t, "cms.ncci.ptp");
    cs_free(t);
    check_file(EX1);
    t = cs_record_to_text(g_out);
    assert_non_null(t);
    assert_contains(t, "CLM-1001  PASS");
    cs_free(t);
    check_text("nope");
    t = cs_record_to_text(g_out);
    assert_non_null(t);
    assert_contains(t, "REJECT");
    cs_free(t);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_example_01_pass),
        T(test_example_02_needs_25),
        T(test_example_03_99211),
        T(test_examples_documented),
        T(test_invalid_json),
        T(test_trailing_text_is_invalid),
        T(test_invalid_claim),
        T(test_readable_problems_rules_still_run),
        T(test_npi_check_digit_rules_still_run),
        T(test_unreadable_runs_no_rules),
        T(test_record_format_2),
        T(test_deterministic),
        T(test_deterministic_after_script_error),
        T(test_rules_hash),
        T(test_status_names),
        T(test_len_not_nul_terminated),
        T(test_origin),
        T(test_record_to_text),
    };
    return cmocka_run_group_tests_name("engine", tests, group_setup, group_teardown);
}
