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

#include <stdbool.h>

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
    /* money and primary reasons (tests below the layering ones) */
    tu_write(g_root, "payers/money/payer.lua",
             "payer { id = \"money\", scripts = { \"m.lua\" } }\n");
    tu_write(g_root, "payers/money/m.lua",
             /* a finding whose amount is its lines' (an MUE over several lines) */
             "rule { id = \"money.group\", summary = \"s\", severity = \"deny\", check = function(c)\n"
             "  local sum = 0; for _, l in ipairs(c.lines) do sum = sum + (l.charge or 0) end\n"
             "  flag(#c.lines, \"group\", { lines = c.lines, amount = sum }) end }\n"
             /* and a claim-level one with the claim's total (a diagnosis no line points at) */
             "rule { id = \"money.claim\", summary = \"s\", severity = \"deny\", check = function(c)\n"
             "  local sum = 0; for _, l in ipairs(c.lines) do sum = sum + (l.charge or 0) end\n"
             "  flag(nil, \"claim\", { amount = sum }) end }\n");
    tu_write(g_root, "payers/prim/payer.lua",
             "payer { id = \"prim\", scripts = { \"p.lua\" } }\n");
    tu_write(g_root, "payers/prim/p.lua",
             "rule { id = \"prim.a\", summary = \"s\", severity = \"review\", check = function(c) flag(2, \"a\") end }\n"
             "rule { id = \"prim.b\", summary = \"s\", severity = \"deny\", check = function(c) flag(2, \"b\") end }\n"
             "rule { id = \"prim.c\", summary = \"s\", severity = \"deny\", check = function(c) flag(2, \"c\") end }\n"
             "rule { id = \"prim.w\", summary = \"s\", severity = \"warn\", check = function(c) flag(1, \"w\") end }\n");
    tu_write(g_root, "clients/primx/client.lua",
             "client { id = \"primx\", scripts = { \"x.lua\" } }\n");
    tu_write(g_root, "clients/primx/x.lua",
             "rule { id = \"primx.z\", summary = \"s\", severity = \"deny\", check = function(c) flag(2, \"z\") end }\n");
    tu_write(g_root, "payers/prim2/payer.lua",
             "payer { id = \"prim2\", scripts = { \"p.lua\" } }\n");
    tu_write(g_root, "payers/prim2/p.lua",
             "rule { id = \"prim2.claim\", summary = \"s\", severity = \"deny\", check = function(c) flag(nil, \"all\") end }\n"
             "rule { id = \"prim2.own\", summary = \"s\", severity = \"deny\", check = function(c) flag(2, \"own\") end }\n"
             "rule { id = \"prim2.low\", summary = \"s\", severity = \"review\", check = function(c) flag(3, \"low\") end }\n"
             "rule { id = \"prim2.info\", summary = \"s\", severity = \"info\", check = function(c) flag(nil, \"note\") end }\n");
    /* $0.00 lines: the rule's verdicts by documentation.case */
    tu_write(g_root, "payers/zero/payer.lua",
             "payer { id = \"zero\", scripts = { \"z.lua\" } }\n");
    tu_write(g_root, "payers/zero/z.lua",
             "rule { id = \"zero.line\", summary = \"s\", severity = \"deny\", check = function(c)\n"
             "  local k = c.documentation.case\n"
             "  if k == \"line\" then flag(1, \"retired CPT II code\") end\n"
             "  if k == \"pair\" then flag(1, \"bundled into line 2\", { lines = { 1, 2 } }) end\n"
             "  if k == \"both\" then flag(1, \"both lines\", { lines = { 1, 2 }, amount = c.lines[2].charge }) end\n"
             "  if k == \"nocharge\" then flag(3, \"no charge known\") end\n"
             "  if k == \"claim\" then flag(nil, \"claim level\") end\n"
             "  if k == \"amount\" then flag(1, \"explicit amount\", { amount = \"5.00\" }) end\n"
             "end }\n");
    tu_write(g_root, "clients/strictz/client.lua",
             "client { id = \"strictz\", severity = { [\"zero.line\"] = \"reject\" } }\n");
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

/* ---- money, primary reasons, $0.00 lines -------------------------------- */

/* Check claim JSON (complete) on the group's root for its payer. */
static void check_json(const char *claim)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = g_root, .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("rules did not load: %s", err);
    int st = cs_check(e, claim, strlen(claim), NULL, &g_out, NULL);
    cs_engine_free(e);
    assert_non_null(g_out);
    g_rec = cJSON_Parse(g_out);
    if (!g_rec) fail_msg("record is not JSON: %s", g_out);
    assert_string_equal(cs_status_name(st), js(g_rec, "status"));
}

static void reset_rec(void)
{
    cJSON_Delete(g_rec); g_rec = NULL; cs_free(g_out); g_out = NULL;
}

/* Cents of a money string "12.34". */
static long long cents(const char *s)
{
    long long whole = 0, frac = 0;
    if (sscanf(s, "%lld.%2lld", &whole, &frac) != 2) fail_msg("not money: %s", s);
    return whole * 100 + frac;
}

/* The invariant of every record: "lines" lists every line once, in order;
 * their amounts add up to amount_at_risk, each is 0 or the line's charge,
 * and so the sum never exceeds the claim's total charge (charges given in
 * cents, n of them). */
static void assert_money_invariant(const long long *charge, int n)
{
    const cJSON *l, *lines = cJSON_GetObjectItem(g_rec, "lines");
    long long sum = 0, total = 0;
    int i = 0;
    cJSON_ArrayForEach(l, lines) {
        assert_int_equal(cJSON_GetObjectItem(l, "line")->valueint, i + 1);
        long long a = cents(js(l, "amount"));
        if (a != 0 && a != charge[i]) fail_msg("line %d: amount %lld, charge %lld\n%s", i + 1, a, charge[i], g_out);
        const char *st = js(l, "status");
        bool denied = !strcmp(st, "deny") || !strcmp(st, "reject");
        if (denied != (a == charge[i]) && charge[i] != 0)
            fail_msg("line %d: status %s with amount %lld\n%s", i + 1, st, a, g_out);
        sum += a;
        total += charge[i];
        i++;
    }
    assert_int_equal(i, n);
    assert_int_equal(sum, cents(js(g_rec, "amount_at_risk")));
    assert_true(sum <= total);
}

static const long long CHARGES[3] = {10000, 3000, 700};

/* A finding over several lines (its amount theirs) and a claim-level one
 * with the claim's total: at risk is the union, the claim's total once
 * (before: 137.00 for the lines plus 137.00 for the claim). */
static void test_at_risk_is_a_union_of_lines(void **state)
{
    check_claim("money", NULL);
    assert_string_equal(js(g_rec, "status"), "deny");
    assert_string_equal(js(find("findings", "money.group"), "amount"), "137.00");
    assert_string_equal(js(find("findings", "money.claim"), "amount"), "137.00");
    assert_string_equal(js(g_rec, "amount_at_risk"), "137.00");
    assert_money_invariant(CHARGES, 3);
    /* every line is denied by the group finding (its money lines) */
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(g_rec, "lines")) {
        assert_string_equal(js(l, "status"), "deny");
        assert_string_equal(js(l, "primary"), "money.group");
    }
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(find("findings", "money.group"), "primary")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "money.claim"), "primary")));
}

/* One primary reason per line: the most severe finding, the first of equals
 * in layer then rule order; the record lists every line in claim order. */
static void test_primary_reason_per_line(void **state)
{
    check_claim("prim", "primx");
    assert_contains(g_out, "\"format\":2,");
    assert_contains(g_out, "\"amount_at_risk\":\"30.00\",\"lines\":["
                    "{\"line\":1,\"status\":\"warn\",\"primary\":\"prim.w\",\"amount\":\"0.00\"},"
                    "{\"line\":2,\"status\":\"deny\",\"primary\":\"prim.b\",\"amount\":\"30.00\"},"
                    "{\"line\":3,\"status\":\"pass\",\"amount\":\"0.00\"}]");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "prim.a"), "primary")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(find("findings", "prim.b"), "primary")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "prim.c"), "primary")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "primx.z"), "primary")));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(find("findings", "prim.w"), "primary")));
    assert_money_invariant(CHARGES, 3);
}

/* A claim-level deny concerns every line (each is at risk, the claim's
 * total once); a line's own finding of the same severity stays its primary
 * reason; claim-level findings below deny touch no line. */
static void test_claim_level_deny_covers_every_line(void **state)
{
    check_claim("prim2", NULL);
    assert_contains(g_out, "\"amount_at_risk\":\"137.00\",\"lines\":["
                    "{\"line\":1,\"status\":\"deny\",\"primary\":\"prim2.claim\",\"amount\":\"100.00\"},"
                    "{\"line\":2,\"status\":\"deny\",\"primary\":\"prim2.own\",\"amount\":\"30.00\"},"
                    "{\"line\":3,\"status\":\"deny\",\"primary\":\"prim2.claim\",\"amount\":\"7.00\"}]");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "prim2.info"), "primary")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(find("findings", "prim2.low"), "primary")));
    assert_money_invariant(CHARGES, 3);
}

/* A claim for payer zero: line 1 charged 0.00, line 2 35.00, line 3 with
 * no charge; documentation.case picks what the rule flags. */
static void check_zero(const char *kase, const char *client, const char *npi)
{
    char claim[1024];
    snprintf(claim, sizeof claim,
             "{\"id\":\"Z-1\",\"payer\":\"zero\",%s%s%s%s%s\"documentation\":{\"case\":\"%s\"},\"lines\":["
             "{\"code\":\"3074F\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"0.00\"},"
             "{\"code\":\"99213\",\"units\":1,\"service_date\":\"2026-03-02\",\"charge\":\"35.00\"},"
             "{\"code\":\"3078F\",\"units\":1,\"service_date\":\"2026-03-02\"}]}",
             client ? "\"client\":\"" : "", client ? client : "", client ? "\"," : "",
             npi ? "\"billing_provider\":{\"npi\":\"" : "",
             npi ? "1234567890\"}," : "", kase);
    check_json(claim);
}

static const long long ZERO_CHARGES[3] = {0, 3500, 0};

/* Severity follows harm: a deny on a line charged 0.00 is reported as warn,
 * its original severity kept in "downgraded"; nothing is at risk. */
static void test_zero_charge_line_is_warn(void **state)
{
    check_zero("line", NULL, NULL);
    assert_string_equal(js(g_rec, "status"), "warn");
    assert_string_equal(js(g_rec, "amount_at_risk"), "0.00");
    const cJSON *f = find("findings", "zero.line");
    assert_string_equal(js(f, "severity"), "warn");
    assert_contains(g_out, "\"downgraded\":{\"from\":\"deny\",\"because\":\"zero_charge\"}");
    assert_contains(g_out, "{\"line\":1,\"status\":\"warn\",\"primary\":\"zero.line\",\"amount\":\"0.00\"}");
    assert_money_invariant(ZERO_CHARGES, 3);
    reset_rec();
    /* a related line named without its money (a PTP pair) does not count */
    check_zero("pair", NULL, NULL);
    assert_string_equal(js(find("findings", "zero.line"), "severity"), "warn");
    reset_rec();
    /* an overlay's severity is applied first, then the harm: reject -> warn,
     * both changes visible */
    check_zero("line", "strictz", NULL);
    f = find("findings", "zero.line");
    assert_string_equal(js(f, "severity"), "warn");
    assert_contains(g_out, "\"overridden\":{\"from\":\"deny\",\"by\":\"strictz\"},"
                    "\"downgraded\":{\"from\":\"reject\",\"because\":\"zero_charge\"}");
}

/* What keeps its severity: a finding whose money includes a charged line,
 * one on a line without a known charge, a claim-level one, one with an
 * amount of its own, and the engine's input.* findings. */
static void test_zero_charge_what_stays(void **state)
{
    static const char *const kept[] = {"both", "nocharge", "claim", "amount"};
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        check_zero(kept[i], NULL, NULL);
        const cJSON *f = find("findings", "zero.line");
        if (strcmp(js(f, "severity"), "deny")) fail_msg("case %s: %s", kept[i], g_out);
        assert_null(cJSON_GetObjectItem(f, "downgraded"));
        assert_string_equal(js(g_rec, "status"), "deny");
        assert_money_invariant(ZERO_CHARGES, 3);
        reset_rec();
    }
    /* a claim of $0.00 lines with a bad NPI: still rejected */
    check_zero("none", NULL, "bad");
    assert_string_equal(js(g_rec, "status"), "reject");
    assert_string_equal(js(find("findings", "input.npi_check_digit"), "severity"), "reject");
    assert_string_equal(js(g_rec, "amount_at_risk"), "35.00");
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
        T(test_at_risk_is_a_union_of_lines),
        T(test_primary_reason_per_line),
        T(test_claim_level_deny_covers_every_line),
        T(test_zero_charge_line_is_warn),
        T(test_zero_charge_what_stays),
    };
    return cmocka_run_group_tests_name("merge", tests, group_setup, group_teardown);
}
