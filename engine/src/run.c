/*
 * run.c -- the rule language at run time: rule{} and flag(), and checking
 * one claim through its layers.
 *
 * A script's top level runs once, at load: its rule{} declarations are
 * validated and kept, then the script is sealed (see cs_sandbox_seal), and
 * before every claim its functions' upvalues are reset, so nothing a rule
 * does can carry over from one claim to the next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "claimscrub.h"
#include "claimview.h"
#include "host.h"
#include "run.h"
#include "trigger.h"

/* ---- rule{} ------------------------------------------------------------ */

static bool valid_rule_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CS_MAX_RULE_ID_LEN) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
            return false;
    return strncmp(s, "engine.", 7) != 0 && strncmp(s, "input.", 6) != 0;
}

static bool alnum_upper(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    if (n < min || n > max) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) return false;
    return true;
}

bool cs_valid_group(const char *s)
{
    return !strcmp(s, "CO") || !strcmp(s, "PR") || !strcmp(s, "OA") || !strcmp(s, "PI") || !strcmp(s, "CR");
}

bool cs_valid_carc(const char *s) { return alnum_upper(s, 1, 5); }

bool cs_valid_rarc(const char *s)
{
    return alnum_upper(s, 2, 7) && s[0] >= 'A' && s[0] <= 'Z';
}

/* String field k of the table at idx, or NULL when absent; raises when it
 * has another type. */
static const char *field_str(lua_State *L, int idx, const char *k, const char *what)
{
    int t = lua_getfield(L, idx, k);
    const char *s = t == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    lua_pop(L, 1);  /* the string stays reachable from the table */
    if (t != LUA_TNIL && t != LUA_TSTRING)
        cs_sandbox_error(L, 1, "%s: '%s' must be a string, got %s", what, k, lua_typename(L, t));
    return s;
}

void cs_check_known_keys(lua_State *L, int idx, const char *const *keys, const char *what)
{
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool ok = false;
        for (int i = 0; k && keys[i]; i++) ok = ok || strcmp(k, keys[i]) == 0;
        if (!ok) cs_sandbox_error(L, 1, "%s: unknown key '%s'", what, k ? k : "?");
    }
}

static cs_date field_date(lua_State *L, int idx, const char *k)
{
    const char *s = field_str(L, idx, k, "rule{} effective");
    cs_date d = 0;
    if (s && !cs_date_parse(s, &d))
        cs_sandbox_error(L, 1, "rule{} effective.%s: '%s' is not a YYYY-MM-DD date", k, s);
    return d;
}

static void read_effective(lua_State *L, cs_rule *r)
{
    static const char *const keys[] = {"from", "to", NULL};
    int t = lua_getfield(L, 1, "effective");
    if (t == LUA_TNIL) { lua_pop(L, 1); return; }
    if (t != LUA_TTABLE) cs_sandbox_error(L, 1, "rule{}: 'effective' must be a table {from=, to=}");
    int idx = lua_gettop(L);
    cs_check_known_keys(L, idx, keys, "rule{} effective");
    r->from = field_date(L, idx, "from");
    r->to = field_date(L, idx, "to");
    if (r->from && r->to && r->to < r->from)
        cs_sandbox_error(L, 1, "rule{}: effective range is empty (to is before from)");
    lua_pop(L, 1);
}

static void read_codes(lua_State *L, cs_rule *r)
{
    const char *g = field_str(L, 1, "group", "rule{}");
    const char *c = field_str(L, 1, "carc", "rule{}");
    const char *m = field_str(L, 1, "rarc", "rule{}");
    if (g && !cs_valid_group(g)) cs_sandbox_error(L, 1, "rule{}: group '%s' is not CO, PR, OA, PI or CR", g);
    if (c && !cs_valid_carc(c)) cs_sandbox_error(L, 1, "rule{}: carc '%s' is not a claim adjustment reason code", c);
    if (m && !cs_valid_rarc(m)) cs_sandbox_error(L, 1, "rule{}: rarc '%s' is not a remark code", m);
    snprintf(r->group, sizeof r->group, "%s", g ? g : "");
    snprintf(r->carc, sizeof r->carc, "%s", c ? c : "");
    snprintf(r->rarc, sizeof r->rarc, "%s", m ? m : "");
}

/* Validate the declaration; keep it in the pack and its check function in
 * the script's list. */
static void declare(lua_State *L, cs_host *h)
{
    static const char *const keys[] = {"id", "summary", "severity", "group", "carc",
                                       "rarc", "effective", "applies_to", "check", NULL};
    cs_check_known_keys(L, 1, keys, "rule{}");
    cs_rule r = {0};
    const char *id = field_str(L, 1, "id", "rule{}");
    const char *summary = field_str(L, 1, "summary", "rule{}");
    const char *sev = field_str(L, 1, "severity", "rule{}");
    if (!id) cs_sandbox_error(L, 1, "rule{}: 'id' is required");
    if (!valid_rule_id(id)) cs_sandbox_error(L, 1, "rule{}: id '%s' must be lower-case letters, digits, '.', '_' or '-' (and not engine.* or input.*)", id);
    if (!summary || !*summary) cs_sandbox_error(L, 1, "rule{} %s: 'summary' is required", id);
    if (strlen(summary) > CS_MAX_SUMMARY_LEN) cs_sandbox_error(L, 1, "rule{} %s: summary longer than %d bytes", id, CS_MAX_SUMMARY_LEN);
    if (!sev || (r.severity = cs_severity_parse(sev)) < 0)
        cs_sandbox_error(L, 1, "rule{} %s: severity must be info, warn, review, deny or reject", id);
    if (lua_getfield(L, 1, "check") != LUA_TFUNCTION) cs_sandbox_error(L, 1, "rule{} %s: 'check' must be a function(claim)", id);
    lua_pop(L, 1);
    read_codes(L, &r);
    read_effective(L, &r);
    cs_pack *p = h->pack;
    for (int i = 0; i < p->nrules; i++)
        if (!strcmp(p->rules[i].id, id))
            cs_sandbox_error(L, 1, "rule{}: id '%s' is already declared at %s", id, p->rules[i].source);
    if (p->nrules == p->caprules) {
        int cap = p->caprules ? p->caprules * 2 : 8;
        cs_rule *nr = realloc(p->rules, (size_t)cap * sizeof *nr);
        if (!nr) luaL_error(L, "not enough memory");
        p->rules = nr;
        p->caprules = cap;
    }
    lua_Debug ar;
    char src[512];
    int line = lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar) ? ar.currentline : 0;
    snprintf(src, sizeof src, "%s:%d", h->script->path, line);
    /* the Lua calls that may raise (memory) come before the strings are
     * copied, which would leak otherwise */
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->script->checks);
    lua_getfield(L, 1, "check");
    lua_rawseti(L, -2, p->nrules - h->script->first + 1);
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "applies_to") != LUA_TNIL) r.trigger = cs_trigger_read(L, -1);
    lua_pop(L, 1);
    r.id = strdup(id);
    r.summary = strdup(summary);
    r.source = strdup(src);
    r.pack = p;
    if (!r.id || !r.summary || !r.source) {
        free(r.id); free(r.summary); free(r.source);
        cs_trigger_free(r.trigger);
        luaL_error(L, "not enough memory");
    }
    p->rules[p->nrules++] = r;
}

int cs_lua_rule(lua_State *L)
{
    cs_host *h = cs_host_of(L);
    if (cs_sandbox_of(L)->phase != CS_PHASE_LOAD || !h->script)
        return cs_sandbox_error(L, 1, "rule{} may only appear at the top level of a pack's script");
    luaL_checktype(L, 1, LUA_TTABLE);
    declare(L, h);
    return 0;
}

/* ---- flag() ------------------------------------------------------------ */

/* A line argument: a line view or a line number.  Returns 1-based. */
static int check_line(lua_State *L, int idx, const char *what)
{
    cs_host *h = cs_host_of(L);
    int n = cs_claimview_line(L, idx);
    if (n) return n;
    int isnum = 0;
    lua_Integer i = lua_type(L, idx) == LUA_TNUMBER ? lua_tointegerx(L, idx, &isnum) : 0;
    if (isnum && i >= 1 && i <= h->claim->nlines) return (int)i;
    return cs_sandbox_error(L, 1, "flag: %s must be a line of this claim or a line number 1..%d", what, h->claim->nlines);
}

/* An amount: integer cents, or a decimal string of dollars ("12.50"). */
static int64_t check_amount(lua_State *L, int idx)
{
    int64_t cents;
    const char *why;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        int isint;
        lua_Integer i = lua_tointegerx(L, idx, &isint);
        if (!isint || i < 0 || i > CS_MAX_CHARGE_CENTS)
            cs_sandbox_error(L, 1, "flag: amount must be whole cents between 0 and %lld", (long long)CS_MAX_CHARGE_CENTS);
        return i;
    }
    if (lua_type(L, idx) != LUA_TSTRING || !cs_money_parse(lua_tostring(L, idx), &cents, &why))
        cs_sandbox_error(L, 1, "flag: amount must be cents (integer) or a decimal string like \"12.50\"");
    return cents;
}

/* Refuse keys that do not belong to the action (a "modifier" on a
 * replace_code is a mistake, not something to ignore). */
static void check_fix_keys(lua_State *L, int idx, cs_fix_action a)
{
    static const char *const extra[] = {
        NULL, "modifier", "modifier", "code", "units", NULL, "code"
    };
    static const char *const keys[] = {"modifier", "code", "units", "line"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        bool wanted = (i == 3) ? a != CS_FIX_ADD_LINE : (extra[a] && !strcmp(extra[a], keys[i]));
        if (!wanted && lua_getfield(L, idx, keys[i]) != LUA_TNIL)
            cs_sandbox_error(L, 1, "flag: fix.%s does not belong to action %s", keys[i], cs_fix_action_name(a));
        if (!wanted) lua_pop(L, 1);
    }
}

static void read_fix(lua_State *L, int idx, cs_fix *fix)
{
    static const char *const keys[] = {"action", "line", "modifier", "code", "units", NULL};
    if (!lua_istable(L, idx)) cs_sandbox_error(L, 1, "flag: fix must be a table");
    cs_check_known_keys(L, idx, keys, "flag: fix");
    const char *a = field_str(L, idx, "action", "flag: fix");
    fix->action = a ? cs_fix_action_parse(a) : CS_FIX_NONE;
    if (!fix->action)
        cs_sandbox_error(L, 1, "flag: fix.action must be add_modifier, remove_modifier, replace_code, set_units, remove_line or add_line");
    check_fix_keys(L, idx, fix->action);
    if (fix->action != CS_FIX_ADD_LINE) {
        lua_getfield(L, idx, "line");
        fix->line = check_line(L, lua_gettop(L), "fix.line");
        lua_pop(L, 1);
    }
    if (fix->action == CS_FIX_ADD_MODIFIER || fix->action == CS_FIX_REMOVE_MODIFIER) {
        const char *m = field_str(L, idx, "modifier", "flag: fix");
        if (!m || !alnum_upper(m, 2, 2)) cs_sandbox_error(L, 1, "flag: fix.modifier must be a two-character modifier");
        snprintf(fix->arg, sizeof fix->arg, "%s", m);
    } else if (fix->action == CS_FIX_REPLACE_CODE || fix->action == CS_FIX_ADD_LINE) {
        const char *c = field_str(L, idx, "code", "flag: fix");
        if (!c || !alnum_upper(c, 5, 5)) cs_sandbox_error(L, 1, "flag: fix.code must be a 5-character procedure code");
        snprintf(fix->arg, sizeof fix->arg, "%s", c);
    } else if (fix->action == CS_FIX_SET_UNITS) {
        int isint = 0;
        lua_Integer u = lua_getfield(L, idx, "units") == LUA_TNUMBER ? lua_tointegerx(L, -1, &isint) : 0;
        if (!isint || u < 0 || u > CS_MAX_UNITS) cs_sandbox_error(L, 1, "flag: fix.units must be a whole number 0..%d", CS_MAX_UNITS);
        fix->units = (int32_t)u;
        lua_pop(L, 1);
    }
}

static void read_lines(lua_State *L, int idx, cs_finding *f)
{
    if (!lua_istable(L, idx)) cs_sandbox_error(L, 1, "flag: lines must be a list of lines");
    lua_Integer n = luaL_len(L, idx);
    if (n > CS_MAX_LINES) cs_sandbox_error(L, 1, "flag: lines lists more than %d lines", CS_MAX_LINES);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, idx, i);
        int line = check_line(L, lua_gettop(L), "each of lines");
        for (int j = 0; j < f->nlines; j++)
            if (f->lines[j] == line) cs_sandbox_error(L, 1, "flag: lines names line %d twice", line);
        f->lines[f->nlines++] = (uint8_t)line;
        lua_pop(L, 1);
    }
}

static void copy_code(lua_State *L, int idx, const char *k, char *dst, size_t n, bool (*ok)(const char *))
{
    const char *s = field_str(L, idx, k, "flag");
    if (!s) return;
    if (!ok(s)) cs_sandbox_error(L, 1, "flag: %s '%s' is not valid", k, s);
    snprintf(dst, n, "%s", s);
}

static void read_opts(lua_State *L, int idx, cs_finding *f)
{
    static const char *const keys[] = {"fix", "lines", "amount", "group", "carc", "rarc", NULL};
    if (lua_isnoneornil(L, idx)) return;
    if (!lua_istable(L, idx)) cs_sandbox_error(L, 1, "flag: the third argument must be a table of options");
    cs_check_known_keys(L, idx, keys, "flag");
    if (lua_getfield(L, idx, "fix") != LUA_TNIL) read_fix(L, lua_gettop(L), &f->fix);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "lines") != LUA_TNIL) read_lines(L, lua_gettop(L), f);
    lua_pop(L, 1);
    if (lua_getfield(L, idx, "amount") != LUA_TNIL) {
        f->amount = check_amount(L, lua_gettop(L));
        f->has_amount = true;
        f->amount_given = true;     /* money lines: cs_finding_money_lines */
    }
    lua_pop(L, 1);
    copy_code(L, idx, "group", f->group, sizeof f->group, cs_valid_group);
    copy_code(L, idx, "carc", f->carc, sizeof f->carc, cs_valid_carc);
    copy_code(L, idx, "rarc", f->rarc, sizeof f->rarc, cs_valid_rarc);
}

static bool in_force(const cs_rule *r, cs_date d)
{
    return (!r->from || d >= r->from) && (!r->to || d <= r->to);
}

/* flag(line_or_nil, message [, opts]): record a finding of the running
 * rule.  Everything is validated before anything is recorded. */
int cs_lua_flag(lua_State *L)
{
    cs_host *h = cs_host_of(L);
    if (cs_sandbox_of(L)->phase != CS_PHASE_CHECK || !h->rule)
        return cs_sandbox_error(L, 1, "flag() may only be called while a rule checks a claim");
    cs_finding tmp = {0};
    tmp.line = lua_isnil(L, 1) ? 0 : check_line(L, 1, "the first argument");
    size_t mlen;
    const char *msg = lua_type(L, 2) == LUA_TSTRING ? lua_tolstring(L, 2, &mlen) : NULL;
    if (!msg) return cs_sandbox_error(L, 1, "flag: the message must be a string");
    const cs_rule *r = h->rule;
    memcpy(tmp.group, r->group, sizeof tmp.group);
    memcpy(tmp.carc, r->carc, sizeof tmp.carc);
    memcpy(tmp.rarc, r->rarc, sizeof tmp.rarc);
    read_opts(L, 3, &tmp);
    const cs_line *ln = tmp.line ? &h->claim->lines[tmp.line - 1] : NULL;
    if (ln && !in_force(r, ln->service_date)) return 0;
    if (ln && !tmp.has_amount && ln->has_charge) { tmp.amount = ln->charge; tmp.has_amount = true; }
    lua_Debug ar;
    if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar) && ar.currentline > 0)
        snprintf(tmp.source, sizeof tmp.source, "%s:%d", cs_sandbox_source(&ar), ar.currentline);
    else
        snprintf(tmp.source, sizeof tmp.source, "%s", r->source);
    cs_finding *f = cs_verdict_add(h->verdict, r->id, r->severity);
    if (!f) return cs_sandbox_error(L, 1, "flag: more than %d findings on one claim", CS_MAX_FINDINGS);
    memcpy(tmp.rule, f->rule, sizeof tmp.rule);
    tmp.severity = tmp.severity_from = r->severity;
    tmp.layer = r->pack;
    *f = tmp;
    cs_verdict_message(h->verdict, f, msg, mlen);
    return 0;
}

/* ---- checking a claim ------------------------------------------------- */

static bool rule_applies(const cs_rule *r, const cs_claim *c)
{
    if (!r->from && !r->to) return true;
    for (int i = 0; i < c->nlines; i++)
        if (in_force(r, c->lines[i].service_date)) return true;
    return false;
}

/* Record that a rule (or, with r NULL, a whole script) could not run: the
 * claim fails closed to review. */
/* When msg starts with "FILE:LINE:" and FILE is path (or Lua's cut form of
 * it, "...tail"), write "path:LINE" into out and return true. */
static bool error_source(const char *msg, const char *path, char *out, size_t size)
{
    const char *c = msg;
    while ((c = strchr(c, ':')) != NULL) {
        size_t digits = strspn(c + 1, "0123456789");
        if (digits && c[1 + digits] == ':') break;
        c++;
    }
    if (!c) return false;
    size_t flen = (size_t)(c - msg), plen = strlen(path);
    bool same = flen == plen && strncmp(msg, path, plen) == 0;
    bool cut = flen > 3 && strncmp(msg, "...", 3) == 0 && flen - 3 <= plen &&
               strncmp(msg + 3, path + plen - (flen - 3), flen - 3) == 0;
    if (!same && !cut) return false;
    snprintf(out, size, "%s:%.*s", path, (int)strspn(c + 1, "0123456789"), c + 1);
    return true;
}

static void script_error(cs_host *h, const cs_pack *p, const cs_script *s,
                         const cs_rule *r, const char *msg)
{
    cs_finding *f = cs_verdict_add_engine(h->verdict, "engine.script_error", CS_REVIEW);
    if (!f) return;
    f->layer = p;
    if (!error_source(msg, s->path, f->source, sizeof f->source))
        snprintf(f->source, sizeof f->source, "%s", r ? r->source : s->path);
    char text[CS_MAX_MESSAGE_LEN + 1];
    int n = snprintf(text, sizeof text, "%s %s could not run: %s", r ? "rule" : "script",
                     r ? r->id : s->path, msg);
    cs_verdict_message(h->verdict, f, text, n < (int)sizeof text ? (size_t)n : sizeof text - 1);
}

/* Protected body of a check: (check) -> check(claim).  The claim's view is
 * made here so that its allocation is protected too. */
static int call_check(lua_State *L)
{
    cs_claimview_push(L);
    lua_call(L, 1, 0);
    return 0;
}

static void run_rule(cs_sandbox *sb, cs_host *h, const cs_pack *p, const cs_script *s, int k)
{
    lua_State *L = sb->L;
    const cs_rule *r = &p->rules[s->first + k];
    char msg[1024];
    lua_pushcfunction(L, call_check);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->checks);
    lua_rawgeti(L, -1, k + 1);
    lua_remove(L, -2);
    h->rule = r;
    if (h->trace) cs_trace_begin(h->trace, r, h->verdict);
    if (cs_sandbox_call(sb, 1, CS_PHASE_CHECK, msg, sizeof msg) != LUA_OK)
        script_error(h, p, s, r, msg);
    if (h->trace) cs_trace_end(h->trace, h->verdict);
    h->rule = NULL;
}

/* Run the script's rules in force; afterwards put back whatever they
 * assigned to upvalues, so nothing (memory included) is kept to the next
 * claim. */
static void run_script(cs_sandbox *sb, cs_host *h, const cs_pack *p, const cs_script *s)
{
    bool any = false;
    for (int k = 0; k < s->count; k++) {
        const cs_rule *r = &p->rules[s->first + k];
        if (!rule_applies(r, h->claim)) {
            if (h->trace) cs_trace_skipped(h->trace, r, CS_TRACE_NOT_IN_FORCE);
            continue;
        }
        if (r->trigger) {
            if (h->trace) cs_trace_begin(h->trace, r, h->verdict);    /* the trigger's rows */
            if (!cs_trigger_holds(r->trigger, h)) {
                if (h->trace) cs_trace_not_applicable(h->trace);
                continue;
            }
        }
        run_rule(sb, h, p, s, k);
        any = true;
    }
    if (any) cs_sandbox_restore(sb, s->sealed);
}

void cs_run_claim(cs_sandbox *sb, cs_host *h, const cs_claim *c, cs_verdict *v)
{
    h->claim = c;
    h->gen++;
    h->verdict = v;
    for (int i = 0; i < v->nlayers; i++) {
        const cs_pack *p = v->layers[i];
        for (int j = 0; j < p->nscripts; j++)
            run_script(sb, h, p, &p->scripts[j]);
    }
    h->claim = NULL;
    h->script = NULL;
    h->pack = NULL;
    h->verdict = NULL;
}
