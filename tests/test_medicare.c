/*
 * test_medicare.c -- the Medicare pack against its test cases: every file
 * payers/medicare/tests/<name>.json (format: docs/authoring-tests.md), checked
 * with the repository's rules (rules root ".", stdlib "stdlib") and the
 * built-in starter data set (data/starter, built by make).  Run from the
 * repository root.
 */
#include "testutil.h"

#include <dirent.h>
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "refdata.h"

#define PACK_DIR  "payers/medicare"
#define CASES_DIR PACK_DIR "/tests"
#define MAX_FILES 64
#define MAX_RULES 64

static cs_engine *g_e;

/* The rule ids the pack declares, scanned from its scripts: every
 * `id = "cms.` in the .lua files of payers/medicare. */
static char g_rules[MAX_RULES][65];
static int g_nrules;
/* per rule: cases where it must fire, and where it must not */
static int g_fire[MAX_RULES], g_not_fire[MAX_RULES];

/* Failures of all cases, reported together. */
static char *g_fail;
static size_t g_faillen;
static int g_nfail, g_ncases;

static void failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void failf(const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n >= sizeof line) n = sizeof line - 1;
    g_fail = realloc(g_fail, g_faillen + (size_t)n + 2);
    memcpy(g_fail + g_faillen, line, (size_t)n);
    g_faillen += (size_t)n;
    g_fail[g_faillen++] = '\n';
    g_fail[g_faillen] = 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of dir's files ending in ext, sorted; *n gets the count. */
static char **list_files(const char *dir, const char *ext, int *n)
{
    static char *names[MAX_FILES];
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open %s (run from the repository root)", dir);
    struct dirent *de;
    *n = 0;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name), el = strlen(ext);
        if (de->d_name[0] == '.' || len <= el || strcmp(de->d_name + len - el, ext)) continue;
        if (*n == MAX_FILES) fail_msg("more than %d files in %s", MAX_FILES, dir);
        names[(*n)++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)*n, sizeof *names, by_name);
    return names;
}

static void scan_rules(void)
{
    int n;
    char **files = list_files(PACK_DIR, ".lua", &n);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", PACK_DIR, files[i]);
        char *src = tu_slurp(path, NULL);
        if (!src) fail_msg("cannot read %s", path);
        for (const char *p = src; (p = strstr(p, "id = \"cms.")) != NULL; p++) {
            const char *s = p + 6, *e = strchr(s, '"');
            if (!e || e - s > 64 || g_nrules == MAX_RULES) fail_msg("%s: odd rule id", path);
            snprintf(g_rules[g_nrules++], sizeof g_rules[0], "%.*s", (int)(e - s), s);
        }
        free(src);
        free(files[i]);
    }
    if (g_nrules == 0) fail_msg("no rules found in %s", PACK_DIR);
}

static int rule_index(const char *id)
{
    for (int i = 0; i < g_nrules; i++)
        if (!strcmp(g_rules[i], id)) return i;
    return -1;
}

static int group_setup(void **state)
{
    char *err = NULL;
    g_e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"}, &err);
    if (!g_e) {
        fprintf(stderr, "repository rules did not load: %s\n", err ? err : "?");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    cs_engine_free(g_e);
    free(g_fail);
    return 0;
}

/* With g_ref set, every group, CARC and RARC of every finding must be in
 * the adjustment-code list on the claim's (first) date of service. */
static cs_refdata *g_ref;

static bool codes_valid(const cJSON *rec, const cJSON *claim, const char *where)
{
    static const char *const keys[] = {"group", "carc", "rarc"};
    const cJSON *lines = cJSON_GetObjectItem(claim, "lines");
    const char *d = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(lines, 0), "service_date"));
    cs_date dos;
    if (!d || !cs_date_parse(d, &dos)) return true;    /* an input case: no findings to check */
    bool ok = true;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, "findings")) {
        for (int k = 0; k < 3; k++) {
            const char *code = cJSON_GetStringValue(cJSON_GetObjectItem(f, keys[k]));
            cs_adj adj;
            if (code && !cs_ref_adj(g_ref, (cs_adj_kind)k, code, dos, &adj)) {
                failf("%s: %s %s of %s is not in the adjustment-code list on %s", where, keys[k], code,
                      cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule")), d);
                ok = false;
            }
        }
    }
    return ok;
}

/* Whether object o has only the given keys; reports the others. */
static bool only_keys(const cJSON *o, const char *const *keys, const char *where)
{
    bool ok = true;
    for (const cJSON *k = o->child; k; k = k->next) {
        bool known = false;
        for (int i = 0; keys[i]; i++) known = known || !strcmp(k->string, keys[i]);
        if (!known) {
            failf("%s: unknown key '%s'", where, k->string);
            ok = false;
        }
    }
    return ok;
}

/* Whether the record has a finding of rule (on line, when line >= 0;
 * line 0 = the claim as a whole). */
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

/* "rule line N: message" of every finding, for a failure report. */
static void describe_findings(const cJSON *rec)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(rec, "findings")) {
        const cJSON *l = cJSON_GetObjectItem(f, "line");
        failf("      found %s on %s%d: %s", cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule")),
              cJSON_IsNumber(l) ? "line " : "the claim", cJSON_IsNumber(l) ? l->valueint : 0,
              cJSON_GetStringValue(cJSON_GetObjectItem(f, "message")));
    }
}

static void run_case(const char *file, int idx, const cJSON *c)
{
    static const char *const case_keys[] = {"name", "claim", "expect", NULL};
    static const char *const expect_keys[] = {"status", "fire", "not_fire", NULL};
    static const char *const fire_keys[] = {"rule", "line", NULL};
    char where[512];
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
    snprintf(where, sizeof where, "%s case %d (%s)", file, idx + 1, name ? name : "no name");
    g_ncases++;
    const cJSON *claim = cJSON_GetObjectItem(c, "claim"), *ex = cJSON_GetObjectItem(c, "expect");
    if (!cJSON_IsObject(c) || !only_keys(c, case_keys, where) || !name || !cJSON_IsObject(claim) ||
        !cJSON_IsObject(ex) || !only_keys(ex, expect_keys, where)) {
        failf("%s: a case is {\"name\": string, \"claim\": {...}, \"expect\": {...}}", where);
        g_nfail++;
        return;
    }
    char *json = cJSON_PrintUnformatted(claim), *out = NULL;
    int st = cs_check(g_e, json, strlen(json), NULL, &out, NULL);
    free(json);
    cJSON *rec = out ? cJSON_Parse(out) : NULL;
    if (st < 0 || !rec) {
        failf("%s: no record", where);
        g_nfail++;
        cs_free(out);
        return;
    }
    bool bad = false;
    if (!cJSON_GetObjectItem(rec, "data")) {
        failf("%s: the record names no reference data: is the starter data set built?", where);
        bad = true;
    }
    const cJSON *status = cJSON_GetObjectItem(ex, "status");
    if (status && (!cJSON_IsString(status) || strcmp(status->valuestring, cs_status_name(st)))) {
        failf("%s: status %s, expected %s", where, cs_status_name(st),
              cJSON_IsString(status) ? status->valuestring : "(not a string)");
        bad = true;
    }
    bool script_error_expected = false;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(ex, "fire")) {
        const char *rule = cJSON_GetStringValue(cJSON_GetObjectItem(f, "rule"));
        const cJSON *line = cJSON_GetObjectItem(f, "line");
        if (!cJSON_IsObject(f) || !only_keys(f, fire_keys, where) || !rule ||
            (line && (!cJSON_IsNumber(line) || line->valueint < 0))) {
            failf("%s: a fire entry is {\"rule\": string, \"line\": number}", where);
            bad = true;
            continue;
        }
        int line_no = line ? line->valueint : -1;
        if (!strcmp(rule, "engine.script_error")) script_error_expected = true;
        if (rule_index(rule) >= 0) g_fire[rule_index(rule)]++;
        if (!fired(rec, rule, line_no)) {
            if (line_no > 0) failf("%s: %s did not fire on line %d", where, rule, line_no);
            else if (line_no == 0) failf("%s: %s did not fire on the claim as a whole", where, rule);
            else failf("%s: %s did not fire", where, rule);
            bad = true;
        }
    }
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(ex, "not_fire")) {
        const char *rule = cJSON_GetStringValue(f);
        if (!rule) {
            failf("%s: not_fire lists rule ids (strings)", where);
            bad = true;
            continue;
        }
        if (rule_index(rule) < 0) {
            failf("%s: not_fire names %s, which the pack does not declare", where, rule);
            bad = true;
            continue;
        }
        g_not_fire[rule_index(rule)]++;
        if (fired(rec, rule, -1)) {
            failf("%s: %s fired", where, rule);
            bad = true;
        }
    }
    if (g_ref && !codes_valid(rec, claim, where)) bad = true;
    if (!script_error_expected && fired(rec, "engine.script_error", -1)) {
        failf("%s: a rule could not run", where);
        bad = true;
    }
    if (bad) {
        describe_findings(rec);
        g_nfail++;
    }
    cJSON_Delete(rec);
    cs_free(out);
}

/* Every case of every file with engine g_e: status, fire and not_fire as
 * expected. */
static void run_all_cases(void)
{
    int n;
    char **files = list_files(CASES_DIR, ".json", &n);
    if (n == 0) fail_msg("no test cases in %s", CASES_DIR);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CASES_DIR, files[i]);
        char *text = tu_slurp(path, NULL);
        cJSON *doc = text ? cJSON_Parse(text) : NULL;
        if (!doc) {
            failf("%s: not JSON", path);
            g_nfail++;
        } else if (cJSON_IsArray(doc)) {
            int k = 0;
            const cJSON *c;
            cJSON_ArrayForEach(c, doc) run_case(files[i], k++, c);
        } else {
            run_case(files[i], 0, doc);
        }
        cJSON_Delete(doc);
        free(text);
        free(files[i]);
    }
    print_message("%d cases in %d files, %d failed\n", g_ncases, n, g_nfail);
    if (g_nfail) {
        fputs(g_fail, stderr);
        fail_msg("%d of %d cases failed (listed above)", g_nfail, g_ncases);
    }
}

/* The cases with the starter data set. */
static void test_medicare_cases(void **state)
{
    scan_rules();
    run_all_cases();
}

/* ---- triggers change nothing -------------------------------------------- */

/* The claims of every case, plus claims mixed from their lines (a fixed
 * seed): lines of different cases on one or two dates, with their
 * diagnoses.  Returns a cJSON array of claims. */
static cJSON *trigger_corpus(void)
{
    cJSON *claims = cJSON_CreateArray(), *pool = cJSON_CreateArray();
    int n;
    char **files = list_files(CASES_DIR, ".json", &n);
    for (int i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CASES_DIR, files[i]);
        char *text = tu_slurp(path, NULL);
        cJSON *doc = text ? cJSON_Parse(text) : NULL, *c;
        if (!doc) fail_msg("%s: not JSON", path);
        if (!cJSON_IsArray(doc)) {
            cJSON *arr = cJSON_CreateArray();
            cJSON_AddItemToArray(arr, doc);
            doc = arr;
        }
        cJSON_ArrayForEach(c, doc) {
            const cJSON *claim = cJSON_GetObjectItem(c, "claim"), *l;
            cJSON_AddItemToArray(claims, cJSON_Duplicate(claim, 1));
            cJSON_ArrayForEach(l, cJSON_GetObjectItem(claim, "lines")) {
                cJSON *line = cJSON_Duplicate(l, 1);
                cJSON_DeleteItemFromObject(line, "diagnosis_pointers");
                cJSON_AddItemToArray(pool, line);
            }
        }
        cJSON_Delete(doc);
        free(text);
        free(files[i]);
    }
    static const char *const dx[] = {"D51.0", "E11.9", "J02.9", "N18.4", "D51", "Z99.999", "R05.9"};
    unsigned seed = 12345;
    int npool = cJSON_GetArraySize(pool);
    for (int k = 0; k < 1500; k++) {
        cJSON *claim = cJSON_CreateObject(), *lines = cJSON_AddArrayToObject(claim, "lines");
        char id[32];
        snprintf(id, sizeof id, "MIX-%d", k);
        cJSON_AddStringToObject(claim, "id", id);
        cJSON_AddStringToObject(claim, "payer", "medicare");
        cJSON *d = cJSON_AddArrayToObject(claim, "diagnoses");
        seed = seed * 1103515245u + 12345u;
        cJSON_AddItemToArray(d, cJSON_CreateString(dx[(seed >> 16) % 7]));
        int nl = 1 + (int)((seed >> 8) % 4);
        for (int i = 0; i < nl; i++) {
            seed = seed * 1103515245u + 12345u;
            cJSON *line = cJSON_Duplicate(cJSON_GetArrayItem(pool, (int)((seed >> 16) % (unsigned)npool)), 1);
            cJSON_ReplaceItemInObject(line, "service_date",
                                      cJSON_CreateString((seed >> 4) % 3 ? "2026-03-02" : "2026-03-12"));
            cJSON *ptr = cJSON_CreateArray();
            cJSON_AddItemToArray(ptr, cJSON_CreateNumber(1));
            cJSON_AddItemToObject(line, "diagnosis_pointers", ptr);
            cJSON_AddItemToArray(lines, line);
        }
        cJSON_AddItemToArray(claims, claim);
    }
    cJSON_Delete(pool);
    return claims;
}

/* A record without the rules hash (which differs between the two roots). */
static char *without_hash(char *rec)
{
    char *h = rec ? strstr(rec, "\"rules\":\"") : NULL;
    if (h) memmove(h, h + 75, strlen(h + 75) + 1);    /* "rules":"<64 hex>" */
    return rec;
}

/* Every claim of the corpus gets the same record from the Medicare pack
 * as from a copy whose rules have no applies_to (the line is blanked, so
 * sources keep their line numbers): a trigger never keeps a rule from a
 * claim it would flag, nor changes the releases a record names. */
static void check_triggers_change_nothing(const char *data_dir)
{
    char *root = tu_tmpdir(), *err = NULL;
    int n;
    char **files = list_files(PACK_DIR, ".lua", &n);
    int stripped = 0;
    for (int i = 0; i < n; i++) {
        char path[512], rel[512];
        snprintf(path, sizeof path, "%s/%s", PACK_DIR, files[i]);
        char *text = tu_slurp(path, NULL);
        for (char *a = text; (a = strstr(a, "applies_to = ")) != NULL; stripped++) {
            char *eol = strchr(a, '\n');
            memset(a, ' ', (size_t)(eol - a));
            memcpy(a, "--", 2);
        }
        snprintf(rel, sizeof rel, "%s/%s", PACK_DIR, files[i]);
        tu_write(root, rel, text);
        free(text);
        free(files[i]);
    }
    assert_true(stripped >= 15);
    cs_options with = {.rules_dir = ".", .stdlib_dir = "stdlib", .data_dir = data_dir};
    cs_options without = with;
    without.rules_dir = root;
    cs_engine *a = cs_engine_new(&with, &err), *b = a ? cs_engine_new(&without, &err) : NULL;
    if (!a || !b) fail_msg("engine: %s", err);
    cJSON *claims = trigger_corpus(), *c;
    int compared = 0;
    cJSON_ArrayForEach(c, claims) {
        char *json = cJSON_PrintUnformatted(c), *ra = NULL, *rb = NULL;
        cs_check(a, json, strlen(json), NULL, &ra, NULL);
        cs_check(b, json, strlen(json), NULL, &rb, NULL);
        if (!ra || !rb || strcmp(without_hash(ra), without_hash(rb)))
            fail_msg("claim %s:\nwith triggers:    %s\nwithout triggers: %s", json, ra, rb);
        compared++;
        free(json);
        cs_free(ra);
        cs_free(rb);
    }
    print_message("triggers: %d claims, same records with and without applies_to\n", compared);
    cJSON_Delete(claims);
    cs_engine_free(a);
    cs_engine_free(b);
    tu_rmdir(root);
}

static void test_triggers_change_nothing(void **state)
{
    check_triggers_change_nothing(NULL);
}

/* The same cases with CMS's full tables (CMS_DATA), imported into a
 * temporary data set of three releases, as bench/run.sh does: 2024-07-01
 * (the NCCI, PFS and adjustment-code tables, ICD-10-CM FY2024), 2024-10-01
 * (ICD-10-CM FY2025), 2025-10-01 (ICD-10-CM FY2026 and CMS's complete
 * HCPCS Level II file of October 2025, the ANWEB layout).  The starter
 * facts are real rows of these files, in releases with the same windows,
 * so every verdict must hold with the real tables too. */
static void test_medicare_cases_full_tables(void **state)
{
    const char *cms = getenv("CMS_DATA") ? getenv("CMS_DATA") : "../shared/cms";
    static const struct { const char *release, *table, *file; } files[] = {
        {"2024-07-01", "ptp", "ncci_ptp_practitioner_2024-07-01_pairs.csv.gz"},
        {"2024-07-01", "mue", "ncci_mue_practitioner_2024-07-01.csv"},
        {"2024-07-01", "aoc", "ncci_aoc_2024-06-03_active.csv"},
        {"2024-07-01", "pfs", "pfs_pprrvu_2024_jul_national.csv"},
        {"2024-07-01", "icd10", "icd10cm_fy2024_order_with_chapters.csv.gz"},
        {"2024-07-01", "adj", "x12_carc_rarc_group_codes.csv"},
        {"2024-10-01", "icd10", "icd10cm_fy2025_order.csv.gz"},
        {"2025-10-01", "icd10", "icd10cm_fy2026_order.csv.gz"},
        {"2025-10-01", "hcpcs", "hcpcs_level2_2025_oct_anweb.csv"},
    };
    enum { NFILES = sizeof files / sizeof *files };
    char paths[NFILES][1024];
    for (int i = 0; i < NFILES; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", cms, files[i].file);
        if (access(paths[i], R_OK) != 0) {
            printf("SKIPPED: full CMS tables not found in %s (%s; set CMS_DATA)\n", cms,
                   files[i].file);
            skip();
        }
    }
    char *dir = tu_tmpdir(), *err = NULL;
    for (int i = 0; i < NFILES; ) {         /* one import per release */
        cs_data_file in[NFILES];
        int n = 0, j = i;
        for (; j < NFILES && !strcmp(files[j].release, files[i].release); j++)
            in[n++] = (cs_data_file){files[j].table, paths[j]};
        if (cs_data_import(dir, files[i].release, in, (size_t)n, &err) != 0)
            fail_msg("import %s: %s", files[i].release, err);
        i = j;
    }
    cs_engine *full = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib", .data_dir = dir}, &err);
    if (!full) fail_msg("engine: %s", err);
    cs_engine *starter = g_e;
    g_e = full;
    g_ref = cs_refdata_open(dir, &err);
    if (!g_ref) fail_msg("data set: %s", err);
    g_ncases = g_nfail = 0;
    g_faillen = 0;
    run_all_cases();
    check_triggers_change_nothing(dir);
    cs_refdata_close(g_ref);
    g_ref = NULL;
    g_e = starter;
    cs_engine_free(full);
    tu_rmdir(dir);
}

/* Every rule of the pack has a case where it fires and one where it must
 * not. */
static void test_every_rule_has_cases(void **state)
{
    if (!g_ncases) skip();
    int missing = 0;
    g_faillen = 0;
    for (int i = 0; i < g_nrules; i++) {
        if (!g_fire[i]) failf("%s: no case where it fires", g_rules[i]);
        if (!g_not_fire[i]) failf("%s: no case where it must not fire", g_rules[i]);
        if (!g_fire[i] || !g_not_fire[i]) missing++;
    }
    if (missing) {
        fputs(g_fail, stderr);
        fail_msg("%d rules lack cases (listed above)", missing);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_medicare_cases),
        cmocka_unit_test(test_every_rule_has_cases),
        cmocka_unit_test(test_triggers_change_nothing),
        cmocka_unit_test(test_medicare_cases_full_tables),
    };
    return cmocka_run_group_tests_name("medicare", tests, group_setup, group_teardown);
}
