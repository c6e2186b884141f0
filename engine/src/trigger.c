/*
 * trigger.c -- rule triggers (applies_to): which claims a rule can flag,
 * tested in C before the rule is called.  See trigger.h.
 */
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "codeset.h"
#include "host.h"
#include "run.h"
#include "trigger.h"

enum {
    T_PTP = 1 << 0,      /* a same-date pair of lines with a PTP edit */
    T_MUE = 1 << 1,      /* a code's units on a date over its MUE */
    T_AOC = 1 << 2,      /* a type 1 add-on code */
    T_ICD10 = 1 << 3,    /* a diagnosis unknown or not billable */
    T_HCPCS = 1 << 4     /* a HCPCS Level II code not in the code set */
};

struct cs_trigger {
    unsigned data;              /* T_* tests, all of which must hold */
    cs_codeset *codes;          /* NULL = any code */
    char pfs_status[16];        /* statuses; "" = no test */
    char pfs_global[8][4];      /* global periods */
    int nglobal;                /* 0 = no test */
};

/* ---- reading applies_to ------------------------------------------------ */

static bool field_true(lua_State *L, int idx, const char *k)
{
    int t = lua_getfield(L, idx, k);
    bool on = lua_toboolean(L, -1);
    lua_pop(L, 1);
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        cs_sandbox_error(L, 1, "rule{} applies_to.%s must be true", k);
    if (t == LUA_TBOOLEAN && !on)
        cs_sandbox_error(L, 1, "rule{} applies_to.%s = false: leave it out instead", k);
    return on;
}

/* applies_to.pfs_status: a list of one-letter PFS status codes. */
static void read_status(lua_State *L, int idx, cs_trigger *t)
{
    if (lua_getfield(L, idx, "pfs_status") == LUA_TNIL) { lua_pop(L, 1); return; }
    int list = lua_gettop(L);
    lua_Integer n = lua_istable(L, list) ? luaL_len(L, list) : 0;
    if (n < 1 || n >= (lua_Integer)sizeof t->pfs_status)
        cs_sandbox_error(L, 1, "rule{} applies_to.pfs_status must be a list of 1 to %d PFS status codes", (int)sizeof t->pfs_status - 1);
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len = 0;
        const char *s = lua_geti(L, list, i) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s || len != 1 || !((s[0] >= 'A' && s[0] <= 'Z')))
            cs_sandbox_error(L, 1, "rule{} applies_to.pfs_status: entry %d is not a one-letter status code", (int)i);
        t->pfs_status[i - 1] = s[0];
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* applies_to.pfs_global: a list of global periods ("000", "010", "090", ...). */
static void read_global(lua_State *L, int idx, cs_trigger *t)
{
    if (lua_getfield(L, idx, "pfs_global") == LUA_TNIL) { lua_pop(L, 1); return; }
    int list = lua_gettop(L);
    lua_Integer n = lua_istable(L, list) ? luaL_len(L, list) : 0;
    if (n < 1 || n > 8)
        cs_sandbox_error(L, 1, "rule{} applies_to.pfs_global must be a list of 1 to 8 global periods (\"000\", \"010\", \"090\", ...)");
    for (lua_Integer i = 1; i <= n; i++) {
        size_t len = 0;
        const char *s = lua_geti(L, list, i) == LUA_TSTRING ? lua_tolstring(L, -1, &len) : NULL;
        if (!s || len != 3)
            cs_sandbox_error(L, 1, "rule{} applies_to.pfs_global: entry %d is not a 3-character global period", (int)i);
        memcpy(t->pfs_global[i - 1], s, 4);
        lua_pop(L, 1);
    }
    t->nglobal = (int)n;
    lua_pop(L, 1);
}

cs_trigger *cs_trigger_read(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (!lua_istable(L, idx)) cs_sandbox_error(L, 1, "rule{}: 'applies_to' must be a table");
    static const char *const keys[] = {"codes", "ptp", "mue", "aoc", "icd10", "hcpcs",
                                       "pfs_status", "pfs_global", NULL};
    cs_check_known_keys(L, idx, keys, "rule{} applies_to");
    cs_trigger t = {0};
    static const struct { const char *key; unsigned bit; } flags[] = {
        {"ptp", T_PTP}, {"mue", T_MUE}, {"aoc", T_AOC}, {"icd10", T_ICD10}, {"hcpcs", T_HCPCS}
    };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        if (field_true(L, idx, flags[i].key)) t.data |= flags[i].bit;
    read_status(L, idx, &t);
    read_global(L, idx, &t);
    const cs_codeset *codes = NULL;
    int top = lua_gettop(L);
    if (lua_getfield(L, idx, "codes") != LUA_TNIL) codes = cs_codeset_read(L, top + 1, "rule{} applies_to.codes");
    if (!codes && !t.data && !t.pfs_status[0] && !t.nglobal)
        cs_sandbox_error(L, 1, "rule{}: 'applies_to' is empty");
    cs_trigger *out = malloc(sizeof *out);
    if (out && codes) t.codes = cs_codeset_copy(codes);
    lua_settop(L, top);
    if (!out || (codes && !t.codes)) {
        free(out);
        free(t.codes);
        luaL_error(L, "not enough memory");
    }
    *out = t;
    return out;
}

void cs_trigger_free(cs_trigger *t)
{
    if (!t) return;
    free(t->codes);
    free(t);
}

/* ---- testing a claim ---------------------------------------------------- */

static bool any_code(const cs_trigger *t, const cs_claim *c)
{
    for (int i = 0; i < c->nlines; i++)
        if (cs_codeset_has(t->codes, c->lines[i].code)) return true;
    return false;
}

static void note_edit(void *ctx, int col1, int col2, const cs_ptp *edit)
{
    (void)col1, (void)col2;
    *(bool *)ctx = *(bool *)ctx || edit;
}

/* Whether a same-date pair has a PTP edit (or a date the data cannot
 * answer for).  While the claim is explained every pair is looked up again
 * (and listed as a row of the rule); otherwise the claim's memo answers. */
static bool ptp_pair(cs_host *h)
{
    const cs_ptp_pair *pairs;
    if (!h->trace) return cs_refmemo_ptp(h, &pairs) != 0;
    bool edit = false;
    return cs_refmemo_each_ptp(h, note_edit, &edit) != 0 || edit;
}

/* Units of a code on a date, summed over its lines, over its MUE: a
 * superset of both the per-line (MAI 1) and the per-day (MAI 2, 3) test. */
static bool mue_over(cs_host *h, const cs_claim *c)
{
    bool hit = false;
    for (int i = 0; i < c->nlines; i++) {
        const cs_line *a = &c->lines[i];
        bool first = true;
        int64_t units = 0;
        for (int j = 0; j < c->nlines && first; j++) {
            const cs_line *b = &c->lines[j];
            if (b->service_date != a->service_date || strcmp(b->code, a->code)) continue;
            if (j < i) first = false;
            units += b->units;
        }
        if (!first) continue;   /* the group was looked up at its first line */
        const cs_refdata *r = cs_refmemo_data(h, CS_REF_MUE, a->service_date);
        cs_mue m;
        bool found = r && cs_ref_mue(r, a->code, a->service_date, &m);
        if (r && h->trace) cs_trace_mue(h->trace, a->code, a->service_date, found ? &m : NULL);
        if (!r || (found && units > m.value)) hit = true;
    }
    return hit;
}

static bool aoc_type1(cs_host *h, const cs_claim *c)
{
    bool hit = false;
    for (int i = 0; i < c->nlines; i++) {
        const cs_line *l = &c->lines[i];
        const cs_refdata *r = cs_refmemo_data(h, CS_REF_AOC, l->service_date);
        int type = r ? cs_ref_aoc_type(r, l->code, l->service_date) : 0;
        if (r && h->trace) cs_trace_aoc_type(h->trace, l->code, l->service_date, type);
        if (!r || type == 1) hit = true;
    }
    return hit;
}

/* The date a diagnosis is looked up on: that of the first line pointing at
 * it, or the claim's earliest date of service (payers/medicare/validity.lua). */
static cs_date dx_date(const cs_claim *c, int k)
{
    cs_date earliest = 0;
    for (int i = 0; i < c->nlines; i++) {
        const cs_line *l = &c->lines[i];
        for (int p = 0; p < l->npointers; p++)
            if (l->pointers[p] == k) return l->service_date;
        if (!earliest || l->service_date < earliest) earliest = l->service_date;
    }
    return earliest;
}

static bool icd10_problem(cs_host *h, const cs_claim *c)
{
    if (h->memo.icd10_problem >= 0 && !h->trace) return h->memo.icd10_problem;
    bool hit = false;
    for (int k = 1; k <= c->ndiagnoses; k++) {
        cs_date d = dx_date(c, k);
        const cs_refdata *r = cs_refmemo_data(h, CS_REF_ICD10, d);
        cs_icd10 x;
        bool found = r && cs_ref_icd10(r, c->diagnoses[k - 1], d, &x);
        if (r && h->trace) cs_trace_icd10(h->trace, c->diagnoses[k - 1], d, found ? &x : NULL);
        if (!r || !found || !x.billable) hit = true;
    }
    h->memo.icd10_problem = hit;
    return hit;
}

static bool hcpcs_unknown(cs_host *h, const cs_claim *c)
{
    bool hit = false;
    for (int i = 0; i < c->nlines; i++) {
        const cs_line *l = &c->lines[i];
        if (!(l->code[0] >= 'A' && l->code[0] <= 'Z')) continue;
        const cs_refdata *r = cs_refmemo_data(h, CS_REF_HCPCS, l->service_date);
        cs_hcpcs x;
        bool found = r && cs_ref_hcpcs(r, l->code, l->service_date, &x);
        if (r && h->trace) cs_trace_hcpcs(h->trace, l->code, l->service_date, found ? &x : NULL);
        if (!r || !found) hit = true;
    }
    return hit;
}

/* A line whose PFS row has a listed status (pfs_status) or global period
 * (pfs_global); both lists, when given, must match on the same line. */
static bool pfs_match(const cs_trigger *t, cs_host *h, const cs_claim *c)
{
    bool hit = false;
    for (int i = 0; i < c->nlines; i++) {
        bool no_data;
        const cs_pfs *p = cs_refmemo_pfs(h, i, &no_data);
        if (no_data) { hit = true; continue; }
        if (h->trace) cs_trace_pfs(h->trace, c->lines[i].code, "", c->lines[i].service_date, p);
        if (!p) continue;
        bool ok = !t->pfs_status[0] || strchr(t->pfs_status, p->status) != NULL;
        bool in_global = !t->nglobal;
        for (int g = 0; g < t->nglobal; g++) in_global = in_global || !strcmp(p->global, t->pfs_global[g]);
        if (ok && in_global) hit = true;
    }
    return hit;
}

/* Every test runs (no early exit) so that the releases noted do not depend
 * on the order of the tests or on which one failed first. */
bool cs_trigger_holds(const cs_trigger *t, cs_host *h)
{
    const cs_claim *c = h->claim;
    cs_refmemo_start(h);
    bool ok = !t->codes || any_code(t, c);
    if (t->data & T_PTP) ok = ptp_pair(h) && ok;
    if (t->data & T_MUE) ok = mue_over(h, c) && ok;
    if (t->data & T_AOC) ok = aoc_type1(h, c) && ok;
    if (t->data & T_ICD10) ok = icd10_problem(h, c) && ok;
    if (t->data & T_HCPCS) ok = hcpcs_unknown(h, c) && ok;
    if (t->pfs_status[0] || t->nglobal) ok = pfs_match(t, h, c) && ok;
    return ok;
}
