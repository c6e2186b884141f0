/* fuzz_script.c -- the bytes as a rule script, checked against a fixed claim.
 * First byte even: the rest is the whole script r.lua; odd: the rest is the
 * body of a rule's check function.  Either an engine that checks the claim
 * (findings, or engine.script_error), or a load error; never a crash. */
#include "fuzz_common.h"

static const char claim[] =
    "{\"id\":\"F-1\",\"payer\":\"f\","
    "\"patient\":{\"id\":\"P1\",\"birth_date\":\"1950-01-01\",\"sex\":\"F\"},"
    "\"billing_provider\":{\"npi\":\"1234567893\"},\"place_of_service\":\"11\","
    "\"diagnoses\":[\"D51.0\",\"J02.9\"],\"documentation\":{\"supervision\":\"direct\"},"
    "\"lines\":[{\"code\":\"99213\",\"modifiers\":[\"25\"],\"units\":1,"
    "\"service_date\":\"2026-03-02\",\"charge\":\"100.00\",\"diagnosis_pointers\":[1]},"
    "{\"code\":\"J3420\",\"units\":2,\"service_date\":\"2026-03-02\",\"charge\":\"12.50\","
    "\"diagnosis_pointers\":[1,2],\"ndc\":\"00409733201\",\"route\":\"IM\"}]}";

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static char root[128], script[192];
    if (!root[0]) {
        char p[192];
        fuzz_pack_root(root);
        snprintf(p, sizeof p, "%s/payers/f/payer.lua", root);
        static const char manifest[] =
            "payer { id = \"f\", name = \"fuzz\", scripts = { \"r.lua\" } }\n";
        fuzz_put(p, manifest, sizeof manifest - 1);
        snprintf(script, sizeof script, "%s/payers/f/r.lua", root);
    }
    if (size == 0) return 0;
    if (data[0] % 2 == 0) {
        fuzz_put(script, data + 1, size - 1);
    } else {
        static const char head[] =
            "rule { id = \"f.r\", summary = \"s\", severity = \"deny\",\n"
            "  check = function(claim)\n";
        static const char tail[] = "\nend }\n";
        char *s = malloc(sizeof head + size + sizeof tail);
        FUZZ_CHECK(s != NULL);
        size_t n = 0;
        memcpy(s, head, sizeof head - 1); n += sizeof head - 1;
        memcpy(s + n, data + 1, size - 1); n += size - 1;
        memcpy(s + n, tail, sizeof tail - 1); n += sizeof tail - 1;
        fuzz_put(script, s, n);
        free(s);
    }
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = root}, &err);
    if (!e) {
        FUZZ_CHECK(err != NULL && err[0]);
        cs_free(err);
        return 0;
    }
    for (int i = 0; i < 2; i++) {   /* twice: state left by the first run */
        char *out = NULL;
        size_t n = 0;
        int st = cs_check(e, claim, sizeof claim - 1, &(cs_origin){.file = "fuzz.json", .record = 1, .line = 1}, &out, &n);
        fuzz_check_record(st, out, n);
        cs_free(out);
    }
    cs_engine_free(e);
    return 0;
}
