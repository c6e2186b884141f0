/*
 * claimview.c -- the claim as scripts see it: read-only tables, filled on
 * first use.
 *
 * Every object a script gets from `claim` (the claim, its lines, a line,
 * a line's modifiers, ...) is an empty proxy table in front of a hidden
 * shadow table that holds the values.  When the first rule of a claim asks
 * for the claim, every part of it is copied into the shadows in one pass
 * (fill_claim), so every read, by any rule of any layer, is a plain table
 * lookup in the VM.  A read the shadow cannot answer goes to a C function
 * (miss): a field the claim did not give reads as nil, a list index past
 * the end as nil, documentation entries are looked up by name, and a field
 * the model does not have raises with the field's name, so a misspelt field
 * cannot quietly disable a rule.  Objects are read-only: writes raise and
 * rawset is refused (the proxy is marked frozen).
 *
 * The objects themselves are made once per engine, one per part of a claim
 * (slot), and reused: each claim overwrites every field of the parts it
 * has.  Parts it does not have (line 7 of a 3-line claim) keep stale values
 * but are unreachable: the lists a script can reach end at the claim's
 * counts.  Scripts cannot keep an object from one claim to the next (they
 * are sealed), so reuse is invisible to them.
 */
#include <string.h>

#include <lauxlib.h>

#include "claimview.h"
#include "host.h"

typedef enum view_kind {
    V_CLAIM, V_LINES, V_LINE, V_MODIFIERS, V_POINTERS, V_LINE_DX,
    V_DIAGNOSES, V_PATIENT, V_PROVIDER, V_DOCUMENTATION, V_MEASUREMENTS,
    V_MEASUREMENT, V_NKINDS
} view_kind;

/* Field names scripts may read, mapped to ids through a Lua table (an
 * interned-string lookup instead of a chain of strcmp). */
typedef enum field_id {
    F_NONE = 0, F_LINES, F_ID, F_PAYER, F_CLIENT, F_DIAGNOSES, F_POS, F_PATIENT,
    F_DOCUMENTATION, F_BILLING, F_RENDERING, F_SUPERVISING, F_CODE, F_MODIFIERS,
    F_UNITS, F_SERVICE_DATE, F_NUMBER, F_POINTERS, F_CHARGE, F_ROUTE, F_NDC,
    F_MEASUREMENTS, F_BIRTH_DATE, F_SEX, F_NPI, F_TAXONOMY, F_TYPE, F_VALUE,
    F_SERVICE_DATE_TO, F_LAST = F_SERVICE_DATE_TO
} field_id;

static const char *const FIELD_NAMES[] = {
    NULL, "lines", "id", "payer", "client", "diagnoses", "place_of_service",
    "patient", "documentation", "billing_provider", "rendering_provider",
    "supervising_provider", "code", "modifiers", "units", "service_date",
    "number", "diagnosis_pointers", "charge", "route", "ndc", "measurements",
    "birth_date", "sex", "npi", "taxonomy", "type", "value", "service_date_to"
};

static const char *const KIND_NAMES[] = {
    "claim", "claim.lines", "line", "line.modifiers", "line.diagnosis_pointers",
    "line.diagnoses", "claim.diagnoses", "claim.patient", "provider",
    "claim.documentation", "line.measurements", "measurement"
};

/* Registry and hidden-field keys: addresses scripts cannot make. */
static char KEY_META;           /* shadow[KEY_META] = packed (kind, line, sub) */
static char KEY_VIEW;           /* proxy metatable[KEY_VIEW] = true */
static char KEY_KINDS;          /* registry: shadow metatables by kind */
static char KEY_FIELDS;         /* registry: field name -> field_id */
static char KEY_OBJECTS;        /* registry: the objects, by slot */
static char KEY_SHADOWS;        /* registry: their shadows, by slot */
static char KEY_NAMES;          /* registry: field_id -> field name */

/* Which part of which claim an object shows. */
typedef struct view {
    view_kind kind;
    int line;                   /* 0-based */
    int sub;                    /* provider 0..2; measurement index */
} view;

static lua_Integer pack_view(const view *v)
{
    return (lua_Integer)v->sub << 16 | (lua_Integer)v->line << 8 | (lua_Integer)v->kind;
}

static view unpack_view(lua_Integer x)
{
    view v = {(view_kind)(x & 0xff), (int)(x >> 8 & 0xff), (int)(x >> 16 & 0xff)};
    return v;
}

static bool is_list(view_kind k)
{
    return k == V_LINES || k == V_MODIFIERS || k == V_POINTERS || k == V_LINE_DX ||
           k == V_DIAGNOSES || k == V_MEASUREMENTS;
}

/* The view shown by the proxy at idx (any table whose metatable is a view
 * metatable), or false. */
static bool view_of(lua_State *L, int idx, view *out)
{
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return false;
    bool ok = lua_rawgetp(L, -1, &KEY_VIEW) == LUA_TBOOLEAN;
    lua_pop(L, 1);
    if (ok) {
        lua_getfield(L, -1, "__index");
        ok = lua_rawgetp(L, -1, &KEY_META) == LUA_TNUMBER;
        if (ok) *out = unpack_view(lua_tointeger(L, -1));
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
    return ok;
}

/* ---- making objects ----------------------------------------------------- */

/* One slot per part of a claim, numbered densely. */
enum {
    SLOT_CLAIM = 1, SLOT_LINES, SLOT_DIAGNOSES, SLOT_PATIENT, SLOT_DOCUMENTATION,
    SLOT_PROVIDER,                                   /* + 0..2 */
    SLOT_LINE = SLOT_PROVIDER + 3,                   /* + line */
    SLOT_MODIFIERS = SLOT_LINE + CS_MAX_LINES,
    SLOT_POINTERS = SLOT_MODIFIERS + CS_MAX_LINES,
    SLOT_LINE_DX = SLOT_POINTERS + CS_MAX_LINES,
    SLOT_MEASUREMENTS = SLOT_LINE_DX + CS_MAX_LINES,
    SLOT_MEASUREMENT = SLOT_MEASUREMENTS + CS_MAX_LINES, /* + line * 4 + sub */
    SLOT_COUNT = SLOT_MEASUREMENT + CS_MAX_LINES * CS_MAX_MEASUREMENTS
};
_Static_assert(SLOT_COUNT <= sizeof ((cs_host *)0)->view_len, "cs_host.view_len too small");
_Static_assert(SLOT_COUNT <= sizeof ((cs_host *)0)->view_set / sizeof (uint32_t), "cs_host.view_set too small");
_Static_assert(F_LAST < 32, "field ids must fit the bits of cs_host.view_set");

static int slot_of(const view *v)
{
    switch (v->kind) {
    case V_CLAIM: return SLOT_CLAIM;
    case V_LINES: return SLOT_LINES;
    case V_DIAGNOSES: return SLOT_DIAGNOSES;
    case V_PATIENT: return SLOT_PATIENT;
    case V_DOCUMENTATION: return SLOT_DOCUMENTATION;
    case V_PROVIDER: return SLOT_PROVIDER + v->sub;
    case V_LINE: return SLOT_LINE + v->line;
    case V_MODIFIERS: return SLOT_MODIFIERS + v->line;
    case V_POINTERS: return SLOT_POINTERS + v->line;
    case V_LINE_DX: return SLOT_LINE_DX + v->line;
    case V_MEASUREMENTS: return SLOT_MEASUREMENTS + v->line;
    default: return SLOT_MEASUREMENT + v->line * CS_MAX_MEASUREMENTS + v->sub;
    }
}

static int view_newindex(lua_State *L);
static int view_len(lua_State *L);
static int view_tostring(lua_State *L);
static int view_pairs(lua_State *L);

/* Push a new object showing v: proxy -> metatable -> shadow -> fill. */
static void push_object(lua_State *L, view v)
{
    luaL_checkstack(L, 6, "claim view");
    lua_newtable(L);                                   /* proxy */
    lua_createtable(L, 0, 8);                          /* its metatable */
    lua_createtable(L, 0, 4);                          /* the shadow */
    lua_pushinteger(L, pack_view(&v));
    lua_rawsetp(L, -2, &KEY_META);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_KINDS);
    lua_rawgeti(L, -1, v.kind + 1);
    lua_setmetatable(L, -3);
    lua_pop(L, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, view_newindex); lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, view_tostring); lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, view_pairs); lua_setfield(L, -2, "__pairs");
    lua_pushcfunction(L, view_len); lua_setfield(L, -2, "__len");
    lua_pushboolean(L, 0); lua_setfield(L, -2, "__metatable");
    lua_pushboolean(L, 1); lua_setfield(L, -2, "__frozen");   /* rawset refuses it */
    lua_pushboolean(L, 1); lua_rawsetp(L, -2, &KEY_VIEW);
    lua_setmetatable(L, -2);
}

/* Push the object of v, made on first use (and its shadow recorded).
 * While a claim is copied in, the table of objects is on the stack. */
static void push_slot(lua_State *L, view v)
{
    int slot = slot_of(&v), objects = cs_host_of(L)->view_objects;
    if (objects) {
        if (lua_rawgeti(L, objects, slot) == LUA_TTABLE) return;
        lua_pop(L, 1);
    }
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OBJECTS);
    if (lua_rawgeti(L, -1, slot) != LUA_TTABLE) {
        lua_pop(L, 1);
        push_object(L, v);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, slot);
        lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_SHADOWS);
        lua_getmetatable(L, -2);
        lua_getfield(L, -1, "__index");
        lua_rawseti(L, -3, slot);
        lua_pop(L, 2);
    }
    lua_remove(L, -2);
}

/* Push the shadow of v's object, making the object when needed.  Only
 * while a claim is copied in: the table of shadows is on the stack. */
static void push_shadow(lua_State *L, view v)
{
    int shadows = cs_host_of(L)->view_shadows;
    if (lua_rawgeti(L, shadows, slot_of(&v)) != LUA_TTABLE) {
        lua_pop(L, 1);
        push_slot(L, v);
        lua_pop(L, 1);
        lua_rawgeti(L, shadows, slot_of(&v));
    }
}

static void push_child(lua_State *L, view_kind k, int line, int sub)
{
    view v = {k, line, sub};
    push_slot(L, v);
}

/* ---- reading fields ----------------------------------------------------- */

static void push_str_or_nil(lua_State *L, const char *s)
{
    if (s && s[0]) lua_pushstring(L, s); else lua_pushnil(L);
}

static void push_date(lua_State *L, cs_date d)
{
    char buf[11];
    if (!d) { lua_pushnil(L); return; }
    cs_date_format(d, buf);
    lua_pushlstring(L, buf, 10);
}

static int unknown_field(lua_State *L, const view *v)
{
    if (lua_type(L, 2) == LUA_TSTRING)
        return cs_sandbox_error(L, 1, "%s has no field '%s'", KIND_NAMES[v->kind], lua_tostring(L, 2));
    return cs_sandbox_error(L, 1, "%s has no field of type %s", KIND_NAMES[v->kind], luaL_typename(L, 2));
}

/* Push field k of the claim; false when the claim has no such field. */
static bool claim_field(lua_State *L, const view *v, const cs_claim *c, field_id k)
{
    const cs_provider *p;
    switch (k) {
    case F_LINES: push_child(L, V_LINES, 0, 0); return true;
    case F_ID: lua_pushstring(L, c->id); return true;
    case F_PAYER: push_str_or_nil(L, c->payer); return true;
    case F_CLIENT: push_str_or_nil(L, c->client); return true;
    case F_DIAGNOSES: push_child(L, V_DIAGNOSES, 0, 0); return true;
    case F_POS: push_str_or_nil(L, c->place_of_service); return true;
    case F_PATIENT:
        if (c->has_patient) push_child(L, V_PATIENT, 0, 0); else lua_pushnil(L);
        return true;
    case F_DOCUMENTATION: push_child(L, V_DOCUMENTATION, 0, 0); return true;
    case F_BILLING: p = &c->billing; break;
    case F_RENDERING: p = &c->rendering; break;
    case F_SUPERVISING: p = &c->supervising; break;
    default: return false;
    }
    if (p->present) push_child(L, V_PROVIDER, 0, (int)(k - F_BILLING)); else lua_pushnil(L);
    return true;
}

static bool line_field(lua_State *L, const view *v, const cs_line *ln, field_id k)
{
    switch (k) {
    case F_CODE: lua_pushstring(L, ln->code); break;
    case F_MODIFIERS: push_child(L, V_MODIFIERS, v->line, 0); break;
    case F_UNITS: lua_pushinteger(L, ln->units); break;
    case F_SERVICE_DATE: push_date(L, ln->service_date); break;
    case F_SERVICE_DATE_TO: push_date(L, ln->service_date_to); break;
    case F_NUMBER: lua_pushinteger(L, v->line + 1); break;
    case F_POINTERS: push_child(L, V_POINTERS, v->line, 0); break;
    case F_DIAGNOSES: push_child(L, V_LINE_DX, v->line, 0); break;
    case F_CHARGE: if (ln->has_charge) lua_pushinteger(L, ln->charge); else lua_pushnil(L); break;
    case F_ROUTE: push_str_or_nil(L, ln->route); break;
    case F_NDC: push_str_or_nil(L, ln->ndc); break;
    case F_POS: push_str_or_nil(L, ln->place_of_service); break;
    case F_MEASUREMENTS: push_child(L, V_MEASUREMENTS, v->line, 0); break;
    default: return false;
    }
    return true;
}

static bool record_field(lua_State *L, const view *v, const cs_claim *c, field_id k)
{
    if (v->kind == V_PATIENT) {
        char sex[2] = {c->patient_sex, 0};
        if (k == F_ID) push_str_or_nil(L, c->patient_id);
        else if (k == F_BIRTH_DATE) push_date(L, c->patient_birth_date);
        else if (k == F_SEX) push_str_or_nil(L, sex);
        else return false;
        return true;
    }
    if (v->kind == V_PROVIDER) {
        const cs_provider *p = v->sub == 0 ? &c->billing : v->sub == 1 ? &c->rendering : &c->supervising;
        if (k == F_NPI) push_str_or_nil(L, p->npi);
        else if (k == F_TAXONOMY) push_str_or_nil(L, p->taxonomy);
        else return false;
        return true;
    }
    const cs_measurement *m = &c->lines[v->line].measurements[v->sub];
    if (k == F_TYPE) lua_pushstring(L, m->type);
    else if (k == F_VALUE) lua_pushnumber(L, m->value);
    else return false;
    return true;
}

/* documentation is free-form: any key, nil when absent. */
static void documentation_field(lua_State *L, const cs_claim *c, const char *k)
{
    for (int i = 0; i < c->ndocumentation; i++)
        if (!strcmp(c->documentation[i].key, k)) {
            lua_pushstring(L, c->documentation[i].value);
            return;
        }
    lua_pushnil(L);
}

static int list_len(const view *v, const cs_claim *c)
{
    const cs_line *ln = &c->lines[v->line];
    switch (v->kind) {
    case V_LINES: return c->nlines;
    case V_MODIFIERS: return ln->nmodifiers;
    case V_POINTERS: case V_LINE_DX: return ln->npointers;
    case V_DIAGNOSES: return c->ndiagnoses;
    case V_MEASUREMENTS: return ln->nmeasurements;
    default: return 0;
    }
}

/* Push element i (1-based, in range) of a list. */
static void list_element(lua_State *L, const view *v, const cs_claim *c, int i)
{
    const cs_line *ln = &c->lines[v->line];
    switch (v->kind) {
    case V_LINES: push_child(L, V_LINE, i - 1, 0); break;
    case V_MODIFIERS: lua_pushstring(L, ln->modifiers[i - 1]); break;
    case V_POINTERS: lua_pushinteger(L, ln->pointers[i - 1]); break;
    case V_LINE_DX: lua_pushstring(L, c->diagnoses[ln->pointers[i - 1] - 1]); break;
    case V_DIAGNOSES: lua_pushstring(L, c->diagnoses[i - 1]); break;
    default: push_child(L, V_MEASUREMENT, v->line, i - 1); break;
    }
}

/* The claim being checked; raises when there is none. */
static const cs_claim *claim_of(lua_State *L, const view *v)
{
    cs_host *h = cs_host_of(L);
    if (!h->claim)
        cs_sandbox_error(L, 1, "this %s is read outside the check of a claim", KIND_NAMES[v->kind]);
    return h->claim;
}

/* A list's element, or nil past the end. */
static void list_miss(lua_State *L, const view *v, const cs_claim *c)
{
    int isnum;
    lua_Integer i = lua_tointegerx(L, 2, &isnum);
    if (lua_type(L, 2) == LUA_TSTRING) unknown_field(L, v);
    if (isnum && i >= 1 && i <= list_len(v, c)) list_element(L, v, c, (int)i);
    else lua_pushnil(L);
}

/* __index of a shadow (upvalue 1: the field table): a read the shadow
 * could not answer.  Answers nil for a field the claim did not give and an
 * index past a list's end, looks documentation up by name, and raises for
 * a field the model does not have. */
static int miss(lua_State *L)
{
    lua_rawgetp(L, 1, &KEY_META);
    view v = unpack_view(lua_tointeger(L, -1));
    lua_pop(L, 1);
    const cs_claim *c = claim_of(L, &v);
    if (is_list(v.kind)) {
        list_miss(L, &v, c);
    } else if (lua_type(L, 2) != LUA_TSTRING) {
        return unknown_field(L, &v);
    } else if (v.kind == V_DOCUMENTATION) {
        documentation_field(L, c, lua_tostring(L, 2));
    } else {
        lua_pushvalue(L, 2);
        field_id k = lua_rawget(L, lua_upvalueindex(1)) == LUA_TNUMBER ? (field_id)lua_tointeger(L, -1) : F_NONE;
        lua_pop(L, 1);
        bool ok = v.kind == V_CLAIM ? claim_field(L, &v, c, k)
                : v.kind == V_LINE ? line_field(L, &v, &c->lines[v.line], k)
                : record_field(L, &v, c, k);
        if (!ok) return unknown_field(L, &v);
    }
    return 1;
}

/* ---- copying a claim into the shadows ----------------------------------- */

/* Fields copied into each kind of record (F_NONE ends the list).  A
 * field marked CONST has the same value for every claim in its slot (a
 * line's number, the object of its modifiers): it is set once. */
#define CONST 0x100
static const int CLAIM_FIELDS[] = {
    F_ID, F_PAYER, F_CLIENT, F_POS, F_LINES | CONST, F_DIAGNOSES | CONST, F_PATIENT,
    F_DOCUMENTATION | CONST, F_BILLING, F_RENDERING, F_SUPERVISING, F_NONE
};
static const int LINE_FIELDS[] = {
    F_CODE, F_MODIFIERS | CONST, F_UNITS, F_SERVICE_DATE, F_NUMBER | CONST,
    F_POINTERS | CONST, F_DIAGNOSES | CONST, F_CHARGE, F_ROUTE, F_NDC, F_POS,
    F_MEASUREMENTS | CONST, F_SERVICE_DATE_TO, F_NONE
};
static const int PATIENT_FIELDS[] = {F_ID, F_BIRTH_DATE, F_SEX, F_NONE};
static const int PROVIDER_FIELDS[] = {F_NPI, F_TAXONOMY, F_NONE};
static const int MEASUREMENT_FIELDS[] = {F_TYPE, F_VALUE, F_NONE};

/* Set every field of v's shadow from the claim (nil for those it lacks).
 * The host remembers which fields of each slot hold a value, so a field
 * that stays nil, or a CONST one already set, costs no table write. */
static void fill_record(lua_State *L, view v, const cs_claim *c, const int *fields)
{
    cs_host *h = cs_host_of(L);
    uint32_t *set = &h->view_set[slot_of(&v)];
    push_shadow(L, v);
    int sh = lua_gettop(L);
    for (int i = 0; fields[i] != F_NONE; i++) {
        field_id k = (field_id)(fields[i] & 0xff);
        uint32_t bit = 1u << k;
        if ((fields[i] & CONST) && (*set & bit)) continue;
        if (v.kind == V_CLAIM) claim_field(L, &v, c, k);
        else if (v.kind == V_LINE) line_field(L, &v, &c->lines[v.line], k);
        else record_field(L, &v, c, k);
        bool nil = lua_isnil(L, -1);
        if (nil && !(*set & bit)) { lua_pop(L, 1); continue; }
        lua_rawgeti(L, h->view_names, k);
        lua_insert(L, -2);
        lua_rawset(L, sh);
        *set = nil ? *set & ~bit : *set | bit;
    }
    lua_pop(L, 1);
}

/* Set the elements of list v's shadow, clearing those the previous claim
 * left past the new end (the host keeps each list's length). */
static void fill_list(lua_State *L, view v, const cs_claim *c)
{
    uint8_t *len = &cs_host_of(L)->view_len[slot_of(&v)];
    int n = list_len(&v, c), old = *len;
    if (n == 0 && old == 0) return;
    push_shadow(L, v);
    for (int i = 1; i <= n; i++) {
        list_element(L, &v, c, i);
        lua_rawseti(L, -2, i);
    }
    for (int i = n + 1; i <= old; i++) {
        lua_pushnil(L);
        lua_rawseti(L, -2, i);
    }
    *len = (uint8_t)n;
    lua_pop(L, 1);
}

static void fill_line(lua_State *L, const cs_claim *c, int i)
{
    view line = {V_LINE, i, 0};
    fill_record(L, line, c, LINE_FIELDS);
    static const view_kind lists[] = {V_MODIFIERS, V_POINTERS, V_LINE_DX, V_MEASUREMENTS};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        view v = {lists[k], i, 0};
        fill_list(L, v, c);
    }
    for (int m = 0; m < c->lines[i].nmeasurements; m++) {
        view v = {V_MEASUREMENT, i, m};
        fill_record(L, v, c, MEASUREMENT_FIELDS);
    }
}

/* Copy the claim being checked into the shadows: the claim, its lists,
 * its records.  The tables of objects, shadows and field names stay on the
 * stack meanwhile.  Called protected (cs_claimview_push). */
static int fill_claim(lua_State *L)
{
    cs_host *h = cs_host_of(L);
    const cs_claim *c = h->claim;
    luaL_checkstack(L, 16, "claim view");
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_OBJECTS);
    h->view_objects = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_SHADOWS);
    h->view_shadows = lua_gettop(L);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_NAMES);
    h->view_names = lua_gettop(L);
    view claim = {V_CLAIM, 0, 0}, lines = {V_LINES, 0, 0}, dx = {V_DIAGNOSES, 0, 0};
    fill_record(L, claim, c, CLAIM_FIELDS);
    fill_list(L, lines, c);
    fill_list(L, dx, c);
    for (int i = 0; i < c->nlines; i++) fill_line(L, c, i);
    if (c->has_patient) {
        view v = {V_PATIENT, 0, 0};
        fill_record(L, v, c, PATIENT_FIELDS);
    }
    const cs_provider *p[3] = {&c->billing, &c->rendering, &c->supervising};
    for (int k = 0; k < 3; k++) {
        view v = {V_PROVIDER, 0, k};
        if (p[k]->present) fill_record(L, v, c, PROVIDER_FIELDS);
    }
    lua_pop(L, 3);
    h->view_objects = h->view_shadows = h->view_names = 0;
    return 0;
}

/* ---- metamethods of the proxies ----------------------------------------- */

static int view_newindex(lua_State *L)
{
    view v;
    if (!view_of(L, 1, &v)) return 0;
    if (lua_type(L, 2) == LUA_TNUMBER)
        return cs_sandbox_error(L, 1, "the claim is read-only: cannot set %s[%d]", KIND_NAMES[v.kind], (int)lua_tointeger(L, 2));
    const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?";
    return cs_sandbox_error(L, 1, "the claim is read-only: cannot set %s.%s", KIND_NAMES[v.kind], k);
}

static int view_len(lua_State *L)
{
    view v;
    if (!view_of(L, 1, &v)) return 0;
    if (!is_list(v.kind)) return cs_sandbox_error(L, 1, "%s has no length", KIND_NAMES[v.kind]);
    lua_pushinteger(L, list_len(&v, claim_of(L, &v)));
    return 1;
}

/* pairs over a list visits its elements in order; over any other part
 * of the claim it raises (fields are read by name). */
static int list_next(lua_State *L)
{
    lua_Integer i = luaL_checkinteger(L, 2) + 1;
    lua_pushinteger(L, i);
    return lua_geti(L, 1, i) == LUA_TNIL ? 1 : 2;
}

static int view_pairs(lua_State *L)
{
    view v;
    if (!view_of(L, 1, &v)) return 0;
    if (!is_list(v.kind))
        return cs_sandbox_error(L, 1, "pairs: %s is not a list; read its fields by name", KIND_NAMES[v.kind]);
    lua_pushcfunction(L, list_next);
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    return 3;
}

static int view_tostring(lua_State *L)
{
    view v;
    if (!view_of(L, 1, &v)) return 0;
    const cs_claim *c = claim_of(L, &v);
    if (v.kind == V_LINE) lua_pushfstring(L, "line %d (%s)", v.line + 1, c->lines[v.line].code);
    else if (v.kind == V_CLAIM) lua_pushfstring(L, "claim %s", c->id);
    else lua_pushstring(L, KIND_NAMES[v.kind]);
    return 1;
}

/* ---- API ----------------------------------------------------------------- */

static int init(lua_State *L)
{
    lua_createtable(L, 0, F_LAST);
    for (int i = 1; i <= F_LAST; i++) {
        lua_pushinteger(L, i);
        lua_setfield(L, -2, FIELD_NAMES[i]);
    }
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_FIELDS);
    lua_createtable(L, V_NKINDS, 0);       /* shadow metatables by kind */
    for (int k = 0; k < V_NKINDS; k++) {
        lua_createtable(L, 0, 2);
        lua_pushvalue(L, -3);
        lua_pushcclosure(L, miss, 1);
        lua_setfield(L, -2, "__index");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_rawseti(L, -2, k + 1);
    }
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_KINDS);
    lua_createtable(L, SLOT_COUNT, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_OBJECTS);
    lua_createtable(L, SLOT_COUNT, 0);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_SHADOWS);
    lua_createtable(L, F_LAST, 0);
    for (int i = 1; i <= F_LAST; i++) {
        lua_pushstring(L, FIELD_NAMES[i]);
        lua_rawseti(L, -2, i);
    }
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_NAMES);
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
    static const view claim = {V_CLAIM, 0, 0};
    cs_host *h = cs_host_of(L);
    if (h->view_gen != h->gen) {
        lua_pushcfunction(L, fill_claim);
        int rc = lua_pcall(L, 0, 0, 0);
        h->view_objects = h->view_shadows = h->view_names = 0;
        if (rc != LUA_OK) lua_error(L);     /* the claim is copied again next time */
        h->view_gen = h->gen;
    }
    push_slot(L, claim);
}

bool cs_claimview_is_claim(lua_State *L, int idx)
{
    view v;
    return view_of(L, idx, &v) && v.kind == V_CLAIM && cs_host_of(L)->claim;
}

void cs_claimview_push_line(lua_State *L, int i)
{
    push_child(L, V_LINE, i, 0);
}

int cs_claimview_line(lua_State *L, int idx)
{
    view v;
    cs_host *h = cs_host_of(L);
    if (!view_of(L, idx, &v) || v.kind != V_LINE || !h->claim || v.line >= h->claim->nlines)
        return 0;
    return v.line + 1;
}
