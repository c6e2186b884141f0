/*
 * codeset.c -- sets of procedure codes and ranges, for triggers and for
 * the stdlib's membership tests.  See codeset.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "codeset.h"
#include "sandbox.h"

/* One code or an inclusive range of codes ("J9000"-"J9999"). */
typedef struct code_range {
    char lo[6], hi[6];
} code_range;

struct cs_codeset {
    int n;                      /* ranges: sorted, disjoint, at least 1 */
    code_range r[];
};

static size_t size_of(int n)
{
    return sizeof (cs_codeset) + (size_t)n * sizeof (code_range);
}

/* ---- reading a list ---------------------------------------------------- */

static bool code5(const char *s, size_t n, char *out)
{
    if (n != 5) return false;
    for (size_t i = 0; i < 5; i++) {
        char c = s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
        out[i] = c;
    }
    out[5] = 0;
    return true;
}

/* "96372" or "J9000-J9999" into *r; false when it is neither. */
static bool parse_range(const char *s, size_t n, code_range *r)
{
    if (n == 5) return code5(s, 5, r->lo) && code5(s, 5, r->hi);
    return n == 11 && s[5] == '-' && code5(s, 5, r->lo) && code5(s + 6, 5, r->hi) &&
           strcmp(r->lo, r->hi) <= 0;
}

static int cmp_range(const void *a, const void *b)
{
    return strcmp(((const code_range *)a)->lo, ((const code_range *)b)->lo);
}

/* Sort and merge overlapping ranges; returns the new count. */
static int merge_ranges(code_range *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_range);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (k && strcmp(v[i].lo, v[k - 1].hi) <= 0) {
            if (strcmp(v[i].hi, v[k - 1].hi) > 0) memcpy(v[k - 1].hi, v[i].hi, 6);
        } else {
            v[k++] = v[i];
        }
    }
    return k;
}

/* The string an entry of a list (value) or of a set (key, value true)
 * gives, with the key at -2 and the value at -1. */
static const char *entry_string(lua_State *L, size_t *n)
{
    if (lua_type(L, -2) == LUA_TNUMBER && lua_type(L, -1) == LUA_TSTRING)
        return lua_tolstring(L, -1, n);
    if (lua_type(L, -2) == LUA_TSTRING && lua_toboolean(L, -1) && lua_type(L, -1) == LUA_TBOOLEAN)
        return lua_tolstring(L, -2, n);
    return NULL;
}

/* A read-only table (a module's list, see cs_sandbox_freeze) reads through
 * to its contents: replace the proxy at idx by them. */
static void unproxy(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return;
    lua_pushliteral(L, "__frozen");
    bool frozen = lua_rawget(L, -2) == LUA_TBOOLEAN;
    lua_pop(L, 1);
    if (frozen && lua_getfield(L, -1, "__index") == LUA_TTABLE) lua_replace(L, idx);
    else lua_pop(L, 1);
    lua_pop(L, 1);
}

const cs_codeset *cs_codeset_read(lua_State *L, int idx, const char *what)
{
    idx = lua_absindex(L, idx);
    if (lua_istable(L, idx)) unproxy(L, idx);
    if (!lua_istable(L, idx))
        cs_sandbox_error(L, 1, "%s must be a list of codes (\"96372\", \"J9000-J9999\")", what);
    int n = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (++n > CS_MAX_SET_CODES)
            cs_sandbox_error(L, 1, "%s has more than %d entries", what, CS_MAX_SET_CODES);
        lua_pop(L, 1);
    }
    if (n == 0) cs_sandbox_error(L, 1, "%s is empty: it holds no code", what);
    cs_codeset *s = lua_newuserdatauv(L, size_of(n), 0);
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len;
        const char *e = entry_string(L, &len);
        if (!e || !parse_range(e, len, &s->r[k]))
            cs_sandbox_error(L, 1, "%s: '%.16s' is not a 5-character code or a range like \"J9000-J9999\"",
                             what, e ? e : luaL_typename(L, -1));
        k++;
        lua_pop(L, 1);
    }
    s->n = merge_ranges(s->r, k);
    cs_sandbox_charge(L, 16.0 * k + 4.0 * k * log2(k + 1.0));   /* as table.sort */
    return s;
}

cs_codeset *cs_codeset_copy(const cs_codeset *s)
{
    cs_codeset *out = malloc(size_of(s->n));
    if (out) memcpy(out, s, size_of(s->n));
    return out;
}

/* ---- testing a code ---------------------------------------------------- */

bool cs_codeset_has(const cs_codeset *s, const char *code)
{
    int lo = 0, hi = s->n - 1;
    while (lo <= hi) {          /* the last range starting at or before code */
        int mid = (lo + hi) / 2;
        if (strcmp(s->r[mid].lo, code) <= 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return hi >= 0 && strcmp(code, s->r[hi].hi) <= 0;
}

/* ---- the Lua module ---------------------------------------------------- */

/* A set's test (upvalue 1: the set): true for a 5-character string in it,
 * false for anything else. */
static int test(lua_State *L)
{
    size_t n = 0;
    const char *code = lua_type(L, 1) == LUA_TSTRING ? lua_tolstring(L, 1, &n) : NULL;
    lua_pushboolean(L, code && n == 5 && cs_codeset_has(lua_touserdata(L, lua_upvalueindex(1)), code));
    return 1;
}

/* codeset.of(list) -> test */
static int of(lua_State *L)
{
    cs_codeset_read(L, 1, "codeset.of: the list");
    lua_pushcclosure(L, test, 1);
    return 1;
}

int cs_codeset_open(lua_State *L)
{
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, of);
    lua_setfield(L, -2, "of");
    return 1;
}
