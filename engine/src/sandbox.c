/*
 * sandbox.c -- the Lua state that runs untrusted payer scripts.
 *
 * What scripts can reach is built here and nowhere else: an allow-listed
 * base of functions (read-only), a read-only string library whose metatable
 * is locked, deterministic pairs/tostring/format, a host require() limited
 * to the engine's stdlib, a memory cap and a sticky CPU budget.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "sandbox.h"

#define BUDGET_MSG "CPU budget exceeded"

/* Deterministic key order for pairs(): numbers, then strings, then
 * booleans.  Trusted code, run in the state's hidden globals. */
static const char SPAIRS_SRC[] =
    "local next, type, sort, error = next, type, table.sort, error\n"
    "local rank = { number = 1, string = 2, boolean = 3 }\n"
    "local function before(a, b)\n"
    "  local ra, rb = rank[type(a)], rank[type(b)]\n"
    "  if ra ~= rb then return ra < rb end\n"
    "  if ra == 3 then return b and not a end\n"
    "  return a < b\n"
    "end\n"
    "return function(t)\n"
    "  local keys, n = {}, 0\n"
    "  for k in next, t do\n"
    "    if not rank[type(k)] then\n"
    "      error('pairs: a table with ' .. type(k) .. ' keys has no fixed order', 3)\n"
    "    end\n"
    "    n = n + 1; keys[n] = k\n"
    "  end\n"
    "  sort(keys, before)\n"
    "  local i = 0\n"
    "  return function()\n"
    "    i = i + 1\n"
    "    local k = keys[i]\n"
    "    if k ~= nil then return k, t[k] end\n"
    "  end\n"
    "end\n";

/* Registry keys (addresses are unique); KEY_NIL stands for nil in lists. */
static char KEY_BASE, KEY_SPAIRS, KEY_NIL;

cs_sandbox *cs_sandbox_of(lua_State *L)
{
    return *(cs_sandbox **)lua_getextraspace(L);
}

/* ---- CPU --------------------------------------------------------------- */

static void sb_hook(lua_State *L, lua_Debug *ar);

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Charge n instructions' worth of C work to the running invocation; when
 * that spends the budget, the next instruction stops the script. */
static void charge(cs_sandbox *sb, double n)
{
    if (sb->phase == CS_PHASE_IDLE || sb->tripped) return;
    if ((double)sb->insn_used + n < (double)sb->insn_budget) {
        sb->insn_used += (long)n;
        return;
    }
    sb->insn_used = sb->insn_budget;
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, 1);
}

void cs_sandbox_charge(lua_State *L, double n)
{
    charge(cs_sandbox_of(L), n);
}

/* Count instructions; once the budget (or the time backstop) is spent,
 * raise on every instruction so that pcall inside the script cannot
 * swallow the stop. */
static void sb_hook(lua_State *L, lua_Debug *ar)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    if (!sb->tripped) {
        sb->insn_used += CS_HOOK_INTERVAL;
        if (sb->insn_used < sb->insn_budget) {
            if (elapsed_ms(&sb->start) < CS_SCRIPT_TIME_LIMIT_MS) return;
            sb->timed_out = true;
        }
        sb->tripped = true;
        sb->where[0] = 0;
        if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
            snprintf(sb->where, sizeof sb->where, "%s:%d: ", cs_sandbox_source(ar), ar->currentline);
        lua_sethook(L, sb_hook, LUA_MASKCOUNT, 1);
    }
    lua_pushstring(L, BUDGET_MSG);
    lua_error(L);
}

/* ---- memory ------------------------------------------------------------ */

long cs_sandbox_fail_countdown;

/* The injected failure, if this allocation is the chosen one. */
static bool injected_failure(void)
{
    return cs_sandbox_fail_countdown > 0 && --cs_sandbox_fail_countdown == 0;
}

/* Account every byte; refuse growth past the cap.  When ptr is NULL, osize
 * is a type tag, not a size.  Shrinking never fails (Lua relies on it). */
static void *sb_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    cs_sandbox *sb = ud;
    size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        free(ptr);
        sb->mem_used -= old;
        return NULL;
    }
    size_t limit = sb->mem_limit + (sb->phase == CS_PHASE_IDLE ? CS_SANDBOX_HOST_RESERVE : 0);
    if (nsize > old &&
        (sb->fail_alloc || injected_failure() || sb->mem_used - old + nsize > limit))
        return NULL;
    void *p = realloc(ptr, nsize);
    if (!p) return nsize <= old ? ptr : NULL;
    sb->mem_used = sb->mem_used - old + nsize;
    if (nsize > old + CS_ALLOC_CHARGE_BYTES) charge(sb, (double)(nsize - old) / CS_ALLOC_CHARGE_BYTES);
    return p;
}

/* ---- errors ------------------------------------------------------------ */

const char *cs_sandbox_source(const lua_Debug *ar)
{
    return ar->source && ar->source[0] == '@' ? ar->source + 1 : ar->short_src;
}

int cs_sandbox_error(lua_State *L, int level, const char *fmt, ...)
{
    lua_Debug ar;
    char where[256] = "";
    if (lua_getstack(L, level, &ar) && lua_getinfo(L, "Sl", &ar) &&
        ar.currentline > 0)
        snprintf(where, sizeof where, "%s:%d: ", cs_sandbox_source(&ar), ar.currentline);
    va_list ap;
    va_start(ap, fmt);
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lua_pushfstring(L, "%s%s", where, msg);
    return lua_error(L);
}

/* ---- read-only tables -------------------------------------------------- */

static int ro_newindex(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TNUMBER)
        return cs_sandbox_error(L, 1, "attempt to modify read-only table (index %s)", lua_tostring(L, 2));
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : luaL_typename(L, 2);
    return cs_sandbox_error(L, 1, "attempt to modify read-only table (key '%s')", k);
}

static int ro_len(lua_State *L)
{
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
    return 1;
}

static int ro_pairs(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_SPAIRS);
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
    lua_call(L, 1, 1);
    return 1;
}

/* Proxy for the table at idx; `seen` (at seen_idx) maps originals to
 * proxies so shared and cyclic tables get one proxy. */
/* Replace the table on the stack top by a read-only proxy whose reads go
 * to it; writes go to newindex. */
static void proxy_of_top(lua_State *L, lua_CFunction newindex)
{
    lua_newtable(L);                       /* proxy */
    lua_createtable(L, 0, 6);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, newindex);    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, ro_len);      lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, ro_pairs);    lua_setfield(L, -2, "__pairs");
    lua_pushboolean(L, 0);             lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1);             lua_setfield(L, -2, "__frozen");
    lua_setmetatable(L, -2);
    lua_remove(L, -2);
}

static void freeze_rec(lua_State *L, int idx, int seen_idx)
{
    idx = lua_absindex(L, idx);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, seen_idx) != LUA_TNIL) return;
    lua_pop(L, 1);
    luaL_checkstack(L, 8, "freeze");
    lua_newtable(L);
    proxy_of_top(L, ro_newindex);          /* registered before filling: cycles */
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, seen_idx);
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");        /* the shadow, filled here */
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            freeze_rec(L, -1, seen_idx);
            lua_remove(L, -2);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
    lua_pop(L, 2);
}

void cs_sandbox_freeze(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_newtable(L);
    freeze_rec(L, idx, lua_gettop(L));
    lua_remove(L, -2);
}

/* True when the table at idx is a frozen proxy. */
static bool is_frozen(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return false;
    lua_pushliteral(L, "__frozen");
    bool f = lua_rawget(L, -2) == LUA_TBOOLEAN;
    lua_pop(L, 2);
    return f;
}

/* ---- sealing a script ------------------------------------------------- */

/* After a script's top level has run, nothing it left behind may change:
 * tables become read-only proxies, its globals a read-only table, and the
 * upvalues of its functions (which tables cannot protect) are recorded so
 * that cs_sandbox_restore can reset them before every claim. */

#define SEAL_SEEN 1             /* stack slots of the sealing call */
#define SEAL_REC  2

static void seal_value(lua_State *L, int idx);
static bool is_guarded(lua_State *L, int idx);

static int sealed_env_newindex(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return cs_sandbox_error(L, 1, "assignment to global '%s' (rules keep no state between claims; use a local)", k);
}


/* Copy the raw contents of the table at idx, each value sealed, into the
 * table on the stack top. */
static void seal_contents(lua_State *L, int idx)
{
    luaL_checkstack(L, 8, "seal");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        seal_value(L, -1);
        lua_remove(L, -2);
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, -4);
    }
}

static void seal_table(lua_State *L, int idx)
{
    if (is_frozen(L, idx)) { lua_pushvalue(L, idx); return; }
    lua_pushvalue(L, idx);
    if (lua_rawget(L, SEAL_SEEN) != LUA_TNIL) return;
    lua_pop(L, 1);
    if (!is_guarded(L, idx) && lua_getmetatable(L, idx))
        luaL_error(L, "a table with a metatable is kept at the top level; rules may not keep such tables");
    lua_newtable(L);                       /* shadow, registered first: cycles */
    proxy_of_top(L, ro_newindex);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, -2);
    lua_rawset(L, SEAL_SEEN);
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");
    seal_contents(L, idx);
    lua_pop(L, 2);
}

/* Record (f, i, value) in the restore list. */
static void record_upvalue(lua_State *L, int f, int i)
{
    /* closures share upvalue cells: record each cell once */
    lua_pushlightuserdata(L, lua_upvalueid(L, f, i));
    if (lua_rawget(L, SEAL_SEEN) != LUA_TNIL) { lua_pop(L, 1); return; }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, lua_upvalueid(L, f, i));
    lua_pushboolean(L, 1);
    lua_rawset(L, SEAL_SEEN);
    lua_Integer n = (lua_Integer)lua_rawlen(L, SEAL_REC);
    lua_pushvalue(L, f);  lua_rawseti(L, SEAL_REC, n + 1);
    lua_pushinteger(L, i); lua_rawseti(L, SEAL_REC, n + 2);
    /* nil cannot be stored in the list: a sentinel stands for it */
    if (lua_isnil(L, -1)) lua_pushlightuserdata(L, &KEY_NIL); else lua_pushvalue(L, -1);
    lua_rawseti(L, SEAL_REC, n + 3);
}

static void seal_function(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    if (lua_iscfunction(L, idx) || lua_rawget(L, SEAL_SEEN) != LUA_TNIL) return;
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, idx);
    lua_rawset(L, SEAL_SEEN);
    for (int i = 1; lua_getupvalue(L, idx, i) != NULL; i++) {
        seal_value(L, -1);
        if (!lua_rawequal(L, -1, -2)) {
            lua_pushvalue(L, -1);
            lua_setupvalue(L, idx, i);
        }
        record_upvalue(L, idx, i);
        lua_pop(L, 2);
    }
    lua_pushvalue(L, idx);
}

/* Push the sealed form of the value at idx. */
static void seal_value(lua_State *L, int idx)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    idx = lua_absindex(L, idx);
    luaL_checkstack(L, 10, "seal");
    if (++sb->seal_depth > CS_SEAL_MAX_DEPTH)
        luaL_error(L, "tables or functions nested more than %d deep are kept at the top level", CS_SEAL_MAX_DEPTH);
    switch (lua_type(L, idx)) {
    case LUA_TTABLE: seal_table(L, idx); break;
    case LUA_TFUNCTION: seal_function(L, idx); break;
    default: lua_pushvalue(L, idx);
    }
    sb->seal_depth--;
}

/* Protected body of cs_sandbox_seal: (env, fns) -> restore list. */
static int seal(lua_State *L)
{
    cs_sandbox_of(L)->seal_depth = 0;
    lua_settop(L, 2);
    lua_newtable(L);                       /* seen */
    lua_newtable(L);                       /* restore list */
    lua_insert(L, 1);
    lua_insert(L, 1);                      /* 1 seen, 2 rec, 3 env, 4 fns */
    lua_newtable(L);                       /* the globals' shadow */
    lua_createtable(L, 0, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BASE);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    proxy_of_top(L, sealed_env_newindex);
    lua_pushvalue(L, 3);
    lua_pushvalue(L, -2);
    lua_rawset(L, SEAL_SEEN);
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");
    seal_contents(L, 3);
    lua_settop(L, 4);
    lua_pushnil(L);
    while (lua_next(L, 4)) {
        seal_value(L, -1);
        lua_pop(L, 2);
    }
    lua_settop(L, SEAL_REC);
    return 1;
}

int cs_sandbox_seal(cs_sandbox *sb, int env_idx, int fns_idx, char **err)
{
    lua_State *L = sb->L;
    env_idx = lua_absindex(L, env_idx);
    fns_idx = lua_absindex(L, fns_idx);
    lua_pushcfunction(L, seal);
    lua_pushvalue(L, env_idx);
    lua_pushvalue(L, fns_idx);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        if (err) *err = strdup(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "not enough memory");
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

void cs_sandbox_restore(cs_sandbox *sb, int ref)
{
    lua_State *L = sb->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
    for (lua_Integer j = 1; j + 2 <= n; j += 3) {
        lua_rawgeti(L, -1, j);                       /* f */
        int i = (int)(lua_rawgeti(L, -2, j + 1), lua_tointeger(L, -1));
        lua_pop(L, 1);
        lua_getupvalue(L, -1, i);
        lua_rawgeti(L, -3, j + 2);                   /* sealed value */
        if (lua_touserdata(L, -1) == &KEY_NIL) { lua_pop(L, 1); lua_pushnil(L); }
        if (!lua_rawequal(L, -1, -2)) lua_setupvalue(L, -3, i);
        else lua_pop(L, 1);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

/* ---- wrapped base functions ------------------------------------------- */

/* setmetatable refusing finalizers, to-be-closed and weak tables: __gc runs
 * with hooks off (no budget), and GC timing must not change a verdict. */
/* Metamethods rules may not use: __gc runs with hooks off (no budget),
 * __close likewise at unwinding, and __mode makes results depend on when
 * the collector runs. */
static const char *const BANNED_MM[] = {"__gc", "__close", "__mode"};

/* The banned name k is, or NULL. */
static const char *banned_key(lua_State *L, int k)
{
    if (lua_type(L, k) != LUA_TSTRING) return NULL;
    for (size_t i = 0; i < sizeof BANNED_MM / sizeof *BANNED_MM; i++)
        if (!strcmp(lua_tostring(L, k), BANNED_MM[i])) return BANNED_MM[i];
    return NULL;
}

/* The metatable of every table used as a metatable: it refuses banned
 * metamethods added later ("mt.__mode = 'k'" after setmetatable). */
static char KEY_GUARD;

static int guard_newindex(lua_State *L)
{
    const char *b = banned_key(L, 2);
    if (b) return cs_sandbox_error(L, 1, "%s metamethods are not allowed in rules", b);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}

static bool is_guarded(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return false;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_GUARD);
    bool g = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return g;
}

/* Make the metatable at idx usable: a sealed (read-only) table is replaced
 * by the table behind it, which getmetatable then shows as the read-only
 * proxy; any other table gets the guard as its own metatable. */
static void prepare_metatable(lua_State *L, int idx)
{
    if (is_frozen(L, idx)) {
        lua_getmetatable(L, idx);
        lua_getfield(L, -1, "__index");    /* the shadow */
        lua_pushvalue(L, idx);
        lua_setfield(L, -2, "__metatable");
        lua_replace(L, idx);
        lua_pop(L, 1);
        return;
    }
    if (is_guarded(L, idx)) return;
    if (lua_getmetatable(L, idx))
        cs_sandbox_error(L, 2, "setmetatable: a metatable may not have a metatable of its own in rules");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_GUARD);
    lua_setmetatable(L, idx);
}

static int sb_setmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        for (size_t i = 0; i < sizeof BANNED_MM / sizeof *BANNED_MM; i++) {
            lua_pushstring(L, BANNED_MM[i]);
            int t = lua_rawget(L, 2);
            lua_pop(L, 1);
            if (t != LUA_TNIL)
                return cs_sandbox_error(L, 1, "setmetatable: %s metamethods are not allowed in rules", BANNED_MM[i]);
        }
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return cs_sandbox_error(L, 1, "cannot change a protected metatable");
    lua_settop(L, 2);
    if (!lua_isnil(L, 2)) prepare_metatable(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

static int sb_rawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_frozen(L, 1))
        return cs_sandbox_error(L, 1, "attempt to modify read-only table");
    const char *b = is_guarded(L, 1) ? banned_key(L, 2) : NULL;
    if (b) return cs_sandbox_error(L, 1, "%s metamethods are not allowed in rules", b);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* pairs in a fixed key order (see SPAIRS_SRC), honouring __pairs. */
static int sb_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_SPAIRS);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    return 1;
}

/* Push a string for the value at idx that never shows an address. */
static void push_plain_tostring(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    if (luaL_getmetafield(L, idx, "__tostring") != LUA_TNIL) {
        lua_pushvalue(L, idx);
        lua_call(L, 1, 1);
        if (!lua_isstring(L, -1))
            luaL_error(L, "'__tostring' must return a string");
        return;
    }
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER: case LUA_TSTRING:
        lua_pushvalue(L, idx);
        lua_tostring(L, -1);
        break;
    case LUA_TBOOLEAN:
        lua_pushstring(L, lua_toboolean(L, idx) ? "true" : "false");
        break;
    default:
        lua_pushstring(L, luaL_typename(L, idx));
    }
}

static int sb_tostring(lua_State *L)
{
    luaL_checkany(L, 1);
    push_plain_tostring(L, 1);
    return 1;
}

/* string.format without %p, and with %s of non-strings through the
 * address-free tostring. */
static int sb_format(lua_State *L)
{
    size_t n;
    const char *f = luaL_checklstring(L, 1, &n);
    int arg = 1;
    for (size_t i = 0; i < n; i++) {
        if (f[i] != '%') continue;
        if (++i < n && f[i] == '%') continue;
        while (i < n && strchr("-+ #0123456789.", f[i])) i++;
        if (i >= n) break;
        arg++;
        if (f[i] == 'p')
            return cs_sandbox_error(L, 1, "string.format: %%p is not allowed in rules");
        if (f[i] == 's' && !lua_isnoneornil(L, arg) &&
            lua_type(L, arg) != LUA_TSTRING && lua_type(L, arg) != LUA_TNUMBER) {
            push_plain_tostring(L, arg);
            lua_replace(L, arg);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

/* Refuse string.rep calls whose result would not fit in memory anyway, and
 * the empty-string case that loops in C without allocating. */
static int sb_rep(lua_State *L)
{
    size_t l, lsep = 0;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);
    if (n <= 0 || l + lsep == 0) { lua_pushliteral(L, ""); return 1; }
    if ((double)n * (double)(l + lsep) > (double)CS_SANDBOX_MEM_LIMIT)
        return cs_sandbox_error(L, 1, "not enough memory (string.rep of %lld copies)", (long long)n);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int sb_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    /* unsigned: e - f overflows for e = maxinteger, f = mininteger */
    if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= (lua_Unsigned)CS_TABLE_MOVE_MAX)
        return cs_sandbox_error(L, 1, "table.move: more than %ld elements", (long)CS_TABLE_MOVE_MAX);
    if (e >= f) charge(cs_sandbox_of(L), 16.0 * ((double)e - (double)f + 1)); /* ~16 instructions' time an element */
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* xpcall(f, msgh, ...) as pcall followed by an ordinary call of msgh.  Lua
 * runs a message handler where the error is raised, and the CPU budget's
 * error is raised inside the count hook, where hooks are off: a handler that
 * loops would never be stopped.  Scripts have no debug library, so running
 * the handler after unwinding changes nothing they can observe. */
static int sb_xpcall(lua_State *L)
{
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_insert(L, 1);                   /* msgh f msgh args... */
    lua_remove(L, 3);                   /* msgh f args... */
    lua_pushboolean(L, 1);
    lua_insert(L, 2);                   /* msgh true f args... */
    if (lua_pcall(L, n - 2, LUA_MULTRET, 0) == LUA_OK)
        return lua_gettop(L) - 1;       /* true results... */
    lua_pushboolean(L, 0);
    lua_replace(L, 2);                  /* msgh false err */
    lua_pushvalue(L, 1);
    lua_insert(L, 3);                   /* msgh false msgh err */
    lua_call(L, 1, 1);
    return 2;
}

/* table.sort compares in C when no comparator is given: charge n log n. */
static int sb_sort(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double n = (double)luaL_len(L, 1);
    if (n > 1) charge(cs_sandbox_of(L), 4.0 * n * log2(n));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 0);
    return 0;
}

/* Quantifiers in a Lua pattern, counting %b as one (conservative). */
static int pattern_quantifiers(const char *p, size_t n)
{
    int q = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '%') { if (i + 1 < n && p[i + 1] == 'b') q++; i++; }
        else if (p[i] == '[') {
            i++;
            if (i < n && p[i] == '^') i++;
            if (i < n && p[i] == ']') i++;
            while (i < n && p[i] != ']') { if (p[i] == '%') i++; i++; }
        } else if (strchr("*+-?", p[i])) q++;
    }
    return q;
}

/* find/match/gmatch/gsub with a bound on backtracking work. */
static int sb_pattern(lua_State *L)
{
    size_t ls, lp;
    luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    bool plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
    if (!plain) {
        double work = pow((double)ls + 1, pattern_quantifiers(p, lp) + 1) * ((double)lp + 1);
        if (work > CS_PATTERN_MAX_WORK)
            return cs_sandbox_error(L, 1, "pattern too complex for a %zu-byte subject", ls);
        charge(cs_sandbox_of(L), work / CS_ALLOC_CHARGE_BYTES);
    } else {
        charge(cs_sandbox_of(L), (double)(ls + lp) / CS_ALLOC_CHARGE_BYTES);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- globals ------------------------------------------------------------ */

static int undefined_global(lua_State *L)
{
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return cs_sandbox_error(L, 1, "undefined global '%s'", k);
}

/* Writes to script globals: allowed at a script's top level for new names,
 * refused for built-in names and while a rule is checking a claim. */
static int env_newindex(lua_State *L)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
    if (!k) return cs_sandbox_error(L, 1, "global names must be strings");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BASE);
    lua_pushvalue(L, 2);
    if (lua_rawget(L, -2) != LUA_TNIL)
        return cs_sandbox_error(L, 1, "cannot redefine built-in '%s'", k);
    if (sb->phase == CS_PHASE_CHECK)
        return cs_sandbox_error(L, 1, "assignment to undeclared global '%s' (rules keep no state between claims; use a local)", k);
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 0;
}

void cs_sandbox_push_env(cs_sandbox *sb)
{
    lua_State *L = sb->L;
    lua_createtable(L, 0, 4);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->env_mt);
    lua_setmetatable(L, -2);
}

static int register_fns(lua_State *L)
{
    const luaL_Reg *fns = lua_touserdata(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BASE);
    luaL_setfuncs(L, fns, 0);
    return 0;
}

bool cs_sandbox_register(cs_sandbox *sb, const luaL_Reg *fns)
{
    lua_pushcfunction(sb->L, register_fns);
    lua_pushlightuserdata(sb->L, (void *)fns);
    if (lua_pcall(sb->L, 1, 0, 0) == LUA_OK) return true;
    lua_pop(sb->L, 1);
    return false;
}

/* ---- require ------------------------------------------------------------ */

static bool valid_module_name(const char *s)
{
    if (!*s || strlen(s) > 32) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || *p == '_' || (p > s && *p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* Read a whole file of at most max bytes.  NULL on error with errno set;
 * *oom set when the error is that memory ran out. */
static char *read_file(const char *path, size_t max, size_t *len, bool *oom)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(max + 1);
    *oom = !buf;
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) { free(buf); return NULL; }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* require(name): a module of the engine's stdlib, loaded once per sandbox
 * and handed out read-only. */
static int sb_require(lua_State *L)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    const char *name = luaL_checkstring(L, 1);
    if (!valid_module_name(name))
        return cs_sandbox_error(L, 1, "require: '%s' is not a stdlib module name", name);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->modules);
    if (lua_getfield(L, -1, name) != LUA_TNIL) return 1;
    lua_pop(L, 1);
    char path[4096], chunk[128];
    snprintf(path, sizeof path, "%s/%s.lua", sb->stdlib_dir, name);
    snprintf(chunk, sizeof chunk, "@stdlib/%s.lua", name);
    size_t len;
    bool oom = false;
    char *src = read_file(path, CS_SCRIPT_MAX_BYTES, &len, &oom);
    if (!src && oom) return cs_sandbox_error(L, 1, "require: not enough memory to read stdlib module '%s'", name);
    if (!src) return cs_sandbox_error(L, 1, "require: no stdlib module '%s'", name);
    int rc = luaL_loadbufferx(L, src, len, chunk, "t");
    free(src);
    if (rc != LUA_OK) return lua_error(L);
    cs_sandbox_push_env(sb);
    lua_setupvalue(L, -2, 1);
    cs_phase saved = sb->phase;
    sb->phase = CS_PHASE_LOAD;
    lua_call(L, 0, 1);
    sb->phase = saved;
    if (!lua_istable(L, -1))
        return cs_sandbox_error(L, 1, "require: stdlib module '%s' did not return a table", name);
    cs_sandbox_freeze(L, -1);
    lua_pushvalue(L, -1);
    lua_setfield(L, -4, name);
    return 1;
}

/* Protected body of cs_sandbox_preload: (name as a light userdata, open)
 * -> ().  The name is made a Lua string only here: allocating outside a
 * protected call would abort the process when memory runs out. */
static int preload(lua_State *L)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    const char *name = lua_touserdata(L, 1);
    lua_settop(L, 2);
    lua_call(L, 0, 1);                     /* open() */
    if (!lua_istable(L, 2))
        return luaL_error(L, "module '%s' did not return a table", name);
    cs_sandbox_freeze(L, 2);
    lua_rawgeti(L, LUA_REGISTRYINDEX, sb->modules);
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, name);
    return 0;
}

bool cs_sandbox_preload(cs_sandbox *sb, const char *name, lua_CFunction open, char **err)
{
    lua_State *L = sb->L;
    if (!valid_module_name(name)) {
        char msg[128];
        snprintf(msg, sizeof msg, "cs_sandbox_preload: '%.64s' is not a module name", name);
        if (err) *err = strdup(msg);
        return false;
    }
    lua_pushcfunction(L, preload);
    lua_pushlightuserdata(L, (void *)name);
    lua_pushcfunction(L, open);
    if (lua_pcall(L, 2, 0, 0) == LUA_OK) return true;
    if (err) *err = strdup(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "not enough memory");
    lua_pop(L, 1);
    return false;
}

/* ---- construction -------------------------------------------------------- */

/* Replace lib[name] with fn, the original as upvalue 1 (and extra as 2). */
static void wrap(lua_State *L, int lib, const char *name, lua_CFunction fn, int extra)
{
    lua_getfield(L, lib, name);
    lua_pushboolean(L, extra);
    lua_pushcclosure(L, fn, 2);
    lua_setfield(L, lib, name);
}

/* Build the string library scripts see: no dump, bounded rep and patterns,
 * address-free format; the string metatable locked. */
static void setup_string(lua_State *L)
{
    luaL_requiref(L, "string", luaopen_string, 1);
    int s = lua_gettop(L);
    lua_pushnil(L); lua_setfield(L, s, "dump");
    wrap(L, s, "rep", sb_rep, 0);
    wrap(L, s, "format", sb_format, 0);
    wrap(L, s, "find", sb_pattern, 1);
    wrap(L, s, "match", sb_pattern, 0);
    wrap(L, s, "gmatch", sb_pattern, 0);
    wrap(L, s, "gsub", sb_pattern, 0);
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 3);
}

static void open_libs(lua_State *L)
{
    luaL_requiref(L, "_G", luaopen_base, 1);
    luaL_requiref(L, "table", luaopen_table, 1);
    wrap(L, lua_gettop(L), "move", sb_move, 0);
    wrap(L, lua_gettop(L), "sort", sb_sort, 0);
    luaL_requiref(L, "math", luaopen_math, 1);
    lua_pushnil(L); lua_setfield(L, -2, "random");
    lua_pushnil(L); lua_setfield(L, -2, "randomseed");
    luaL_requiref(L, "utf8", luaopen_utf8, 1);
    lua_pop(L, 4);
    setup_string(L);
}

/* The read-only base every script's globals fall through to. */
static void build_base(lua_State *L)
{
    static const char *const plain[] = {
        "assert", "error", "ipairs", "pcall", "rawequal", "rawget",
        "rawlen", "select", "tonumber", "type", "getmetatable", "_VERSION"
    };
    static const char *const libs[] = {"string", "table", "math", "utf8"};
    lua_newtable(L);
    int base = lua_gettop(L);
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        lua_getglobal(L, plain[i]);
        lua_setfield(L, base, plain[i]);
    }
    for (size_t i = 0; i < sizeof libs / sizeof *libs; i++) {
        lua_getglobal(L, libs[i]);
        cs_sandbox_freeze(L, -1);
        lua_setfield(L, base, libs[i]);
        lua_pop(L, 1);
    }
    lua_pushcfunction(L, sb_setmetatable); lua_setfield(L, base, "setmetatable");
    lua_pushcfunction(L, sb_rawset);       lua_setfield(L, base, "rawset");
    lua_pushcfunction(L, sb_pairs);        lua_setfield(L, base, "pairs");
    lua_pushcfunction(L, sb_tostring);     lua_setfield(L, base, "tostring");
    lua_pushcfunction(L, sb_xpcall);       lua_setfield(L, base, "xpcall");
    lua_pushcfunction(L, sb_require);      lua_setfield(L, base, "require");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, undefined_global);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, base);
    lua_pushvalue(L, base);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_BASE);
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, guard_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_GUARD);
    /* _G: a read-only view of the base */
    cs_sandbox_freeze(L, base);
    lua_setfield(L, base, "_G");
    lua_pop(L, 1);
}

static void build_env_mt(cs_sandbox *sb)
{
    lua_State *L = sb->L;
    lua_createtable(L, 0, 3);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_BASE);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, env_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    sb->env_mt = luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Everything that may raise while the state is built; run protected. */
static int setup(lua_State *L)
{
    cs_sandbox *sb = lua_touserdata(L, 1);
    open_libs(L);
    if (luaL_loadbufferx(L, SPAIRS_SRC, sizeof SPAIRS_SRC - 1, "=spairs", "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_SPAIRS);
    build_base(L);
    build_env_mt(sb);
    lua_newtable(L);
    sb->modules = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

cs_sandbox *cs_sandbox_new(const char *stdlib_dir, char **err)
{
    cs_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb || !(sb->stdlib_dir = strdup(stdlib_dir))) goto oom;
    sb->mem_limit = CS_SANDBOX_MEM_LIMIT;
    sb->insn_budget = CS_SCRIPT_INSN_BUDGET;
    sb->L = lua_newstate(sb_alloc, sb);
    if (!sb->L) goto oom;
    *(cs_sandbox **)lua_getextraspace(sb->L) = sb;
    lua_pushcfunction(sb->L, setup);
    lua_pushlightuserdata(sb->L, sb);
    if (lua_pcall(sb->L, 1, 0, 0) != LUA_OK) {
        if (err) *err = strdup(lua_type(sb->L, -1) == LUA_TSTRING ? lua_tostring(sb->L, -1) : "not enough memory");
        cs_sandbox_free(sb);
        return NULL;
    }
    lua_sethook(sb->L, sb_hook, LUA_MASKCOUNT, CS_HOOK_INTERVAL);
    return sb;
oom:
    if (err) *err = strdup("not enough memory");
    cs_sandbox_free(sb);
    return NULL;
}

void cs_sandbox_free(cs_sandbox *sb)
{
    if (!sb) return;
    if (sb->L) {
        sb->fail_alloc = false;
        sb->mem_limit = (size_t)-1;   /* let close finish whatever it needs */
        lua_close(sb->L);
    }
    free(sb->stdlib_dir);
    free(sb);
}

/* ---- running ------------------------------------------------------------- */

bool cs_sandbox_compile(cs_sandbox *sb, const char *chunkname,
                        const char *src, size_t len, char **err)
{
    lua_State *L = sb->L;
    if (len > CS_SCRIPT_MAX_BYTES) {
        if (err) *err = strdup("script larger than the 1 MiB limit");
        return false;
    }
    int rc = luaL_loadbufferx(L, src, len, chunkname, "t");
    if (rc == LUA_OK) return true;
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "not enough memory";
    /* syntax errors name "file:line:"; a refused binary chunk and a memory
     * error name nothing: say which file */
    if (err && (rc == LUA_ERRMEM || strncmp(m, "attempt to load a ", 18) == 0)) {
        const char *name = chunkname[0] == '@' || chunkname[0] == '=' ? chunkname + 1 : chunkname;
        size_t n = strlen(name) + strlen(m) + 3;
        if ((*err = malloc(n)) != NULL) snprintf(*err, n, "%s: %s", name, m);
    } else if (err) {
        *err = strdup(m);
    }
    lua_pop(L, 1);
    return false;
}

/* Describe the error object on top of the stack without running any of its
 * metamethods. */
static void describe_error(lua_State *L, int rc, char *msg, size_t size)
{
    cs_sandbox *sb = cs_sandbox_of(L);
    if (sb->tripped && sb->timed_out)
        snprintf(msg, size, "%stime limit exceeded (%d ms)", sb->where, CS_SCRIPT_TIME_LIMIT_MS);
    else if (sb->tripped)
        snprintf(msg, size, "%s%s (%ld instructions)", sb->where, BUDGET_MSG, sb->insn_budget);
    else if (rc == LUA_ERRMEM)
        snprintf(msg, size, "not enough memory (limit %zu MiB)", sb->mem_limit >> 20);
    else if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER)
        snprintf(msg, size, "%s", lua_tostring(L, -1));
    else
        snprintf(msg, size, "error object is a %s value", luaL_typename(L, -1));
}

int cs_sandbox_call(cs_sandbox *sb, int nargs, cs_phase ph, char *msg, size_t msgsize)
{
    lua_State *L = sb->L;
    cs_phase saved = sb->phase;
    sb->phase = ph;
    sb->insn_used = 0;
    sb->tripped = sb->timed_out = false;
    clock_gettime(CLOCK_MONOTONIC, &sb->start);
    int rc = lua_pcall(L, nargs, 0, 0);
    if (rc != LUA_OK) {
        describe_error(L, rc, msg, msgsize);
        lua_pop(L, 1);
    }
    if (sb->tripped) {
        sb->tripped = false;
        lua_sethook(L, sb_hook, LUA_MASKCOUNT, CS_HOOK_INTERVAL);
    }
    sb->phase = saved;
    return rc;
}
