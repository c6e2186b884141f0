/*
 * claimview.c -- the claim as scripts see it: read-only userdata views.
 *
 * Every object a script gets from `claim` is a small userdata naming a part
 * of the current claim (the claim, its lines, one line, a line's modifiers,
 * ...).  Reads go to the C struct; writes raise; reading a field the model
 * does not have raises with the field's name, so a misspelt field cannot
 * quietly disable a rule.  A view outlives its claim only as garbage: using
 * it after the claim is done raises.
 */
#include <string.h>

#include <lauxlib.h>

#include "claimview.h"
#include "host.h"

#define VIEW_MT "cs.view"

typedef enum view_kind {
    V_CLAIM, V_LINES, V_LINE, V_MODIFIERS, V_POINTERS, V_LINE_DX,
    V_DIAGNOSES, V_PATIENT, V_PROVIDER, V_DOCUMENTATION, V_MEASUREMENTS,
    V_MEASUREMENT
} view_kind;

typedef struct view {
    uint32_t gen;
    uint8_t kind;
    uint8_t line;               /* 0-based line, where it applies */
    uint8_t sub;                /* provider: 0 billing 1 rendering 2 supervising;
                                   measurement index */
} view;

/* Field names scripts may read, mapped to ids through a Lua table (an
 * interned-string lookup instead of a chain of strcmp). */
typedef enum field_id {
    F_NONE = 0, F_LINES, F_ID, F_PAYER, F_CLIENT, F_DIAGNOSES, F_POS, F_PATIENT,
    F_DOCUMENTATION, F_BILLING, F_RENDERING, F_SUPERVISING, F_CODE, F_MODIFIERS,
    F_UNITS, F_SERVICE_DATE, F_NUMBER, F_POINTERS, F_CHARGE, F_ROUTE, F_NDC,
    F_MEASUREMENTS, F_BIRTH_DATE, F_SEX, F_NPI, F_TAXONOMY, F_TYPE, F_VALUE
} field_id;

static const char *const FIELD_NAMES[] = {
    NULL, "lines", "id", "payer", "client", "diagnoses", "place_of_service",
    "patient", "documentation", "billing_provider", "rendering_provider",
    "supervising_provider", "code", "modifiers", "units", "service_date",
    "number", "diagnosis_pointers", "charge", "route", "ndc", "measurements",
    "birth_date", "sex", "npi", "taxonomy", "type", "value"
};

static const char *const KIND_NAMES[] = {
    "claim", "claim.lines", "line", "line.modifiers", "line.diagnosis_pointers",
    "line.diagnoses", "claim.diagnoses", "claim.patient", "provider",
    "claim.documentation", "line.measurements", "measurement"
};

/* Registry key of the view metatable (an address: no string lookup). */
static char KEY_VIEW_MT;

static void push_view(lua_State *L, uint32_t gen, view_kind k, int line, int sub)
{
    view *v = lua_newuserdatauv(L, sizeof *v, 0);
    v->gen = gen;
    v->kind = (uint8_t)k;
    v->line = (uint8_t)line;
    v->sub = (uint8_t)sub;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_VIEW_MT);
    lua_setmetatable(L, -2);
}

/* The view at idx and the claim it names; raises when stale.  Only called
 * from the view metatable's own metamethods, so idx holds a view: scripts
 * cannot reach the metatable (__metatable is locked) to call them on
 * anything else. */
static const view *check_view(lua_State *L, int idx, const cs_claim **c)
{
    const view *v = lua_touserdata(L, idx);
    cs_host *h = cs_host_of(L);
    if (!h->claim || v->gen != h->gen)
        cs_sandbox_error(L, 1, "this %s belongs to a claim that is no longer being checked", KIND_NAMES[v->kind]);
    *c = h->claim;
    return v;
}

static int unknown_field(lua_State *L, const view *v)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return cs_sandbox_error(L, 1, "%s has no field '%s'", KIND_NAMES[v->kind], lua_tostring(L, 2));
    return cs_sandbox_error(L, 1, "%s has no field of type %s", KIND_NAMES[v->kind], luaL_typename(L, 2));
}

static void push_str_or_nil(lua_State *L, const char *s)
{
    if (s && s[0]) lua_pushstring(L, s); else lua_pushnil(L);
}

static void push_date(lua_State *L, cs_date d)
{
    char buf[11];
    if (!d) { lua_pushnil(L); return; }
    cs_date_format(d, buf);
    lua_pushstring(L, buf);
}

/* 1-based integer index of a list view, or 0 when the key is not one. */
static int list_index(lua_State *L)
{
    int isnum;
    lua_Integer i = lua_tointegerx(L, 2, &isnum);
    return isnum && i > 0 && i <= 1000 ? (int)i : 0;
}

/* The field id of the string key at idx (F_NONE when not a field name). */
static field_id key_id(lua_State *L, int idx)
{
    lua_pushvalue(L, idx);
    field_id id = lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER ? (field_id)lua_tointeger(L, -1) : F_NONE;
    lua_pop(L, 1);
    return id;
}

/* Cache slots: one per part of a claim, numbered densely so the cache
 * table stays an array. */
enum {
    SLOT_LINES = 1, SLOT_DIAGNOSES, SLOT_PATIENT, SLOT_DOCUMENTATION,
    SLOT_PROVIDER,                                   /* + 0..2 */
    SLOT_LINE = SLOT_PROVIDER + 3,                   /* + line */
    SLOT_MODIFIERS = SLOT_LINE + CS_MAX_LINES,
    SLOT_POINTERS = SLOT_MODIFIERS + CS_MAX_LINES,
    SLOT_LINE_DX = SLOT_POINTERS + CS_MAX_LINES,
    SLOT_MEASUREMENTS = SLOT_LINE_DX + CS_MAX_LINES,
    SLOT_MEASUREMENT = SLOT_MEASUREMENTS + CS_MAX_LINES, /* + line * 4 + sub */
    SLOT_COUNT = SLOT_MEASUREMENT + CS_MAX_LINES * CS_MAX_MEASUREMENTS
};

static int slot_of(view_kind k, int line, int sub)
{
    switch (k) {
    case V_LINES: return SLOT_LINES;
    case V_DIAGNOSES: return SLOT_DIAGNOSES;
    case V_PATIENT: return SLOT_PATIENT;
    case V_DOCUMENTATION: return SLOT_DOCUMENTATION;
    case V_PROVIDER: return SLOT_PROVIDER + sub;
    case V_LINE: return SLOT_LINE + line;
    case V_MODIFIERS: return SLOT_MODIFIERS + line;
    case V_POINTERS: return SLOT_POINTERS + line;
    case V_LINE_DX: return SLOT_LINE_DX + line;
    case V_MEASUREMENTS: return SLOT_MEASUREMENTS + line;
    default: return SLOT_MEASUREMENT + line * CS_MAX_MEASUREMENTS + sub;
    }
}

/* Push the view of a part of the current claim, made once per claim: the
 * cache (upvalue 2, an array of SLOT_COUNT) keeps the last one made per
 * slot and a view of an older claim is replaced. */
static void push_cached(lua_State *L, view_kind k, int line, int sub)
{
    uint32_t gen = cs_host_of(L)->gen;
    int slot = slot_of(k, line, sub);
    if (lua_rawgeti(L, lua_upvalueindex(2), slot) == LUA_TUSERDATA &&
        ((const view *)lua_touserdata(L, -1))->gen == gen)
        return;
    lua_pop(L, 1);
    push_view(L, gen, k, line, sub);
    lua_pushvalue(L, -1);
    lua_rawseti(L, lua_upvalueindex(2), slot);
}

static int index_claim(lua_State *L, const view *v, const cs_claim *c, field_id k)
{
    const cs_provider *p = NULL;
    switch (k) {
    case F_LINES: push_cached(L, V_LINES, 0, 0); return 1;
    case F_ID: lua_pushstring(L, c->id); return 1;
    case F_PAYER: push_str_or_nil(L, c->payer); return 1;
    case F_CLIENT: push_str_or_nil(L, c->client); return 1;
    case F_DIAGNOSES: push_cached(L, V_DIAGNOSES, 0, 0); return 1;
    case F_POS: push_str_or_nil(L, c->place_of_service); return 1;
    case F_PATIENT:
        if (c->has_patient) push_cached(L, V_PATIENT, 0, 0); else lua_pushnil(L);
        return 1;
    case F_DOCUMENTATION: push_cached(L, V_DOCUMENTATION, 0, 0); return 1;
    case F_BILLING: p = &c->billing; break;
    case F_RENDERING: p = &c->rendering; break;
    case F_SUPERVISING: p = &c->supervising; break;
    default: return unknown_field(L, v);
    }
    if (p->present) push_cached(L, V_PROVIDER, 0, (int)(k - F_BILLING)); else lua_pushnil(L);
    return 1;
}

static int index_line(lua_State *L, const view *v, const cs_line *ln, field_id k)
{
    switch (k) {
    case F_CODE: lua_pushstring(L, ln->code); break;
    case F_MODIFIERS: push_cached(L, V_MODIFIERS, v->line, 0); break;
    case F_UNITS: lua_pushinteger(L, ln->units); break;
    case F_SERVICE_DATE: push_date(L, ln->service_date); break;
    case F_NUMBER: lua_pushinteger(L, v->line + 1); break;
    case F_POINTERS: push_cached(L, V_POINTERS, v->line, 0); break;
    case F_DIAGNOSES: push_cached(L, V_LINE_DX, v->line, 0); break;
    case F_CHARGE: if (ln->has_charge) lua_pushinteger(L, ln->charge); else lua_pushnil(L); break;
    case F_ROUTE: push_str_or_nil(L, ln->route); break;
    case F_NDC: push_str_or_nil(L, ln->ndc); break;
    case F_POS: push_str_or_nil(L, ln->place_of_service); break;
    case F_MEASUREMENTS: push_cached(L, V_MEASUREMENTS, v->line, 0); break;
    default: return unknown_field(L, v);
    }
    return 1;
}

static int index_record(lua_State *L, const view *v, const cs_claim *c, field_id k)
{
    if (v->kind == V_PATIENT) {
        char sex[2] = {c->patient_sex, 0};
        if (k == F_ID) push_str_or_nil(L, c->patient_id);
        else if (k == F_BIRTH_DATE) push_date(L, c->patient_birth_date);
        else if (k == F_SEX) push_str_or_nil(L, sex);
        else return unknown_field(L, v);
        return 1;
    }
    if (v->kind == V_PROVIDER) {
        const cs_provider *p = v->sub == 0 ? &c->billing : v->sub == 1 ? &c->rendering : &c->supervising;
        if (k == F_NPI) push_str_or_nil(L, p->npi);
        else if (k == F_TAXONOMY) push_str_or_nil(L, p->taxonomy);
        else return unknown_field(L, v);
        return 1;
    }
    const cs_measurement *m = &c->lines[v->line].measurements[v->sub];
    if (k == F_TYPE) lua_pushstring(L, m->type);
    else if (k == F_VALUE) lua_pushnumber(L, m->value);
    else return unknown_field(L, v);
    return 1;
}

/* documentation is free-form: any key, nil when absent. */
static int index_documentation(lua_State *L, const cs_claim *c)
{
    const char *k = lua_tostring(L, 2);
    for (int i = 0; i < c->ndocumentation; i++)
        if (!strcmp(c->documentation[i].key, k)) {
            lua_pushstring(L, c->documentation[i].value);
            return 1;
        }
    lua_pushnil(L);
    return 1;
}

/* Number of elements of a list view. */
static int list_len(const view *v, const cs_claim *c)
{
    const cs_line *ln = &c->lines[v->line];
    switch (v->kind) {
    case V_LINES: return c->nlines;
    case V_MODIFIERS: return ln->nmodifiers;
    case V_POINTERS: case V_LINE_DX: return ln->npointers;
    case V_DIAGNOSES: return c->ndiagnoses;
    case V_MEASUREMENTS: return ln->nmeasurements;
    default: return -1;
    }
}

static int index_list(lua_State *L, const view *v, const cs_claim *c)
{
    int i = list_index(L), n = list_len(v, c);
    if (lua_type(L, 2) == LUA_TSTRING) return unknown_field(L, v);
    if (i < 1 || i > n) { lua_pushnil(L); return 1; }
    const cs_line *ln = &c->lines[v->line];
    switch (v->kind) {
    case V_LINES: push_cached(L, V_LINE, i - 1, 0); break;
    case V_MODIFIERS: lua_pushstring(L, ln->modifiers[i - 1]); break;
    case V_POINTERS: lua_pushinteger(L, ln->pointers[i - 1]); break;
    case V_LINE_DX: lua_pushstring(L, c->diagnoses[ln->pointers[i - 1] - 1]); break;
    case V_DIAGNOSES: lua_pushstring(L, c->diagnoses[i - 1]); break;
    default: push_cached(L, V_MEASUREMENT, v->line, i - 1); break;
    }
    return 1;
}

static int view_index(lua_State *L)
{
    const cs_claim *c;
    const view *v = check_view(L, 1, &c);
    if (list_len(v, c) >= 0) return index_list(L, v, c);
    if (lua_type(L, 2) != LUA_TSTRING) return unknown_field(L, v);
    if (v->kind == V_DOCUMENTATION) return index_documentation(L, c);
    field_id k = key_id(L, 2);
    if (v->kind == V_CLAIM) return index_claim(L, v, c, k);
    if (v->kind == V_LINE) return index_line(L, v, &c->lines[v->line], k);
    return index_record(L, v, c, k);
}

static int view_newindex(lua_State *L)
{
    const cs_claim *c;
    const view *v = check_view(L, 1, &c);
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    if (lua_type(L, 2) == LUA_TNUMBER)
        return cs_sandbox_error(L, 1, "the claim is read-only: cannot set %s[%d]", KIND_NAMES[v->kind], (int)lua_tointeger(L, 2));
    return cs_sandbox_error(L, 1, "the claim is read-only: cannot set %s.%s", KIND_NAMES[v->kind], k);
}

static int view_len(lua_State *L)
{
    const cs_claim *c;
    const view *v = check_view(L, 1, &c);
    int n = list_len(v, c);
    if (n < 0) return cs_sandbox_error(L, 1, "%s has no length", KIND_NAMES[v->kind]);
    lua_pushinteger(L, n);
    return 1;
}

static int view_eq(lua_State *L)
{
    const view *a = luaL_checkudata(L, 1, VIEW_MT), *b = luaL_checkudata(L, 2, VIEW_MT);
    lua_pushboolean(L, a->gen == b->gen && a->kind == b->kind && a->line == b->line && a->sub == b->sub);
    return 1;
}

static int view_tostring(lua_State *L)
{
    const cs_claim *c;
    const view *v = check_view(L, 1, &c);
    if (v->kind == V_LINE)
        lua_pushfstring(L, "line %d (%s)", v->line + 1, c->lines[v->line].code);
    else if (v->kind == V_CLAIM)
        lua_pushfstring(L, "claim %s", c->id);
    else
        lua_pushstring(L, KIND_NAMES[v->kind]);
    return 1;
}

static int init(lua_State *L)
{
    static const luaL_Reg mm[] = {
        {"__newindex", view_newindex}, {"__len", view_len}, {"__eq", view_eq},
        {"__tostring", view_tostring}, {NULL, NULL}
    };
    luaL_newmetatable(L, VIEW_MT);
    luaL_setfuncs(L, mm, 0);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_createtable(L, 0, F_VALUE);
    for (int i = 1; i <= F_VALUE; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, FIELD_NAMES[i]);
    }
    lua_createtable(L, SLOT_COUNT, 0);   /* the view cache */
    for (int i = 1; i <= SLOT_COUNT; i++) {
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, i);
    }
    lua_pushcclosure(L, view_index, 2);
    lua_setfield(L, -2, "__index");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_VIEW_MT);
    return 0;
}

bool cs_claimview_init(lua_State *L)
{
    lua_pushcfunction(L, init);
    if (lua_pcall(L, 0, 0, 0) == LUA_OK) return true;
    lua_pop(L, 1);
    return false;
}

void cs_claimview_push(lua_State *L)
{
    push_view(L, cs_host_of(L)->gen, V_CLAIM, 0, 0);
}

int cs_claimview_line(lua_State *L, int idx)
{
    const view *v = luaL_testudata(L, idx, VIEW_MT);
    cs_host *h = cs_host_of(L);
    if (!v || v->kind != V_LINE || !h->claim || v->gen != h->gen) return 0;
    return v->line + 1;
}
