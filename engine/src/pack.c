/*
 * pack.c -- loading payer packs and client overlays: manifests, scripts,
 * rule declarations, `extends` chains, and the hash of what was loaded.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "claimscrub.h"
#include "host.h"
#include "trigger.h"
#include "pack.h"
#include "sha256.h"

#define MAX_PATH 4096

int cs_severity_parse(const char *s)
{
    static const char *const names[] = {"info", "warn", "review", "deny", "reject"};
    for (int i = 0; i < 5; i++)
        if (strcmp(s, names[i]) == 0) return CS_INFO + i;
    return -1;
}

/* ---- loading context ----------------------------------------------------- */

typedef struct loader {
    cs_packset *ps;
    cs_sandbox *sb;
    cs_host *host;
    const char *root;
    cs_sha256 hash;
    char *err;
} loader;

/* Record the first error; always returns false. */
static bool fail(loader *ld, const char *fmt, ...)
{
    if (ld->err) return false;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ld->err = malloc((size_t)n + 1);
    if (!ld->err) return false;
    va_start(ap, fmt);
    vsnprintf(ld->err, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return false;
}

/* Read root/rel whole (at most CS_SCRIPT_MAX_BYTES) and add it to the hash. */
static char *slurp(loader *ld, const char *rel, size_t *len)
{
    char path[MAX_PATH];
    snprintf(path, sizeof path, "%s/%s", ld->root, rel);
    FILE *f = fopen(path, "rb");
    if (!f) { fail(ld, "%s: cannot open: %s", rel, strerror(errno)); return NULL; }
    char *buf = malloc(CS_SCRIPT_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, CS_SCRIPT_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf) { fail(ld, "%s: not enough memory", rel); return NULL; }
    if (n > CS_SCRIPT_MAX_BYTES) {
        free(buf);
        fail(ld, "%s: larger than %zu bytes", rel, (size_t)CS_SCRIPT_MAX_BYTES);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    cs_sha256_update(&ld->hash, rel, strlen(rel) + 1);
    cs_sha256_update(&ld->hash, buf, n);
    return buf;
}

/* Compile and run root/rel once in phase ph with a fresh environment.  On
 * success, when keep_env is set, the environment it ran in is left on the
 * stack. */
static bool run_file(loader *ld, const char *rel, cs_phase ph, bool keep_env)
{
    size_t len;
    char *src = slurp(ld, rel, &len);
    if (!src) return false;
    char chunk[MAX_PATH + 1], *cerr = NULL, msg[1024];
    snprintf(chunk, sizeof chunk, "@%s", rel);
    bool ok = cs_sandbox_compile(ld->sb, chunk, src, len, &cerr);
    free(src);
    if (!ok) { fail(ld, "%s", cerr ? cerr : "not enough memory"); free(cerr); return false; }
    lua_State *L = ld->sb->L;
    lua_pushvalue(L, -1);
    cs_sandbox_push_env(ld->sb);
    lua_setupvalue(L, -2, 1);
    if (cs_sandbox_call(ld->sb, 0, ph, msg, sizeof msg) != LUA_OK) {
        lua_pop(L, 1);
        size_t n = strlen(rel);
        if (strncmp(msg, rel, n) == 0 && msg[n] == ':') return fail(ld, "%s", msg);
        return fail(ld, "%s: %s", rel, msg);
    }
    if (keep_env) lua_getupvalue(L, -1, 1);
    lua_remove(L, keep_env ? -2 : -1);
    return true;
}

/* ---- manifests ----------------------------------------------------------- */

/* payer{...} / client{...}: remember the table for the loader to read. */
static int lua_manifest(lua_State *L, const char *kind)
{
    cs_host *h = cs_host_of(L);
    if (cs_sandbox_of(L)->phase != CS_PHASE_MANIFEST || strcmp(h->manifest_kind, kind) != 0)
        return cs_sandbox_error(L, 1, "%s{} belongs in %s.lua", kind, kind);
    if (h->manifest_ref != LUA_NOREF)
        return cs_sandbox_error(L, 1, "%s{} may appear only once", kind);
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Debug ar;
    h->manifest_line = lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar) ? ar.currentline : 0;
    lua_settop(L, 1);
    h->manifest_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return 0;
}

static int lua_payer(lua_State *L) { return lua_manifest(L, "payer"); }
static int lua_client(lua_State *L) { return lua_manifest(L, "client"); }

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CS_MAX_ID_LEN) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return false;
    return true;
}

static bool valid_script_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 5 || n > 64 || strcmp(s + n - 4, ".lua") != 0) return false;
    if (strcmp(s, "payer.lua") == 0 || strcmp(s, "client.lua") == 0) return false;
    for (size_t i = 0; i < n - 4; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
            return false;
    return true;
}

/* Read a string field of the manifest table at the top of the stack. NULL
 * when absent; reports a type error. */
static char *opt_string(loader *ld, const char *where, const char *key, bool *bad)
{
    lua_State *L = ld->sb->L;
    char *s = NULL;
    int t = lua_getfield(L, -1, key);
    if (t == LUA_TSTRING && !(s = strdup(lua_tostring(L, -1)))) {
        fail(ld, "%s: not enough memory", where);
        *bad = true;
    } else if (t != LUA_TSTRING && t != LUA_TNIL) {
        fail(ld, "%s: '%s' must be a string", where, key);
        *bad = true;
    }
    lua_pop(L, 1);
    return s;
}

/* waive = { [rule] = "reason" } or severity = { [rule] = "warn" }. */
static bool read_overrides(loader *ld, const char *where, const char *key,
                           cs_override **out, int *n)
{
    lua_State *L = ld->sb->L;
    int t = lua_getfield(L, -1, key);
    if (t == LUA_TNIL) { lua_pop(L, 1); return true; }
    if (t != LUA_TTABLE) { lua_pop(L, 1); return fail(ld, "%s: '%s' must be a table", where, key); }
    bool sev = strcmp(key, "severity") == 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
            lua_pop(L, 3);
            return fail(ld, "%s: '%s' maps rule ids to %s", where, key, sev ? "severities" : "reasons");
        }
        const char *rule = lua_tostring(L, -2), *val = lua_tostring(L, -1);
        int s = sev ? cs_severity_parse(val) : 0;
        if (s < 0 || (!sev && !*val)) {
            lua_pop(L, 3);
            return sev ? fail(ld, "%s: severity of '%s': '%s' is not info, warn, review, deny or reject", where, rule, val)
                       : fail(ld, "%s: waiver of '%s' needs a reason", where, rule);
        }
        cs_override *o = realloc(*out, (size_t)(*n + 1) * sizeof *o);
        if (!o) { lua_pop(L, 3); return fail(ld, "%s: not enough memory", where); }
        *out = o;
        o[*n].rule = strdup(rule);
        o[*n].reason = sev ? NULL : strdup(val);
        o[*n].severity = s;
        if (!o[*n].rule || (!sev && !o[*n].reason)) {
            free(o[*n].rule);
            free(o[*n].reason);
            lua_pop(L, 3);
            return fail(ld, "%s: not enough memory", where);
        }
        (*n)++;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return true;
}

static bool check_keys(loader *ld, const char *where, bool client)
{
    static const char *const keys[] = {"id", "name", "extends", "scripts", "waive", "severity"};
    lua_State *L = ld->sb->L;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
        lua_pop(L, 1);
        const char *k = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
        bool known = false;
        for (size_t i = 0; k && i < sizeof keys / sizeof *keys; i++)
            if (strcmp(k, keys[i]) == 0 && !(client && i == 2)) known = true;
        if (!known) {
            fail(ld, "%s: unknown key '%s'", where, k ? k : "?");
            lua_pop(L, 1);
            return false;
        }
    }
    return true;
}

static bool read_scripts(loader *ld, cs_pack *p, const char *where)
{
    lua_State *L = ld->sb->L;
    int t = lua_getfield(L, -1, "scripts");
    if (t == LUA_TNIL) { lua_pop(L, 1); return true; }
    if (t != LUA_TTABLE) { lua_pop(L, 1); return fail(ld, "%s: 'scripts' must be a list of file names", where); }
    int n = (int)lua_rawlen(L, -1);
    p->scripts = calloc((size_t)(n ? n : 1), sizeof *p->scripts);
    if (!p->scripts) { lua_pop(L, 1); return fail(ld, "%s: not enough memory", where); }
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s", p->manifest);
    *strrchr(dir, '/') = 0;
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -1, i);
        const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (!valid_script_name(s)) {
            lua_pop(L, 2);
            return fail(ld, "%s: scripts[%d]: '%s' is not a script file name in the pack's folder", where, i, s);
        }
        char rel[MAX_PATH];
        snprintf(rel, sizeof rel, "%s/%s", dir, s);
        if (!(p->scripts[p->nscripts].path = strdup(rel))) {
            lua_pop(L, 2);
            return fail(ld, "%s: not enough memory", where);
        }
        p->scripts[p->nscripts].checks = LUA_NOREF;
        p->scripts[p->nscripts].sealed = LUA_NOREF;
        p->nscripts++;
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    return true;
}

/* Fill p from the manifest table on the stack top. */
static bool read_manifest(loader *ld, cs_pack *p, const char *folder_id)
{
    char where[MAX_PATH + 16];
    snprintf(where, sizeof where, "%s:%d", p->manifest, ld->host->manifest_line);
    bool bad = false;
    if (!check_keys(ld, where, p->is_client)) return false;
    p->id = opt_string(ld, where, "id", &bad);
    p->name = opt_string(ld, where, "name", &bad);
    p->extends = opt_string(ld, where, "extends", &bad);
    if (bad) return false;
    if (!p->id) return fail(ld, "%s: 'id' is required", where);
    if (!valid_id(p->id)) return fail(ld, "%s: id '%s' must be lower-case letters, digits, - or _", where, p->id);
    if (strcmp(p->id, folder_id) != 0)
        return fail(ld, "%s: id '%s' does not match its folder '%s'", where, p->id, folder_id);
    return read_scripts(ld, p, where) &&
           read_overrides(ld, where, "waive", &p->waive, &p->nwaive) &&
           read_overrides(ld, where, "severity", &p->sev, &p->nsev);
}

/* ---- scripts ------------------------------------------------------------- */

/* Run a script's top level (its rule{} calls collect the check functions
 * into s->checks), then seal what it left behind. */
static bool load_script(loader *ld, cs_script *s)
{
    lua_State *L = ld->sb->L;
    lua_newtable(L);
    s->checks = luaL_ref(L, LUA_REGISTRYINDEX);
    ld->host->script = s;
    s->first = ld->host->pack->nrules;
    if (!run_file(ld, s->path, CS_PHASE_LOAD, true)) return false;
    s->count = ld->host->pack->nrules - s->first;
    char *err = NULL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->checks);
    s->sealed = cs_sandbox_seal(ld->sb, -2, -1, &err);
    lua_pop(L, 2);
    if (s->sealed == LUA_NOREF) {
        fail(ld, "%s: %s", s->path, err ? err : "not enough memory");
        free(err);
        return false;
    }
    return true;
}

static bool load_scripts(loader *ld, cs_pack *p)
{
    ld->host->pack = p;
    for (int i = 0; i < p->nscripts; i++)
        if (!load_script(ld, &p->scripts[i])) return false;
    ld->host->pack = NULL;
    ld->host->script = NULL;
    return true;
}

static bool load_pack(loader *ld, const char *kind, const char *folder)
{
    if (ld->ps->npacks >= CS_MAX_PACKS)
        return fail(ld, "more than %d packs and overlays under %s", CS_MAX_PACKS, ld->root);
    cs_pack *p = calloc(1, sizeof *p);
    if (!p) return fail(ld, "not enough memory");
    ld->ps->packs[ld->ps->npacks++] = p;
    p->is_client = kind[0] == 'c';
    char rel[MAX_PATH];
    snprintf(rel, sizeof rel, "%s/%s/%s.lua", p->is_client ? "clients" : "payers", folder, kind);
    if (!(p->manifest = strdup(rel))) return fail(ld, "%s: not enough memory", rel);
    cs_host *h = ld->host;
    h->manifest_kind = kind;
    h->manifest_ref = LUA_NOREF;
    bool ok = run_file(ld, rel, CS_PHASE_MANIFEST, false);
    if (ok && h->manifest_ref == LUA_NOREF) ok = fail(ld, "%s: no %s{} declaration", rel, kind);
    if (ok) {
        lua_rawgeti(ld->sb->L, LUA_REGISTRYINDEX, h->manifest_ref);
        ok = read_manifest(ld, p, folder);
        lua_pop(ld->sb->L, 1);
    }
    luaL_unref(ld->sb->L, LUA_REGISTRYINDEX, h->manifest_ref);
    h->manifest_ref = LUA_NOREF;
    return ok && load_scripts(ld, p);
}

/* load_pack run as a protected call: any allocation failure in the Lua API
 * calls between scripts becomes an error instead of a panic. */
typedef struct pack_job {
    loader *ld;
    const char *kind, *folder;
    bool ok;
} pack_job;

static int load_pack_protected(lua_State *L)
{
    pack_job *j = lua_touserdata(L, 1);
    j->ok = load_pack(j->ld, j->kind, j->folder);
    return 0;
}

static bool load_pack_safely(loader *ld, const char *kind, const char *folder)
{
    lua_State *L = ld->sb->L;
    pack_job j = {ld, kind, folder, false};
    lua_pushcfunction(L, load_pack_protected);
    lua_pushlightuserdata(L, &j);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        fail(ld, "%s/%s: %s", kind[0] == 'c' ? "clients" : "payers", folder,
             lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "not enough memory");
        lua_pop(L, 1);
        return false;
    }
    return j.ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every folder under root/sub holding a <kind>.lua, in name order. */
static bool load_dir(loader *ld, const char *sub, const char *kind)
{
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s/%s", ld->root, sub);
    DIR *d = opendir(dir);
    if (!d) return errno == ENOENT ? true : fail(ld, "%s: %s", dir, strerror(errno));
    char *names[CS_MAX_PACKS + 1];
    int n = 0;
    struct dirent *e;
    bool ok = true;
    while ((e = readdir(d)) && n <= CS_MAX_PACKS) {
        if (e->d_name[0] == '.') continue;
        char m[MAX_PATH];
        struct stat st;
        snprintf(m, sizeof m, "%s/%s/%s.lua", dir, e->d_name, kind);
        if (stat(m, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (!(names[n] = strdup(e->d_name))) { ok = fail(ld, "%s: not enough memory", dir); break; }
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        if (ok && !load_pack_safely(ld, kind, names[i])) ok = false;
        free(names[i]);
    }
    return ok;
}

/* Resolve `extends`, refusing unknown bases, cycles and chains deeper than
 * CS_MAX_LAYERS, and rule ids declared twice along a chain. */
static bool resolve(loader *ld)
{
    cs_packset *ps = ld->ps;
    for (int i = 0; i < ps->npacks; i++) {
        cs_pack *p = ps->packs[i];
        if (!p->extends) continue;
        p->base = cs_packset_find(ps, p->extends, false);
        if (!p->base)
            return fail(ld, "%s: extends '%s', but there is no payers/%s/payer.lua", p->manifest, p->extends, p->extends);
    }
    for (int i = 0; i < ps->npacks; i++) {
        int depth = 0;
        for (cs_pack *q = ps->packs[i]; q; q = q->base)
            if (++depth > CS_MAX_LAYERS - 1)
                return fail(ld, "%s: extends chain loops or is deeper than %d", ps->packs[i]->manifest, CS_MAX_LAYERS - 1);
        for (cs_pack *q = ps->packs[i]->base; q; q = q->base)
            for (int a = 0; a < ps->packs[i]->nrules; a++)
                for (int b = 0; b < q->nrules; b++)
                    if (strcmp(ps->packs[i]->rules[a].id, q->rules[b].id) == 0)
                        return fail(ld, "%s: rule '%s' is already declared by '%s' (%s); use a new id, or waive the old rule",
                                    ps->packs[i]->rules[a].source, q->rules[b].id, q->id, q->rules[b].source);
    }
    return true;
}

/* A client overlay runs on top of any payer's chain: its rule ids must not
 * be declared by any payer pack. */
static bool check_client_ids(loader *ld)
{
    cs_packset *ps = ld->ps;
    for (int i = 0; i < ps->npacks; i++) {
        if (!ps->packs[i]->is_client) continue;
        for (int j = 0; j < ps->npacks; j++) {
            if (ps->packs[j]->is_client) continue;
            for (int a = 0; a < ps->packs[i]->nrules; a++)
                for (int b = 0; b < ps->packs[j]->nrules; b++)
                    if (!strcmp(ps->packs[i]->rules[a].id, ps->packs[j]->rules[b].id))
                        return fail(ld, "%s: rule '%s' is already declared by payer '%s' (%s); use a new id, or waive the old rule",
                                    ps->packs[i]->rules[a].source, ps->packs[j]->rules[b].id,
                                    ps->packs[j]->id, ps->packs[j]->rules[b].source);
        }
    }
    return true;
}

/* Add every .lua file of the stdlib (in name order) to the hash: they change verdicts
 * as much as the packs do. */
static bool hash_stdlib(loader *ld)
{
    DIR *d = opendir(ld->sb->stdlib_dir);
    if (!d) return fail(ld, "%s: %s", ld->sb->stdlib_dir, strerror(errno));
    char *names[CS_MAX_PACKS];
    int n = 0;
    struct dirent *e;
    bool ok = true;
    while ((e = readdir(d)) && n < CS_MAX_PACKS) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= 4 || strcmp(e->d_name + len - 4, ".lua") != 0) continue;
        if (!(names[n] = strdup(e->d_name))) { ok = fail(ld, "%s: not enough memory", ld->sb->stdlib_dir); break; }
        n++;
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        char path[MAX_PATH];
        snprintf(path, sizeof path, "%s/%s", ld->sb->stdlib_dir, names[i]);
        FILE *f = ok ? fopen(path, "rb") : NULL;
        if (ok && !f) ok = fail(ld, "%s: %s", path, strerror(errno));
        if (f) {
            char buf[4096];
            size_t r;
            cs_sha256_update(&ld->hash, "stdlib/", 7);
            cs_sha256_update(&ld->hash, names[i], strlen(names[i]) + 1);
            while ((r = fread(buf, 1, sizeof buf, f)) > 0) cs_sha256_update(&ld->hash, buf, r);
            fclose(f);
        }
        free(names[i]);
    }
    return ok;
}

bool cs_packset_load(cs_packset *ps, cs_sandbox *sb, const char *root, char **err)
{
    loader ld = {.ps = ps, .sb = sb, .host = sb->host, .root = root};
    cs_sha256_init(&ld.hash);
    static const luaL_Reg host_fns[] = {
        {"payer", lua_payer}, {"client", lua_client},
        {"rule", cs_lua_rule}, {"flag", cs_lua_flag}, {NULL, NULL}
    };
    struct stat st;
    bool ok = cs_sandbox_register(sb, host_fns) ? true : fail(&ld, "not enough memory");
    ok = ok && (stat(root, &st) == 0 && S_ISDIR(st.st_mode))
        ? load_dir(&ld, "payers", "payer") && load_dir(&ld, "clients", "client") &&
          resolve(&ld) && check_client_ids(&ld) && hash_stdlib(&ld)
        : fail(&ld, "%s: rules root is not a directory", root);
    cs_sha256_hex(&ld.hash, ps->hash);
    if (!ok && err) *err = ld.err ? ld.err : strdup("not enough memory");
    else free(ld.err);
    return ok;
}

cs_pack *cs_packset_find(const cs_packset *ps, const char *id, bool client)
{
    for (int i = 0; i < ps->npacks; i++)
        if (ps->packs[i]->is_client == client && strcmp(ps->packs[i]->id, id) == 0)
            return ps->packs[i];
    return NULL;
}

static void free_overrides(cs_override *o, int n)
{
    for (int i = 0; i < n; i++) { free(o[i].rule); free(o[i].reason); }
    free(o);
}

static const cs_override *find_override(const cs_override *o, int n, const char *rule)
{
    for (int i = 0; i < n; i++)
        if (strcmp(o[i].rule, rule) == 0) return &o[i];
    return NULL;
}

int cs_pack_overrides(const cs_pack *const *layers, int n, int from, const char *id,
                      int severity, const cs_pack **sev_by, const cs_pack **waived_by,
                      const char **reason)
{
    if (sev_by) *sev_by = NULL;
    if (waived_by) *waived_by = NULL;
    if (reason) *reason = NULL;
    for (int i = from + 1; from >= 0 && i < n; i++) {
        const cs_override *o = find_override(layers[i]->sev, layers[i]->nsev, id);
        if (o) { severity = o->severity; if (sev_by) *sev_by = layers[i]; }
    }
    for (int i = n - 1; from >= 0 && i > from; i--) {
        const cs_override *o = find_override(layers[i]->waive, layers[i]->nwaive, id);
        if (!o) continue;
        if (waived_by) *waived_by = layers[i];
        if (reason) *reason = o->reason;
        break;
    }
    return severity;
}

void cs_packset_free(cs_packset *ps)
{
    for (int i = 0; i < ps->npacks; i++) {
        cs_pack *p = ps->packs[i];
        for (int j = 0; j < p->nrules; j++) {
            free(p->rules[j].id); free(p->rules[j].summary); free(p->rules[j].source);
            cs_trigger_free(p->rules[j].trigger);
        }
        for (int j = 0; j < p->nscripts; j++) free(p->scripts[j].path);
        free(p->rules); free(p->scripts);
        free_overrides(p->waive, p->nwaive);
        free_overrides(p->sev, p->nsev);
        free(p->id); free(p->name); free(p->extends); free(p->manifest);
        free(p);
    }
    ps->npacks = 0;
}
