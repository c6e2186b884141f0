/*
 * lintinfo.c -- what `claimscrub lint` needs to know that the rest of the
 * public API does not tell: each loaded layer's scripts, waivers and
 * severity changes, and whether an adjustment code is in a data set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "claimscrub.h"
#include "engine_internal.h"
#include "refdata.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif
#ifndef CS_DEFAULT_DATA
#define CS_DEFAULT_DATA CS_DEFAULT_ROOT "/build/data/starter"
#endif

static void put(cs_layer_entry *out, int max, int *n, const cs_pack *p,
                const char *kind, const char *name)
{
    if (*n < max)
        out[*n] = (cs_layer_entry){
            .id = p->id, .manifest = p->manifest, .extends = p->extends ? p->extends : "",
            .is_client = p->is_client, .kind = kind, .name = name ? name : ""};
    (*n)++;
}

int cs_engine_layer_entries(cs_engine *e, cs_layer_entry *out, int max)
{
    const cs_packset *ps = cs_engine_packset(e);
    int n = 0;
    if (!out) max = 0;
    for (int i = 0; i < ps->npacks; i++) {
        const cs_pack *p = ps->packs[i];
        put(out, max, &n, p, "layer", NULL);
        for (int k = 0; k < p->nscripts; k++) put(out, max, &n, p, "script", p->scripts[k].path);
        for (int k = 0; k < p->nwaive; k++) put(out, max, &n, p, "waive", p->waive[k].rule);
        for (int k = 0; k < p->nsev; k++) put(out, max, &n, p, "severity", p->sev[k].rule);
    }
    return n;
}

static int set_err(char **err, const char *msg)
{
    if (err) *err = strdup(msg);
    return -1;
}

int cs_data_has_adjustments(const char *dir, const char *date, int n,
                            const char *const kinds[], const char *const codes[],
                            int found[], char **err)
{
    if (err) *err = NULL;
    cs_date d;
    if (!date || !cs_date_parse(date, &d)) return set_err(err, "date must be YYYY-MM-DD");
    struct stat st;
    if (!dir && stat(CS_DEFAULT_DATA, &st) != 0)
        return set_err(err, "the starter data set is not built (run make)");
    cs_refdata *r = cs_refdata_open(dir ? dir : CS_DEFAULT_DATA, err);
    if (!r) return -1;
    for (int i = 0; i < n; i++) {
        cs_adj_kind k;
        if (!strcmp(kinds[i], "group")) k = CS_ADJ_GROUP;
        else if (!strcmp(kinds[i], "carc")) k = CS_ADJ_CARC;
        else if (!strcmp(kinds[i], "rarc")) k = CS_ADJ_RARC;
        else { cs_refdata_close(r); return set_err(err, "kind must be group, carc or rarc"); }
        cs_adj a;
        found[i] = cs_ref_adj(r, k, codes[i], d, &a) ? 1 : 0;
    }
    cs_refdata_close(r);
    return 0;
}
