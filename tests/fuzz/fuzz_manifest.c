/* fuzz_manifest.c -- the bytes as payers/f/payer.lua of a rules root (one
 * temporary root reused for the run, with a valid script r.lua beside it),
 * then cs_engine_new and cs_engine_free.  Either an engine or an error
 * message naming a file; never a crash. */
#include "fuzz_common.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static char root[128], manifest[192];
    if (!root[0]) {
        char p[192];
        fuzz_pack_root(root);
        snprintf(p, sizeof p, "%s/payers/f/r.lua", root);
        static const char script[] =
            "rule { id = \"f.r\", summary = \"s\", severity = \"deny\",\n"
            "  check = function(claim) end }\n";
        fuzz_put(p, script, sizeof script - 1);
        snprintf(manifest, sizeof manifest, "%s/payers/f/payer.lua", root);
    }
    fuzz_put(manifest, data, size);
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = root}, &err);
    if (e) {
        FUZZ_CHECK(err == NULL);
        cs_engine_free(e);
    } else {
        FUZZ_CHECK(err != NULL && err[0]);
        cs_free(err);
    }
    return 0;
}
