/* test_report.c -- cs_record_to_text: verdict records as text reports. */
#include "testutil.h"

#include "claimscrub.h"

/* Render rec and compare with the whole expected text. */
static void expect_text(const char *rec, const char *want)
{
    char *got = cs_record_to_text(rec);
    if (!got) fail_msg("no text for %s", rec);
    assert_string_equal(got, want);
    cs_free(got);
}

static void test_pass(void **state)
{
    expect_text("{\"claim\":\"CLM-1002\",\"input\":{\"file\":\"examples/claims/a.json\","
                "\"record\":2,\"line\":9},\"payer\":\"medicare\",\"client\":null,"
                "\"status\":\"pass\",\"amount_at_risk\":\"0.00\",\"layers\":[\"medicare\"],\"findings\":[],"
                "\"waived\":[],\"engine\":{\"version\":\"0.1.0\",\"rules\":\"ab\"}}",
                "CLM-1002  PASS  payer medicare  (examples/claims/a.json #2, line 9)\n");
}

static void test_deny_with_fix_and_amount(void **state)
{
    expect_text(
        "{\"claim\":\"CLM-1001\",\"input\":{\"file\":\"a.json\",\"record\":1,\"line\":1},"
        "\"payer\":\"medicare\",\"client\":\"riverside-clinic\",\"status\":\"deny\","
        "\"amount_at_risk\":\"35.00\","
        "\"layers\":[\"medicare\",\"riverside-clinic\"],\"findings\":["
        "{\"rule\":\"cms.inj.em_needs_25\",\"severity\":\"deny\",\"line\":2,"
        "\"message\":\"96372 billed with 99213 on 2026-03-02 without modifier 25 on the E/M\","
        "\"group\":\"CO\",\"carc\":\"97\",\"rarc\":\"M15\","
        "\"fix\":{\"action\":\"add_modifier\",\"line\":1,\"modifier\":\"25\"},"
        "\"amount\":\"35.00\",\"source\":\"payers/medicare/visits.lua:57\",\"layer\":\"medicare\"},"
        "{\"rule\":\"cms.dx.required\",\"severity\":\"warn\",\"message\":\"no diagnosis\"}"
        "],\"waived\":[],\"engine\":{\"version\":\"0.1.0\",\"rules\":\"ab\"}}",
        "CLM-1001  DENY  $35.00 at risk  payer medicare  client riverside-clinic  (a.json #1, line 1)\n"
        "  claim   warn    cms.dx.required\n"
        "          no diagnosis\n"
        "  line 2  deny    cms.inj.em_needs_25  CO-97 M15  $35.00\n"
        "          96372 billed with 99213 on 2026-03-02 without modifier 25 on the E/M\n"
        "          fix: add modifier 25 to line 1\n"
        "          at payers/medicare/visits.lua:57 (medicare)\n");
}

/* Format 2: claim-level findings first, then the lines in claim order, each
 * with its primary reason first and the others as "also" (no amount: the
 * line's money counts once); a line whose primary reason is shown under
 * another line refers to it; a $0.00 downgrade is said. */
static void test_grouped_by_line(void **state)
{
    expect_text(
        "{\"claim\":\"G-1\",\"format\":2,\"payer\":\"medicare\",\"client\":null,\"status\":\"deny\","
        "\"amount_at_risk\":\"160.00\",\"lines\":["
        "{\"line\":1,\"status\":\"deny\",\"primary\":\"cms.ncci.mue\",\"amount\":\"100.00\"},"
        "{\"line\":2,\"status\":\"warn\",\"primary\":\"cms.valid.pfs_status\",\"amount\":\"0.00\"},"
        "{\"line\":3,\"status\":\"deny\",\"primary\":\"cms.ncci.ptp\",\"amount\":\"60.00\"}],"
        "\"layers\":[\"medicare\"],\"findings\":["
        "{\"rule\":\"input.duplicate_diagnosis\",\"severity\":\"warn\",\"message\":\"diagnoses[1]: J02.9 is already diagnoses[0]\",\"layer\":null,\"primary\":false},"
        "{\"rule\":\"cms.ncci.aoc\",\"severity\":\"review\",\"line\":3,\"message\":\"aoc\",\"amount\":\"60.00\",\"layer\":\"medicare\",\"primary\":false},"
        "{\"rule\":\"cms.ncci.ptp\",\"severity\":\"deny\",\"line\":3,\"lines\":[1,3],\"message\":\"ptp\",\"carc\":\"97\",\"group\":\"CO\",\"amount\":\"60.00\",\"layer\":\"medicare\",\"primary\":true},"
        "{\"rule\":\"cms.ncci.mue\",\"severity\":\"deny\",\"line\":3,\"lines\":[1,3],\"message\":\"mue\",\"amount\":\"160.00\",\"layer\":\"medicare\",\"primary\":true},"
        "{\"rule\":\"cms.valid.pfs_status\",\"severity\":\"warn\",\"line\":2,\"message\":\"retired\",\"amount\":\"0.00\",\"layer\":\"medicare\",\"primary\":true,"
        "\"downgraded\":{\"from\":\"deny\",\"because\":\"zero_charge\"}}"
        "],\"waived\":[]}",
        "G-1  DENY  $160.00 at risk  payer medicare\n"
        "  claim   warn    input.duplicate_diagnosis\n"
        "          diagnoses[1]: J02.9 is already diagnoses[0]\n"
        "  line 1  deny    cms.ncci.mue  (see line 3)\n"
        "  line 2  warn    cms.valid.pfs_status  $0.00\n"
        "          retired\n"
        "          downgraded (was deny): no money at stake, its lines are charged 0.00\n"
        "          (medicare)\n"
        "  line 3  deny    cms.ncci.ptp  CO-97  $60.00\n"
        "          ptp\n"
        "          (medicare)\n"
        "    also  deny    cms.ncci.mue\n"
        "          mue\n"
        "          (medicare)\n"
        "    also  review  cms.ncci.aoc\n"
        "          aoc\n"
        "          (medicare)\n");
}

/* Render one finding whose fix is fix_json and return the text. */
static char *with_fix(const char *fix_json)
{
    char rec[1024];
    snprintf(rec, sizeof rec,
             "{\"claim\":\"C\",\"status\":\"review\",\"findings\":[{\"rule\":\"r\","
             "\"severity\":\"review\",\"line\":3,\"message\":\"m\",\"fix\":%s}]}", fix_json);
    char *t = cs_record_to_text(rec);
    assert_non_null(t);
    return t;
}

static void test_fix_actions(void **state)
{
    static const char *const cases[][2] = {
        {"{\"action\":\"remove_modifier\",\"line\":3,\"modifier\":\"59\"}",
         "fix: remove modifier 59 from line 3\n"},
        {"{\"action\":\"replace_code\",\"line\":3,\"code\":\"99214\"}",
         "fix: change the code on line 3 to 99214\n"},
        {"{\"action\":\"set_units\",\"line\":3,\"units\":2}",
         "fix: set the units on line 3 to 2\n"},
        {"{\"action\":\"remove_line\",\"line\":4}", "fix: remove line 4\n"},
        {"{\"action\":\"add_line\",\"code\":\"36415\"}", "fix: add a line for 36415\n"},
        {"{\"action\":\"reticulate\",\"line\":3}", "fix: reticulate on line 3\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = with_fix(cases[i][0]);
        assert_contains(t, cases[i][1]);
        cs_free(t);
    }
}

static void test_waived_and_overridden(void **state)
{
    expect_text(
        "{\"claim\":\"CLM-7\",\"input\":{\"file\":\"-\",\"record\":4,\"line\":4},"
        "\"payer\":\"acme\",\"client\":\"riverside-clinic\",\"status\":\"review\","
        "\"findings\":[{\"rule\":\"acme.mue\",\"severity\":\"review\",\"line\":1,"
        "\"lines\":[1,2],\"message\":\"units over MUE\",\"carc\":\"151\","
        "\"overridden\":{\"from\":\"deny\",\"by\":\"riverside-clinic\"},"
        "\"source\":\"payers/acme/mue.lua:12\",\"layer\":\"acme\"}],"
        "\"waived\":[{\"rule\":\"cms.x\",\"severity\":\"deny\",\"line\":2,\"message\":\"m\","
        "\"source\":\"s.lua:1\",\"layer\":\"medicare\",\"waived_by\":\"commercial-strict\","
        "\"reason\":\"contract pays per policy\"},"
        "{\"rule\":\"cms.y\",\"severity\":\"warn\",\"waived_by\":\"acme\"}]}",
        "CLM-7  REVIEW  payer acme  client riverside-clinic  (stdin #4, line 4)\n"
        "  line 1  review  acme.mue  CARC 151\n"
        "          units over MUE\n"
        "          overridden by riverside-clinic (was deny)\n"
        "          at payers/acme/mue.lua:12 (acme)\n"
        "  waived: cms.x (deny, line 2) by commercial-strict: contract pays per policy\n"
        "  waived: cms.y (warn) by acme\n");
}

static void test_reject_with_null_claim(void **state)
{
    expect_text(
        "{\"claim\":null,\"input\":{\"file\":\"b.jsonl\",\"record\":3,\"line\":7},"
        "\"payer\":null,\"client\":null,\"status\":\"reject\",\"layers\":[],"
        "\"findings\":[{\"rule\":\"input.json\",\"severity\":\"reject\","
        "\"message\":\"not JSON: line 1\\ncolumn 2\",\"layer\":null}],\"waived\":[]}",
        "(no claim id)  REJECT  (b.jsonl #3, line 7)\n"
        "  claim   reject  input.json\n"
        "          not JSON: line 1\n"
        "          column 2\n");
}

static void test_control_characters_are_neutralised(void **state)
{
    expect_text("{\"claim\":\"A\\u001b[31mB\\nC\",\"status\":\"pass\"}",
                "A [31mB C  PASS\n");
}

static void test_not_a_record(void **state)
{
    static const char *const bad[] = {
        "", "not json", "[]", "{}", "{\"status\":\"maybe\"}", "{\"status\":3}",
        "{\"status\":\"pass\",\"findings\":{}}",
        "{\"status\":\"deny\",\"findings\":[1]}",
        "{\"status\":\"pass\",\"waived\":\"x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (cs_record_to_text(bad[i])) fail_msg("expected NULL for %s", bad[i]);
    assert_null(cs_record_to_text(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pass),
        cmocka_unit_test(test_deny_with_fix_and_amount),
        cmocka_unit_test(test_grouped_by_line),
        cmocka_unit_test(test_fix_actions),
        cmocka_unit_test(test_waived_and_overridden),
        cmocka_unit_test(test_reject_with_null_claim),
        cmocka_unit_test(test_control_characters_are_neutralised),
        cmocka_unit_test(test_not_a_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
