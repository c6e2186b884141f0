/*
 * test_explain.c -- cs_explain and `claimscrub explain`: what every rule did
 * with a claim, on the real packs (medicare, the riverside-clinic overlay of
 * examples/) and on a small rules root written here ("tx": a rule not yet
 * in force, one that fails, one that looks up more rows than are recorded,
 * one that finds nothing, waived by overlay "tx-client").  Times are not
 * deterministic: only their presence is checked.  The CLI tests run
 * build/claimscrub (or $CLAIMSCRUB) from the repository root.
 */
#include "testutil.h"

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "trace.h"

#define CLAIM03 "examples/claims/03-nurse-visit-99211-injection.json"

static char *g_root;

/* RC-3 of the overlay's cases: documentation says general supervision, so
 * cms.inj.supervision fires, and the clinic waives it. */
static const char rc3[] =
    "{\"id\": \"RC-3\", \"payer\": \"medicare\", \"client\": \"riverside-clinic\", \"diagnoses\": [\"J02.9\"],"
    " \"documentation\": {\"supervision\": \"general\"}, \"lines\": ["
    " {\"code\": \"99213\", \"modifiers\": [\"25\"], \"units\": 1, \"service_date\": \"2026-03-02\", \"diagnosis_pointers\": [1], \"charge\": \"125.00\"},"
    " {\"code\": \"96372\", \"units\": 1, \"service_date\": \"2026-03-02\", \"diagnosis_pointers\": [1], \"charge\": \"35.00\", \"route\": \"IM\"},"
    " {\"code\": \"J0696\", \"units\": 4, \"service_date\": \"2026-03-02\", \"diagnosis_pointers\": [1], \"charge\": \"20.00\", \"ndc\": \"00409733201\"}]}";

static const char tx_claim[] =
    "{\"id\": \"TX-1\", \"payer\": \"tx\", \"diagnoses\": [\"D51.0\"], \"lines\": ["
    " {\"code\": \"96372\", \"units\": 1, \"service_date\": \"2026-03-02\", \"diagnosis_pointers\": [1], \"charge\": \"35.00\"}]}";

static int group_setup(void **state)
{
    g_root = tu_tmpdir();
    tu_write(g_root, "payers/tx/payer.lua",
             "payer { id = \"tx\", name = \"Trace\", scripts = { \"r.lua\" } }\n");
    tu_write(g_root, "payers/tx/r.lua",
             "local ref = require \"ref\"\n"
             "rule { id = \"tx.future\", summary = \"from 2027\", severity = \"deny\",\n"
             "  effective = { from = \"2027-01-01\" },\n"
             "  check = function(claim) flag(nil, \"never\") end }\n"
             "rule { id = \"tx.boom\", summary = \"fails\", severity = \"deny\",\n"
             "  check = function(claim) error(\"boom\") end }\n"
             "rule { id = \"tx.many\", summary = \"many lookups\", severity = \"warn\",\n"
             "  check = function(claim)\n"
             "    local l = claim.lines[1]\n"
             "    for i = 1, 40 do ref.mue(string.format(\"%05d\", 90000 + i), l.service_date) end\n"
             "    ref.ptp(\"99999\", l.code, l.service_date)\n"
             "    flag(l, \"looked \" .. 41 .. \" times\")\n"
             "  end }\n"
             "rule { id = \"tx.quiet\", summary = \"finds nothing\", severity = \"review\",\n"
             "  check = function(claim) end }\n");
    tu_write(g_root, "clients/tx-client/client.lua",
             "client { id = \"tx-client\", name = \"Trace client\",\n"
             "  waive = { [\"tx.quiet\"] = \"not our concern\" } }\n");
    return 0;
}

static int group_teardown(void **state)
{
    tu_rmdir(g_root);
    return 0;
}

static cs_engine *engine(const char *rules, const char *client)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = rules, .client = client}, &err);
    if (!e) fail_msg("engine: %s", err);
    return e;
}

/* cs_explain of json, parsed; *status gets its return value. */
static cJSON *explain(cs_engine *e, const char *json, int *status)
{
    char *out = NULL;
    int s = cs_explain(e, json, strlen(json), NULL, &out, NULL);
    assert_true(s >= 0);
    if (status) *status = s;
    cJSON *r = cJSON_Parse(out);
    if (!r) fail_msg("not JSON: %s", out);
    cs_free(out);
    return r;
}

static const cJSON *trace_of(const cJSON *rec)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(rec, "trace");
    assert_true(cJSON_IsArray(t));
    return t;
}

/* The trace entry of rule id; fails when there is none. */
static const cJSON *entry(const cJSON *rec, const char *id)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, trace_of(rec))
        if (!strcmp(cJSON_GetObjectItemCaseSensitive(t, "rule")->valuestring, id)) return t;
    fail_msg("no trace entry for %s", id);
    return NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsString(v)) fail_msg("no string %s", k);
    return v->valuestring;
}

static int num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v)) fail_msg("no number %s", k);
    return v->valueint;
}

static const cJSON *arr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsArray(v)) fail_msg("no array %s", k);
    return v;
}

/* 99211 with 96372 under medicare: cms.ncci.ptp fired on line 1, and its
 * consulted rows include the PTP edit 96372/99211, indicator 0. */
static void test_ptp_row(void **state)
{
    cs_engine *e = engine(NULL, NULL);
    char *claim = tu_slurp(CLAIM03, NULL);
    int status;
    cJSON *rec = explain(e, claim, &status);
    assert_int_equal(status, CS_DENY);
    const cJSON *ptp = entry(rec, "cms.ncci.ptp");
    assert_string_equal(str(ptp, "status"), "fired");
    assert_string_equal(str(ptp, "layer"), "payers/medicare/payer.lua");
    assert_true(num(ptp, "elapsed_us") >= 0);
    const cJSON *f = cJSON_GetArrayItem(arr(ptp, "findings"), 0);
    assert_string_equal(str(f, "severity"), "deny");
    assert_int_equal(num(f, "line"), 1);
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived")));
    bool seen = false, miss = false;
    const cJSON *r;
    cJSON_ArrayForEach(r, arr(ptp, "refs")) {
        assert_string_equal(str(r, "table"), "ptp");
        assert_string_equal(str(r, "date"), "2026-03-02");
        assert_string_equal(str(r, "release"), "2024-07-01");
        if (!strcmp(str(r, "key"), "96372/99211")) {
            assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "found")));
            const cJSON *row = cJSON_GetObjectItemCaseSensitive(r, "row");
            assert_int_equal(num(row, "indicator"), 0);
            assert_contains(str(row, "rationale"), "Misuse of Column Two code");
            seen = true;
        }
        if (!strcmp(str(r, "key"), "99211/96372")) {
            assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "found")));
            assert_null(cJSON_GetObjectItemCaseSensitive(r, "row"));
            miss = true;
        }
    }
    assert_true(seen);
    assert_true(miss);
    assert_int_equal(num(ptp, "refs_more"), 0);
    /* cms.ncci.mue is not applicable (no code over its MUE): its trigger's
     * rows show why, 96372 with its MUE of 4 */
    const cJSON *mue = entry(rec, "cms.ncci.mue");
    assert_string_equal(str(mue, "status"), "not_applicable");
    assert_null(cJSON_GetObjectItemCaseSensitive(mue, "elapsed_us"));
    bool any = false;
    cJSON_ArrayForEach(r, arr(mue, "refs"))
        if (!strcmp(str(r, "key"), "96372") && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "found"))) {
            const cJSON *row = cJSON_GetObjectItemCaseSensitive(r, "row");
            assert_int_equal(num(row, "value"), 4);
            assert_int_equal(num(row, "mai"), 3);
            any = true;
        }
    assert_true(any);
    /* each pair once, though the trigger and ref.ptp_edits both looked */
    int n96372_99211 = 0;
    cJSON_ArrayForEach(r, arr(ptp, "refs")) n96372_99211 += !strcmp(str(r, "key"), "96372/99211");
    assert_int_equal(n96372_99211, 1);
    cJSON_Delete(rec);
    free(claim);
    cs_engine_free(e);
}

/* Every rule of the claim's layers appears once, in run order. */
static void test_run_order(void **state)
{
    cs_engine *e = engine("examples", NULL);
    cJSON *rec = explain(e, rc3, NULL);
    int n = cs_engine_rules(e, "medicare", "riverside-clinic", NULL, 0);
    assert_true(n > 5);
    cs_rule_info *info = calloc((size_t)n, sizeof *info);
    cs_engine_rules(e, "medicare", "riverside-clinic", info, n);
    const cJSON *t = trace_of(rec);
    assert_int_equal(cJSON_GetArraySize(t), n);
    for (int i = 0; i < n; i++) {
        const cJSON *x = cJSON_GetArrayItem(t, i);
        assert_string_equal(str(x, "rule"), info[i].id);
        assert_string_equal(str(x, "layer"), info[i].layer);
        assert_string_equal(str(x, "severity"), cs_status_name(info[i].severity));
    }
    assert_string_equal(str(cJSON_GetArrayItem(t, n - 1), "layer"), "clients/riverside-clinic/client.lua");
    free(info);
    cJSON_Delete(rec);
    cs_engine_free(e);
}

/* The overlay waives cms.inj.supervision: the trace says so, by whom and
 * why, and shows what it would have found. */
static void test_waived(void **state)
{
    cs_engine *e = engine("examples", NULL);
    int status;
    cJSON *rec = explain(e, rc3, &status);
    assert_int_equal(status, CS_PASS);
    const cJSON *w = entry(rec, "cms.inj.supervision");
    assert_string_equal(str(w, "status"), "waived");
    assert_string_equal(str(w, "waived_by"), "clients/riverside-clinic/client.lua");
    assert_string_equal(str(w, "reason"),
                        "supervision is documented in every visit note (clinic policy 2026-01)");
    const cJSON *f = cJSON_GetArrayItem(arr(w, "findings"), 0);
    assert_non_null(f);
    assert_string_equal(str(f, "severity"), "review");
    assert_int_equal(num(f, "line"), 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived")));
    assert_contains(str(f, "message"), "supervision 'general'");
    /* the overlay's severity change shows as the rule's severity */
    assert_string_equal(str(entry(rec, "cms.ncci.mue"), "severity"), "warn");
    cJSON_Delete(rec);
    cs_engine_free(e);
}

/* Not in force, error, rows past the limit, waived without findings. */
static void test_statuses(void **state)
{
    cs_engine *e = engine(g_root, NULL);
    int status;
    cJSON *rec = explain(e, tx_claim, &status);
    assert_int_equal(status, CS_REVIEW);    /* the script error */
    const cJSON *t = trace_of(rec);
    assert_int_equal(cJSON_GetArraySize(t), 4);

    const cJSON *fut = cJSON_GetArrayItem(t, 0);
    assert_string_equal(str(fut, "rule"), "tx.future");
    assert_string_equal(str(fut, "status"), "not_in_force");
    assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(fut, "effective"), "from"), "2027-01-01");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fut, "effective"), "to")));
    assert_null(cJSON_GetObjectItemCaseSensitive(fut, "elapsed_us"));
    assert_int_equal(cJSON_GetArraySize(arr(fut, "findings")), 0);

    const cJSON *boom = cJSON_GetArrayItem(t, 1);
    assert_string_equal(str(boom, "status"), "error");
    const cJSON *f = cJSON_GetArrayItem(arr(boom, "findings"), 0);
    assert_string_equal(str(f, "rule"), "engine.script_error");
    assert_string_equal(str(f, "severity"), "review");
    assert_contains(str(f, "message"), "rule tx.boom could not run");
    assert_contains(str(f, "message"), "boom");
    assert_true(num(boom, "elapsed_us") >= 0);

    const cJSON *many = cJSON_GetArrayItem(t, 2);
    assert_string_equal(str(many, "status"), "fired");
    assert_int_equal(cJSON_GetArraySize(arr(many, "refs")), CS_TRACE_MAX_REFS);
    assert_int_equal(num(many, "refs_more"), 41 - CS_TRACE_MAX_REFS);
    const cJSON *r = cJSON_GetArrayItem(arr(many, "refs"), 0);
    assert_string_equal(str(r, "table"), "mue");
    assert_string_equal(str(r, "key"), "90001");

    const cJSON *quiet = cJSON_GetArrayItem(t, 3);
    assert_string_equal(str(quiet, "status"), "no_finding");
    assert_null(cJSON_GetObjectItemCaseSensitive(quiet, "waived_by"));
    cJSON_Delete(rec);
    cs_engine_free(e);

    /* with the overlay, which waives tx.quiet */
    e = engine(g_root, "tx-client");
    rec = explain(e, tx_claim, NULL);
    quiet = entry(rec, "tx.quiet");
    assert_string_equal(str(quiet, "status"), "waived");
    assert_string_equal(str(quiet, "waived_by"), "clients/tx-client/client.lua");
    assert_string_equal(str(quiet, "reason"), "not our concern");
    assert_int_equal(cJSON_GetArraySize(arr(quiet, "findings")), 0);
    cJSON_Delete(rec);
    cs_engine_free(e);
}

/* A claim that cannot be read: its reject record, and an empty trace. */
static void test_unreadable(void **state)
{
    cs_engine *e = engine(NULL, NULL);
    int status;
    cJSON *rec = explain(e, "{not json", &status);
    assert_int_equal(status, CS_REJECT);
    assert_int_equal(cJSON_GetArraySize(trace_of(rec)), 0);
    cJSON_Delete(rec);
    rec = explain(e, "{\"id\":\"X\",\"payer\":\"nope\",\"lines\":[]}", &status);
    assert_int_equal(status, CS_REJECT);
    assert_int_equal(cJSON_GetArraySize(trace_of(rec)), 0);
    cJSON_Delete(rec);
    cs_engine_free(e);
}

/* cs_check gives the same records with or without explain's machinery,
 * before and after explaining on the same engine; and cs_explain's record
 * is cs_check's plus "trace". */
static void test_check_unchanged(void **state)
{
    static const char *const roots[] = {NULL, "examples"};
    for (int k = 0; k < 2; k++) {
        cs_engine *plain = engine(roots[k], NULL), *mixed = engine(roots[k], NULL);
        for (int i = 1; i <= 11; i++) {
            char cmd[256];
            snprintf(cmd, sizeof cmd, "ls examples/claims/%02d-*.json", i);
            FILE *p = popen(cmd, "r");
            char path[256] = "";
            assert_non_null(fgets(path, sizeof path, p));
            pclose(p);
            path[strcspn(path, "\n")] = 0;
            char *claim = tu_slurp(path, NULL);
            size_t len = strlen(claim);
            cs_origin o = {.file = path, .record = 1, .line = 1};
            char *a = NULL, *b = NULL, *x = NULL, *c = NULL;
            int sa = cs_check(plain, claim, len, &o, &a, NULL);
            int sb = cs_check(mixed, claim, len, &o, &b, NULL);
            int sx = cs_explain(mixed, claim, len, &o, &x, NULL);
            int sc = cs_check(mixed, claim, len, &o, &c, NULL);
            assert_int_equal(sa, sb);
            assert_int_equal(sa, sx);
            assert_int_equal(sa, sc);
            assert_string_equal(a, b);
            assert_string_equal(a, c);
            char *cut = strstr(x, ",\"trace\":[");
            assert_non_null(cut);
            assert_int_equal((size_t)(cut - x), strlen(a) - 1);
            assert_memory_equal(a, x, strlen(a) - 1);
            assert_string_equal(x + strlen(x) - 2, "]}");
            cs_free(a); cs_free(b); cs_free(x); cs_free(c);
            free(claim);
        }
        cs_engine_free(plain);
        cs_engine_free(mixed);
    }
}

/* ---- the command ---- */

#define RUN(...) tu_run_cli(g_root, NULL, (const char *const[]){__VA_ARGS__, NULL})

static void expect(const tu_result *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

static void test_cli_text(void **state)
{
    tu_result r = RUN("explain", CLAIM03);
    expect(&r, 1);
    assert_contains(r.out, "CLM-1003  DENY  $25.00 at risk  payer medicare");
    assert_contains(r.out, "\n  fired          cms.ncci.ptp ");
    assert_contains(r.out, " us  payers/medicare/ncci.lua:53\n");
    assert_contains(r.out, "\n      deny on line 1: 99211 (line 1) is not paid with 96372 (line 2)");
    assert_contains(r.out, "\n      ref ptp 96372/99211 on 2026-03-02: indicator 0, rationale Misuse of Column Two code with Column One code\n");
    assert_contains(r.out, "\n      ref ptp 99211/96372 on 2026-03-02: no row\n");
    assert_contains(r.out, "\n  no_finding     cms.inj.supervision ");
    tu_result_free(&r);

    r = RUN("explain", "--rules", "examples", "--client", "riverside-clinic", CLAIM03);
    expect(&r, 1);
    assert_contains(r.out, "\n  waived         cms.inj.supervision ");
    assert_contains(r.out, "\n      waived by clients/riverside-clinic/client.lua: supervision is "
                           "documented in every visit note (clinic policy 2026-01)\n");
    assert_contains(r.out, " us  clients/riverside-clinic/ndc.lua:5\n");
    tu_result_free(&r);

    r = RUN("explain", "--rules", g_root, "--client", "tx-client", "-", "--payer", "tx");
    expect(&r, 0);  /* standard input is /dev/null: no claim */
    assert_string_equal(r.out, "");
    tu_result_free(&r);
}

/* What reading found (a repeated diagnosis, a repeated modifier) is said
 * before the rules: the status would otherwise have no cause on screen. */
static void test_cli_text_reading(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/dup.json", g_root);
    FILE *f = fopen(path, "w");
    fputs("{\"id\":\"DUP\",\"payer\":\"medicare\",\"diagnoses\":[\"J02.9\",\"j029\"],"
          "\"lines\":[{\"code\":\"99213\",\"modifiers\":[\"25\",\"25\"],\"units\":1,"
          "\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[1],\"charge\":\"90.00\"}]}", f);
    fclose(f);
    tu_result r = RUN("explain", path);
    expect(&r, 0);
    assert_contains(r.out, "DUP  WARN  payer medicare");
    assert_contains(r.out, "\n  read           input.duplicate_diagnosis  warn: diagnoses[1]: "
                           "J02.9 is already diagnoses[0]; read once, pointers to 2 read as 1\n");
    assert_contains(r.out, "\n  read           input.duplicate_modifier  warn on line 1: "
                           "lines[0].modifiers[1]: 25 is already modifiers[0]; read once\n");
    tu_result_free(&r);
}

static void test_cli_statuses_text(void **state)
{
    char path[512];
    snprintf(path, sizeof path, "%s/tx.json", g_root);
    FILE *f = fopen(path, "w");
    fputs(tx_claim, f);
    fclose(f);
    tu_result r = RUN("explain", "--rules", g_root, "--client", "tx-client", path);
    expect(&r, 1);
    assert_contains(r.out, "\n  not_in_force   tx.future      -     payers/tx/r.lua:2  (effective 2027-01-01..)\n");
    assert_contains(r.out, "\n  error          tx.boom   ");
    assert_contains(r.out, "\n      review on the claim engine.script_error: rule tx.boom could not run: ");
    assert_contains(r.out, "\n      warn on line 1: looked 41 times\n");
    assert_contains(r.out, "\n      9 more lookups not listed\n");
    assert_contains(r.out, "\n  waived         tx.quiet  ");
    assert_contains(r.out, "\n      waived by clients/tx-client/client.lua: not our concern\n");
    tu_result_free(&r);
}

/* JSON: one record per claim per line, in input order, each with its trace. */
static void test_cli_json(void **state)
{
    tu_result r = RUN("explain", "--format", "json", "examples/claims/");
    expect(&r, 1);
    int n = 0;
    for (char *line = r.out, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = 0;
        cJSON *rec = cJSON_Parse(line);
        assert_non_null(rec);
        n++;
        char id[16];
        snprintf(id, sizeof id, "CLM-%d", 1000 + n);
        assert_string_equal(str(rec, "claim"), id);
        assert_true(cJSON_GetArraySize(trace_of(rec)) > 5);
        cJSON_Delete(rec);
    }
    assert_int_equal(n, 11);
    tu_result_free(&r);
}

/* The command's records, trace aside, are check's, for X12 input too. */
static void test_cli_same_as_check(void **state)
{
    static const char *const inputs[] = {"examples/x12/sore-throat-without-25.837", "examples/claims/"};
    for (int i = 0; i < 2; i++) {
        tu_result c = RUN("check", "--rules", "examples", inputs[i]);
        tu_result x = RUN("explain", "--format", "json", "--rules", "examples", inputs[i]);
        expect(&c, 1);
        expect(&x, 1);
        char *p = c.out, *q = x.out;
        int n = 0;
        for (; *p; n++) {
            char *pe = strchr(p, '\n'), *t = strstr(q, ",\"trace\":[");
            assert_non_null(pe);
            assert_non_null(t);
            assert_int_equal(t - q, pe - p - 1);
            assert_memory_equal(p, q, (size_t)(pe - p - 1));
            p = pe + 1;
            q = strchr(t, '\n');
            assert_non_null(q);
            q++;
        }
        assert_string_equal(q, "");
        assert_true(n >= 1);
        tu_result_free(&c);
        tu_result_free(&x);
    }
}

static void test_cli_usage(void **state)
{
    tu_result r = RUN("explain", "--format", "xml", CLAIM03);
    expect(&r, 2);
    assert_contains(r.err, "--format must be text or json, not 'xml'");
    tu_result_free(&r);
    r = RUN("explain", "--frob");
    expect(&r, 2);
    assert_contains(r.err, "unknown option '--frob'");
    tu_result_free(&r);
    r = RUN("explain", "--help");
    expect(&r, 0);
    assert_contains(r.out, "usage: claimscrub explain [options] [FILE...]");
    tu_result_free(&r);
    r = RUN("--help");
    expect(&r, 0);
    assert_contains(r.out, "\n  explain ");
    tu_result_free(&r);
}

/* ---- the guide ---- */

/* Replace each time ("   48 us") by " # us", in place. */
static void mask_times(char *s)
{
    char *o = s;
    for (char *p = s; *p;) {
        char *q = p;
        while (*q == ' ') q++;
        char *d = q;
        while (*d >= '0' && *d <= '9') d++;
        if (d > q && !strncmp(d, " us", 3) && q > p) {
            memcpy(o, " #", 2);
            o += 2;
            p = d;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
}

/* docs/authoring.md shows `claimscrub explain` on a claim: its command
 * gives what the guide shows, times aside. */
static void test_guide_output(void **state)
{
    char *doc = tu_slurp("docs/authoring.md", NULL);
    assert_non_null(doc);
    char *cmd = strstr(doc, "\n$ build/claimscrub explain ");
    if (!cmd) fail_msg("docs/authoring.md shows no '$ build/claimscrub explain' command");
    cmd += 3;
    char *eol = strchr(cmd, '\n');
    *eol = 0;
    char *shown = eol + 1, *end = strstr(shown, "```");
    assert_non_null(end);
    *end = 0;
    const char *args[16];
    int n = 0;
    strtok(cmd, " ");   /* build/claimscrub */
    for (char *a; (a = strtok(NULL, " ")) && n < 15;) args[n++] = a;
    args[n] = NULL;
    tu_result r = tu_run_cli(g_root, NULL, args);
    mask_times(r.out);
    mask_times(shown);
    assert_string_equal(r.out, shown);
    tu_result_free(&r);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptp_row),
        cmocka_unit_test(test_run_order),
        cmocka_unit_test(test_waived),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_check_unchanged),
        cmocka_unit_test(test_cli_text),
        cmocka_unit_test(test_cli_text_reading),
        cmocka_unit_test(test_cli_statuses_text),
        cmocka_unit_test(test_cli_json),
        cmocka_unit_test(test_cli_same_as_check),
        cmocka_unit_test(test_cli_usage),
        cmocka_unit_test(test_guide_output),
    };
    return cmocka_run_group_tests_name("explain", tests, group_setup, group_teardown);
}
