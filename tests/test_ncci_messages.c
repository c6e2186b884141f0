/*
 * test_ncci_messages.c -- what the Medicare pack's NCCI rules say, beyond
 * whether they fire (payers/medicare/tests/ncci_*.json cover that): the
 * modifier a PTP finding offers, the way out an edit by definition does not
 * offer, an MUE of 0, the per-line findings of a date-of-service MUE and a
 * line with a date range.  Repository rules, starter data set; run from the
 * repository root.  Facts: docs/medicare.md.
 */
#include "testutil.h"

#include <cjson/cJSON.h>

#include "claimscrub.h"

static cs_engine *g_e;
static char *g_out;
static cJSON *g_rec;

static int setup(void **state)
{
    (void)state;
    char *err = NULL;
    g_e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"}, &err);
    if (!g_e) fail_msg("engine: %s", err);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cs_engine_free(g_e);
    return 0;
}

/* Check a claim whose lines (JSON, ' for ") are given; keeps the record. */
static void check(const char *dx, const char *lines)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "{'id':'M1','payer':'medicare','place_of_service':'11',"
             "'documentation':{'supervision':'direct'},'diagnoses':['%s'],'lines':[%s]}", dx, lines);
    for (char *p = buf; *p; p++)
        if (*p == '\'') *p = '"';
    cs_free(g_out);
    cJSON_Delete(g_rec);
    g_out = NULL;
    cs_check(g_e, buf, strlen(buf), NULL, &g_out, NULL);
    assert_non_null(g_out);
    g_rec = cJSON_Parse(g_out);
    assert_non_null(g_rec);
}

/* The finding of rule on line n (1-based), or fail. */
static cJSON *finding(const char *rule, int n)
{
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, "findings")) {
        if (!strcmp(cJSON_GetObjectItem(f, "rule")->valuestring, rule)
            && cJSON_GetObjectItem(f, "line") && cJSON_GetObjectItem(f, "line")->valueint == n)
            return f;
    }
    fail_msg("no %s finding on line %d in %s", rule, n, g_out);
    return NULL;
}

static int count(const char *rule)
{
    int n = 0;
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, "findings"))
        n += !strcmp(cJSON_GetObjectItem(f, "rule")->valuestring, rule);
    return n;
}

static const char *msg(cJSON *f) { return cJSON_GetObjectItem(f, "message")->valuestring; }

static const char *str(cJSON *f, const char *a, const char *b)
{
    cJSON *x = cJSON_GetObjectItem(f, a);
    if (b) x = x ? cJSON_GetObjectItem(x, b) : NULL;
    if (!x) return "(absent)";
    if (cJSON_IsString(x)) return x->valuestring;
    static char out[64];
    snprintf(out, sizeof out, "%d", x->valueint);
    return out;
}

#define LINE(code, extra) "{'code':'" code "','units':1,'service_date':'2026-03-02'," \
                          "'diagnosis_pointers':[1]" extra "}"

/* 57 on the E/M with 96372 (global XXX): no bypass, and the fix is 25. */
static void test_57_against_minor(void **state)
{
    (void)state;
    check("J02.9", LINE("99213", ",'modifiers':['57'],'charge':'125.00'") ","
                   LINE("96372", ",'charge':'35.00','route':'IM'") ","
                   LINE("J0696", ",'charge':'20.00'"));
    cJSON *f = finding("cms.ncci.ptp", 1);
    assert_contains(msg(f), "only modifier 25 on the E/M 99213 (line 1) bypasses it");
    assert_contains(msg(f), "57, decision for surgery, applies only against a major (090-day) "
                            "surgery; 96372 has global period XXX");
    assert_string_equal(str(f, "fix", "action"), "add_modifier");
    assert_string_equal(str(f, "fix", "modifier"), "25");
    /* against a 090-day surgery the fix is 57 */
    check("M17.11", LINE("27447", ",'modifiers':['RT'],'charge':'1500.00'") ","
                    LINE("99213", ",'charge':'125.00'"));
    f = finding("cms.ncci.ptp", 2);
    assert_string_equal(str(f, "fix", "modifier"), "57");
    assert_contains(msg(f), "modifier 57 (the decision for this surgery) or 25");
}

/* 24 on an E/M billed with a minor procedure the same day: 24 is an E/M
 * modifier (postoperative period), not "a service other than an E/M". */
static void test_24_same_day(void **state)
{
    (void)state;
    check("M25.561", LINE("20610", ",'charge':'150.00'") ","
                     LINE("99213", ",'modifiers':['24'],'charge':'125.00'"));
    cJSON *f = finding("cms.ncci.ptp", 2);
    assert_contains(msg(f), "only modifier 25 on the E/M 99213 (line 2) bypasses it");
    assert_contains(msg(f), "(24 marks an E/M unrelated to a surgery in its postoperative period");
    assert_not_contains(msg(f), "describes a service other than an E/M");
    assert_string_equal(str(f, "fix", "modifier"), "25");
}

/* The E/M in column 1: the modifier goes on the column 2 procedure. */
static void test_em_column1(void **state)
{
    (void)state;
    check("Z13.31", LINE("99497", ",'modifiers':['57'],'charge':'90.00'") ","
                    LINE("G0444", ",'charge':'20.00'"));
    cJSON *f = finding("cms.ncci.ptp", 2);
    assert_contains(msg(f), "G0444 (line 2) is bundled into 99497 (line 1)");
    assert_contains(msg(f), "NCCI-associated modifier (59, XE, XS, XP or XU on G0444 (line 2), "
                            "or 25 on the E/M 99497 (line 1)) documents it");
    assert_contains(msg(f), "57, decision for surgery, applies only against a major (090-day) "
                            "surgery; G0444 has global period XXX");
    assert_string_equal(str(f, "fix", "action"), "(absent)");
    assert_int_equal(count("cms.ncci.ptp"), 1);
}

/* An edit by the codes' definitions offers no distinct-service modifier;
 * one by standards of practice does. */
static void test_by_definition(void **state)
{
    (void)state;
    check("M25.561", LINE("20611", ",'charge':'200.00'") "," LINE("20610", ",'charge':'150.00'"));
    cJSON *f = finding("cms.ncci.ptp", 2);
    assert_contains(msg(f), "HCPCS/CPT procedure code definition");
    assert_contains(msg(f), "the edit rests on the codes' definitions");
    assert_not_contains(msg(f), "59");
    assert_not_contains(msg(f), "XS");
    check("L60.0", LINE("11750", ",'modifiers':['TA'],'charge':'300.00'") ","
                   LINE("11730", ",'modifiers':['TA'],'charge':'150.00'"));
    f = finding("cms.ncci.ptp", 2);
    assert_contains(msg(f), "(59, XE, XS, XP, XU, ...) documents it (TA and TA may name the same site)");
}

/* An MUE of 0: not payable, with the rationale's meaning; no unit count. */
static void test_mue_zero(void **state)
{
    (void)state;
    check("J02.9", LINE("J0571", ",'charge':'10.00'"));
    cJSON *f = finding("cms.ncci.mue", 1);
    assert_contains(msg(f), "J0571 on 2026-03-02 on line 1 is not payable on a practitioner claim: "
                            "its practitioner MUE is 0 units (an oral medication, not payable on a "
                            "practitioner claim)");
    assert_not_contains(msg(f), "exceed");
    assert_string_equal(str(f, "fix", "action"), "remove_line");
    check("J02.9", LINE("J8499", ",'charge':'10.00'"));
    assert_contains(msg(finding("cms.ncci.mue", 1)), "(MUE rationale: CMS Policy)");
}

/* MAI 3 over two lines: one finding per line, each with its own charge;
 * the fix keeps the first unit. */
static void test_mue_date_of_service(void **state)
{
    (void)state;
    check("D51.0", LINE("96372", ",'charge':'35.00','route':'IM'") ","
                   LINE("J3420", ",'charge':'20.00'") "," LINE("J3420", ",'charge':'25.00'"));
    assert_int_equal(count("cms.ncci.mue"), 2);
    cJSON *a = finding("cms.ncci.mue", 2), *b = finding("cms.ncci.mue", 3);
    assert_string_equal(str(a, "amount", NULL), "20.00");
    assert_string_equal(str(b, "amount", NULL), "25.00");
    assert_contains(msg(a), "2 units on lines 2, 3 together exceed the MUE of 1");
    assert_contains(msg(a), "line 2 is within the MUE once the others are corrected");
    assert_string_equal(str(a, "fix", "action"), "(absent)");
    assert_string_equal(str(b, "fix", "action"), "remove_line");
    /* 35 + 20 + 25 is charged, the two J3420 lines are at risk once each */
    assert_string_equal(str(g_rec, "amount_at_risk", NULL), "45.00");
}

/* A line with a date range: units against the MUE times its days. */
static void test_mue_date_range(void **state)
{
    (void)state;
    check("J02.9", LINE("96372", ",'charge':'35.00','route':'IM'") ","
                   "{'code':'J0696','units':120,'service_date':'2026-03-02','service_date_to':"
                   "'2026-03-08','diagnosis_pointers':[1],'charge':'300.00'}");
    cJSON *f = finding("cms.ncci.mue", 2);
    assert_contains(msg(f), "J0696 from 2026-03-02 to 2026-03-08 (7 days): 120 units on line 2 "
                            "exceed the MUE of 16 a day, 112 over the range");
    assert_string_equal(str(f, "fix", "units"), "112");
    check("J02.9", LINE("96372", ",'charge':'35.00','route':'IM'") ","
                   "{'code':'J0696','units':112,'service_date':'2026-03-02','service_date_to':"
                   "'2026-03-08','diagnosis_pointers':[1],'charge':'300.00'}");
    assert_int_equal(count("cms.ncci.mue"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_57_against_minor),
        cmocka_unit_test(test_24_same_day),
        cmocka_unit_test(test_em_column1),
        cmocka_unit_test(test_by_definition),
        cmocka_unit_test(test_mue_zero),
        cmocka_unit_test(test_mue_date_of_service),
        cmocka_unit_test(test_mue_date_range),
    };
    int rc = cmocka_run_group_tests_name("ncci_messages", tests, setup, teardown);
    cs_free(g_out);
    cJSON_Delete(g_rec);
    return rc;
}
