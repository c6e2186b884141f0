/*
 * refdata.c -- CMS reference data releases: reading and lookups.
 */
#include "refdata.h"

const char *cs_ref_table_name(cs_ref_table t)
{
    static const char *const names[CS_REF_NTABLES] = {
        "ptp", "mue", "aoc", "pfs", "icd10", "hcpcs", "adj"
    };
    return t >= 0 && t < CS_REF_NTABLES ? names[t] : NULL;
}
