/*
 * lint.c -- `claimscrub lint`: static checks of the packs and overlays of a
 * rules root, printing "FILE:LINE: message" (or "FILE: message") per
 * problem and then "N problems".
 *
 * Checks: what the engine refuses at load; waivers and severity changes of
 * rules no lower layer declares; group/CARC/RARC codes missing from the data
 * set's adjustment-code list; scripts no manifest lists; luacheck's warnings
 * (when luacheck is installed); and misspelt claim fields, found by running
 * the layer's test cases and catching "has no field" script errors.
 * docs/cli.md is the reference for what a user sees here.
 */
#define _XOPEN_SOURCE 700     /* realpath */
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "lint.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif

#define EXIT_OK       0
#define EXIT_PROBLEMS 1
#define EXIT_TROUBLE  2

#define MAX_PATH      4096
#define MAX_DIRS      64
#define MAX_FILE_SIZE ((long)64 << 20)

static const char lint_help[] =
    "usage: claimscrub lint [--rules DIR] [--data DIR] [DIR...]\n"
    "\n"
    "Check rule packs and client overlays before they ship: load errors,\n"
    "waivers and severity changes of rules no lower layer declares, group,\n"
    "CARC and RARC codes not in the data set's adjustment-code list, scripts\n"
    "no manifest lists, luacheck's warnings (when luacheck is installed) and\n"
    "misspelt claim fields (found by running the layer's test cases).\n"
    "Default: every pack and overlay under the rules root; DIR limits the\n"
    "checks to those folders.  Prints FILE:LINE: message per problem, then\n"
    "\"N problems\".\n"
    "\n"
    "options:\n"
    "  --rules DIR          rules root holding payers/ and clients/\n"
    "  --data DIR           reference data set (default: the starter set)\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 no problem; 1 some problem; 2 usage error.\n";

typedef struct linter {
    const char *root, *data;
    const char *rules;          /* --rules, NULL when not given */
    cs_engine *e;
    int problems;
    cs_layer_entry *ent;
    int nent;
    char *seen;                 /* "\n"-joined problems already printed */
    size_t seen_len;
} linter;

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("claimscrub: lint: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void problem(linter *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print one problem line (once: the same text twice is printed once). */
static void problem(linter *l, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    if (l->seen) {
        for (const char *p = l->seen; (p = strstr(p, line)); p++)
            if ((p == l->seen || p[-1] == '\n') && p[n] == '\n') return;
    }
    char *s = realloc(l->seen, l->seen_len + n + 2);
    if (s) {
        l->seen = s;
        memcpy(s + l->seen_len, line, n);
        s[l->seen_len + n] = '\n';
        s[l->seen_len += n + 1] = 0;
    }
    puts(line);
    l->problems++;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A layer's folder length: its manifest without "/payer.lua". */
static int folder_len(const char *manifest)
{
    const char *slash = strrchr(manifest, '/');
    return (int)(slash ? (size_t)(slash - manifest) : strlen(manifest));
}

/* The 1-based line of root/rel holding needle in quotes, 0 when none. */
static int find_line(const char *root, const char *rel, const char *needle)
{
    char path[MAX_PATH];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char buf[4096];
    int lineno = 0, found = 0;
    size_t n = strlen(needle);
    while (!found && fgets(buf, sizeof buf, f)) {
        lineno++;
        for (const char *p = buf; (p = strstr(p, needle)); p++)
            if (p > buf && (p[-1] == '"' || p[-1] == '\'') && p[n] == p[-1]) { found = lineno; break; }
    }
    fclose(f);
    return found;
}

/* ---- selection ---- */

typedef struct selection {
    int n;
    char *dirs[MAX_DIRS];       /* real paths of the folders asked for */
    bool used[MAX_DIRS];
} selection;

static bool selected(const linter *l, const selection *s, const char *manifest)
{
    if (s->n == 0) return true;
    char path[MAX_PATH], real[PATH_MAX];
    snprintf(path, sizeof path, "%s/%.*s", l->root, folder_len(manifest), manifest);
    if (!realpath(path, real)) return false;
    for (int i = 0; i < s->n; i++)
        if (!strcmp(real, s->dirs[i])) return true;
    return false;
}

/* ---- check 2: waivers and severity changes ---- */

static bool in_rules(const cs_rule_info *r, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(r[i].id, id)) return true;
    return false;
}

/* The rules of payer (and client), or NULL with *n 0; caller frees. */
static cs_rule_info *rules_of(linter *l, const char *payer, const char *client, int *n)
{
    *n = cs_engine_rules(l->e, payer, client, NULL, 0);
    if (*n <= 0) { *n = 0; return NULL; }
    cs_rule_info *r = calloc((size_t)*n, sizeof *r);
    if (!r) { *n = 0; return NULL; }
    cs_engine_rules(l->e, payer, client, r, *n);
    return r;
}

/* The rules below layer L: its extends chain, or for an overlay, every
 * payer pack's. */
static cs_rule_info *lower_rules(linter *l, const cs_layer_entry *L, int *n)
{
    *n = 0;
    if (!L->is_client) return L->extends[0] ? rules_of(l, L->extends, NULL, n) : NULL;
    cs_rule_info *all = NULL;
    for (int i = 0; i < l->nent; i++) {
        const cs_layer_entry *p = &l->ent[i];
        if (strcmp(p->kind, "layer") || p->is_client) continue;
        int k;
        cs_rule_info *r = rules_of(l, p->id, NULL, &k);
        if (!r) continue;
        cs_rule_info *m = realloc(all, ((size_t)*n + (size_t)k) * sizeof *m);
        if (m) { all = m; memcpy(all + *n, r, (size_t)k * sizeof *r); *n += k; }
        free(r);
    }
    return all;
}

static cs_rule_info *own_rules(linter *l, const cs_layer_entry *L, int *n);

static void check_overrides(linter *l, int at)
{
    const cs_layer_entry *L = &l->ent[at];
    int n, nown = 0;
    cs_rule_info *lower = lower_rules(l, L, &n), *own = own_rules(l, L, &nown);
    for (int i = at + 1; i < l->nent && strcmp(l->ent[i].kind, "layer"); i++) {
        const cs_layer_entry *o = &l->ent[i];
        if (!strcmp(o->kind, "script") || in_rules(lower, n, o->name)) continue;
        const char *what = !strcmp(o->kind, "waive") ? "waive" : "severity";
        const char *below = in_rules(own, nown, o->name)
                                ? "it is this layer's own rule: a layer overrides only the rules of the layers below"
                            : L->is_client ? "no payer pack declares it"
                            : L->extends[0] ? "no pack of its extends chain declares it"
                                            : "there is no lower layer (no extends) to declare it";
        int line = find_line(l->root, L->manifest, o->name);
        if (line) problem(l, "%s:%d: %s names rule '%s', but %s", L->manifest, line, what,
                          o->name, below);
        else problem(l, "%s: %s names rule '%s', but %s", L->manifest, what, o->name, below);
    }
    free(lower);
    free(own);
}

/* ---- check 3: adjustment codes ---- */

/* The rules layer L declares itself (NULL when it cannot be listed). */
static cs_rule_info *own_rules(linter *l, const cs_layer_entry *L, int *n)
{
    cs_rule_info *r = NULL;
    *n = 0;
    if (!L->is_client) r = rules_of(l, L->id, NULL, n);
    else
        for (int i = 0; i < l->nent && !r; i++)
            if (!strcmp(l->ent[i].kind, "layer") && !l->ent[i].is_client)
                r = rules_of(l, l->ent[i].id, L->id, n);
    int k = 0;
    for (int i = 0; i < *n; i++)
        if (!strcmp(r[i].layer, L->manifest)) r[k++] = r[i];
    *n = k;
    return r;
}

static void check_codes(linter *l, const cs_layer_entry *L)
{
    int n;
    cs_rule_info *r = own_rules(l, L, &n);
    if (!r) return;
    const char **kinds = calloc((size_t)n * 3 + 1, sizeof *kinds);
    const char **codes = calloc((size_t)n * 3 + 1, sizeof *codes);
    int *found = calloc((size_t)n * 3 + 1, sizeof *found), *rule = calloc((size_t)n * 3 + 1, sizeof *rule);
    if (!kinds || !codes || !found || !rule) { complain("out of memory"); goto done; }
    int q = 0;
    for (int i = 0; i < n; i++) {
        const char *v[3] = {r[i].group, r[i].carc, r[i].rarc}, *k[3] = {"group", "carc", "rarc"};
        for (int j = 0; j < 3; j++)
            if (v[j][0]) { kinds[q] = k[j]; codes[q] = v[j]; rule[q++] = i; }
    }
    char today[11];
    time_t now = time(NULL);
    struct tm tm;
    strftime(today, sizeof today, "%Y-%m-%d", gmtime_r(&now, &tm));
    char *err = NULL;
    if (cs_data_has_adjustments(l->data, today, q, kinds, codes, found, &err) != 0) {
        complain("cannot check adjustment codes: %s", err ? err : "out of memory");
        cs_free(err);
        goto done;
    }
    for (int i = 0; i < q; i++) {
        if (found[i]) continue;
        const cs_rule_info *x = &r[rule[i]];
        const char *kind = !strcmp(kinds[i], "group") ? "group code" : !strcmp(kinds[i], "carc") ? "CARC" : "RARC";
        problem(l, "%s: rule %s: %s '%s' is not in the adjustment-code list of the data set (%s)%s",
                x->source, x->id, kind, codes[i], l->data ? l->data : "the starter set",
                l->data ? "" : "; lint with --data for CMS's full list");
    }
done:
    free(kinds); free(codes); free(found); free(rule); free(r);
}

/* ---- check 5: scripts no manifest lists ---- */

static bool listed(const linter *l, int at, const char *rel)
{
    for (int i = at + 1; i < l->nent && strcmp(l->ent[i].kind, "layer"); i++)
        if (!strcmp(l->ent[i].kind, "script") && !strcmp(l->ent[i].name, rel)) return true;
    return false;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_unlisted(linter *l, int at)
{
    const cs_layer_entry *L = &l->ent[at];
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s/%.*s", l->root, folder_len(L->manifest), L->manifest);
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.' && ends_with(de->d_name, ".lua") &&
            strcmp(de->d_name, "payer.lua") && strcmp(de->d_name, "client.lua"))
            if ((names[n] = strdup(de->d_name))) n++;
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        char rel[MAX_PATH];
        snprintf(rel, sizeof rel, "%.*s/%s", folder_len(L->manifest), L->manifest, names[i]);
        if (!listed(l, at, rel))
            problem(l, "%s: script is not listed in %s's scripts, so it never runs", rel, L->manifest);
        free(names[i]);
    }
}

/* ---- check 6: luacheck ---- */

static bool have_luacheck(void)
{
    const char *path = getenv("PATH");
    if (!path) return false;
    char *p = strdup(path), *save = NULL;
    bool ok = false;
    for (char *d = p ? strtok_r(p, ":", &save) : NULL; d && !ok; d = strtok_r(NULL, ":", &save)) {
        char f[MAX_PATH];
        snprintf(f, sizeof f, "%s/luacheck", *d ? d : ".");
        ok = access(f, X_OK) == 0;
    }
    free(p);
    return ok;
}

/* The rule language as a luacheck standard (docs/rule-language.md "What
 * scripts can use"): read-only built-ins, no io/os/print/next/... */
static const char luacheck_config[] =
    "stds.claimscrub = {\n"
    "  read_globals = {\n"
    "    'rule', 'flag', 'require', 'assert', 'error', 'ipairs', 'pairs', 'pcall',\n"
    "    'xpcall', 'rawequal', 'rawget', 'rawlen', 'rawset', 'select', 'tonumber',\n"
    "    'tostring', 'type', 'getmetatable', 'setmetatable', '_VERSION', '_G',\n"
    "    string = {fields = {'byte', 'char', 'find', 'format', 'gmatch', 'gsub', 'len',\n"
    "      'lower', 'match', 'rep', 'reverse', 'sub', 'upper', 'pack', 'packsize', 'unpack'}},\n"
    "    table = {fields = {'concat', 'insert', 'move', 'pack', 'remove', 'sort', 'unpack'}},\n"
    "    math = {fields = {'abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'deg', 'exp', 'floor',\n"
    "      'fmod', 'huge', 'log', 'max', 'maxinteger', 'min', 'mininteger', 'modf', 'pi',\n"
    "      'rad', 'sin', 'sqrt', 'tan', 'tointeger', 'type', 'ult'}},\n"
    "    utf8 = {fields = {'char', 'charpattern', 'codepoint', 'codes', 'len', 'offset'}},\n"
    "  },\n"
    "}\n"
    "std = 'claimscrub'\n"
    "allow_defined_top = true\n";

/* Append s to the command, single-quoted for sh. */
static bool append_quoted(char **cmd, size_t *len, const char *s)
{
    size_t need = *len + 4 * strlen(s) + 4;
    char *c = realloc(*cmd, need);
    if (!c) return false;
    *cmd = c;
    c[(*len)++] = ' ';
    c[(*len)++] = '\'';
    for (; *s; s++) {
        if (*s == '\'') { memcpy(c + *len, "'\\''", 4); *len += 4; }
        else c[(*len)++] = *s;
    }
    c[(*len)++] = '\'';
    c[*len] = 0;
    return true;
}

static void run_luacheck(linter *l, const selection *sel)
{
    if (!have_luacheck()) {
        complain("luacheck is not installed (Debian: lua-check); its checks are skipped");
        return;
    }
    char cfg[] = "/tmp/claimscrub-luacheck-XXXXXX";
    int fd = mkstemp(cfg);
    if (fd < 0) { complain("cannot create a temporary file for luacheck"); return; }
    FILE *f = fdopen(fd, "w");
    if (!f) { close(fd); unlink(cfg); return; }
    fputs(luacheck_config, f);
    fclose(f);
    char *cmd = strdup("luacheck --no-color --codes --formatter plain --config");
    size_t len = cmd ? strlen(cmd) : 0;
    bool ok = cmd && append_quoted(&cmd, &len, cfg) && append_quoted(&cmd, &len, "--");
    int files = 0;
    for (int i = 0; i < l->nent && ok; i++) {
        const cs_layer_entry *s = &l->ent[i];
        if (strcmp(s->kind, "script") || !selected(l, sel, s->manifest)) continue;
        char path[MAX_PATH];
        snprintf(path, sizeof path, "%s/%s", l->root, s->name);
        ok = append_quoted(&cmd, &len, path);
        files++;
    }
    if (ok && files) {
        char *c = realloc(cmd, len + sizeof " 2>&1");
        if (c) { cmd = c; strcpy(cmd + len, " 2>&1"); } else ok = false;
    }
    if (ok && files) {
        FILE *p = popen(cmd, "r");
        if (!p) complain("cannot run luacheck");
        else {
            char line[2048], prefix[MAX_PATH];
            snprintf(prefix, sizeof prefix, "%s/", l->root);
            size_t pl = strlen(prefix);
            while (fgets(line, sizeof line, p)) {
                line[strcspn(line, "\n")] = 0;
                const char *s = strncmp(line, prefix, pl) == 0 ? line + pl : line;
                int ln, col, used = 0;
                const char *c = strchr(s, ':');
                if (c && sscanf(c, ":%d:%d:%n", &ln, &col, &used) == 2 && used) problem(l, "%s", s);
                else if (*s) complain("luacheck: %s", s);
            }
            pclose(p);
        }
    }
    free(cmd);
    unlink(cfg);
}

/* ---- check 6b: misspelt claim fields, through the test cases ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && n <= MAX_FILE_SIZE && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
            size_t r = fread(buf, 1, (size_t)n, f);
            buf[r] = 0;
        }
    }
    fclose(f);
    return buf;
}

static void check_case(linter *l, const cJSON *c)
{
    const cJSON *claim = cJSON_GetObjectItem(c, "claim");
    if (!cJSON_IsObject(claim)) return;
    char *json = cJSON_PrintUnformatted(claim), *out = NULL;
    if (!json) return;
    if (cs_check(l->e, json, strlen(json), NULL, &out, NULL) >= 0 && out) {
        cJSON *rec = cJSON_Parse(out);
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, "findings")) {
            const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(f, "message"));
            const char *src = cJSON_GetStringValue(cJSON_GetObjectItem(f, "source"));
            if (!rule || strcmp(rule, "engine.script_error") || !msg || !strstr(msg, "has no field"))
                continue;
            const char *why = strstr(msg, ": ");
            /* "rule X could not run: FILE:LINE: line has no field 'x'": keep
             * the text after the location */
            const char *tail = strstr(msg, "has no field");
            while (why && why < tail) {
                const char *next = strstr(why + 2, ": ");
                if (!next || next > tail) break;
                why = next;
            }
            problem(l, "%s: %s (a misspelt claim field?)", src && *src ? src : "?",
                    why ? why + 2 : msg);
        }
        cJSON_Delete(rec);
    }
    cs_free(out);
    cJSON_free(json);
}

static void check_fields(linter *l, const cs_layer_entry *L)
{
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s/%.*s/tests", l->root, folder_len(L->manifest), L->manifest);
    DIR *d = opendir(dir);
    if (!d) return;
    char *names[256];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 256)
        if (de->d_name[0] != '.' && ends_with(de->d_name, ".json"))
            if ((names[n] = strdup(de->d_name))) n++;
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n; i++) {
        char path[MAX_PATH * 2];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *text = slurp(path);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        if (cJSON_IsArray(doc)) {
            const cJSON *c;
            cJSON_ArrayForEach(c, doc) check_case(l, c);
        } else if (cJSON_IsObject(doc)) {
            check_case(l, doc);
        }
        cJSON_Delete(doc);
        free(text);
        free(names[i]);
    }
}

/* ---- the command ---- */

static int lint_usage(const char *fmt, const char *arg)
{
    fputs("claimscrub: lint: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'claimscrub lint --help'.\n", stderr);
    return EXIT_TROUBLE;
}

static void free_selection(selection *s)
{
    for (int i = 0; i < s->n; i++) free(s->dirs[i]);
}

static int lint_all(linter *l, selection *sel)
{
    char *err = NULL;
    l->e = cs_engine_new(&(cs_options){.rules_dir = l->rules,
                                       .data_dir = l->data}, &err);
    if (!l->e) {
        problem(l, "%s", err ? err : "out of memory loading the rules");
        cs_free(err);
        return 0;
    }
    l->nent = cs_engine_layer_entries(l->e, NULL, 0);
    l->ent = calloc((size_t)l->nent + 1, sizeof *l->ent);
    if (!l->ent) { complain("out of memory"); return -1; }
    cs_engine_layer_entries(l->e, l->ent, l->nent);
    for (int i = 0; i < l->nent; i++) {
        if (strcmp(l->ent[i].kind, "layer") || !selected(l, sel, l->ent[i].manifest)) continue;
        for (int k = 0; k < sel->n; k++) {
            char path[MAX_PATH], real[PATH_MAX];
            snprintf(path, sizeof path, "%s/%.*s", l->root, folder_len(l->ent[i].manifest),
                     l->ent[i].manifest);
            if (realpath(path, real) && !strcmp(real, sel->dirs[k])) sel->used[k] = true;
        }
    }
    for (int k = 0; k < sel->n; k++)
        if (!sel->used[k]) {
            complain("%s is not a pack or overlay folder under the rules root %s", sel->dirs[k], l->root);
            return -1;
        }
    for (int i = 0; i < l->nent; i++) {
        const cs_layer_entry *L = &l->ent[i];
        if (strcmp(L->kind, "layer") || !selected(l, sel, L->manifest)) continue;
        check_overrides(l, i);
        check_codes(l, L);
        check_unlisted(l, i);
    }
    run_luacheck(l, sel);
    for (int i = 0; i < l->nent; i++) {
        const cs_layer_entry *L = &l->ent[i];
        if (!strcmp(L->kind, "layer") && selected(l, sel, L->manifest)) check_fields(l, L);
    }
    return 0;
}

int cmd_lint(int argc, char **argv)
{
    linter l = {.root = CS_DEFAULT_ROOT};
    selection sel = {0};
    const char *rules = NULL;
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(lint_help, stdout); free_selection(&sel); return EXIT_OK; }
        const char **slot = !strncmp(a, "--rules", 7) && (a[7] == 0 || a[7] == '=') ? &rules
                          : !strncmp(a, "--data", 6) && (a[6] == 0 || a[6] == '=') ? &l.data : NULL;
        if (slot) {
            const char *eq = strchr(a, '=');
            if (eq) *slot = eq + 1;
            else if (i + 1 < argc) *slot = argv[++i];
            else { rc = lint_usage("option %s needs a value", a); goto out; }
            if (!**slot) { rc = lint_usage("option %s needs a value", a); goto out; }
            continue;
        }
        if (a[0] == '-' && a[1]) { rc = lint_usage("unknown option '%s'", a); goto out; }
        if (sel.n == MAX_DIRS) { rc = lint_usage("%s", "too many folders"); goto out; }
        char real[PATH_MAX];
        if (!realpath(a, real)) { rc = lint_usage("no such folder '%s'", a); goto out; }
        if (!(sel.dirs[sel.n++] = strdup(real))) { complain("out of memory"); rc = EXIT_TROUBLE; goto out; }
    }
    if (rules) {
        struct stat st;
        if (stat(rules, &st) != 0 || !S_ISDIR(st.st_mode)) { rc = lint_usage("rules directory '%s' is not a folder", rules); goto out; }
        l.root = l.rules = rules;
    }
    if (lint_all(&l, &sel) < 0) rc = EXIT_TROUBLE;
    else {
        printf("%d problem%s\n", l.problems, l.problems == 1 ? "" : "s");
        rc = l.problems ? EXIT_PROBLEMS : EXIT_OK;
    }
    if (fflush(stdout) != 0) rc = EXIT_TROUBLE;
out:
    cs_engine_free(l.e);
    free(l.ent);
    free(l.seen);
    free_selection(&sel);
    return rc;
}
