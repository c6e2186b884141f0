/* test_stdlib.c -- run the stdlib self-tests (tests/stdlib) in the sandbox. */
#include "testutil.h"
#include "claimscrub.h"

static const char CLAIM[] =
    "{\"id\":\"S1\",\"payer\":\"stdlib\",\"diagnoses\":[\"J02.9\"],\"lines\":["
    "{\"code\":\"99213\",\"modifiers\":[\"25\"],\"units\":1,\"service_date\":\"2026-03-02\"},"
    "{\"code\":\"96372\",\"units\":1,\"service_date\":\"2026-03-02\"},"
    "{\"code\":\"J0696\",\"units\":2,\"service_date\":\"2026-03-03\"}]}";

/* Every module's self-test rule ran to its end without an error. */
static void test_stdlib_self_tests(void **state)
{
    (void)state;
    char *err = NULL, *out = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = "tests/stdlib", .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("engine: %s", err);
    int st = cs_check(e, CLAIM, strlen(CLAIM), NULL, &out, NULL);
    assert_int_equal(st, CS_INFO);
    assert_not_contains(out, "engine.script_error");
    static const char *const modules[] = {"codeset", "codes", "dates", "drug_dx", "icd10", "lines", "modifiers", "ref"};
    for (size_t i = 0; i < sizeof modules / sizeof *modules; i++) {
        char ok[64];
        snprintf(ok, sizeof ok, "\"message\":\"%s ok\"", modules[i]);
        assert_contains(out, ok);
    }
    cs_free(out);
    cs_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdlib_self_tests),
    };
    return cmocka_run_group_tests_name("stdlib", tests, NULL, NULL);
}
