/*
 * test_merge.c -- layering and merging: a payer pack extending another, a
 * client overlay on top, their waivers and severity changes, which layers a
 * claim gets, and the claim's status and amount at risk.
 *
 * The rules root (built once in a temporary folder):
 *
 *   payers/base   rules base.a (deny, line 1), base.b (deny, line 2),
 *                 base.c (warn, claim), base.e (deny, line 3)
 *   payers/mid    extends base; waives base.a, makes base.b warn; its own
 *                 rule mid.d (deny, line 1, flagged twice), which it also
 *                 tries to waive and downgrade (it may not)
 *   clients/acme  waives base.e, makes base.b review; its own rule acme.g
 *                 (info, claim)
 *   clients/lenient  waives base.e and mid.d, makes base.b info
 *   clients/quiet    waives everything mid leaves standing
 *
 * The claim's lines are charged 100.00, 30.00 and 7.00.
 */
#include "testutil.h"

#include <cjson/cJSON.h>

#include "claimscrub.h"

static char *g_root;
static char *g_out;
static cJSON *g_rec;

static int group_setup(void **state)
{
    g_root = tu_tmpdir();
    tu_write(g_root, "payers/base/payer.lua",
             "payer { id = \"base\", name = \"Base\", scripts = { \"b.lua\" } }\n");
    tu_write(g_root, "payers/base/b.lua",
             "rule { id = \"base.a\", summary = \"A\", severity = \"deny\", check = function(c) flag(1, \"A\") end }\n"
             "rule { id = \"base.b\", summary = \"B\", severity = \"deny\", check = function(c) flag(2, \"B\") end }\n"
             "rule { id = \"base.c\", summary = \"C\", severity = \"warn\", check = function(c) flag(nil, \"C\") end }\n"
             "rule { id = \"base.e\", summary = \"E\", severity = \"deny\", check = function(c) flag(3, \"E\") end }\n");
    tu_write(g_root, "payers/mid/payer.lua",
             "payer { id = \"mid\", name = \"Mid\", extends = \"base\", scripts = { \"m.lua\" },\n"
             "  waive = { [\"base.a\"] = \"mid pays A\", [\"mid.d\"] = \"own rule\" },\n"
             "  severity = { [\"base.b\"] = \"warn\", [\"mid.d\"] = \"info\" } }\n");
    tu_write(g_root, "payers/mid/m.lua",
             "rule { id = \"mid.d\", summary = \"D\", severity = \"deny\",\n"
             "  check = function(c) flag(1, \"D1\"); flag(1, \"D2\") end }\n");
    tu_write(g_root, "clients/acme/client.lua",
             "client { id = \"acme\", name = \"Acme Clinic\", scripts = { \"acme.lua\" },\n"
             "  waive = { [\"base.e\"] = \"acme contract\" },\n"
             "  severity = { [\"base.b\"] = \"review\" } }\n");
    tu_write(g_root, "clients/acme/acme.lua",
             "rule { id = \"acme.g\", summary = \"G\", severity = \"info\", check = function(c) flag(nil, \"G\") end }\n");
    tu_write(g_root, "clients/lenient/client.lua",
             "client { id = \"lenient\", waive = { [\"base.e\"] = \"x\", [\"mid.d\"] = \"y\" },\n"
             "  severity = { [\"base.b\"] = \"info\" } }\n");
    tu_write(g_root, "clients/quiet/client.lua",
             "client { id = \"quiet\", waive = { [\"base.b\"] = \"q\", [\"base.c\"] = \"q\",\n"
             "  [\"base.e\"] = \"q\", [\"mid.d\"] = \"q\" } }\n");
    return 0;
}

static int group_teardown(void **state)
{
    tu_rmdir(g_root);
    return 0;
}

static int teardown(void **state)
{
    cJSON_Delete(g_rec);
    g_rec = NULL;
    cs_free(g_out);
    g_out = NULL;
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

/* Check a claim for payer (and client, when not NULL) on an engine with
 * the given overrides (NULL: none).  The record goes to g_out/g_rec. */
static void check_with(const char *root, const char *opt_payer, const char *opt_client,
                       const char *payer, const char *client)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib",
                                               .payer = opt_payer, .client = opt_client}, &err);
    if (!e) fail_msg("rules did not load: %s", err);
    char claim[1024], cl[128] = "";
    if (client) snprintf(cl, sizeof cl, "\"client\":\"%s\",", client);
    snprintf(claim, sizeof claim,
             "{\"id\":\"M-1\",\"payer\":\"%s\",%s\"lines\":["
             "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"100.00\"},"
             "{\"code\":\"96372\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"30.00\"},"
             "{\"code\":\"J0696\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"7.00\"}]}",
             payer, cl);
    int st = cs_check(e, claim, strlen(claim), NULL, &g_out, NULL);
    cs_engine_free(e);
    assert_non_null(g_out);
    g_rec = cJSON_Parse(g_out);
    if (!g_rec) fail_msg("record is not JSON: %s", g_out);
    assert_string_equal(cs_status_name(st), cJSON_GetStringValue(cJSON_GetObjectItem(g_rec, "status")));
}

static void check_claim(const char *payer, const char *client)
{
    check_with(g_root, NULL, NULL, payer, client);
}

static const char *js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v) return "(absent)";
    if (cJSON_IsNull(v)) return "(null)";
    return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

/* How many entries of list ("findings"/"waived") are of rule. */
static int count(const char *list, const char *rule)
{
    int n = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, list))
        if (strcmp(js(f, "rule"), rule) == 0) n++;
    return n;
}

/* The first entry of list with this rule; fails when there is none. */
static const cJSON *find(const char *list, const char *rule)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(g_rec, list))
        if (strcmp(js(f, "rule"), rule) == 0) return f;
    fail_msg("no %s in \"%s\" of %s", rule, list, g_out);
    return NULL;
}

/* The record's "layers" joined with commas. */
static const char *layers(void)
{
    static char buf[256];
    buf[0] = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(g_rec, "layers")) {
        if (buf[0]) strcat(buf, ",");
        strcat(buf, cJSON_IsString(l) ? l->valuestring : "?");
    }
    return buf;
}

/* ---- tests --------------------------------------------------------------- */

/* Layers run base first, then the pack extending it, then the overlay. */
static void test_layers_order(void **state)
{
    check_claim("mid", "acme");
    assert_string_equal(layers(), "base,mid,acme");
    assert_contains(g_out, "\"layers\":[\"base\",\"mid\",\"acme\"]");
    assert_string_equal(js(g_rec, "payer"), "mid");
    assert_string_equal(js(g_rec, "client"), "acme");
    assert_string_equal(js(find("findings", "acme.g"), "layer"), "acme");
    assert_string_equal(js(find("findings", "base.c"), "layer"), "base");
}

/* A waived finding moves to "waived", naming who waived it and why. */
static void test_waived(void **state)
{
    check_claim("mid", NULL);
    assert_int_equal(count("findings", "base.a"), 0);
    assert_int_equal(count("waived", "base.a"), 1);
    const cJSON *f = find("waived", "base.a");
    assert_string_equal(js(f, "severity"), "deny");
    assert_string_equal(js(f, "layer"), "base");
    assert_string_equal(js(f, "waived_by"), "mid");
    assert_string_equal(js(f, "reason"), "mid pays A");
}

/* A severity change shows the new severity and where it came from. */
static void test_severity_override(void **state)
{
    check_claim("mid", NULL);
    const cJSON *f = find("findings", "base.b");
    assert_string_equal(js(f, "severity"), "warn");
    assert_contains(g_out, "\"overridden\":{\"from\":\"deny\",\"by\":\"mid\"}");
    /* unchanged findings carry no "overridden" */
    assert_null(cJSON_GetObjectItem(find("findings", "base.c"), "overridden"));
}

/* The highest layer has the last word: acme's review beats mid's warn. */
static void test_highest_layer_last_word(void **state)
{
    check_claim("mid", "acme");
    const cJSON *f = find("findings", "base.b");
    assert_string_equal(js(f, "severity"), "review");
    const cJSON *o = cJSON_GetObjectItem(f, "overridden");
    assert_string_equal(js(o, "from"), "deny");
    assert_string_equal(js(o, "by"), "acme");
}

/* A layer cannot waive or change its own rules, only lower layers'. */
static void test_no_waiving_own_rules(void **state)
{
    check_claim("mid", NULL);
    assert_int_equal(count("findings", "mid.d"), 2);
    assert_int_equal(count("waived", "mid.d"), 0);
    const cJSON *f = find("findings", "mid.d");
    assert_string_equal(js(f, "severity"), "deny");
    assert_null(cJSON_GetObjectItem(f, "overridden"));
    assert_null(cJSON_GetObjectItem(f, "waived_by"));
}

/* The overlay waives base rules too; mid's own waiver is still mid's. */
static void test_client_waives(void **state)
{
    check_claim("mid", "acme");
    assert_string_equal(js(find("waived", "base.e"), "waived_by"), "acme");
    assert_string_equal(js(find("waived", "base.e"), "reason"), "acme contract");
    assert_string_equal(js(find("waived", "base.a"), "waived_by"), "mid");
    assert_int_equal(count("findings", "base.e"), 0);
}

/* Waivers belong to the chain: for payer base, mid's waiver does not apply. */
static void test_waivers_follow_the_chain(void **state)
{
    check_claim("base", "acme");
    assert_string_equal(layers(), "base,acme");
    assert_int_equal(count("findings", "base.a"), 1);
    assert_int_equal(count("findings", "mid.d"), 0);
    assert_string_equal(js(find("findings", "base.b"), "severity"), "review");
    assert_string_equal(js(find("waived", "base.e"), "waived_by"), "acme");
}

/* Status is the highest non-waived severity. */
static void test_status(void **state)
{
    check_claim("mid", NULL);
    assert_string_equal(js(g_rec, "status"), "deny");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    /* lenient leaves base.b (info) and base.c (warn) */
    check_claim("mid", "lenient");
    assert_string_equal(js(g_rec, "status"), "warn");
    assert_string_equal(js(find("findings", "base.b"), "severity"), "info");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    /* quiet waives everything: pass, though "waived" is full */
    check_claim("mid", "quiet");
    assert_string_equal(js(g_rec, "status"), "pass");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, "findings")), 0);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, "waived")), 6);
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
}

/* amount_at_risk sums the charges of lines with a non-waived deny or
 * reject finding, each line once (line 1 has two mid.d findings). */
static void test_amount_at_risk(void **state)
{
    check_claim("mid", NULL);            /* lines 1 (mid.d x2) and 3 (base.e) */
    assert_string_equal(js(g_rec, "amount_at_risk"), "107.00");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    check_claim("mid", "acme");          /* base.e waived: line 1 only */
    assert_string_equal(js(g_rec, "amount_at_risk"), "100.00");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    check_claim("mid", "lenient");       /* nothing denied */
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
}

/* cs_options.client overrides the claim's "client". */
static void test_client_option(void **state)
{
    check_with(g_root, NULL, "acme", "mid", NULL);
    assert_string_equal(layers(), "base,mid,acme");
    assert_string_equal(js(g_rec, "client"), "acme");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    check_with(g_root, NULL, "acme", "mid", "lenient");
    assert_string_equal(layers(), "base,mid,acme");
    assert_string_equal(js(g_rec, "client"), "acme");
    assert_int_equal(count("findings", "acme.g"), 1);
}

/* A client without an overlay is no error: no layer for it, still echoed. */
static void test_client_without_overlay(void **state)
{
    check_claim("mid", "nobody");
    assert_string_equal(layers(), "base,mid");
    assert_string_equal(js(g_rec, "client"), "nobody");
    assert_string_equal(js(g_rec, "status"), "deny");
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    check_claim("mid", NULL);
    assert_string_equal(js(g_rec, "client"), "(null)");
}

/* A payer without a pack rejects the claim, naming the payer. */
static void test_unknown_payer(void **state)
{
    check_claim("nosuch", "acme");
    assert_string_equal(js(g_rec, "status"), "reject");
    assert_string_equal(layers(), "");
    assert_string_equal(js(g_rec, "payer"), "nosuch");
    assert_string_equal(js(g_rec, "claim"), "M-1");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, "findings")), 1);
    const cJSON *f = find("findings", "input.invalid");
    assert_string_equal(js(f, "severity"), "reject");
    assert_string_equal(js(f, "message"), "payer: no rule pack 'nosuch' under the rules root");
}

/* cs_options.payer overrides the claim's "payer". */
static void test_payer_option(void **state)
{
    check_with(g_root, "base", NULL, "mid", NULL);
    assert_string_equal(js(g_rec, "payer"), "base");
    assert_string_equal(layers(), "base");
    assert_int_equal(count("findings", "base.a"), 1);   /* mid's waiver is not in play */
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
    check_with(g_root, "mid", NULL, "nosuch", NULL);
    assert_string_equal(js(g_rec, "payer"), "mid");
    assert_string_equal(layers(), "base,mid");
}

/* engine.* and input.* findings cannot be waived or downgraded. */
static void test_engine_findings_not_waivable(void **state)
{
    char *root = tu_tmpdir();
    tu_write(root, "payers/base/payer.lua", "payer { id = \"base\", scripts = { \"b.lua\" } }\n");
    tu_write(root, "payers/base/b.lua",
             "rule { id = \"base.boom\", summary = \"s\", severity = \"info\", check = function(c) error(\"boom\") end }\n");
    tu_write(root, "payers/mid/payer.lua",
             "payer { id = \"mid\", extends = \"base\",\n"
             "  waive = { [\"engine.script_error\"] = \"no\", [\"input.invalid\"] = \"no\", [\"base.boom\"] = \"no\" },\n"
             "  severity = { [\"engine.script_error\"] = \"info\" } }\n");
    tu_write(root, "clients/acme/client.lua",
             "client { id = \"acme\", waive = { [\"engine.script_error\"] = \"no\", [\"input.invalid\"] = \"no\" } }\n");
    check_with(root, NULL, NULL, "mid", "acme");
    assert_string_equal(js(g_rec, "status"), "review");
    const cJSON *f = find("findings", "engine.script_error");
    assert_string_equal(js(f, "severity"), "review");
    assert_null(cJSON_GetObjectItem(f, "overridden"));
    assert_null(cJSON_GetObjectItem(f, "waived_by"));
    assert_contains(js(f, "message"), "rule base.boom could not run");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, "waived")), 0);
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;

    /* an invalid claim (here: a line without units) stays rejected */
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, &err);
    assert_non_null(e);
    const char *bad = "{\"id\":\"B-1\",\"payer\":\"mid\",\"client\":\"acme\",\"lines\":"
                      "[{\"code\":\"99213\",\"service_date\":\"2026-03-02\"}]}";
    assert_int_equal(cs_check(e, bad, strlen(bad), NULL, &g_out, NULL), CS_REJECT);
    cs_engine_free(e);
    g_rec = cJSON_Parse(g_out);
    assert_non_null(g_rec);
    assert_string_equal(js(g_rec, "status"), "reject");
    assert_string_equal(js(find("findings", "input.invalid"), "message"), "lines[0].units: required field is missing");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, "waived")), 0);
    tu_rmdir(root);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_layers_order),
        T(test_waived),
        T(test_severity_override),
        T(test_highest_layer_last_word),
        T(test_no_waiving_own_rules),
        T(test_client_waives),
        T(test_waivers_follow_the_chain),
        T(test_status),
        T(test_amount_at_risk),
        T(test_client_option),
        T(test_client_without_overlay),
        T(test_unknown_payer),
        T(test_payer_option),
        T(test_engine_findings_not_waivable),
    };
    return cmocka_run_group_tests_name("merge", tests, group_setup, group_teardown);
}
