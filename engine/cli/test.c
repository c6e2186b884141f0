/*
 * test.c -- `claimscrub test`: run the test cases of rule packs and client
 * overlays (format: docs/authoring-tests.md) through one engine, printing
 * PASS or FAIL per case, what differed on failure, and "N passed, N failed".
 *
 * Uses only the public API (claimscrub.h) and cJSON to read the cases.
 * docs/cli.md is the reference for what a user sees here.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "test.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif

#define EXIT_OK      0
#define EXIT_FAILED  1          /* some case failed */
#define EXIT_TROUBLE 2          /* usage or rules error */

#define MAX_PATH      4096
#define MAX_FILE_SIZE ((long)64 << 20)  /* a case file larger than this is refused */
#define DETAIL_MAX    1024      /* one line of a failure report */
#define INDENT        "    "
#define MAX_PAIR      1024      /* "payer\nclient"; ids are far shorter */

static const char test_help[] =
    "usage: claimscrub test [--rules DIR] [--data DIR] [--coverage] [PACKDIR...]\n"
    "\n"
    "Run rule packs' test cases (docs/authoring-tests.md): every *.json file of\n"
    "each PACKDIR/tests (or of PACKDIR itself when it has no tests folder; a\n"
    "PACKDIR may also be one case file).  Default: every payers/*/tests and\n"
    "clients/*/tests folder under the rules root.  Prints PASS or FAIL per case,\n"
    "what differed on failure, then \"N passed, N failed\".\n"
    "\n"
    "options:\n"
    "  --rules DIR          rules root holding payers/ and clients/\n"
    "  --data DIR           reference data set (default: the starter set)\n"
    "  --coverage           also list the rules of the tested layers that no\n"
    "                       case made fire\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 every case passed; 1 some case failed; 2 usage or rules\n"
    "error.\n";

/* ---- small string lists ---- */

typedef struct strlist {
    char **v;
    size_t n, cap;
} strlist;

static bool sl_has(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s)) return true;
    return false;
}

/* Append a copy of s; false when memory ran out. */
static bool sl_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) return false;
        l->v = v;
        l->cap = cap;
    }
    if (!(l->v[l->n] = strdup(s))) return false;
    l->n++;
    return true;
}

static bool sl_add_new(strlist *l, const char *s) { return sl_has(l, s) || sl_add(l, s); }

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->v[i]);
    free(l->v);
    *l = (strlist){0};
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- the run ---- */

typedef struct tester {
    cs_engine *e;
    const char *root;           /* rules root, for the default folders */
    bool coverage;
    int passed, failed;
    bool trouble;               /* a usage, rules or memory error */
    strlist packs;              /* folders of the packs whose tests ran */
    strlist pairs;              /* "payer\nclient" of every case checked */
    strlist fired;              /* rule ids some case made fire */
    char *detail;               /* the failure report of the current case */
    size_t detail_len;
} tester;

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("claimscrub: test: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void differ(tester *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Add one indented line to the current case's failure report. */
static void differ(tester *t, const char *fmt, ...)
{
    char line[DETAIL_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    size_t add = strlen(INDENT) + (size_t)n + 1;
    char *d = realloc(t->detail, t->detail_len + add + 1);
    if (!d) { t->trouble = true; return; }
    t->detail = d;
    t->detail_len += (size_t)snprintf(d + t->detail_len, add + 1, INDENT "%s\n", line);
}

/* Print the case's verdict line and, on failure, its report. */
static void verdict(tester *t, const char *file, int idx, const char *name)
{
    bool ok = t->detail_len == 0;
    printf("%s %s #%d %s\n", ok ? "PASS" : "FAIL", file, idx, name);
    if (!ok) fputs(t->detail, stdout);
    if (ok) t->passed++; else t->failed++;
    t->detail_len = 0;
}

/* ---- one case ---- */

/* Whether object o has only the given keys (NULL-terminated); reports the
 * others. */
static bool only_keys(tester *t, const cJSON *o, const char *const *keys)
{
    bool ok = true;
    for (const cJSON *k = o->child; k; k = k->next) {
        bool known = false;
        for (int i = 0; keys[i]; i++) known = known || !strcmp(k->string, keys[i]);
        if (!known) { differ(t, "unknown key '%s'", k->string); ok = false; }
    }
    return ok;
}

/* Whether the record has a finding of rule on line (line < 0: any; 0: the
 * claim as a whole).  Waived findings do not count. */
static bool fired(const cJSON *rec, const char *rule, int line)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, "findings")) {
        const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
        const cJSON *l = cJSON_GetObjectItem(f, "line");
        int fl = cJSON_IsNumber(l) ? l->valueint : 0;
        if (r && !strcmp(r, rule) && (line < 0 || fl == line)) return true;
    }
    return false;
}

/* "found RULE (severity) on line N: message" for every finding, waived
 * ones marked. */
static void describe_findings(tester *t, const cJSON *rec)
{
    static const char *const lists[] = {"findings", "waived"};
    for (int k = 0; k < 2; k++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, lists[k])) {
            const cJSON *l = cJSON_GetObjectItem(f, "line");
            const char *sev = cJSON_GetStringValue(cJSON_GetObjectItem(f, "severity"));
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItem(f, "message"));
            char where[32] = "the claim";
            if (cJSON_IsNumber(l)) snprintf(where, sizeof where, "line %d", l->valueint);
            differ(t, "found %s%s (%s) on %s: %s", k ? "waived " : "",
                   cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule")), sev ? sev : "?",
                   where, msg ? msg : "");
        }
    }
}

/* Remember the claim's payer and client, and every rule it made fire
 * (waived or not), for --coverage. */
static void note_coverage(tester *t, const cJSON *rec)
{
    const char *payer = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "payer"));
    const char *client = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "client"));
    if (payer && !strchr(payer, '\n') && (!client || !strchr(client, '\n'))) {
        char pair[MAX_PAIR];
        snprintf(pair, sizeof pair, "%s\n%s", payer, client ? client : "");
        if (!sl_add_new(&t->pairs, pair)) t->trouble = true;
    }
    static const char *const lists[] = {"findings", "waived"};
    for (int k = 0; k < 2; k++) {
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, lists[k])) {
            const char *r = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
            if (r && !sl_add_new(&t->fired, r)) t->trouble = true;
        }
    }
}

/* Whether rule is one the claim's layers declare, or the engine's own. */
static bool declared(tester *t, const cJSON *rec, const char *rule)
{
    if (!strncmp(rule, "engine.", 7) || !strncmp(rule, "input.", 6)) return true;
    const char *payer = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "payer"));
    const char *client = cJSON_GetStringValue(cJSON_GetObjectItem(rec, "client"));
    int n = cs_engine_rules(t->e, payer, client, NULL, 0);
    if (n == -2) n = cs_engine_rules(t->e, payer, client = NULL, NULL, 0);
    if (n <= 0) return false;
    cs_rule_info *rules = calloc((size_t)n, sizeof *rules);
    if (!rules) { t->trouble = true; return true; }
    cs_engine_rules(t->e, payer, client, rules, n);
    bool found = false;
    for (int i = 0; i < n && !found; i++) found = !strcmp(rules[i].id, rule);
    free(rules);
    return found;
}

/* expect.fire: each entry must have a finding.  Returns whether it lists
 * engine.script_error. */
static bool check_fire(tester *t, const cJSON *ex, const cJSON *rec)
{
    static const char *const fire_keys[] = {"rule", "line", NULL};
    bool script_error = false;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(ex, "fire")) {
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
        const cJSON *line = cJSON_GetObjectItem(f, "line");
        if (!cJSON_IsObject(f) || !only_keys(t, f, fire_keys) || !rule ||
            (line && (!cJSON_IsNumber(line) || line->valueint < 0))) {
            differ(t, "bad case: a fire entry is {\"rule\": string, \"line\": number}");
            continue;
        }
        int n = line ? line->valueint : -1;
        if (!strcmp(rule, "engine.script_error")) script_error = true;
        if (fired(rec, rule, n)) continue;
        if (n > 0) differ(t, "missing: %s on line %d", rule, n);
        else if (n == 0) differ(t, "missing: %s on the claim as a whole", rule);
        else differ(t, "missing: %s", rule);
    }
    return script_error;
}

/* expect.not_fire: none of its rules may have a finding. */
static void check_not_fire(tester *t, const cJSON *ex, const cJSON *rec)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(ex, "not_fire")) {
        const char *rule = cJSON_GetStringValue(f);
        if (!rule) differ(t, "bad case: not_fire lists rule ids (strings)");
        else if (!declared(t, rec, rule)) differ(t, "bad case: not_fire names %s, which no layer declares", rule);
        else if (fired(rec, rule, -1)) differ(t, "unexpected: %s fired", rule);
    }
}

/* Compare the record with the case's expectations. */
static void compare(tester *t, const cJSON *ex, const cJSON *rec, int status)
{
    const cJSON *want = cJSON_GetObjectItem(ex, "status");
    if (want && !cJSON_IsString(want)) differ(t, "bad case: expect.status must be a string");
    else if (want && strcmp(want->valuestring, cs_status_name(status)))
        differ(t, "status: expected %s, got %s", want->valuestring, cs_status_name(status));
    bool script_error_expected = check_fire(t, ex, rec);
    check_not_fire(t, ex, rec);
    if (!script_error_expected && fired(rec, "engine.script_error", -1))
        differ(t, "unexpected: engine.script_error (a rule could not run)");
}

/* Run case number idx (1-based) of file. */
static void run_case(tester *t, const char *file, int idx, const cJSON *c)
{
    static const char *const case_keys[] = {"name", "claim", "expect", NULL};
    static const char *const expect_keys[] = {"status", "fire", "not_fire", NULL};
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
    const cJSON *claim = cJSON_GetObjectItem(c, "claim"), *ex = cJSON_GetObjectItem(c, "expect");
    if (!cJSON_IsObject(c) || !only_keys(t, c, case_keys) || !name || !cJSON_IsObject(claim) ||
        !cJSON_IsObject(ex) || !only_keys(t, ex, expect_keys)) {
        differ(t, "bad case: a case is {\"name\": string, \"claim\": {...}, \"expect\": {...}}");
        verdict(t, file, idx, name ? name : "(no name)");
        return;
    }
    char *json = cJSON_PrintUnformatted(claim), *out = NULL;
    cs_origin origin = {.file = file, .record = idx};
    int status = json ? cs_check(t->e, json, strlen(json), &origin, &out, NULL) : -1;
    cJSON_free(json);
    cJSON *rec = status >= 0 ? cJSON_Parse(out) : NULL;
    if (!rec) {
        differ(t, "no verdict: out of memory");
        t->trouble = true;
    } else {
        compare(t, ex, rec, status);
        if (t->detail_len) describe_findings(t, rec);
        note_coverage(t, rec);
    }
    verdict(t, file, idx, name);
    cJSON_Delete(rec);
    cs_free(out);
}

/* Read a whole file, NUL-terminated; NULL when it cannot be read. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n >= 0 && n <= MAX_FILE_SIZE && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        if (fread(buf, 1, (size_t)n, f) == (size_t)n) buf[n] = 0;
        else { free(buf); buf = NULL; }
    }
    fclose(f);
    return buf;
}

/* Run every case of one file; path opens it, shown names it. */
static void run_file(tester *t, const char *path, const char *shown)
{
    char *text = slurp(path);
    int read_errno = errno;
    cJSON *doc = text ? cJSON_Parse(text) : NULL;
    if (!doc) {
        if (text) differ(t, "not valid JSON");
        else differ(t, "cannot read the file: %s", strerror(read_errno));
        verdict(t, shown, 1, "(the file)");
    } else if (cJSON_IsArray(doc)) {
        int k = 0;
        const cJSON *c;
        cJSON_ArrayForEach(c, doc) run_case(t, shown, ++k, c);
    } else {
        run_case(t, shown, 1, doc);
    }
    cJSON_Delete(doc);
    free(text);
}

/* ---- folders ---- */

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The names in dir accepted by keep, sorted, into l.  False when the
 * folder cannot be read (message printed). */
static bool list_dir(const char *dir, bool (*keep)(const char *dir, const char *name), strlist *l)
{
    DIR *d = opendir(dir);
    if (!d) { complain("cannot open %s: %s", dir, strerror(errno)); return false; }
    struct dirent *de;
    bool ok = true;
    while (ok && (de = readdir(d)))
        if (de->d_name[0] != '.' && keep(dir, de->d_name)) ok = sl_add(l, de->d_name);
    closedir(d);
    if (!ok) complain("out of memory listing %s", dir);
    if (l->n) qsort(l->v, l->n, sizeof *l->v, by_name);
    return ok;
}

static bool json_file(const char *dir, const char *name)
{
    char p[MAX_PATH];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return ends_with(name, ".json") && !is_dir(p);
}

static bool has_tests(const char *dir, const char *name)
{
    char p[MAX_PATH];
    snprintf(p, sizeof p, "%s/%s/tests", dir, name);
    return is_dir(p);
}

/* Remember the pack folder of a tests folder (shown without "/tests"). */
static void note_pack(tester *t, const char *tests_dir)
{
    char pack[MAX_PATH];
    snprintf(pack, sizeof pack, "%s", tests_dir);
    size_t n = strlen(pack);
    while (n > 1 && pack[n - 1] == '/') pack[--n] = 0;
    if (ends_with(pack, "/tests")) pack[n - strlen("/tests")] = 0;
    else if (!strcmp(pack, "tests")) snprintf(pack, sizeof pack, ".");
    if (!sl_add_new(&t->packs, pack)) t->trouble = true;
}

/* Run the *.json files of folder dir; shown is how its files are named. */
static void run_folder(tester *t, const char *dir, const char *shown)
{
    strlist files = {0};
    if (!list_dir(dir, json_file, &files)) { t->trouble = true; return; }
    note_pack(t, shown);
    const char *sep = ends_with(shown, "/") ? "" : "/";
    for (size_t i = 0; i < files.n; i++) {
        char path[MAX_PATH], name[MAX_PATH];
        snprintf(path, sizeof path, "%s/%s", dir, files.v[i]);
        snprintf(name, sizeof name, "%s%s%s", shown, sep, files.v[i]);
        run_file(t, path, name);
    }
    sl_free(&files);
}

/* Every <kind>/<id>/tests folder under the rules root, named relative to
 * it.  A root without the kind folder has none. */
static void run_default(tester *t, const char *kind)
{
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s/%s", t->root, kind);
    if (!is_dir(dir)) return;
    strlist packs = {0};
    if (!list_dir(dir, has_tests, &packs)) { t->trouble = true; return; }
    for (size_t i = 0; i < packs.n; i++) {
        char tests[MAX_PATH], shown[MAX_PATH];
        snprintf(tests, sizeof tests, "%s/%s/tests", dir, packs.v[i]);
        snprintf(shown, sizeof shown, "%s/%s/tests", kind, packs.v[i]);
        run_folder(t, tests, shown);
    }
    sl_free(&packs);
}

/* An operand: a pack folder with tests/, a folder of cases, or one case
 * file. */
static void run_operand(tester *t, const char *arg)
{
    char tests[MAX_PATH];
    struct stat st;
    snprintf(tests, sizeof tests, "%s%stests", arg, ends_with(arg, "/") ? "" : "/");
    if (is_dir(tests)) { run_folder(t, tests, tests); return; }
    if (is_dir(arg)) { run_folder(t, arg, arg); return; }
    if (stat(arg, &st) != 0) {
        complain("%s: %s", arg, strerror(errno));
        t->trouble = true;
        return;
    }
    char dir[MAX_PATH];
    snprintf(dir, sizeof dir, "%s", arg);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0; else snprintf(dir, sizeof dir, ".");
    note_pack(t, dir);
    run_file(t, arg, arg);
}

/* ---- --coverage ---- */

/* Whether a rule's layer (its manifest, "payers/x/payer.lua") belongs to
 * the pack folder pack ("payers/x", "/some/root/payers/x" or "."). */
static bool layer_of(const char *manifest, const char *pack)
{
    const char *slash = strrchr(manifest, '/');
    size_t n = slash ? (size_t)(slash - manifest) : 0, m = strlen(pack);
    if (!strcmp(pack, ".")) return false;
    return m >= n && !strncmp(pack + m - n, manifest, n) && (m == n || pack[m - n - 1] == '/');
}

static bool tested_layer(const tester *t, const char *manifest)
{
    for (size_t i = 0; i < t->packs.n; i++)
        if (layer_of(manifest, t->packs.v[i])) return true;
    return false;
}

/* Print "not fired: LAYER RULE" for each rule of a tested layer, among the
 * layers of the payers and clients the cases used, that no case made
 * fire. */
static void report_coverage(tester *t)
{
    strlist shown = {0};
    int unfired = 0;
    for (size_t i = 0; i < t->pairs.n; i++) {
        char *payer = t->pairs.v[i], *client = strchr(payer, '\n');
        if (!client) continue;  /* cut short by MAX_PAIR */
        *client++ = 0;
        int n = cs_engine_rules(t->e, payer, client, NULL, 0);
        if (n == -2) n = cs_engine_rules(t->e, payer, client = NULL, NULL, 0);
        if (n <= 0) continue;
        cs_rule_info *rules = calloc((size_t)n, sizeof *rules);
        if (!rules) { t->trouble = true; break; }
        cs_engine_rules(t->e, payer, client, rules, n);
        for (int k = 0; k < n; k++) {
            const cs_rule_info *r = &rules[k];
            if (!tested_layer(t, r->layer) || sl_has(&t->fired, r->id) || sl_has(&shown, r->id)) continue;
            if (!sl_add(&shown, r->id)) t->trouble = true;
            const char *slash = strrchr(r->layer, '/');
            printf("not fired: %.*s %s\n", (int)(slash ? slash - r->layer : 0), r->layer, r->id);
            unfired++;
        }
        free(rules);
    }
    printf("coverage: %d rule%s of the tested layers never fired\n", unfired, unfired == 1 ? "" : "s");
    sl_free(&shown);
}

/* ---- options ---- */

typedef struct test_opts {
    cs_options engine;
    bool coverage;
} test_opts;

static int test_usage(const char *fmt, const char *arg)
{
    fputs("claimscrub: test: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'claimscrub test --help'.\n", stderr);
    return EXIT_TROUBLE;
}

/* Parse the options; the operands are moved to the front of argv and
 * counted in *nargs.  Returns EXIT_OK, -1 for help, or EXIT_TROUBLE with
 * the message printed. */
static int parse_test(int argc, char **argv, test_opts *o, int *nargs)
{
    static const char *const names[] = {"--rules", "--data"};
    const char **slots[] = {&o->engine.rules_dir, &o->engine.data_dir};
    bool operands_only = false;
    *nargs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (operands_only || a[0] != '-') { argv[(*nargs)++] = argv[i]; continue; }
        if (!strcmp(a, "--")) { operands_only = true; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
        if (!strcmp(a, "--coverage")) { o->coverage = true; continue; }
        size_t k = 0;
        for (; k < sizeof names / sizeof *names; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) != 0 || (a[n] != 0 && a[n] != '=')) continue;
            if (a[n] == '=') *slots[k] = a + n + 1;
            else if (i + 1 < argc) *slots[k] = argv[++i];
            else return test_usage("option %s needs a value", a);
            if (!**slots[k]) return test_usage("option %s needs a value", names[k]);
            break;
        }
        if (k == sizeof names / sizeof *names) return test_usage("unknown option '%s'", a);
    }
    return EXIT_OK;
}

/* ---- the command ---- */

int cmd_test(int argc, char **argv)
{
    test_opts o = {0};
    int nargs;
    int rc = parse_test(argc, argv, &o, &nargs);
    if (rc < 0) { fputs(test_help, stdout); return EXIT_OK; }
    if (rc != EXIT_OK) return rc;
    tester t = {.root = o.engine.rules_dir ? o.engine.rules_dir : CS_DEFAULT_ROOT,
                .coverage = o.coverage};
    if (!is_dir(t.root)) { complain("rules directory %s: not a directory", t.root); return EXIT_TROUBLE; }
    char *err = NULL;
    if (!(t.e = cs_engine_new(&o.engine, &err))) {
        complain("%s", err ? err : "out of memory loading rules");
        cs_free(err);
        return EXIT_TROUBLE;
    }
    if (nargs == 0) { run_default(&t, "payers"); run_default(&t, "clients"); }
    for (int i = 0; i < nargs; i++) run_operand(&t, argv[i]);
    if (t.coverage) report_coverage(&t);
    printf("%d passed, %d failed\n", t.passed, t.failed);
    if (fflush(stdout) != 0) t.trouble = true;
    cs_engine_free(t.e);
    sl_free(&t.packs); sl_free(&t.pairs); sl_free(&t.fired);
    free(t.detail);
    return t.trouble ? EXIT_TROUBLE : t.failed ? EXIT_FAILED : EXIT_OK;
}
