/*
 * test_toolkit.c -- the analyst's toolkit: `claimscrub test`, `claimscrub
 * rules` and cs_engine_rules.
 *
 * A temporary rules root holds payer "tk" (two rules: tk.units denies a
 * line of more than 3 units; tk.charge warns on a line over 1000.00 (charge is in cents), from
 * 2025-01-01) with passing cases in payers/tk/tests, and client overlay
 * "acme" (waives tk.units, turns tk.charge into info) whose cases in
 * clients/acme/tests partly fail.  Runs build/claimscrub (or $CLAIMSCRUB)
 * from the repository root with fork/exec.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "claimscrub.h"

static char *g_root;

typedef tu_result result;


/* Run the tool with args (NULL-terminated), output to files in g_root. */
static result run_cli(const char *const *args)
{
    return tu_run_cli(g_root, NULL, args);
}

#define RUN(...) run_cli((const char *const[]){__VA_ARGS__, NULL})

static void done(result *r) { tu_result_free(r); }

static void expect(const result *r, int status)
{
    if (r->status != status)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s",
                 r->status, status, r->out, r->err);
}

/* The last line of s (without its newline), in a static buffer. */
static const char *last_line(const char *s)
{
    static char buf[256];
    size_t n = strlen(s);
    while (n && s[n - 1] == '\n') n--;
    size_t b = n;
    while (b && s[b - 1] != '\n') b--;
    snprintf(buf, sizeof buf, "%.*s", (int)(n - b), s + b);
    return buf;
}

/* A test-case claim for payer tk (client: NULL for none), one line. */
#define CLAIM(client, units, charge) \
    "{\"id\":\"C1\",\"payer\":\"tk\"" client "," \
    "\"patient\":{\"id\":\"P1\",\"birth_date\":\"1980-01-01\",\"sex\":\"F\"}," \
    "\"billing_provider\":{\"npi\":\"1234567893\"},\"place_of_service\":\"11\"," \
    "\"diagnoses\":[\"D51.0\"],\"lines\":[{\"code\":\"99213\",\"units\":" units "," \
    "\"service_date\":\"2026-03-02\",\"charge\":\"" charge "\",\"diagnosis_pointers\":[1]}]}"
#define NOCLIENT ""
#define ACME ",\"client\":\"acme\""

static int group_setup(void **state)
{
    g_root = tu_tmpdir();
    tu_write(g_root, "payers/tk/payer.lua",
             "payer { id = \"tk\", name = \"Toolkit\", scripts = { \"r.lua\" } }\n");
    tu_write(g_root, "payers/tk/r.lua",
             "rule { id = \"tk.units\", summary = \"too many units\", severity = \"deny\",\n"
             "  group = \"CO\", carc = \"151\", rarc = \"N362\",\n"
             "  check = function(claim)\n"
             "    for _, l in ipairs(claim.lines) do\n"
             "      if l.units > 3 then flag(l, \"too many units\") end\n"
             "    end\n"
             "  end }\n"
             "rule { id = \"tk.charge\", summary = \"a large charge\", severity = \"warn\",\n"
             "  effective = { from = \"2025-01-01\" },\n"
             "  check = function(claim)\n"
             "    for _, l in ipairs(claim.lines) do\n"
             "      if l.charge > 100000 then flag(l, \"large charge\") end\n"
             "    end\n"
             "  end }\n");
    tu_write(g_root, "payers/tk/tests/units.json",
             "[{\"name\": \"five units\", \"claim\": " CLAIM(NOCLIENT, "5", "100.00") ",\n"
             "  \"expect\": {\"status\": \"deny\", \"fire\": [{\"rule\": \"tk.units\", \"line\": 1}]}},\n"
             " {\"name\": \"one unit\", \"claim\": " CLAIM(NOCLIENT, "1", "100.00") ",\n"
             "  \"expect\": {\"status\": \"pass\", \"not_fire\": [\"tk.units\"]}}]\n");
    tu_write(g_root, "clients/acme/client.lua",
             "client { id = \"acme\", name = \"Acme\",\n"
             "  waive = { [\"tk.units\"] = \"acme contract\" },\n"
             "  severity = { [\"tk.charge\"] = \"info\" } }\n");
    tu_write(g_root, "clients/acme/tests/acme.json",
             "[{\"name\": \"waived units still expected\", \"claim\": " CLAIM(ACME, "5", "100.00") ",\n"
             "  \"expect\": {\"status\": \"deny\", \"fire\": [{\"rule\": \"tk.units\"}]}},\n"
             " {\"name\": \"a large charge is info\", \"claim\": " CLAIM(ACME, "1", "2000.00") ",\n"
             "  \"expect\": {\"status\": \"info\", \"fire\": [{\"rule\": \"tk.charge\", \"line\": 1}]}},\n"
             " {\"name\": \"charge must not fire\", \"claim\": " CLAIM(ACME, "1", "2000.00") ",\n"
             "  \"expect\": {\"not_fire\": [\"tk.charge\"]}}]\n");
    return 0;
}

static int group_teardown(void **state)
{
    tu_rmdir(g_root);
    return 0;
}

/* Default folders: the payer's cases pass, two of the client's fail, with
 * what differed. */
static void test_failing_cases(void **state)
{
    result r = RUN("test", "--rules", g_root);
    expect(&r, 1);
    assert_contains(r.out, "PASS payers/tk/tests/units.json #1 five units\n");
    assert_contains(r.out, "PASS payers/tk/tests/units.json #2 one unit\n");
    assert_contains(r.out, "FAIL clients/acme/tests/acme.json #1 waived units still expected\n");
    assert_contains(r.out, "    status: expected deny, got pass\n");
    assert_contains(r.out, "    missing: tk.units\n");
    assert_contains(r.out, "    found waived tk.units (deny) on line 1: too many units\n");
    assert_contains(r.out, "PASS clients/acme/tests/acme.json #2 a large charge is info\n");
    assert_contains(r.out, "FAIL clients/acme/tests/acme.json #3 charge must not fire\n");
    assert_contains(r.out, "    unexpected: tk.charge fired\n");
    assert_contains(r.out, "    found tk.charge (info) on line 1: large charge\n");
    assert_string_equal(last_line(r.out), "3 passed, 2 failed");
    done(&r);
}

/* A pack folder as operand: only its cases, all passing; --coverage names
 * the rule no case made fire. */
static void test_passing_pack_and_coverage(void **state)
{
    char pack[512];
    snprintf(pack, sizeof pack, "%s/payers/tk", g_root);
    result r = RUN("test", "--rules", g_root, pack);
    expect(&r, 0);
    assert_not_contains(r.out, "FAIL");
    assert_not_contains(r.out, "acme.json");
    assert_string_equal(last_line(r.out), "2 passed, 0 failed");
    done(&r);

    r = RUN("test", "--rules", g_root, "--coverage", pack);
    expect(&r, 0);
    assert_contains(r.out, "not fired: payers/tk tk.charge\n");
    assert_not_contains(r.out, "not fired: payers/tk tk.units");
    assert_contains(r.out, "coverage: 1 rule of the tested layers never fired\n");
    done(&r);

    r = RUN("test", "--rules", g_root, "--coverage");
    expect(&r, 1);
    assert_not_contains(r.out, "not fired:");
    done(&r);
}

static void test_usage_errors(void **state)
{
    result r = RUN("test", "--bogus");
    expect(&r, 2);
    assert_contains(r.err, "unknown option '--bogus'");
    done(&r);
    r = RUN("test", "--rules", g_root, "/nonexistent/pack");
    expect(&r, 2);
    done(&r);
    r = RUN("rules", "--rules", g_root, "--payer", "nope");
    expect(&r, 2);
    assert_contains(r.err, "no rule pack 'nope'");
    done(&r);
}

/* The overlay's waiver and severity change show in the list. */
static void test_rules_list(void **state)
{
    result r = RUN("rules", "--rules", g_root, "--payer", "tk", "--client", "acme");
    expect(&r, 0);
    assert_contains(r.out, "LAYER");
    const char *units = strstr(r.out, "tk.units"), *charge = strstr(r.out, "tk.charge");
    assert_non_null(units);
    assert_non_null(charge);
    assert_true(units < charge);    /* run order */
    assert_contains(units, "deny");
    assert_contains(units, "CO-151 N362");
    assert_contains(units, "always");
    assert_contains(units, "[waived by clients/acme: acme contract]");
    assert_contains(charge, "info (was warn)");
    assert_contains(charge, "2025-01-01..");
    done(&r);

    r = RUN("rules", "--rules", g_root, "--payer", "tk", "--date", "2024-06-01");
    expect(&r, 0);
    assert_contains(r.out, "tk.units");
    assert_not_contains(r.out, "tk.charge");
    assert_not_contains(r.out, "waived");
    done(&r);
}

static void test_api(void **state)
{
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = g_root, .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("engine: %s", err);
    cs_rule_info info[4];
    assert_int_equal(cs_engine_rules(e, "tk", NULL, NULL, 0), 2);
    assert_int_equal(cs_engine_rules(e, "tk", "acme", info, 4), 2);
    assert_string_equal(info[0].id, "tk.units");
    assert_string_equal(info[0].layer, "payers/tk/payer.lua");
    assert_string_equal(info[0].carc, "151");
    assert_int_equal(info[0].severity, CS_DENY);
    assert_string_equal(info[0].waived_by, "clients/acme/client.lua");
    assert_string_equal(info[0].waive_reason, "acme contract");
    assert_string_equal(info[0].from, "");
    assert_string_equal(info[1].id, "tk.charge");
    assert_int_equal(info[1].severity, CS_INFO);
    assert_int_equal(info[1].base_severity, CS_WARN);
    assert_null(info[1].waived_by);
    assert_string_equal(info[1].from, "2025-01-01");
    assert_string_equal(info[1].to, "");
    assert_int_equal(cs_engine_rules(e, "tk", "acme", info, 1), 2);  /* count past max */
    assert_int_equal(cs_engine_rules(e, "tk", NULL, info, 4), 2);
    assert_null(info[0].waived_by);
    assert_int_equal(info[1].severity, CS_WARN);
    assert_int_equal(cs_engine_rules(e, "nope", NULL, info, 4), -1);
    assert_int_equal(cs_engine_rules(e, "tk", "nope", info, 4), -2);
    cs_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failing_cases),
        cmocka_unit_test(test_passing_pack_and_coverage),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_rules_list),
        cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests_name("toolkit", tests, group_setup, group_teardown);
}
