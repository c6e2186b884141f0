/*
 * test_rules.c -- the rule language: loading packs (payer{}, rule{}) with
 * exact file:line errors, and what rules do at run time (flag() and its
 * options, effective dates, the claim as scripts see it, the stdlib and the
 * sandbox's deterministic pairs/tostring).
 *
 * Every test builds its own rules root in a temporary folder: one payer "p"
 * (payers/p/payer.lua) with one script (payers/p/a.lua) unless it says
 * otherwise.  Claim JSON is written with single quotes, turned into double
 * quotes before checking.
 */
#include "testutil.h"

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"

static char *g_root;      /* the rules root of the running test */
static char *g_out;       /* the last record */
static cJSON *g_rec;      /* ... parsed */

static int setup(void **state)
{
    g_root = tu_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    cJSON_Delete(g_rec);
    g_rec = NULL;
    cs_free(g_out);
    g_out = NULL;
    tu_rmdir(g_root);
    g_root = NULL;
    return 0;
}

#define STD_PAYER "payer { id = \"p\", scripts = { \"a.lua\" } }\n"

/* ---- helpers ------------------------------------------------------------- */

static cs_engine *engine(void)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = g_root, .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("rules did not load: %s", err ? err : "(no message)");
    assert_null(err);
    return e;
}

/* An engine for the standard payer with script a.lua. */
static cs_engine *engine_for(const char *script)
{
    tu_write(g_root, "payers/p/payer.lua", STD_PAYER);
    tu_write(g_root, "payers/p/a.lua", script);
    return engine();
}

/* Check claim_sq (single-quoted JSON); the record goes to g_out/g_rec. */
static void check(cs_engine *e, const char *claim_sq)
{
    char *s = strdup(claim_sq);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    cJSON_Delete(g_rec);
    cs_free(g_out);
    size_t len = 0;
    int st = cs_check(e, s, strlen(s), NULL, &g_out, &len);
    free(s);
    assert_non_null(g_out);
    assert_int_equal(len, strlen(g_out));
    g_rec = cJSON_Parse(g_out);
    if (!g_rec) fail_msg("record is not JSON: %s", g_out);
    assert_string_equal(cs_status_name(st),
                        cJSON_GetStringValue(cJSON_GetObjectItem(g_rec, "status")));
}

/* Load script as a.lua and check one claim with it. */
static void run(const char *script, const char *claim_sq)
{
    cs_engine *e = engine_for(script);
    check(e, claim_sq);
    cs_engine_free(e);
}

/* String member k of o, "(absent)" when missing, "(not a string)" else. */
static const char *js(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v) return "(absent)";
    return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static int nfindings(const char *list)
{
    return cJSON_GetArraySize(cJSON_GetObjectItem(g_rec, list));
}

/* Finding i of "findings", failing with the record when there is none. */
static const cJSON *finding(int i)
{
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(g_rec, "findings"), i);
    if (!f) fail_msg("no finding %d in %s", i, g_out);
    return f;
}

static int jint(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v)) fail_msg("'%s' is not a number in %s", k, g_out);
    return v->valueint;
}

/* The message of finding i. */
static const char *msg(int i) { return js(finding(i), "message"); }

/* A valid one-line claim dated date. */
#define CLAIM1(date) "{'id':'C1','payer':'p','lines':[{'code':'99213','units':1," \
    "'service_date':'" date "','charge':'10.00'}]}"

/* Three lines, every kind of field the claim model has. */
static const char *RICH =
    "{'id':'C-9','payer':'p','client':'cl','place_of_service':'11',"
    "'patient':{'id':'P7','birth_date':'1950-01-31','sex':'M'},"
    "'billing_provider':{'npi':'1234567893','taxonomy':'207Q00000X'},"
    "'rendering_provider':{'npi':'1245319599'},"
    "'supervising_provider':{'npi':'1234567893'},"
    "'diagnoses':['J02.9','D51.0'],"
    "'documentation':{'supervision':'direct','signed':true},"
    "'lines':["
    "{'code':'99213','modifiers':['25','59'],'units':1,'service_date':'2026-03-02',"
    "'diagnosis_pointers':[2,1],'charge':'125.00'},"
    "{'code':'96372','units':1,'service_date':'2026-03-02','diagnosis_pointers':[1],"
    "'charge':35,'route':'subq','place_of_service':'22'},"
    "{'code':'J0696','units':4,'service_date':'2026-03-03','diagnosis_pointers':[1],"
    "'charge':'20.5','ndc':'00409-7332-01','measurements':[{'type':'R1','value':11.5}]}]}";

/* A rule x of severity deny whose check body is `body` (one line). */
#define RULE(body) "rule { id = \"x\", summary = \"s\", severity = \"deny\", " \
    "check = function(claim) " body " end }\n"

/* ---- load errors ------------------------------------------------------- */

/* A rules root (files as path/text pairs) and the exact error it must give;
 * a want ending in '*' is a prefix. */
typedef struct load_case {
    const char *files[8][2];
    const char *want;
} load_case;

#define GOOD_RULE "rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(c) end }\n"

static const load_case LOAD_CASES[] = {
    /* payer{} with an unknown key, named with the manifest's line */
    {{{"payers/p/payer.lua", "-- pack\npayer { id = \"p\", nmae = \"P\" }\n"}},
     "payers/p/payer.lua:2: unknown key 'nmae'"},
    /* the id must be the folder's name */
    {{{"payers/p/payer.lua", "payer { id = \"q\" }\n"}},
     "payers/p/payer.lua:1: id 'q' does not match its folder 'p'"},
    {{{"payers/p/payer.lua", "payer { name = \"P\" }\n"}},
     "payers/p/payer.lua:1: 'id' is required"},
    /* scripts are plain .lua names in the pack's own folder */
    {{{"payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\", \"sub/b.lua\" } }\n"},
      {"payers/p/a.lua", GOOD_RULE}},
     "payers/p/payer.lua:1: scripts[2]: 'sub/b.lua' is not a script file name in the pack's folder"},
    {{{"payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.txt\" } }\n"},
      {"payers/p/a.txt", GOOD_RULE}},
     "payers/p/payer.lua:1: scripts[1]: 'a.txt' is not a script file name in the pack's folder"},
    {{{"payers/p/payer.lua", "payer { id = \"p\", scripts = { \"gone.lua\" } }\n"}},
     "payers/p/gone.lua: cannot open: No such file or directory"},
    /* a syntax error names the script and its line */
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\n" GOOD_RULE "local y = = 1\n"}},
     "payers/p/a.lua:3: *"},
    /* rule{} declarations: each problem at the line of its rule{} */
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", sevrity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: unknown key 'sevrity'"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { summary = \"s\", severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: 'id' is required"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = 7, summary = \"s\", severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: 'id' must be a string, got number"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"engine.x\", summary = \"s\", severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: id 'engine.x' must be lower-case letters, digits, '.', '_' or '-' (and not engine.* or input.*)"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} x: 'summary' is required"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\" }\n"}},
     "payers/p/a.lua:2: rule{} x: 'check' must be a function(claim)"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"fatal\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} x: severity must be info, warn, review, deny or reject"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} x: severity must be info, warn, review, deny or reject"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", group = \"XY\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: group 'XY' is not CO, PR, OA, PI or CR"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", carc = \"97x\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: carc '97x' is not a claim adjustment reason code"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", rarc = \"15\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: rarc '15' is not a remark code"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", effective = { from = \"2026-02-30\" }, check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} effective.from: '2026-02-30' is not a YYYY-MM-DD date"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", effective = { from = \"2026-02-01\", to = \"2026-01-31\" }, check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: effective range is empty (to is before from)"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", effective = { form = \"2026-02-01\" }, check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} effective: unknown key 'form'"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = \"x\", summary = string.rep(\"s\", 201), severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{} x: summary longer than 200 bytes"},
    {{{"payers/p/payer.lua", STD_PAYER},
      {"payers/p/a.lua", "-- a\nrule { id = string.rep(\"a\", 65), summary = \"s\", severity = \"deny\", check = function(c) end }\n"}},
     "payers/p/a.lua:2: rule{}: id 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' must be lower-case letters, digits, '.', '_' or '-' (and not engine.* or input.*)"},
    /* applies_to: a table of known tests, codes as codes or ranges */
#define APPLIES(t) "-- a\nrule { id = \"x\", summary = \"s\", severity = \"deny\", applies_to = " t ", check = function(c) end }\n"
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("\"96372\"")}},
     "payers/p/a.lua:2: rule{}: 'applies_to' must be a table"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ code = { \"96372\" } }")}},
     "payers/p/a.lua:2: rule{} applies_to: unknown key 'code'"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{}")}},
     "payers/p/a.lua:2: rule{}: 'applies_to' is empty"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ codes = {} }")}},
     "payers/p/a.lua:2: rule{} applies_to.codes is empty: it holds no code"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ codes = { \"9637\" } }")}},
     "payers/p/a.lua:2: rule{} applies_to.codes: '9637' is not a 5-character code or a range like \"J9000-J9999\""},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ codes = { \"J9999-J9000\" } }")}},
     "payers/p/a.lua:2: rule{} applies_to.codes: 'J9999-J9000' is not a 5-character code or a range like \"J9000-J9999\""},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ ptp = false }")}},
     "payers/p/a.lua:2: rule{} applies_to.ptp = false: leave it out instead"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ mue = 1 }")}},
     "payers/p/a.lua:2: rule{} applies_to.mue must be true"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ pfs_status = { \"BB\" } }")}},
     "payers/p/a.lua:2: rule{} applies_to.pfs_status: entry 1 is not a one-letter status code"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", APPLIES("{ pfs_global = { 90 } }")}},
     "payers/p/a.lua:2: rule{} applies_to.pfs_global: entry 1 is not a 3-character global period"},
    /* a manifest may not declare rules */
    {{{"payers/p/payer.lua", STD_PAYER "rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(c) end }\n"},
      {"payers/p/a.lua", GOOD_RULE}},
     "payers/p/payer.lua:2: rule{} may only appear at the top level of a pack's script"},
    /* one id per pack: across its scripts, and within one script */
    {{{"payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\", \"b.lua\" } }\n"},
      {"payers/p/a.lua", "-- a\n" GOOD_RULE}, {"payers/p/b.lua", "-- b\n\n" GOOD_RULE}},
     "payers/p/b.lua:3: rule{}: id 'x' is already declared at payers/p/a.lua:2"},
    {{{"payers/p/payer.lua", STD_PAYER}, {"payers/p/a.lua", GOOD_RULE "\n" GOOD_RULE}},
     "payers/p/a.lua:3: rule{}: id 'x' is already declared at payers/p/a.lua:1"},
    /* a pack may not redeclare a rule of the pack it extends */
    {{{"payers/base/payer.lua", "payer { id = \"base\", scripts = { \"b.lua\" } }\n"},
      {"payers/base/b.lua", "-- b\n" GOOD_RULE},
      {"payers/mid/payer.lua", "payer { id = \"mid\", extends = \"base\", scripts = { \"m.lua\" } }\n"},
      {"payers/mid/m.lua", GOOD_RULE}},
     "payers/mid/m.lua:1: rule 'x' is already declared by 'base' (payers/base/b.lua:2); use a new id, or waive the old rule"},
    /* a client overlay may not redeclare any payer's rule */
    {{{"payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\" } }\n"},
      {"payers/p/a.lua", GOOD_RULE},
      {"clients/c/client.lua", "client { id = \"c\", scripts = { \"b.lua\" } }\n"},
      {"clients/c/b.lua", GOOD_RULE}},
     "clients/c/b.lua:1: rule 'x' is already declared by payer 'p' (payers/p/a.lua:1); use a new id, or waive the old rule"},
    {{{"payers/p/payer.lua", "payer { id = \"p\", extends = \"nope\" }\n"}},
     "payers/p/payer.lua: extends 'nope', but there is no payers/nope/payer.lua"},
    {{{"payers/a/payer.lua", "payer { id = \"a\", extends = \"b\" }\n"},
      {"payers/b/payer.lua", "payer { id = \"b\", extends = \"a\" }\n"}},
     "payers/a/payer.lua: extends chain loops or is deeper than 7"},
    {{{"payers/p/payer.lua", "payer { id = \"p\", extends = \"p\" }\n"}},
     "payers/p/payer.lua: extends chain loops or is deeper than 7"},
    /* exactly one payer{} in payer.lua, and no client{} */
    {{{"payers/p/payer.lua", "local x = 1\n"}},
     "payers/p/payer.lua: no payer{} declaration"},
    {{{"payers/p/payer.lua", "payer { id = \"p\" }\npayer { id = \"p\" }\n"}},
     "payers/p/payer.lua:2: payer{} may appear only once"},
    {{{"payers/p/payer.lua", "client { id = \"p\" }\n"}},
     "payers/p/payer.lua:1: client{} belongs in client.lua"},
    /* waivers need a reason, severity changes a severity */
    {{{"payers/p/payer.lua", "payer { id = \"p\", waive = { x = \"\" } }\n"}},
     "payers/p/payer.lua:1: waiver of 'x' needs a reason"},
    {{{"payers/p/payer.lua", "payer { id = \"p\", severity = { x = \"fatal\" } }\n"}},
     "payers/p/payer.lua:1: severity of 'x': 'fatal' is not info, warn, review, deny or reject"},
};

/* Loading the case's root fails with exactly its message. */
static void test_load_error(void **state)
{
    const load_case *c = *state;
    for (int i = 0; i < 8 && c->files[i][0]; i++)
        tu_write(g_root, c->files[i][0], c->files[i][1]);
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = g_root, .stdlib_dir = "stdlib"}, &err);
    if (e) { cs_engine_free(e); fail_msg("rules loaded; expected: %s", c->want); }
    if (!err) fail_msg("no message; expected: %s", c->want);
    size_t n = strlen(c->want);
    bool ok = c->want[n - 1] == '*' ? strncmp(err, c->want, n - 1) == 0 : strcmp(err, c->want) == 0;
    if (!ok) {
        print_message("  got:  %s\n  want: %s\n", err, c->want);
        cs_free(err);
        fail();
    }
    cs_free(err);
}

/* A rules root that is not a folder is an error, and err may be NULL. */
static void test_load_bad_root(void **state)
{
    char *err = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/none", g_root);
    assert_null(cs_engine_new(&(cs_options){.rules_dir = path, .stdlib_dir = "stdlib"}, &err));
    assert_contains(err, "rules root is not a directory");
    cs_free(err);
    assert_null(cs_engine_new(&(cs_options){.rules_dir = path, .stdlib_dir = "stdlib"}, NULL));
}

/* ---- flag() -------------------------------------------------------------- */

/* flag() takes a line view, a line number, or nil for the claim as a whole
 * (no "line" key, no amount); each finding's source is its flag() call. */
static void test_flag_line_forms(void **state)
{
    run("rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(claim.lines[2], \"by view\")\n"
        "  flag(3, \"by number\")\n"
        "  flag(nil, \"whole claim\")\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(js(finding(0), "rule"), "x");
    assert_string_equal(js(finding(0), "severity"), "deny");
    assert_string_equal(msg(0), "by view");
    assert_int_equal(jint(finding(0), "line"), 2);
    assert_string_equal(js(finding(0), "source"), "payers/p/a.lua:2");
    assert_string_equal(js(finding(0), "layer"), "p");
    assert_int_equal(jint(finding(1), "line"), 3);
    assert_string_equal(js(finding(1), "source"), "payers/p/a.lua:3");
    assert_string_equal(msg(2), "whole claim");
    assert_null(cJSON_GetObjectItem(finding(2), "line"));
    assert_null(cJSON_GetObjectItem(finding(2), "amount"));
    assert_string_equal(js(g_rec, "status"), "deny");
}

/* Every fix action, as it appears in the record. */
static void test_fix_actions(void **state)
{
    run("rule { id = \"x\", summary = \"s\", severity = \"review\", check = function(claim)\n"
        "  local l1 = claim.lines[1]\n"
        "  flag(l1, \"f1\", { fix = { action = \"add_modifier\", line = l1, modifier = \"GA\" } })\n"
        "  flag(1, \"f2\", { fix = { action = \"remove_modifier\", line = 1, modifier = \"59\" } })\n"
        "  flag(2, \"f3\", { fix = { action = \"replace_code\", line = claim.lines[2], code = \"96374\" } })\n"
        "  flag(3, \"f4\", { fix = { action = \"set_units\", line = 3, units = 2 } })\n"
        "  flag(2, \"f5\", { fix = { action = \"remove_line\", line = 2 } })\n"
        "  flag(nil, \"f6\", { fix = { action = \"add_line\", code = \"J0696\" } })\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 6);
    assert_contains(g_out, "\"message\":\"f1\",\"fix\":{\"action\":\"add_modifier\",\"line\":1,\"modifier\":\"GA\"}");
    assert_contains(g_out, "\"message\":\"f2\",\"fix\":{\"action\":\"remove_modifier\",\"line\":1,\"modifier\":\"59\"}");
    assert_contains(g_out, "\"message\":\"f3\",\"fix\":{\"action\":\"replace_code\",\"line\":2,\"code\":\"96374\"}");
    assert_contains(g_out, "\"message\":\"f4\",\"fix\":{\"action\":\"set_units\",\"line\":3,\"units\":2}");
    assert_contains(g_out, "\"message\":\"f5\",\"fix\":{\"action\":\"remove_line\",\"line\":2}");
    assert_contains(g_out, "\"message\":\"f6\",\"fix\":{\"action\":\"add_line\",\"code\":\"J0696\"}");
}

/* A bad fix makes the rule fail (engine.script_error, review) and records
 * nothing for it; other rules still run. */
static void test_bad_fix(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"paint\", line = 1 } }) end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"add_modifier\", line = 1 } }) end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"remove_line\", line = 4 } }) end }\n"
        "rule { id = \"d\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"add_line\", code = \"J06\" } }) end }\n"
        "rule { id = \"ok\", summary = \"s\", severity = \"info\", check = function(claim)\n"
        "  flag(nil, \"still ran\") end }\n", RICH);
    assert_int_equal(nfindings("findings"), 5);
    for (int i = 0; i < 4; i++) {
        assert_string_equal(js(finding(i), "rule"), "engine.script_error");
        assert_string_equal(js(finding(i), "severity"), "review");
    }
    assert_contains(msg(0), "rule a could not run: ");
    assert_contains(msg(0), "flag: fix.action must be add_modifier, remove_modifier, replace_code, set_units, remove_line or add_line");
    assert_contains(msg(1), "rule b could not run: ");
    assert_contains(msg(1), "flag: fix.modifier must be a two-character modifier");
    assert_contains(msg(2), "rule c could not run: ");
    assert_contains(msg(2), "flag: fix.line must be a line of this claim or a line number 1..3");
    assert_contains(msg(3), "flag: fix.code must be a 5-character procedure code");
    assert_string_equal(js(finding(4), "rule"), "ok");
    assert_string_equal(js(g_rec, "status"), "review");
}

/* Errors raised while a rule runs name the script line that caused them,
 * in the message and as the finding's source -- also for errors raised by
 * flag() and by the claim view, not only by Lua itself. */
static void test_runtime_errors_name_their_line(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  local n = 1\n"
        "  flag(1, \"m\", { fix = { action = \"add_modifier\", line = n } })\n"
        "end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  local n = 1\n"
        "  return claim.lines[n].cod\n"
        "end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  local n = 1\n"
        "  flag(9, \"m\")\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 3);
    static const char *const want[3][2] = {
        {"rule a could not run: payers/p/a.lua:3: flag: fix.modifier must be", "payers/p/a.lua:3"},
        {"rule b could not run: payers/p/a.lua:7: line has no field 'cod'", "payers/p/a.lua:7"},
        {"rule c could not run: payers/p/a.lua:11: flag: the first argument must be", "payers/p/a.lua:11"},
    };
    int bad = 0;   /* report every mismatch, then fail */
    for (int i = 0; i < 3; i++) {
        if (strstr(msg(i), want[i][0]) && !strcmp(js(finding(i), "source"), want[i][1])) continue;
        print_message("  want message %s... and source %s\n   got message %s and source %s\n",
                      want[i][0], want[i][1], msg(i), js(finding(i), "source"));
        bad++;
    }
    assert_int_equal(bad, 0);
}

/* Unknown or mistyped options fail the rule rather than being ignored. */
/* flag is strict: a numeric string is not a line number, a line may not be
 * listed twice, a fix key that does not belong to its action is refused,
 * units must be a number. */
static void test_strict_flag_arguments(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(\"1\", \"m\") end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { lines = { 1, 1 } }) end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"replace_code\", line = 1, code = \"99214\", modifier = \"25\" } }) end }\n"
        "rule { id = \"d\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"set_units\", line = 1, units = \"3\" } }) end }\n"
        "rule { id = \"e\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { fix = { action = \"add_line\", line = 1, code = \"99214\" } }) end }\n", RICH);
    assert_int_equal(nfindings("findings"), 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(js(finding(i), "rule"), "engine.script_error");
    assert_contains(msg(0), "must be a line of this claim or a line number");
    assert_contains(msg(1), "lines names line 1 twice");
    assert_contains(msg(2), "fix.modifier does not belong to action replace_code");
    assert_contains(msg(3), "fix.units must be a whole number");
    assert_contains(msg(4), "fix.line does not belong to action add_line");
}

/* A message keeps every byte it was given, NUL included. */
static void test_message_with_nul(void **state)
{
    run(RULE("flag(nil, 'a\\0b')"), RICH);
    assert_contains(g_out, "\"message\":\"a\\u0000b\"");
}

static void test_bad_opts(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { line = 2 }) end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", \"fix\") end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { lines = 2 }) end }\n"
        "rule { id = \"d\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, 42) end }\n", RICH);
    assert_int_equal(nfindings("findings"), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(js(finding(i), "rule"), "engine.script_error");
    assert_contains(msg(0), "flag: unknown key 'line'");
    assert_contains(msg(1), "flag: the third argument must be a table of options");
    assert_contains(msg(2), "flag: lines must be a list of lines");
    assert_contains(msg(3), "flag: the message must be a string");
}

/* Sources name the whole script path, however long the pack's id and the
 * script's name (ids may have 64 characters): Lua's 60-byte short_src must
 * not leak into the record as "...". */
static void test_long_paths_in_sources(void **state)
{
    const char *id = "a-payer-with-a-rather-long-id-30";
    const char *script = "a-script-with-a-long-name-too.lua";
    char rel[256], src[256], claim[512];
    snprintf(rel, sizeof rel, "payers/%s/payer.lua", id);
    snprintf(src, sizeof src, "payer { id = \"%s\", scripts = { \"%s\" } }\n", id, script);
    tu_write(g_root, rel, src);
    snprintf(rel, sizeof rel, "payers/%s/%s", id, script);
    tu_write(g_root, rel,
             "rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
             "  flag(1, \"m\")\n"
             "  error(\"boom\")\n"
             "end }\n");
    snprintf(claim, sizeof claim, "{'id':'C1','payer':'%s','lines':[{'code':'99213','units':1,"
             "'service_date':'2026-03-02'}]}", id);
    cs_engine *e = engine();
    check(e, claim);
    cs_engine_free(e);
    assert_int_equal(nfindings("findings"), 2);
    char want[256];
    snprintf(want, sizeof want, "%s:2", rel);
    assert_string_equal(js(finding(0), "source"), want);
    snprintf(want, sizeof want, "%s:3", rel);
    assert_string_equal(js(finding(1), "source"), want);
}

/* opts.lines lists further lines, in the order given. */
static void test_opts_lines(void **state)
{
    run(RULE("flag(claim.lines[1], \"m\", { lines = { claim.lines[3], 2 } })"), RICH);
    assert_int_equal(nfindings("findings"), 1);
    assert_contains(g_out, "\"line\":1,\"lines\":[3,2],\"message\":\"m\"");
}

/* The amount: the flagged line's charge by default, integer cents or a
 * decimal string when given, none for the claim as a whole. */
static void test_amounts(void **state)
{
    run("rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"default\")\n"
        "  flag(3, \"default 3\")\n"
        "  flag(1, \"cents\", { amount = 1250 })\n"
        "  flag(2, \"string\", { amount = \"12.50\" })\n"
        "  flag(nil, \"claim\")\n"
        "  flag(nil, \"claim cents\", { amount = 5 })\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 6);
    assert_string_equal(js(finding(0), "amount"), "125.00");
    assert_string_equal(js(finding(1), "amount"), "20.50");
    assert_string_equal(js(finding(2), "amount"), "12.50");
    assert_string_equal(js(finding(3), "amount"), "12.50");
    assert_string_equal(js(finding(4), "amount"), "(absent)");
    assert_string_equal(js(finding(5), "amount"), "0.05");
    /* at risk: the charges of the distinct denied lines; the claim-level
     * deny concerns every line, so the claim's total 180.50, once */
    assert_string_equal(js(g_rec, "amount_at_risk"), "180.50");
}

/* A line without a charge gives no default amount; a bad amount is a
 * script error. */
static void test_amount_absent_and_bad(void **state)
{
    run("rule { id = \"x\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"no charge\") end }\n"
        "rule { id = \"y\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { amount = 12.5 }) end }\n"
        "rule { id = \"z\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { amount = \"12.505\" }) end }\n",
        "{'id':'C1','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}");
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(js(finding(0), "amount"), "(absent)");
    assert_string_equal(js(finding(1), "rule"), "engine.script_error");
    assert_contains(msg(1), "flag: amount must be whole cents");
    assert_string_equal(js(finding(2), "rule"), "engine.script_error");
    assert_contains(msg(2), "flag: amount must be cents (integer) or a decimal string");
}

/* group/carc/rarc come from the rule, and opts may override each. */
static void test_codes_from_rule_and_opts(void **state)
{
    run("rule { id = \"x\", summary = \"s\", severity = \"deny\", group = \"CO\", carc = \"97\", rarc = \"M15\",\n"
        "  check = function(claim)\n"
        "    flag(1, \"rule codes\")\n"
        "    flag(1, \"own codes\", { group = \"PR\", carc = \"204\", rarc = \"N130\" })\n"
        "    flag(1, \"carc only\", { carc = \"B7\" })\n"
        "  end }\n"
        "rule { id = \"y\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  flag(1, \"m\", { rarc = \"m15\" }) end }\n", RICH);
    assert_int_equal(nfindings("findings"), 4);
    assert_contains(g_out, "\"message\":\"rule codes\",\"group\":\"CO\",\"carc\":\"97\",\"rarc\":\"M15\"");
    assert_contains(g_out, "\"message\":\"own codes\",\"group\":\"PR\",\"carc\":\"204\",\"rarc\":\"N130\"");
    assert_contains(g_out, "\"message\":\"carc only\",\"group\":\"CO\",\"carc\":\"B7\",\"rarc\":\"M15\"");
    assert_string_equal(js(finding(3), "rule"), "engine.script_error");
    assert_contains(msg(3), "flag: rarc 'm15' is not valid");
}

/* Findings a rule made before it failed are kept, next to the error. */
static void test_findings_before_error_kept(void **state)
{
    run(RULE("flag(1, 'before') error('after')"), RICH);
    assert_int_equal(nfindings("findings"), 2);
    assert_string_equal(msg(0), "before");
    assert_string_equal(js(finding(1), "rule"), "engine.script_error");
    assert_contains(msg(1), "rule x could not run: payers/p/a.lua:1: after");
    assert_string_equal(js(finding(1), "source"), "payers/p/a.lua:1");
}

/* Messages over 1,000 bytes are cut and end in "..."; 1,000 are kept. */
static void test_message_cut(void **state)
{
    run(RULE("flag(nil, string.rep('a', 1500)) flag(nil, string.rep('b', 1000))"), RICH);
    assert_int_equal(strlen(msg(0)), 1003);
    assert_string_equal(msg(0) + 1000, "...");
    assert_int_equal(strspn(msg(0), "a"), 1000);
    assert_int_equal(strlen(msg(1)), 1000);
}

/* At most 500 findings per claim; flagging more fails the rule, and the
 * script error is added after the 500 it kept (none is lost). */
static void test_findings_limit(void **state)
{
    run(RULE("for i = 1, 501 do flag(nil, 'm' .. i) end"), RICH);
    assert_int_equal(nfindings("findings"), 501);
    assert_string_equal(msg(0), "m1");
    assert_string_equal(msg(499), "m500");
    assert_string_equal(js(finding(500), "rule"), "engine.script_error");
    assert_contains(msg(500), "flag: more than 500 findings on one claim");
    assert_string_equal(js(finding(500), "severity"), "review");
}

/* rule{} inside a check is an error of that rule. */
static void test_rule_only_at_top_level(void **state)
{
    run(RULE("rule { id = 'y', summary = 's', severity = 'deny', check = function(c) end }"), RICH);
    assert_int_equal(nfindings("findings"), 1);
    assert_contains(msg(0), "rule{} may only appear at the top level of a pack's script");
}

/* ---- effective dates ----------------------------------------------------- */

#define EFFECTIVE_RULE(range) \
    "rule { id = \"e\", summary = \"s\", severity = \"deny\", effective = " range ",\n" \
    "  check = function(claim)\n" \
    "    flag(nil, \"ran\")\n" \
    "    for _, l in ipairs(claim.lines) do flag(l, \"line \" .. l.number) end\n" \
    "  end }\n"

#define TWO_LINES(d1, d2) "{'id':'C1','payer':'p','lines':[" \
    "{'code':'99213','units':1,'service_date':'" d1 "','charge':'1.00'}," \
    "{'code':'96372','units':1,'service_date':'" d2 "','charge':'2.00'}]}"

/* A rule in force from 2026 does not run for a claim of 2025 only. */
static void test_effective_not_yet(void **state)
{
    run(EFFECTIVE_RULE("{ from = \"2026-01-01\" }"), TWO_LINES("2025-06-01", "2025-12-31"));
    assert_int_equal(nfindings("findings"), 0);
    assert_string_equal(js(g_rec, "status"), "pass");
}

/* ... runs for a claim of 2026 ... */
static void test_effective_in_force(void **state)
{
    run(EFFECTIVE_RULE("{ from = \"2026-01-01\" }"), TWO_LINES("2026-01-01", "2026-02-01"));
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(msg(0), "ran");
    assert_string_equal(msg(1), "line 1");
    assert_string_equal(msg(2), "line 2");
}

/* ... and on a claim spanning both, its findings on lines outside the range
 * are dropped (claim-level ones are kept). */
static void test_effective_drops_lines_outside(void **state)
{
    run(EFFECTIVE_RULE("{ from = \"2026-01-01\" }"), TWO_LINES("2025-12-31", "2026-01-01"));
    assert_int_equal(nfindings("findings"), 2);
    assert_string_equal(msg(0), "ran");
    assert_string_equal(msg(1), "line 2");
    /* the claim-level deny ("ran") concerns both lines */
    assert_string_equal(js(g_rec, "amount_at_risk"), "3.00");
}

/* `to` is inclusive and closes the range. */
static void test_effective_to(void **state)
{
    cs_engine *e = engine_for(EFFECTIVE_RULE("{ to = \"2025-12-31\" }"));
    check(e, TWO_LINES("2026-01-01", "2026-01-02"));
    assert_int_equal(nfindings("findings"), 0);
    check(e, TWO_LINES("2025-12-31", "2026-01-01"));
    assert_int_equal(nfindings("findings"), 2);
    assert_string_equal(msg(1), "line 1");
    cs_engine_free(e);
}

/* ---- the claim as scripts see it --------------------------------------- */

/* Every field of the claim model reads back as normalised: codes and
 * dates as strings, charges in integer cents, absent values nil. */
static void test_claim_fields(void **state)
{
    run("rule { id = \"f\", summary = \"s\", severity = \"info\", check = function(claim)\n"
        "  local p, b, r, s = claim.patient, claim.billing_provider, claim.rendering_provider, claim.supervising_provider\n"
        "  local d = claim.documentation\n"
        "  flag(nil, table.concat({ claim.id, claim.payer, claim.client, claim.place_of_service,\n"
        "    p.id, p.birth_date, p.sex, b.npi, b.taxonomy, r.npi, tostring(r.taxonomy), s.npi,\n"
        "    #claim.diagnoses, claim.diagnoses[1], claim.diagnoses[2], tostring(claim.diagnoses[3]),\n"
        "    d.supervision, d.signed, tostring(d.absent), #claim.lines }, \"|\"))\n"
        "  local l1, l2, l3 = claim.lines[1], claim.lines[2], claim.lines[3]\n"
        "  flag(nil, table.concat({ l1.code, #l1.modifiers, l1.modifiers[1], l1.modifiers[2],\n"
        "    tostring(l1.modifiers[3]), l1.units, l1.service_date, l1.number,\n"
        "    #l1.diagnosis_pointers, l1.diagnosis_pointers[1], l1.diagnoses[1], l1.diagnoses[2],\n"
        "    l1.charge, tostring(l1.route), tostring(l1.ndc), tostring(l1.place_of_service),\n"
        "    #l1.measurements }, \"|\"))\n"
        "  flag(nil, table.concat({ l2.route, l2.place_of_service, l2.charge, l2.number,\n"
        "    l3.ndc, l3.charge, l3.units, l3.service_date, #l3.measurements,\n"
        "    l3.measurements[1].type, l3.measurements[1].value, tostring(claim.lines[4]) }, \"|\"))\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(msg(0), "C-9|p|cl|11|P7|1950-01-31|M|1234567893|207Q00000X|1245319599|nil|"
                                "1234567893|2|J02.9|D51.0|nil|direct|true|nil|3");
    assert_string_equal(msg(1), "99213|2|25|59|nil|1|2026-03-02|1|2|2|D51.0|J02.9|12500|nil|nil|nil|0");
    assert_string_equal(msg(2), "SC|22|3500|2|00409733201|2050|4|2026-03-03|1|R1|11.5|nil");
}

/* Optional parts of a minimal claim read as nil, lists as empty. */
static void test_claim_fields_absent(void **state)
{
    run(RULE("flag(nil, table.concat({ tostring(claim.patient), tostring(claim.billing_provider), "
             "tostring(claim.client), tostring(claim.place_of_service), #claim.diagnoses, "
             "tostring(claim.documentation.x), tostring(claim.lines[1].charge), "
             "#claim.lines[1].modifiers }, '|'))"),
        "{'id':'M1','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}");
    assert_int_equal(nfindings("findings"), 1);
    assert_string_equal(msg(0), "nil|nil|nil|nil|0|nil|nil|0");
}

/* Reading a field the model does not have fails the rule, naming the
 * field; so does writing to the claim. */
static void test_unknown_field(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  local x = claim.foo end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  local x = claim.patient.name end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  claim.lines[1].units = 2 end }\n", RICH);
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(js(finding(0), "rule"), "engine.script_error");
    assert_contains(msg(0), "rule a could not run: ");
    assert_contains(msg(0), "claim has no field 'foo'");
    assert_contains(msg(1), "claim.patient has no field 'name'");
    assert_contains(msg(2), "the claim is read-only: cannot set line.units");
    assert_string_equal(js(g_rec, "status"), "review");
}

/* Each claim gets its own values even though the objects are reused: a
 * claim with fewer lines, fields and parts than the one before shows none
 * of the earlier claim's. */
static void test_views_reused_across_claims(void **state)
{
    cs_engine *e = engine_for(
        "rule { id = \"f\", summary = \"s\", severity = \"info\", check = function(claim)\n"
        "  local l2 = claim.lines[2]\n"
        "  flag(nil, table.concat({ claim.id, #claim.lines, tostring(l2), tostring(claim.patient),\n"
        "    tostring(claim.client), #claim.diagnoses, tostring(claim.diagnoses[2]),\n"
        "    #claim.lines[1].modifiers, tostring(claim.lines[1].modifiers[1]),\n"
        "    tostring(claim.lines[1].charge), tostring(claim.documentation.supervision),\n"
        "    l2 and tostring(l2.route) or '-', l2 and #l2.measurements or '-' }, '|'))\n"
        "end }\n");
    static const char *const MIN =
        "{'id':'M1','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}";
    check(e, RICH);
    assert_string_equal(msg(0), "C-9|3|line 2 (96372)|claim.patient|cl|2|D51.0|2|25|12500|direct|SC|0");
    check(e, MIN);
    assert_string_equal(msg(0), "M1|1|nil|nil|nil|0|nil|0|nil|nil|nil|-|-");
    check(e, RICH);
    assert_string_equal(msg(0), "C-9|3|line 2 (96372)|claim.patient|cl|2|D51.0|2|25|12500|direct|SC|0");
    cs_engine_free(e);
}

/* ---- applies_to: rules the engine skips without calling them ----------- */

/* A rule flags "ran" when called; applies_to decides whether it is. */
#define RAN(t) "rule { id = \"x\", summary = \"s\", severity = \"info\", applies_to = " t ", " \
    "check = function(claim) flag(nil, 'ran') end }\n"

/* One claim per line code (single-quoted JSON): did the rule run? */
static bool ran_for(cs_engine *e, const char *lines_sq)
{
    char claim[2048];
    snprintf(claim, sizeof claim, "{'id':'T','payer':'p','diagnoses':['J02.9'],'lines':[%s]}", lines_sq);
    check(e, claim);
    return nfindings("findings") == 1 && !strcmp(msg(0), "ran");
}

#define LINE(code, date, units) "{'code':'" code "','units':" #units ",'service_date':'" date "','diagnosis_pointers':[1]}"

/* applies_to.codes: any line's code among the codes and ranges, given as
 * a list or as a set (a stdlib list included). */
static void test_applies_to_codes(void **state)
{
    cs_engine *e = engine_for(RAN("{ codes = { \"96372\", \"J9000-J9999\", \"q5106\" } }"));
    assert_true(ran_for(e, LINE("99213", "2026-03-02", 1) "," LINE("96372", "2026-03-02", 1)));
    assert_true(ran_for(e, LINE("J9217", "2026-03-02", 1)));
    assert_true(ran_for(e, LINE("J9000", "2026-03-02", 1)));
    assert_true(ran_for(e, LINE("Q5106", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("J8999", "2026-03-02", 1) "," LINE("99213", "2026-03-02", 1)));
    assert_int_equal(nfindings("findings"), 0);
    assert_string_equal(js(g_rec, "status"), "pass");
    cs_engine_free(e);
    e = engine_for("local codes = require \"codes\"\n" RAN("{ codes = codes.EM }"));
    assert_true(ran_for(e, LINE("99499", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("99500", "2026-03-02", 1)));
    cs_engine_free(e);
    e = engine_for(RAN("{ codes = { [\"96372\"] = true } }"));
    assert_true(ran_for(e, LINE("96372", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("96373", "2026-03-02", 1)));
    cs_engine_free(e);
}

/* Data tests, on the starter data set: each holds exactly when the data
 * say so; tests given together must all hold. */
static void test_applies_to_data(void **state)
{
    cs_engine *e = engine_for(RAN("{ ptp = true }"));
    /* 96372/99211: an edit, on one date only */
    assert_true(ran_for(e, LINE("99211", "2026-03-02", 1) "," LINE("96372", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("99211", "2026-03-02", 1) "," LINE("96372", "2026-03-03", 1)));
    assert_false(ran_for(e, LINE("99211", "2026-03-02", 1)));
    cs_engine_free(e);
    e = engine_for(RAN("{ mue = true }"));
    /* 96372: MUE 4, units summed over the lines of a date */
    assert_false(ran_for(e, LINE("96372", "2026-03-02", 4)));
    assert_true(ran_for(e, LINE("96372", "2026-03-02", 5)));
    assert_true(ran_for(e, LINE("96372", "2026-03-02", 2) "," LINE("96372", "2026-03-02", 3)));
    assert_false(ran_for(e, LINE("96372", "2026-03-02", 2) "," LINE("96372", "2026-03-03", 3)));
    cs_engine_free(e);
    e = engine_for(RAN("{ aoc = true }"));
    assert_true(ran_for(e, LINE("90472", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("90471", "2026-03-02", 1)));
    cs_engine_free(e);
    e = engine_for(RAN("{ hcpcs = true }"));
    assert_true(ran_for(e, LINE("J0000", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("J3420", "2026-03-02", 1) "," LINE("99213", "2026-03-02", 1)));
    cs_engine_free(e);
    e = engine_for(RAN("{ pfs_status = { \"B\", \"N\" } }"));
    assert_true(ran_for(e, LINE("99070", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("96372", "2026-03-02", 1)));
    cs_engine_free(e);
    e = engine_for(RAN("{ pfs_global = { \"090\" }, codes = { \"99201-99499\" } }"));
    assert_true(ran_for(e, LINE("27447", "2026-03-02", 1) "," LINE("99213", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("27447", "2026-03-02", 1)));
    assert_false(ran_for(e, LINE("20610", "2026-03-02", 1) "," LINE("99213", "2026-03-02", 1)));
    cs_engine_free(e);
}

/* applies_to.icd10: a diagnosis missing from ICD-10-CM or not billable. */
static void test_applies_to_icd10(void **state)
{
    cs_engine *e = engine_for(RAN("{ icd10 = true }"));
    check(e, "{'id':'T','payer':'p','diagnoses':['D51.0'],'lines':[" LINE("J3420", "2026-03-02", 1) "]}");
    assert_int_equal(nfindings("findings"), 0);
    check(e, "{'id':'T','payer':'p','diagnoses':['D51'],'lines':[" LINE("J3420", "2026-03-02", 1) "]}");
    assert_string_equal(msg(0), "ran");
    check(e, "{'id':'T','payer':'p','diagnoses':['D51.0','Q99.9'],'lines':[" LINE("J3420", "2026-03-02", 1) "]}");
    assert_string_equal(msg(0), "ran");
    cs_engine_free(e);
}

/* ---- stdlib and the sandbox -------------------------------------------- */

/* require "codes" and "lines" give the stdlib modules. */
static void test_stdlib_require(void **state)
{
    run("local codes = require \"codes\"\n"
        "local lines = require(\"lines\")\n"
        "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(claim)\n"
        "  local l1 = claim.lines[1]\n"
        "  flag(nil, tostring(codes.is_em_office(l1.code)) .. \"|\" .. tostring(codes.is_em_office(\"96372\"))\n"
        "    .. \"|\" .. tostring(lines.has_modifier(l1, \"59\")) .. \"|\" .. tostring(lines.has_modifier(l1, \"GA\"))\n"
        "    .. \"|\" .. #lines.select(claim, codes.is_injection_sc_im)\n"
        "    .. \"|\" .. select(2, lines.any_on(claim, \"2026-03-03\", codes.is_drug_supply)).code)\n"
        "end }\n", RICH);
    assert_int_equal(nfindings("findings"), 1);
    assert_string_equal(msg(0), "true|false|true|false|1|J0696");
}

/* Modules are read-only: writing to one fails the rule. */
static void test_modules_read_only(void **state)
{
    run("rule { id = \"a\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  require(\"codes\").x = 1 end }\n"
        "rule { id = \"b\", summary = \"s\", severity = \"deny\", check = function(claim)\n"
        "  rawset(require(\"lines\"), \"select\", nil) end }\n"
        "rule { id = \"c\", summary = \"s\", severity = \"info\", check = function(claim)\n"
        "  flag(nil, type(require(\"lines\").select)) end }\n", RICH);
    assert_int_equal(nfindings("findings"), 3);
    assert_string_equal(js(finding(0), "rule"), "engine.script_error");
    assert_contains(msg(0), "attempt to modify read-only table (key 'x')");
    assert_string_equal(js(finding(1), "rule"), "engine.script_error");
    assert_contains(msg(1), "attempt to modify read-only table");
    assert_string_equal(msg(2), "function");
}

/* pairs() visits keys in a fixed order: numbers, then strings, sorted. */
static void test_pairs_sorted(void **state)
{
    run(RULE("local s = '' "
             "for k in pairs({ b = 1, a = 2, c = 3 }) do s = s .. k end "
             "s = s .. '|' "
             "for k, v in pairs({ z = 1, [2] = 'two', y = 2, [1] = 'one' }) do s = s .. k .. '=' .. v .. ';' end "
             "flag(nil, s)"), RICH);
    assert_int_equal(nfindings("findings"), 1);
    assert_string_equal(msg(0), "abc|1=one;2=two;y=2;z=1;");
}

/* tostring() and string.format("%s") never show an address. */
static void test_tostring_no_address(void **state)
{
    run(RULE("flag(nil, tostring({}) .. '|' .. tostring(function() end) .. '|' .. "
             "string.format('%s', {}) .. '|' .. tostring(claim.lines[2]))"), RICH);
    assert_int_equal(nfindings("findings"), 1);
    assert_string_equal(msg(0), "table|function|table|line 2 (96372)");
}

/* A script's top level runs afresh for every claim: nothing carries over. */
static void test_no_state_between_claims(void **state)
{
    cs_engine *e = engine_for("local seen = {}\n"
                              "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(claim)\n"
                              "  seen[#seen + 1] = claim.id\n"
                              "  flag(nil, table.concat(seen, \",\"))\n"
                              "end }\n");
    /* a table made at the top level is read-only once the script is loaded */
    check(e, CLAIM1("2026-03-02"));
    assert_string_equal(js(finding(0), "rule"), "engine.script_error");
    assert_contains(msg(0), "payers/p/a.lua:3: attempt to modify read-only table (index 1)");
    check(e, "{'id':'C2','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}");
    assert_contains(msg(0), "attempt to modify read-only table (index 1)");
    cs_engine_free(e);
    /* a local of the top level may be reassigned, but each claim starts
     * from its value at load: every claim counts 1 */
    e = engine_for("local n = 0\n"
                   "local function bump() n = n + 1; return n end\n"
                   "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(claim)\n"
                   "  local t = {}; t[1] = claim.id\n"
                   "  flag(nil, t[1] .. \" n=\" .. bump())\n"
                   "end }\n");
    check(e, CLAIM1("2026-03-02"));
    assert_string_equal(msg(0), "C1 n=1");
    check(e, "{'id':'C2','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}");
    assert_string_equal(msg(0), "C2 n=1");
    cs_engine_free(e);
}

/* Locals of the top level that are nil at load (a memo, say) may be set in
 * check and come back nil for the next claim. */
static void test_nil_upvalues_reset(void **state)
{
    cs_engine *e = engine_for("local memo_claim, memo_value\n"
                              "local function value(claim)\n"
                              "  if memo_claim == claim then return memo_value .. \" (memo)\" end\n"
                              "  local before = tostring(memo_value)\n"
                              "  memo_claim, memo_value = claim, claim.id\n"
                              "  return memo_value .. \" before=\" .. before\n"
                              "end\n"
                              "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(claim)\n"
                              "  flag(nil, value(claim)) end }\n"
                              "rule { id = \"y\", summary = \"s\", severity = \"info\", check = function(claim)\n"
                              "  flag(nil, value(claim)) end }\n");
    check(e, CLAIM1("2026-03-02"));
    assert_string_equal(msg(0), "C1 before=nil");
    assert_string_equal(msg(1), "C1 (memo)");
    check(e, "{'id':'C2','payer':'p','lines':[{'code':'99213','units':1,'service_date':'2026-03-02'}]}");
    assert_string_equal(msg(0), "C2 before=nil");
    assert_string_equal(msg(1), "C2 (memo)");
    cs_engine_free(e);
}

/* A metatable built at the top level still works from check (the sealed,
 * read-only form is used); an object with a metatable cannot be kept at
 * the top level. */
static void test_metatables_and_sealing(void **state)
{
    cs_engine *e = engine_for("local Point = {}\n"
                              "Point.__index = Point\n"
                              "function Point.new(x) return setmetatable({ x = x }, Point) end\n"
                              "function Point:double() return self.x * 2 end\n"
                              "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(claim)\n"
                              "  local p = Point.new(21)\n"
                              "  flag(nil, \"x2=\" .. p:double() .. \" ro=\" .. tostring(pcall(function() getmetatable(p).y = 1 end)))\n"
                              "end }\n");
    check(e, CLAIM1("2026-03-02"));
    assert_string_equal(msg(0), "x2=42 ro=false");
    cs_engine_free(e);

    char *root = tu_tmpdir(), *err = NULL;
    tu_write(root, "payers/p/payer.lua", "payer { id = \"p\", scripts = { \"a.lua\" } }\n");
    tu_write(root, "payers/p/a.lua", "local obj = setmetatable({}, { __index = function() return 1 end })\n"
                                     "rule { id = \"x\", summary = \"s\", severity = \"info\", check = function(c) return obj end }\n");
    assert_null(cs_engine_new(&(cs_options){.rules_dir = root, .stdlib_dir = "stdlib"}, &err));
    assert_contains(err, "payers/p/a.lua: a table with a metatable is kept at the top level");
    cs_free(err);
    tu_rmdir(root);
}

/* ---- main ---------------------------------------------------------------- */

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        T(test_load_bad_root),
        T(test_flag_line_forms),
        T(test_fix_actions),
        T(test_bad_fix),
        T(test_runtime_errors_name_their_line),
        T(test_bad_opts),
        T(test_strict_flag_arguments),
        T(test_message_with_nul),
        T(test_long_paths_in_sources),
        T(test_opts_lines),
        T(test_findings_before_error_kept),
        T(test_message_cut),
        T(test_findings_limit),
        T(test_rule_only_at_top_level),
        T(test_amounts),
        T(test_amount_absent_and_bad),
        T(test_codes_from_rule_and_opts),
        T(test_effective_not_yet),
        T(test_effective_in_force),
        T(test_effective_drops_lines_outside),
        T(test_effective_to),
        T(test_claim_fields),
        T(test_claim_fields_absent),
        T(test_unknown_field),
        T(test_views_reused_across_claims),
        T(test_applies_to_codes),
        T(test_applies_to_data),
        T(test_applies_to_icd10),
        T(test_stdlib_require),
        T(test_modules_read_only),
        T(test_pairs_sorted),
        T(test_tostring_no_address),
        T(test_no_state_between_claims),
        T(test_metatables_and_sealing),
        T(test_nil_upvalues_reset),
    };
    enum { NLOAD = sizeof LOAD_CASES / sizeof *LOAD_CASES, NFIXED = sizeof fixed / sizeof *fixed };
    static struct CMUnitTest tests[NLOAD + NFIXED];
    static char names[NLOAD][160];
    for (int i = 0; i < NLOAD; i++) {
        /* name each case by its expected message, so a failure says which */
        snprintf(names[i], sizeof names[i], "load_error %02d: %s", i + 1, LOAD_CASES[i].want);
        tests[i] = (struct CMUnitTest){
            .name = names[i], .test_func = test_load_error,
            .setup_func = setup, .teardown_func = teardown,
            .initial_state = (void *)&LOAD_CASES[i],
        };
    }
    for (int i = 0; i < NFIXED; i++) tests[NLOAD + i] = fixed[i];
    return _cmocka_run_group_tests("rules", tests, NLOAD + NFIXED, NULL, NULL);
}
