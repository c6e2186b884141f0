/* fuzz_refimport.c -- the bytes as one reference table's input file (the
 * first byte picks the table), through the importer into a temporary data
 * set, then opened and looked up.  Either an error naming file and line, or
 * a release file that opens and answers lookups; never a crash. */
#include "fuzz_common.h"
#include "refdata.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    static char in[128], out[128];
    if (!in[0]) {
        snprintf(in, sizeof in, "%s/in.csv", fuzz_tmp());
        snprintf(out, sizeof out, "%s/set", fuzz_tmp());
    }
    if (size == 0) return 0;
    fuzz_put(in, data + 1, size - 1);
    cs_import imp = {.release = 20240701};
    switch (data[0] % 7) {
    case 0: imp.ptp[0] = in; break;
    case 1: imp.mue = in; break;
    case 2: imp.aoc = in; break;
    case 3: imp.pfs = in; break;
    case 4: imp.icd10 = in; break;
    case 5: imp.hcpcs = in; break;
    default: imp.adj = in; break;
    }
    char *err = NULL;
    if (!cs_refdata_import(out, &imp, &err)) {
        FUZZ_CHECK(err != NULL && err[0]);
        free(err);
        return 0;
    }
    FUZZ_CHECK(err == NULL);
    cs_refdata *r = cs_refdata_open(out, &err);
    if (!r) { fprintf(stderr, "fuzz_refimport: open: %s\n", err ? err : "?"); abort(); }
    static const char *const codes[] = {"10060", "96372", "99213", "J3420", "G0008",
                                        "20985", "CCCCC", "", "A"};
    static const cs_date dates[] = {20240701, 19000101, 20991231};
    for (size_t d = 0; d < sizeof dates / sizeof *dates; d++) {
        for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
            cs_ptp p; cs_mue m; cs_pfs f; cs_icd10 c; cs_hcpcs h; cs_adj a;
            for (size_t j = 0; j < sizeof codes / sizeof *codes; j++) {
                if (cs_ref_ptp(r, codes[i], codes[j], dates[d], &p) && p.rationale)
                    (void)strlen(p.rationale);
                (void)cs_ref_aoc_primary(r, codes[i], codes[j], dates[d]);
            }
            if (cs_ref_mue(r, codes[i], dates[d], &m) && m.rationale) (void)strlen(m.rationale);
            (void)cs_ref_aoc_type(r, codes[i], dates[d]);
            (void)cs_ref_pfs(r, codes[i], "", dates[d], &f);
            (void)cs_ref_pfs(r, codes[i], "26", dates[d], &f);
            if (cs_ref_icd10(r, "D51.0", dates[d], &c) && c.description) (void)strlen(c.description);
            if (cs_ref_hcpcs(r, codes[i], dates[d], &h) && h.description) (void)strlen(h.description);
            if (cs_ref_adj(r, CS_ADJ_CARC, "97", dates[d], &a) && a.description) (void)strlen(a.description);
            (void)cs_ref_adj(r, CS_ADJ_GROUP, "CO", dates[d], &a);
            (void)cs_ref_adj(r, CS_ADJ_RARC, "M144", dates[d], &a);
        }
    }
    cs_ref_info info[4];
    FUZZ_CHECK(cs_refdata_info(r, info, 4) == 1);
    cs_refdata_close(r);
    return 0;
}
