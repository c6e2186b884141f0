/*
 * refview.c -- the Lua module `ref`: rules look up CMS reference data (NCCI
 * PTP, MUE and add-on code edits, the Physician Fee Schedule, ICD-10-CM,
 * HCPCS Level II, CARC/RARC/group codes) by date of service.
 *
 * Every function checks its arguments strictly (a number where a code is
 * expected is an error, not a miss), answers nil when the data set has no
 * such row, and notes in the verdict of the claim being checked which
 * release of the table it consulted, so a record says which data decided
 * it.  Lookups are made only while a rule checks a claim: a value looked up
 * at a script's top level would be baked into the sealed script, out of
 * sight of the record.  When the engine has no data set, or the data set
 * lacks the table, a lookup raises: a rule must not pass a claim because
 * its data is missing.
 */
#include <string.h>

#include <lauxlib.h>

#include "claimview.h"
#include "host.h"
#include "refview.h"

/* ---- arguments --------------------------------------------------------- */

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char upper(char c) { return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c; }

static const char *arg_str(lua_State *L, int idx, const char *fn, const char *what)
{
    if (lua_type(L, idx) != LUA_TSTRING)
        cs_sandbox_error(L, 1, "ref.%s: %s must be a string, got %s", fn, what,
                         lua_isnone(L, idx) ? "nil" : luaL_typename(L, idx));
    return lua_tostring(L, idx);
}

/* A code of min..max letters or digits (dots allowed when dots), upper-cased
 * into buf (at least max + 1 bytes). */
static const char *arg_code(lua_State *L, int idx, const char *fn, const char *what,
                            size_t min, size_t max, bool dots, char *buf)
{
    size_t n;
    arg_str(L, idx, fn, what);
    const char *s = lua_tolstring(L, idx, &n);
    bool ok = n >= min && n <= max;
    for (size_t i = 0; ok && i < n; i++) {
        ok = is_alnum(s[i]) || (dots && s[i] == '.' && i > 0 && i + 1 < n);
        buf[i] = upper(s[i]);
    }
    if (!ok) {
        if (min == max)
            cs_sandbox_error(L, 1, "ref.%s: %s '%.16s' is not %zu letters or digits", fn, what, s, min);
        cs_sandbox_error(L, 1, "ref.%s: %s '%.16s' is not %zu to %zu letters or digits%s",
                         fn, what, s, min, max, dots ? " (and a dot)" : "");
    }
    buf[n] = 0;
    return buf;
}

static cs_date arg_date(lua_State *L, int idx, const char *fn)
{
    const char *s = arg_str(L, idx, fn, "the date of service");
    cs_date d;
    if (!cs_date_parse(s, &d))
        cs_sandbox_error(L, 1, "ref.%s: '%.16s' is not a date (YYYY-MM-DD)", fn, s);
    return d;
}

/* The data set, checked: lookups only while a rule checks a claim, and only
 * when the engine has data.  Raises otherwise. */
static const cs_refdata *data_set(lua_State *L, const char *fn)
{
    cs_host *h = cs_host_of(L);
    if (cs_sandbox_of(L)->phase != CS_PHASE_CHECK)
        cs_sandbox_error(L, 1, "ref.%s: reference data can only be looked up while a rule checks a claim", fn);
    if (!h || !h->ref)
        cs_sandbox_error(L, 1, "ref.%s: no reference data loaded", fn);
    return h->ref;
}

/* Note release rel of table t in the verdict of the claim being checked.
 * A claim whose lines fall in different releases notes the newest. */
static void note(lua_State *L, cs_ref_table t, cs_date rel)
{
    cs_host *h = cs_host_of(L);
    if (h->verdict && h->claim && rel > h->verdict->data_used[t])
        h->verdict->data_used[t] = rel;
}

/* The data set, for a lookup in table t on dos; raises when there is none
 * to consult (no data, or no release holding t).  Notes the release. */
static const cs_refdata *data(lua_State *L, const char *fn, cs_ref_table t, cs_date dos)
{
    const cs_refdata *r = data_set(L, fn);
    cs_date rel = cs_ref_release(r, t, dos);
    if (!rel)
        cs_sandbox_error(L, 1, "ref.%s: the reference data set has no %s table", fn, cs_ref_table_name(t));
    note(L, t, rel);
    return r;
}

/* Record a lookup and its result for claimscrub explain (trace.h), when
 * the claim is being explained. */
#define TRACE(L, fn, ...) do { \
    cs_trace *t_ = cs_host_of(L)->trace; \
    if (t_) fn(t_, __VA_ARGS__); \
} while (0)

/* ---- results ------------------------------------------------------------- */

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void set_num(lua_State *L, const char *k, lua_Number v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_str(lua_State *L, const char *k, const char *s)
{
    if (!s) return;
    lua_pushstring(L, s);
    lua_setfield(L, -2, k);
}

static void set_date(lua_State *L, const char *k, cs_date d)
{
    char buf[11];
    if (!d) return;
    cs_date_format(d, buf);
    lua_pushstring(L, buf);
    lua_setfield(L, -2, k);
}

/* ---- lookups ------------------------------------------------------------- */

/* ref.ptp(column1, column2, date) -> {indicator, rationale, effective, deleted} */
static int l_ptp(lua_State *L)
{
    char c1[6], c2[6];
    arg_code(L, 1, "ptp", "column 1 code", 5, 5, false, c1);
    arg_code(L, 2, "ptp", "column 2 code", 5, 5, false, c2);
    cs_date d = arg_date(L, 3, "ptp");
    cs_ptp p;
    bool found = cs_ref_ptp(data(L, "ptp", CS_REF_PTP, d), c1, c2, d, &p);
    TRACE(L, cs_trace_ptp, c1, c2, d, found ? &p : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 4);
    set_int(L, "indicator", p.indicator);
    set_str(L, "rationale", p.rationale);
    set_date(L, "effective", p.effective);
    set_date(L, "deleted", p.deleted);
    return 1;
}

/* Push an edit of ref.ptp_edits: {column1 = line, column2 = line, ...}. */
static void push_edit(lua_State *L, int col1, int col2, const cs_ptp *p)
{
    lua_createtable(L, 0, 6);
    cs_claimview_push_line(L, col1);
    lua_setfield(L, -2, "column1");
    cs_claimview_push_line(L, col2);
    lua_setfield(L, -2, "column2");
    set_int(L, "indicator", p->indicator);
    set_str(L, "rationale", p->rationale);
    set_date(L, "effective", p->effective);
    set_date(L, "deleted", p->deleted);
}

/* While a claim is explained, or when the memo has no room: each edit
 * pushed into the table on the stack top. */
typedef struct pushed_edits {
    lua_State *L;
    int n;
} pushed_edits;

static void push_pair(void *ctx, int col1, int col2, const cs_ptp *edit)
{
    pushed_edits *x = ctx;
    if (!edit) return;
    push_edit(x->L, col1, col2, edit);
    lua_rawseti(x->L, -2, ++x->n);
}

/* ref.ptp_edits(claim) -> the NCCI PTP edits among the claim's lines: for
 * every ordered pair of different lines on the same date of service whose
 * codes have an edit in force (column 1 code first), ordered by the column 2
 * line, then the column 1 line: {column1 = line, column2 = line, indicator,
 * rationale, effective, deleted}.  The pairs a rule would look up one by
 * one with ref.ptp, in one call; the lookups are shared with the claim's
 * triggers (refmemo.h), except while the claim is explained, when each is
 * made here and recorded. */
static int l_ptp_edits(lua_State *L)
{
    cs_host *h = cs_host_of(L);
    if (!cs_claimview_is_claim(L, 1))
        return cs_sandbox_error(L, 1, "ref.ptp_edits: the argument must be the claim being checked");
    const cs_ptp_pair *pairs;
    int n = h->trace ? -2 : cs_refmemo_ptp(h, &pairs);
    lua_createtable(L, n > 0 ? n : 0, 0);
    for (int k = 0; k < n; k++) {
        push_edit(L, pairs[k].col1, pairs[k].col2, &pairs[k].edit);
        lua_rawseti(L, -2, k + 1);
    }
    if (n < 0) {
        pushed_edits x = {L, 0};
        cs_date bad = cs_refmemo_each_ptp(h, push_pair, &x);
        if (bad) data(L, "ptp_edits", CS_REF_PTP, bad);     /* raises: no PTP table */
    }
    return 1;
}

/* ref.mue(code, date) -> {value, mai, rationale} */
static int l_mue(lua_State *L)
{
    char c[6];
    arg_code(L, 1, "mue", "code", 5, 5, false, c);
    cs_date d = arg_date(L, 2, "mue");
    cs_mue m;
    bool found = cs_ref_mue(data(L, "mue", CS_REF_MUE, d), c, d, &m);
    TRACE(L, cs_trace_mue, c, d, found ? &m : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 3);
    set_int(L, "value", m.value);
    set_int(L, "mai", m.mai);
    set_str(L, "rationale", m.rationale);
    return 1;
}

/* ref.aoc_type(addon, date) -> 0..3 */
static int l_aoc_type(lua_State *L)
{
    char c[6];
    arg_code(L, 1, "aoc_type", "add-on code", 5, 5, false, c);
    cs_date d = arg_date(L, 2, "aoc_type");
    int type = cs_ref_aoc_type(data(L, "aoc_type", CS_REF_AOC, d), c, d);
    TRACE(L, cs_trace_aoc_type, c, d, type);
    lua_pushinteger(L, type);
    return 1;
}

/* ref.aoc_primary(addon, primary, date) -> boolean */
static int l_aoc_primary(lua_State *L)
{
    char a[6], p[6];
    arg_code(L, 1, "aoc_primary", "add-on code", 5, 5, false, a);
    arg_code(L, 2, "aoc_primary", "primary code", 5, 5, false, p);
    cs_date d = arg_date(L, 3, "aoc_primary");
    bool listed = cs_ref_aoc_primary(data(L, "aoc_primary", CS_REF_AOC, d), a, p, d);
    TRACE(L, cs_trace_aoc_primary, a, p, d, listed);
    lua_pushboolean(L, listed);
    return 1;
}

/* ref.pfs(code, date [, modifier]) -> {status, global, work_rvu, ...} */
static int l_pfs(lua_State *L)
{
    char c[6], m[3] = "";
    arg_code(L, 1, "pfs", "code", 5, 5, false, c);
    cs_date d = arg_date(L, 2, "pfs");
    if (!lua_isnoneornil(L, 3) && !(lua_type(L, 3) == LUA_TSTRING && lua_rawlen(L, 3) == 0))
        arg_code(L, 3, "pfs", "modifier", 2, 2, false, m);
    cs_pfs p;
    bool found = cs_ref_pfs(data(L, "pfs", CS_REF_PFS, d), c, m, d, &p);
    TRACE(L, cs_trace_pfs, c, m, d, found ? &p : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    char status[2] = {p.status, 0};
    lua_createtable(L, 0, 9);
    set_str(L, "status", status);
    set_str(L, "global", p.global);
    set_num(L, "work_rvu", p.work_rvu / 100.0);
    set_num(L, "nonfac_total_rvu", p.nonfac_total_rvu / 100.0);
    set_num(L, "fac_total_rvu", p.fac_total_rvu / 100.0);
    set_int(L, "nonfac_price", p.nonfac_price);
    set_int(L, "fac_price", p.fac_price);
    set_num(L, "conv_factor", p.conv_factor / 10000.0);
    return 1;
}

/* ref.icd10(code, date) -> {billable, description}; dotted or not */
static int l_icd10(lua_State *L)
{
    char c[9];
    arg_code(L, 1, "icd10", "ICD-10-CM code", 3, 8, true, c);
    cs_date d = arg_date(L, 2, "icd10");
    cs_icd10 x;
    bool found = cs_ref_icd10(data(L, "icd10", CS_REF_ICD10, d), c, d, &x);
    TRACE(L, cs_trace_icd10, c, d, found ? &x : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 2);
    lua_pushboolean(L, x.billable);
    lua_setfield(L, -2, "billable");
    set_str(L, "description", x.description);
    return 1;
}

/* ref.hcpcs(code, date) -> {section, description}: Level II codes */
static int l_hcpcs(lua_State *L)
{
    char c[6];
    arg_code(L, 1, "hcpcs", "HCPCS code", 5, 5, false, c);
    cs_date d = arg_date(L, 2, "hcpcs");
    cs_hcpcs x;
    bool found = cs_ref_hcpcs(data(L, "hcpcs", CS_REF_HCPCS, d), c, d, &x);
    TRACE(L, cs_trace_hcpcs, c, d, found ? &x : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 5);
    set_str(L, "section", x.section);
    set_str(L, "description", x.description);
    set_date(L, "added", x.added);
    set_date(L, "terminated", x.terminated);
    if (x.cov) {
        char cov[2] = {x.cov, 0};
        set_str(L, "cov", cov);
    }
    return 1;
}

/* ref.carc / ref.rarc / ref.group (code, date) -> {description, start, end} */
static int adj(lua_State *L, const char *fn, cs_adj_kind kind)
{
    char c[8];
    if (kind == CS_ADJ_GROUP) arg_code(L, 1, fn, "group code", 2, 2, false, c);
    else if (kind == CS_ADJ_CARC) arg_code(L, 1, fn, "reason code", 1, 5, false, c);
    else arg_code(L, 1, fn, "remark code", 2, 7, false, c);
    cs_date d = arg_date(L, 2, fn);
    cs_adj x;
    bool found = cs_ref_adj(data(L, fn, CS_REF_ADJ, d), kind, c, d, &x);
    TRACE(L, cs_trace_adj, kind, c, d, found ? &x : NULL);
    if (!found) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 3);
    set_str(L, "description", x.description);
    set_date(L, "start", x.start);
    set_date(L, "end", x.end);
    return 1;
}

static int l_carc(lua_State *L) { return adj(L, "carc", CS_ADJ_CARC); }
static int l_rarc(lua_State *L) { return adj(L, "rarc", CS_ADJ_RARC); }
static int l_group(lua_State *L) { return adj(L, "group", CS_ADJ_GROUP); }

/* The table named by argument 1 of ref.fn. */
static cs_ref_table arg_table(lua_State *L, const char *fn)
{
    const char *name = arg_str(L, 1, fn, "the table name");
    for (int i = 0; i < CS_REF_NTABLES; i++)
        if (!strcmp(name, cs_ref_table_name((cs_ref_table)i))) return (cs_ref_table)i;
    cs_sandbox_error(L, 1, "ref.%s: unknown table '%.16s' (ptp, mue, aoc, pfs, icd10, hcpcs or adj)",
                     fn, name);
    return CS_REF_NTABLES;
}

/* ref.release(table, date) -> "YYYY-MM-DD" of the release used, or nil */
static int l_release(lua_State *L)
{
    cs_ref_table t = arg_table(L, "release");
    cs_date d = arg_date(L, 2, "release");
    cs_date rel = cs_ref_release(data_set(L, "release"), t, d);
    if (!rel) {
        lua_pushnil(L);
        return 1;
    }
    note(L, t, rel);
    char buf[11];
    cs_date_format(rel, buf);
    lua_pushstring(L, buf);
    return 1;
}

/* ref.window(table, date) -> {release, from, to, covers} of the release
 * used for table on date, or nil when no release holds the table */
static int l_window(lua_State *L)
{
    cs_ref_table t = arg_table(L, "window");
    cs_date d = arg_date(L, 2, "window");
    cs_ref_window w;
    if (!cs_ref_window_of(data_set(L, "window"), t, d, &w)) {
        lua_pushnil(L);
        return 1;
    }
    note(L, t, w.release);
    lua_createtable(L, 0, 4);
    set_date(L, "release", w.release);
    set_date(L, "from", w.from);
    set_date(L, "to", w.to);
    lua_pushboolean(L, w.covers);
    lua_setfield(L, -2, "covers");
    return 1;
}

/* ref.covers(table, date) -> true when the release used for table on date
 * is meant for that date (its validity window holds it); false otherwise,
 * and when no release holds the table */
static int l_covers(lua_State *L)
{
    cs_ref_table t = arg_table(L, "covers");
    cs_date d = arg_date(L, 2, "covers");
    cs_ref_window w;
    bool found = cs_ref_window_of(data_set(L, "covers"), t, d, &w);
    if (found) note(L, t, w.release);
    lua_pushboolean(L, found && w.covers);
    return 1;
}

int cs_refview_open(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"ptp", l_ptp}, {"ptp_edits", l_ptp_edits}, {"mue", l_mue}, {"aoc_type", l_aoc_type},
        {"aoc_primary", l_aoc_primary}, {"pfs", l_pfs}, {"icd10", l_icd10},
        {"hcpcs", l_hcpcs}, {"carc", l_carc}, {"rarc", l_rarc}, {"group", l_group},
        {"release", l_release}, {"window", l_window}, {"covers", l_covers}, {NULL, NULL}
    };
    luaL_newlib(L, fns);
    return 1;
}
