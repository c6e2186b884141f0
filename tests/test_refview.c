/*
 * test_refview.c -- the Lua module `ref` (engine/src/refview.c) and
 * cs_sandbox_preload: lookups on a small data set of two releases imported
 * here, argument checking, which release a lookup notes in the verdict,
 * and the errors without data or outside a check.  The lookups themselves
 * on the starter data set are in tests/stdlib/payers/stdlib/ref_test.lua.
 */
#include "testutil.h"

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "host.h"
#include "refdata.h"
#include "refview.h"
#include "sandbox.h"

static char *g_dir;             /* temporary folder: CSVs and the data set */
static char g_data[4200];       /* the data set */
static cs_refdata *g_ref;

/* A sandbox with `ref` preloaded, its host pointing at data (may be
 * NULL) and, when claim is set, a claim and verdict being checked. */
typedef struct harness {
    cs_sandbox *sb;
    cs_host host;
    cs_verdict verdict;
    cs_claim claim;
} harness;

static void import(const char *release, const char *ptp, const char *mue)
{
    char p1[4300], p2[4300];
    snprintf(p1, sizeof p1, "%s/ptp-%s.csv", g_dir, release);
    snprintf(p2, sizeof p2, "%s/mue-%s.csv", g_dir, release);
    FILE *f = fopen(p1, "w");
    assert_non_null(f);
    fputs("column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n", f);
    fputs(ptp, f);
    fclose(f);
    if (mue) {
        f = fopen(p2, "w");
        assert_non_null(f);
        fputs("hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale\n", f);
        fputs(mue, f);
        fclose(f);
    }
    cs_import in = {.ptp = {p1, NULL}, .mue = mue ? p2 : NULL};
    assert_true(cs_date_parse(release, &in.release));
    char *err = NULL;
    if (!cs_refdata_import(g_data, &in, &err)) fail_msg("import %s: %s", release, err);
}

static int group_setup(void **state)
{
    g_dir = tu_tmpdir();
    snprintf(g_data, sizeof g_data, "%s/data", g_dir);
    /* 2024-01-01: PTP only, 96372/99213 indicator 1 */
    import("2024-01-01", "96372,99213,9999-12-31,1,Standards of medical/surgical practice\n"
                         "96372,99201,2020-12-31,1,Standards of medical/surgical practice\n", NULL);
    /* 2024-07-01: PTP (now indicator 0, for the test) and MUE */
    import("2024-07-01", "96372,99213,9999-12-31,0,Misuse of Column Two code with Column One code\n",
           "96372,4,3,Clinical: Data\n");
    char *err = NULL;
    g_ref = cs_refdata_open(g_data, &err);
    if (!g_ref) fail_msg("open: %s", err);
    return 0;
}

static int group_teardown(void **state)
{
    cs_refdata_close(g_ref);
    tu_rmdir(g_dir);
    return 0;
}

static void h_init(harness *h, const cs_refdata *ref, bool claim)
{
    memset(h, 0, sizeof *h);
    char *err = NULL;
    h->sb = cs_sandbox_new("stdlib", &err);
    if (!h->sb) fail_msg("sandbox: %s", err);
    h->sb->host = &h->host;
    h->host.ref = ref;
    if (!cs_sandbox_preload(h->sb, "ref", cs_refview_open, &err)) fail_msg("preload: %s", err);
    if (claim) {
        h->host.claim = &h->claim;
        h->host.verdict = &h->verdict;
    }
}

static void h_free(harness *h)
{
    cs_sandbox_free(h->sb);
    cs_verdict_free(&h->verdict);
}

/* Run src as a chunk in phase ph; returns the message of its error, or ""
 * when it ran.  The message stays valid until the next call. */
static const char *h_run(harness *h, const char *src, cs_phase ph)
{
    static char msg[1024];
    char *err = NULL;
    if (!cs_sandbox_compile(h->sb, "@t.lua", src, strlen(src), &err)) fail_msg("compile: %s", err);
    cs_sandbox_push_env(h->sb);
    lua_setupvalue(h->sb->L, -2, 1);
    msg[0] = 0;
    if (cs_sandbox_call(h->sb, 0, ph, msg, sizeof msg) == LUA_OK) msg[0] = 0;
    return msg;
}

#define RUN_OK(h, src) do { \
    const char *m_ = h_run((h), (src), CS_PHASE_CHECK); \
    if (*m_) fail_msg("%s", m_); \
} while (0)

/* Lookups pick the release by date of service: the newest on or before
 * it, else the oldest holding the table. */
static void test_release_by_date(void **state)
{
    harness h;
    h_init(&h, g_ref, true);
    RUN_OK(&h,
        "local ref = require 'ref'\n"
        "assert(ref.ptp('96372', '99213', '2024-03-01').indicator == 1)\n"
        "assert(ref.ptp('96372', '99213', '2024-08-01').indicator == 0)\n"
        "assert(ref.ptp('96372', '99213', '2023-01-01').indicator == 1, 'oldest')\n"
        "assert(ref.release('ptp', '2024-03-01') == '2024-01-01')\n"
        "assert(ref.release('ptp', '2024-07-01') == '2024-07-01')\n"
        "assert(ref.release('mue', '2024-03-01') == '2024-07-01', 'only release with mue')\n"
        "assert(ref.release('aoc', '2024-03-01') == nil)\n"
        "local m = ref.mue('96372', '2024-03-01')\n"
        "assert(m.value == 4 and m.mai == 3 and m.rationale == 'Clinical: Data')\n"
        "local e = ref.ptp('96372', '99201', '2020-06-01')\n"
        "assert(e.indicator == 1 and e.deleted == '2020-12-31' and e.effective == nil)\n"
        "assert(ref.ptp('96372', '99201', '2020-12-31').indicator == 1, 'deleted on, in force on')\n"
        "assert(ref.ptp('96372', '99201', '2021-01-01') == nil, 'deleted before')\n"
        "assert(ref.ptp('96372', '99201', '2024-08-01') == nil, 'not in that release')\n");
    h_free(&h);
}

/* Every lookup notes its release in the verdict: the newest when a claim
 * spans releases; a table never looked up stays unnoted. */
static void test_data_used(void **state)
{
    harness h;
    h_init(&h, g_ref, true);
    RUN_OK(&h, "local ref = require 'ref'\nref.ptp('96372', '99213', '2024-03-01')\n");
    assert_int_equal(h.verdict.data_used[CS_REF_PTP], 20240101);
    RUN_OK(&h, "local ref = require 'ref'\nref.ptp('11111', '22222', '2024-08-01')\n");
    assert_int_equal(h.verdict.data_used[CS_REF_PTP], 20240701);
    RUN_OK(&h, "local ref = require 'ref'\nref.ptp('96372', '99213', '2024-03-01')\n");
    assert_int_equal(h.verdict.data_used[CS_REF_PTP], 20240701);   /* stays the newest */
    assert_int_equal(h.verdict.data_used[CS_REF_MUE], 0);
    RUN_OK(&h, "local ref = require 'ref'\nassert(ref.release('mue', '2024-01-05'))\n");
    assert_int_equal(h.verdict.data_used[CS_REF_MUE], 20240701);
    assert_int_equal(h.verdict.data_used[CS_REF_AOC], 0);
    h_free(&h);
    /* no claim being checked: nothing to note, nothing breaks */
    h_init(&h, g_ref, false);
    RUN_OK(&h, "assert(require('ref').mue('96372', '2024-03-01').value == 4)\n");
    h_free(&h);
}

/* Missing data raises: no data set at all, or no release with the table. */
static void test_missing_data(void **state)
{
    harness h;
    h_init(&h, NULL, true);
    assert_string_equal(h_run(&h, "require('ref').ptp('96372', '99213', '2024-03-01')", CS_PHASE_CHECK),
                        "t.lua:1: ref.ptp: no reference data loaded");
    assert_string_equal(h_run(&h, "require('ref').release('ptp', '2024-03-01')", CS_PHASE_CHECK),
                        "t.lua:1: ref.release: no reference data loaded");
    h_free(&h);
    h_init(&h, g_ref, true);
    assert_string_equal(h_run(&h, "require('ref').aoc_type('90472', '2024-03-01')", CS_PHASE_CHECK),
                        "t.lua:1: ref.aoc_type: the reference data set has no aoc table");
    assert_string_equal(h_run(&h, "require('ref').icd10('D51.0', '2024-03-01')", CS_PHASE_CHECK),
                        "t.lua:1: ref.icd10: the reference data set has no icd10 table");
    assert_string_equal(h_run(&h, "require('ref').carc('97', '2024-03-01')", CS_PHASE_CHECK),
                        "t.lua:1: ref.carc: the reference data set has no adj table");
    h_free(&h);
}

/* Lookups only while a rule checks a claim: not at a script's top level. */
static void test_only_while_checking(void **state)
{
    harness h;
    h_init(&h, g_ref, false);
    assert_string_equal(h_run(&h, "local ref = require 'ref'\nref.mue('96372', '2024-03-01')", CS_PHASE_LOAD),
                        "t.lua:2: ref.mue: reference data can only be looked up while a rule checks a claim");
    /* requiring it at the top level is fine */
    assert_string_equal(h_run(&h, "local ref = require 'ref'\nassert(type(ref.ptp) == 'function')", CS_PHASE_LOAD), "");
    h_free(&h);
}

/* Arguments: strings of the right form; codes are upper-cased. */
static void test_arguments(void **state)
{
    static const struct { const char *call, *msg; } bad[] = {
        {"ref.ptp(96372, '99213', D)", "ref.ptp: column 1 code must be a string, got number"},
        {"ref.ptp('96372', nil, D)", "ref.ptp: column 2 code must be a string, got nil"},
        {"ref.ptp('96372', '99213')", "ref.ptp: the date of service must be a string, got nil"},
        {"ref.ptp('96372', '9921', D)", "ref.ptp: column 2 code '9921' is not 5 letters or digits"},
        {"ref.ptp('96372', '99213 ', D)", "ref.ptp: column 2 code '99213 ' is not 5 letters or digits"},
        {"ref.ptp('96372', '99213', '2024-02-30')", "ref.ptp: '2024-02-30' is not a date (YYYY-MM-DD)"},
        {"ref.ptp('96372', '99213', 20240301)", "ref.ptp: the date of service must be a string, got number"},
        {"ref.mue('96-72', D)", "ref.mue: code '96-72' is not 5 letters or digits"},
        {"ref.pfs('96372', D, 26)", "ref.pfs: modifier must be a string, got number"},
        {"ref.pfs('96372', D, 'TCX')", "ref.pfs: modifier 'TCX' is not 2 letters or digits"},
        {"ref.icd10('D5', D)", "ref.icd10: ICD-10-CM code 'D5' is not 3 to 8 letters or digits (and a dot)"},
        {"ref.icd10('.D510', D)", "ref.icd10: ICD-10-CM code '.D510' is not 3 to 8 letters or digits (and a dot)"},
        {"ref.hcpcs(true, D)", "ref.hcpcs: HCPCS code must be a string, got boolean"},
        {"ref.group('C', D)", "ref.group: group code 'C' is not 2 letters or digits"},
        {"ref.rarc('N12345678', D)", "ref.rarc: remark code 'N12345678' is not 2 to 7 letters or digits"},
        {"ref.release('ptpx', D)", "ref.release: unknown table 'ptpx' (ptp, mue, aoc, pfs, icd10, hcpcs or adj)"},
        {"ref.release(1, D)", "ref.release: the table name must be a string, got number"},
        {"ref.aoc_primary('90472', {}, D)", "ref.aoc_primary: primary code must be a string, got table"},
    };
    harness h;
    h_init(&h, g_ref, true);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char src[512], want[512];
        snprintf(src, sizeof src, "local ref, D = require 'ref', '2024-03-01'\n%s\n", bad[i].call);
        snprintf(want, sizeof want, "t.lua:2: %s", bad[i].msg);
        assert_string_equal(h_run(&h, src, CS_PHASE_CHECK), want);
    }
    RUN_OK(&h, "local ref = require 'ref'\n"
               "assert(ref.ptp('96372', '99213', '2024-03-01').indicator == 1)\n"
               "assert(ref.mue('96372', '2024-03-01').value == 4)\n"
               "assert(ref.ptp('96372', '99999', '2024-03-01') == nil)\n");
    h_free(&h);
}

/* The module is one read-only table, handed out by require. */
static void test_module(void **state)
{
    harness h;
    h_init(&h, g_ref, true);
    RUN_OK(&h, "local a, b = require 'ref', require 'ref'\n"
               "assert(rawequal(a, b))\n"
               "assert(not pcall(function() a.ptp = print end))\n"
               "assert(not pcall(function() a.extra = 1 end))\n"
               "local n = 0 for k in pairs(a) do n = n + 1 end\n"
               "assert(n == 14, 'functions: ' .. n)\n");
    h_free(&h);
}

static int not_a_table(lua_State *L) { lua_pushinteger(L, 1); return 1; }
static int raises(lua_State *L) { return luaL_error(L, "broken module"); }

/* cs_sandbox_preload refuses bad names and modules that are not tables. */
static void test_preload_errors(void **state)
{
    char *err = NULL;
    cs_sandbox *sb = cs_sandbox_new("stdlib", &err);
    assert_non_null(sb);
    assert_false(cs_sandbox_preload(sb, "Bad-Name", cs_refview_open, &err));
    assert_string_equal(err, "cs_sandbox_preload: 'Bad-Name' is not a module name");
    free(err);
    err = NULL;
    assert_false(cs_sandbox_preload(sb, "x", not_a_table, &err));
    assert_string_equal(err, "module 'x' did not return a table");
    free(err);
    err = NULL;
    assert_false(cs_sandbox_preload(sb, "y", raises, &err));
    assert_string_equal(err, "broken module");
    free(err);
    assert_true(cs_sandbox_preload(sb, "ref", cs_refview_open, NULL));
    cs_sandbox_free(sb);
}

/* Through the public API: an engine on this data set notes in the record
 * the releases its rules used. */
/* ref.window and ref.covers: the validity window of the release a lookup
 * uses (default: the quarter of the release date), noted like a lookup. */
static void test_window_and_covers(void **state)
{
    harness h;
    h_init(&h, g_ref, true);
    RUN_OK(&h,
        "local ref = require 'ref'\n"
        "local w = ref.window('ptp', '2024-03-01')\n"
        "assert(w.release == '2024-01-01' and w.from == '2024-01-01' and w.to == '2024-03-31')\n"
        "assert(w.covers == true)\n"
        "w = ref.window('ptp', '2024-04-15')\n"
        "assert(w.release == '2024-01-01' and w.covers == false, 'after its quarter')\n"
        "w = ref.window('ptp', '2024-08-01')\n"
        "assert(w.release == '2024-07-01' and w.to == '2024-09-30' and w.covers)\n"
        "assert(ref.covers('ptp', '2024-09-30') and not ref.covers('ptp', '2024-10-01'))\n"
        "assert(not ref.covers('mue', '2024-03-01'), 'only the July release holds mue')\n"
        "assert(ref.window('aoc', '2024-03-01') == nil and ref.covers('aoc', '2024-03-01') == false)\n");
    assert_int_equal(h.verdict.data_used[CS_REF_PTP], 20240701);
    assert_int_equal(h.verdict.data_used[CS_REF_MUE], 20240701);
    assert_int_equal(h.verdict.data_used[CS_REF_AOC], 0);
    assert_string_equal(h_run(&h, "require('ref').window('cpt', '2024-03-01')", CS_PHASE_CHECK),
        "t.lua:1: ref.window: unknown table 'cpt' (ptp, mue, aoc, pfs, icd10, hcpcs or adj)");
    assert_string_equal(h_run(&h, "require('ref').covers('ptp', 20240301)", CS_PHASE_CHECK),
        "t.lua:1: ref.covers: the date of service must be a string, got number");
    h_free(&h);
}

/* The Medicare pack on a data set holding only the 2024-07-01 release of
 * the starter files (ICD-10-CM FY2024, the 2024 HCPCS list): a diagnosis
 * new in FY2026 on a 2026 claim, and a 2019 claim with a code that was
 * billable then, are `review`, naming the release and its window; an
 * unknown HCPCS code in the release's quarter is still denied and the
 * finding says which release it checked. */
static void test_medicare_on_old_data(void **state)
{
    char data[4300];
    snprintf(data, sizeof data, "%s/old", g_dir);
    static const char *const tables[][2] = {
        {"ptp", "ptp.csv"}, {"mue", "mue.csv"}, {"aoc", "aoc.csv"}, {"pfs", "pfs.csv"},
        {"icd10", "icd10.csv"}, {"hcpcs", "hcpcs.csv"}, {"adj", "adjustment_codes.csv"},
    };
    char paths[7][4300];
    cs_data_file in[7];
    for (int i = 0; i < 7; i++) {
        snprintf(paths[i], sizeof paths[i], "data/starter/%s", tables[i][1]);
        in[i] = (cs_data_file){tables[i][0], paths[i]};
    }
    char *err = NULL, *out = NULL;
    if (cs_data_import(data, "2024-07-01", in, 7, &err) != 0) fail_msg("import: %s", err);
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib", .data_dir = data}, &err);
    if (!e) fail_msg("engine: %s", err);
    static const struct { const char *claim; int status; const char *rule, *not_rule, *text; } cases[] = {
        {"{\"id\":\"OLD-1\",\"payer\":\"medicare\",\"diagnoses\":[\"E11.A\"],\"lines\":["
         "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[1],\"charge\":\"95.00\"}]}",
         CS_REVIEW, "cms.valid.icd10_outside_data", "cms.valid.icd10_unknown",
         "diagnosis E11.A (used by line 1) is not in the code set of ICD-10-CM release 2024-07-01, "
         "valid 2023-10-01..2024-09-30, which does not cover the date of service 2026-03-02 "
         "(the data set is older than the claim)"},
        {"{\"id\":\"OLD-2\",\"payer\":\"medicare\",\"diagnoses\":[\"M54.5\"],\"lines\":["
         "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2019-06-03\",\"diagnosis_pointers\":[1],\"charge\":\"95.00\"}]}",
         CS_REVIEW, "cms.valid.icd10_outside_data", "cms.valid.icd10_not_billable",
         "diagnosis M54.5 (used by line 1) is a category, not billable, in ICD-10-CM release "
         "2024-07-01, valid 2023-10-01..2024-09-30, which does not cover the date of service "
         "2019-06-03 (the data set is newer than the claim)"},
        {"{\"id\":\"OLD-3\",\"payer\":\"medicare\",\"diagnoses\":[\"J02.9\"],\"lines\":["
         "{\"code\":\"J3421\",\"units\":1,\"service_date\":\"2024-08-01\",\"diagnosis_pointers\":[1],\"charge\":\"20.00\"}]}",
         CS_DENY, "cms.valid.hcpcs_unknown", "cms.valid.hcpcs_outside_data",
         "J3421 (line 1) is not a HCPCS Level II code on 2024-08-01 "
         "(HCPCS release 2024-07-01, valid 2024-07-01..2024-09-30)"},
        {"{\"id\":\"OLD-4\",\"payer\":\"medicare\",\"diagnoses\":[\"J02.9\"],\"lines\":["
         "{\"code\":\"J3421\",\"units\":1,\"service_date\":\"2026-03-02\",\"diagnosis_pointers\":[1],\"charge\":\"20.00\"}]}",
         CS_REVIEW, "cms.valid.hcpcs_outside_data", "cms.valid.hcpcs_unknown",
         "J3421 (line 1) is not a valid HCPCS Level II code in HCPCS release 2024-07-01, valid "
         "2024-07-01..2024-09-30, which does not cover the date of service 2026-03-02"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int st = cs_check(e, cases[i].claim, strlen(cases[i].claim), NULL, &out, NULL);
        char rule[128], not_rule[128];
        snprintf(rule, sizeof rule, "\"rule\":\"%s\"", cases[i].rule);
        snprintf(not_rule, sizeof not_rule, "\"rule\":\"%s\"", cases[i].not_rule);
        if (st != cases[i].status || !strstr(out, rule) || strstr(out, not_rule) ||
            !strstr(out, cases[i].text))
            fail_msg("case %zu: status %d\n%s", i + 1, st, out);
        cs_free(out);
    }
    cs_engine_free(e);
}

static void test_engine_record(void **state)
{
    char *root = tu_tmpdir();
    tu_write(root, "payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\" } }\n");
    tu_write(root, "payers/p/a.lua",
             "local ref = require 'ref'\n"
             "rule { id = \"x\", summary = \"s\", severity = \"warn\", check = function(claim)\n"
             "  for _, l in ipairs(claim.lines) do\n"
             "    local e = ref.ptp('96372', l.code, l.service_date)\n"
             "    if e then flag(l, 'indicator ' .. e.indicator) end\n"
             "  end\n"
             "end }\n");
    char *err = NULL, *out = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib", .data_dir = g_data}, &err);
    if (!e) fail_msg("engine: %s", err);
    const char *claim = "{\"id\":\"R1\",\"payer\":\"p\",\"lines\":["
                        "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2024-03-01\"},"
                        "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2024-08-01\"}]}";
    assert_int_equal(cs_check(e, claim, strlen(claim), NULL, &out, NULL), CS_WARN);
    assert_contains(out, "\"line\":1,\"message\":\"indicator 1\"");
    assert_contains(out, "\"line\":2,\"message\":\"indicator 0\"");
    assert_contains(out, "\"data\":{\"ptp\":\"2024-07-01\"}");
    cs_free(out);
    /* a claim that could not be checked names no data */
    const char *none = "{\"id\":\"R2\",\"payer\":\"p\",\"lines\":[]}";
    cs_check(e, none, strlen(none), NULL, &out, NULL);
    assert_not_contains(out, "\"data\"");
    cs_free(out);
    cs_engine_free(e);
    tu_rmdir(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_by_date),
        cmocka_unit_test(test_data_used),
        cmocka_unit_test(test_missing_data),
        cmocka_unit_test(test_only_while_checking),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_module),
        cmocka_unit_test(test_preload_errors),
        cmocka_unit_test(test_engine_record),
        cmocka_unit_test(test_window_and_covers),
        cmocka_unit_test(test_medicare_on_old_data),
    };
    return cmocka_run_group_tests_name("refview", tests, group_setup, group_teardown);
}
