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
 * to its contents: replace the proxy at idx by them.  Any other table with
 * a metatable is read as it is (raw). */
static void unproxy(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return;
    lua_pushliteral(L, "__frozen");
    bool frozen = lua_rawget(L, -2) == LUA_TBOOLEAN;
    lua_pop(L, 1);
    if (frozen) {
        if (lua_getfield(L, -1, "__index") == LUA_TTABLE) lua_replace(L, idx);
        else lua_pop(L, 1);
    }
    lua_pop(L, 1);
}

/* The entry a refused list is reported by: the bad one with the lowest
 * list index, else the smallest string key, else the lowest type of key.
 * Never "the first lua_next gives": that order follows the state's hash
 * seed, and the record must be the same on every run. */
typedef struct bad_entry {
    int rank;                   /* 0 none, 1 index, 2 string key, 3 other key */
    lua_Number index;           /* rank 1: the key; rank 3: the key's type */
    const char *key;            /* rank 2: the key (the table holds it) */
    size_t keylen;
    char text[17];              /* what the message shows */
} bad_entry;

static int keycmp(const char *a, size_t na, const char *b, size_t nb)
{
    int c = memcmp(a, b, na < nb ? na : nb);
    return c ? c : (na > nb) - (na < nb);
}

/* Note the entry at (-2, -1), described by e (or its value's type), when
 * it comes before the one noted. */
static void note_bad(lua_State *L, bad_entry *b, const char *e)
{
    int kt = lua_type(L, -2), rank = kt == LUA_TNUMBER ? 1 : kt == LUA_TSTRING ? 2 : 3;
    lua_Number index = rank == 1 ? lua_tonumber(L, -2) : rank == 3 ? kt : 0;
    size_t keylen = 0;
    const char *key = rank == 2 ? lua_tolstring(L, -2, &keylen) : NULL;
    bool before = !b->rank || rank < b->rank ||
                  (rank == b->rank && (rank == 2 ? keycmp(key, keylen, b->key, b->keylen) < 0
                                                 : index < b->index));
    if (!before) return;
    b->rank = rank;
    b->index = index;
    b->key = key;
    b->keylen = keylen;
    if (rank == 3) snprintf(b->text, sizeof b->text, "a %s key", lua_typename(L, kt));
    else snprintf(b->text, sizeof b->text, "%s", e ? e : luaL_typename(L, -1));
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
        cs_sandbox_charge(L, 16);       /* an entry read; an error is charged too */
        if (++n > CS_MAX_SET_CODES)
            cs_sandbox_error(L, 1, "%s has more than %d entries", what, CS_MAX_SET_CODES);
        lua_pop(L, 1);
    }
    if (n == 0) cs_sandbox_error(L, 1, "%s is empty: it holds no code", what);
    cs_codeset *s = lua_newuserdatauv(L, size_of(n), 0);
    bad_entry bad = {0};
    int k = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t len;
        const char *e = entry_string(L, &len);
        if (k < n && (!e || !parse_range(e, len, &s->r[k]))) note_bad(L, &bad, e);
        k += k < n;             /* the table cannot change meanwhile; in case */
        lua_pop(L, 1);
    }
    if (bad.rank)
        cs_sandbox_error(L, 1, "%s: '%s' is not a 5-character code or a range like \"J9000-J9999\"",
                         what, bad.text);
    s->n = merge_ranges(s->r, k);
    cs_sandbox_charge(L, 4.0 * k * log2(k + 1.0));   /* the sort, as table.sort */
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
