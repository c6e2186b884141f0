/*
 * explain.c -- `claimscrub explain`: for each claim, every rule of its
 * layers in run order with what happened (not in force, waived, no finding,
 * fired, error), its time, its findings and the reference rows it
 * consulted.  One engine, claims in input order; the inputs are read as
 * `check` reads them (input.h; X12 837P through the library's reader).
 *
 * Uses only the public API (claimscrub.h, cs_explain) and cJSON to read
 * its records for the text form.  docs/cli.md is the reference for what a
 * user sees here.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "explain.h"
#include "input.h"
#include "x12.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif

#define EXIT_CLEAN   0          /* no claim is review, deny or reject */
#define EXIT_FLAGGED 1          /* some claim is */
#define EXIT_TROUBLE 2          /* usage, rules or input error */

/* Largest X12 file read (it is read whole), as for check. */
#define MAX_X12_BYTES ((size_t)256 << 20)

#define STATUS_WIDTH 14         /* "not_applicable" */
#define DETAIL       "      "  /* indent of a rule's findings and rows */

static const char explain_help[] =
    "usage: claimscrub explain [options] [FILE...]\n"
    "\n"
    "Check claims as 'check' does and say why: for each claim, every rule of\n"
    "its layers in run order with what happened (fired, no_finding, waived,\n"
    "error, not_in_force, not_applicable), its time, the findings it produced\n"
    "and the reference rows its lookups consulted.  FILE is read as by 'check'\n"
    "(JSON, JSONL, X12 837P, a directory, or - for standard input, the\n"
    "default).\n"
    "\n"
    "options:\n"
    "  --payer ID           explain every claim for payer ID (overrides \"payer\")\n"
    "  --client ID          apply client ID's overlay (overrides \"client\")\n"
    "  --rules DIR          rules root holding payers/ and clients/\n"
    "  --data DIR           reference data set (default: the starter set)\n"
    "  --format text|json   a block of text per claim (default), or one JSON\n"
    "                       record per line: check's record plus \"trace\"\n"
    "  --input json|jsonl|x12  how to read input (as for check)\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 no claim needs attention; 1 some claim is review, deny or\n"
    "reject; 2 usage, rules or input error.\n";

typedef struct ex {
    cs_options opt;
    bool json;                  /* --format json */
    cs_input_format input;
    bool x12;                   /* --input x12 */
    cs_engine *e;
    int exit;
    bool stop;                  /* memory ran out */
} ex;

static void worsen(ex *x, int status)
{
    if (status > x->exit) x->exit = status;
}

static int usage(const char *fmt, const char *arg)
{
    fputs("claimscrub: explain: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'claimscrub explain --help'.\n", stderr);
    return EXIT_TROUBLE;
}

/* ---- text ---- */

/* Print s with control characters as spaces. */
static void put_clean(const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        putchar(c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long long int_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

/* A row's members, "indicator 0, rationale ..., effective 2010-01-01". */
static void put_row(const cJSON *row)
{
    const cJSON *m;
    bool first = true;
    cJSON_ArrayForEach(m, row) {
        if (!first) fputs(", ", stdout);
        first = false;
        put_clean(m->string);
        putchar(' ');
        if (cJSON_IsString(m)) put_clean(m->valuestring);
        else if (cJSON_IsBool(m)) fputs(cJSON_IsTrue(m) ? "yes" : "no", stdout);
        else if (cJSON_IsNumber(m)) printf("%g", m->valuedouble);
    }
}

static void put_finding(const cJSON *f)
{
    fputs(DETAIL, stdout);
    put_clean(str_of(f, "severity"));
    long long line = int_of(f, "line");
    if (line) printf(" on line %lld", line);
    else fputs(" on the claim", stdout);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "waived"))) fputs(" (waived)", stdout);
    const char *rule = str_of(f, "rule");
    if (rule && !strncmp(rule, "engine.", 7)) { fputs(" ", stdout); put_clean(rule); }
    fputs(": ", stdout);
    put_clean(str_of(f, "message"));
    putchar('\n');
}

static void put_ref(const cJSON *r)
{
    fputs(DETAIL "ref ", stdout);
    put_clean(str_of(r, "lookup"));
    putchar(' ');
    put_clean(str_of(r, "key"));
    fputs(" on ", stdout);
    put_clean(str_of(r, "date"));
    fputs(": ", stdout);
    const cJSON *row = cJSON_GetObjectItemCaseSensitive(r, "row");
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "found"))) fputs("no row", stdout);
    else if (cJSON_IsObject(row)) put_row(row);
    putchar('\n');
}

/* One line per rule, then its details. */
static void put_rule(const cJSON *t, int idw)
{
    const char *status = str_of(t, "status"), *id = str_of(t, "rule");
    printf("  %-*s ", STATUS_WIDTH, status ? status : "?");
    put_clean(id);
    printf("%*s", idw - (int)strlen(id ? id : "") + 1, "");
    if (cJSON_GetObjectItemCaseSensitive(t, "elapsed_us"))
        printf("%6lld us  ", int_of(t, "elapsed_us"));
    else
        printf("%6s     ", "-");
    put_clean(str_of(t, "source") ? str_of(t, "source") : str_of(t, "layer"));
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(t, "effective");
    if (eff) {
        const char *from = str_of(eff, "from"), *to = str_of(eff, "to");
        fputs("  (effective ", stdout);
        put_clean(from ? from : "");
        fputs("..", stdout);
        put_clean(to ? to : "");
        putchar(')');
    }
    putchar('\n');
    if (str_of(t, "waived_by")) {
        fputs(DETAIL "waived by ", stdout);
        put_clean(str_of(t, "waived_by"));
        fputs(": ", stdout);
        put_clean(str_of(t, "reason"));
        putchar('\n');
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(t, "findings")) put_finding(e);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(t, "refs")) put_ref(e);
    long long more = int_of(t, "refs_more");
    if (more) printf(DETAIL "%lld more lookup%s not listed\n", more, more == 1 ? "" : "s");
}

/* The record as text: check's header line, then one line per rule.  A
 * claim no rule ran on (it could not be read) gets check's whole report.
 * False when memory ran out. */
static bool put_text(const char *record)
{
    char *report = cs_record_to_text(record);
    cJSON *root = cJSON_Parse(record);
    if (!report || !root) { cs_free(report); cJSON_Delete(root); return false; }
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(root, "trace");
    if (cJSON_GetArraySize(trace) == 0) {
        fputs(report, stdout);
        puts("  no rule ran");
    } else {
        const char *nl = strchr(report, '\n');
        fwrite(report, 1, nl ? (size_t)(nl - report) + 1 : strlen(report), stdout);
        /* what reading the claim found (input.*: no rule of a pack says it) */
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(root, "findings")) {
            const char *rule = str_of(f, "rule");
            if (!rule || strncmp(rule, "input.", 6)) continue;
            const cJSON *ln = cJSON_GetObjectItemCaseSensitive(f, "line");
            printf("  read           %s  %s", rule, str_of(f, "severity"));
            if (cJSON_IsNumber(ln)) printf(" on line %d", ln->valueint);
            printf(": %s\n", str_of(f, "message") ? str_of(f, "message") : "");
        }
        int idw = 0;
        const cJSON *t;
        cJSON_ArrayForEach(t, trace) {
            const char *id = str_of(t, "rule");
            if (id && (int)strlen(id) > idw) idw = (int)strlen(id);
        }
        cJSON_ArrayForEach(t, trace) put_rule(t, idw);
    }
    cs_free(report);
    cJSON_Delete(root);
    return true;
}

/* ---- one claim ---- */

/* cs_check_problem's record with an empty "trace", as cs_explain gives a
 * claim that could not be read.  Frees rec; NULL when memory ran out. */
static char *with_empty_trace(char *rec)
{
    size_t n = rec ? strlen(rec) : 0;
    char *r = n && rec[n - 1] == '}' ? malloc(n + sizeof ",\"trace\":[]") : NULL;
    if (r) {
        memcpy(r, rec, n - 1);
        memcpy(r + n - 1, ",\"trace\":[]}", sizeof ",\"trace\":[]}");
    }
    cs_free(rec);
    return r;
}

/* Explain one claim: claim JSON (text, len), or, with problems, an X12
 * claim (CLM01 id) that could not be read (cs_check_problem with an empty
 * trace). */
static void explain_one(ex *x, const char *text, size_t len, const cs_origin *o,
                        const char *id, const char *problems)
{
    char *rec = NULL;
    int status;
    if (problems) {
        status = cs_check_problem(x->e, id, problems, o, &rec, NULL);
        if (!(rec = with_empty_trace(rec))) status = -1;
    } else {
        status = cs_explain(x->e, text, len, o, &rec, NULL);
    }
    bool ok = status >= 0;
    if (ok && x->json) { fputs(rec, stdout); putchar('\n'); }
    else if (ok) ok = put_text(rec);
    cs_free(rec);
    if (!ok) {
        fprintf(stderr, "claimscrub: %s: record %ld: out of memory\n", o->file, o->record);
        x->stop = true;
        worsen(x, EXIT_TROUBLE);
        return;
    }
    worsen(x, status >= CS_REVIEW ? EXIT_FLAGGED : EXIT_CLEAN);
}

/* ---- inputs ---- */

/* The whole of path ("-": standard input), at most MAX_X12_BYTES; NULL
 * with a message printed on error. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) { fprintf(stderr, "claimscrub: cannot open %s: %s\n", path, strerror(errno)); return NULL; }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1), *nb;
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap > MAX_X12_BYTES) break;
        if (!(nb = realloc(buf, cap * 2 + 1))) { free(buf); buf = NULL; break; }
        buf = nb;
        cap *= 2;
    }
    const char *why = !buf ? "out of memory" : ferror(f) ? strerror(errno)
                    : n > MAX_X12_BYTES ? "larger than the X12 limit (256 MiB)" : NULL;
    if (f != stdin) fclose(f);
    if (why) {
        fprintf(stderr, "claimscrub: cannot read %s: %s\n", path, why);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Explain the claims of an X12 file; data (malloc'd, len bytes, freed
 * here) is its text when read already (standard input), else NULL. */
static void explain_x12(ex *x, const char *path, char *data, size_t len)
{
    char *err = NULL;
    if (!data && !(data = slurp(path, &len))) { worsen(x, EXIT_TROUBLE); return; }
    cs_x12_options xo = {x->opt.rules_dir, x->opt.payer != NULL};
    cs_x12_file *f = NULL;
    int rc = cs_x12_read(data, len, &xo, &f, &err);
    free(data);
    size_t n = f ? cs_x12_count(f) : 0;
    for (size_t i = 0; i < n && !x->stop; i++) {
        cs_x12_info info;
        const cs_x12_claim *c = cs_x12_claim_at(f, i, &info);
        cs_origin o = {.file = path, .record = (long)i + 1, .line = info.line,
                       .segment = info.segment,
                       .transaction = info.transaction && info.transaction[0] ? info.transaction : NULL};
        size_t jlen = 0;
        char *json = NULL, *problems = NULL;
        if (cs_x12_claim_json(c, &json, &jlen, &problems) < 0) {
            fprintf(stderr, "claimscrub: %s: record %ld: out of memory\n", path, o.record);
            x->stop = true;
            worsen(x, EXIT_TROUBLE);
            break;
        }
        for (const char *w = info.warnings; w && *w;) {   /* not in cs_explain's record */
            size_t wn = strcspn(w, "\n");
            fprintf(stderr, "claimscrub: %s: segment %ld: claim %s: %.*s\n", path,
                    info.segment, info.id ? info.id : "(none)", (int)wn, w);
            w += wn + (w[wn] == '\n');
        }
        bool fatal = cs_x12_problems_fatal(problems);
        for (const char *w = fatal ? NULL : problems; w && *w;) {  /* readable: said */
            size_t wn = strcspn(w, "\n");
            fprintf(stderr, "claimscrub: %s: segment %ld: claim %s: %.*s\n", path,
                    info.segment, info.id ? info.id : "(none)", (int)wn - 1, w + 1);
            w += wn + (w[wn] == '\n');
        }
        const char *why = fatal ? problems : json ? NULL : "the claim could not be read";
        explain_one(x, json, jlen, &o, info.id, why);
        cs_free(json);
        cs_free(problems);
    }
    if (rc < 0) {
        fprintf(stderr, "claimscrub: %s: %s\n", path, rc == -2 ? "out of memory reading X12" : err);
        worsen(x, EXIT_TROUBLE);
    }
    cs_free(err);
    cs_x12_free(f);
}

static void explain_file(ex *x, const char *path)
{
    if (x->x12) { explain_x12(x, path, NULL, 0); return; }
    char err[CS_READER_ERROR_MAX];
    cs_reader *rd = cs_reader_open(path, x->input, err, sizeof err);
    if (!rd) { fprintf(stderr, "claimscrub: %s\n", err); worsen(x, EXIT_TROUBLE); return; }
    if (cs_reader_format(rd) == CS_INPUT_X12) {     /* recognised by its content */
        size_t len = 0;
        char *data = NULL;
        if (!strcmp(path, "-") && !(data = cs_reader_slurp(rd, CS_X12_MAX_FILE, &len))) {
            fprintf(stderr, "claimscrub: %s\n", cs_reader_error(rd));
            worsen(x, EXIT_TROUBLE);
        } else {
            explain_x12(x, path, data, len);
        }
        cs_reader_close(rd);
        return;
    }
    cs_record rec;
    int rc = 0;
    while (!x->stop && (rc = cs_reader_next(rd, &rec)) == 1) {
        char why[128];
        long at;
        if (!rec.too_long && !cs_json_check(rec.text, rec.len, why, sizeof why, &at)) {
            fprintf(stderr, "claimscrub: %s:%ld: record %ld is not valid JSON (line %ld: %s); "
                    "it is rejected\n", path, rec.line, rec.record, rec.line + at, why);
            worsen(x, EXIT_TROUBLE);
        }
        if (rec.too_long)
            fprintf(stderr, "claimscrub: %s:%ld: record %ld is longer than %zu bytes; it is "
                    "checked as empty and rejected\n", path, rec.line, rec.record,
                    CS_MAX_RECORD_BYTES);
        cs_origin o = {.file = path, .record = rec.record, .line = rec.line};
        explain_one(x, rec.text, rec.len, &o, NULL, NULL);
    }
    if (rc < 0) { fprintf(stderr, "claimscrub: %s\n", cs_reader_error(rd)); worsen(x, EXIT_TROUBLE); }
    cs_reader_close(rd);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The entries a directory yields, as for check. */
static int wanted(const struct dirent *d)
{
    const char *s = d->d_name;
    return s[0] != '.' && (ends_with(s, ".json") || ends_with(s, ".jsonl") ||
                           ends_with(s, ".837") || ends_with(s, ".x12"));
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void explain_dir(ex *x, const char *dir)
{
    struct dirent **v;
    int n = scandir(dir, &v, wanted, by_name);
    if (n < 0) {
        fprintf(stderr, "claimscrub: cannot open %s: %s\n", dir, strerror(errno));
        worsen(x, EXIT_TROUBLE);
        return;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(dir) + strlen(v[i]->d_name) + 2;
        char *path = malloc(len);
        struct stat st;
        if (!path) { x->stop = true; worsen(x, EXIT_TROUBLE); }
        else {
            snprintf(path, len, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", v[i]->d_name);
            if (!x->stop && !(stat(path, &st) == 0 && S_ISDIR(st.st_mode))) explain_file(x, path);
        }
        free(path);
        free(v[i]);
    }
    free(v);
}

static void explain_path(ex *x, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) explain_dir(x, path);
    else explain_file(x, path);
}

/* ---- options ---- */

/* Apply one option with its value; EXIT_CLEAN or a usage error. */
static int set_option(ex *x, const char *name, const char *v)
{
    if (!*v) return usage("option %s needs a value", name);
    if (!strcmp(name, "--payer")) x->opt.payer = v;
    else if (!strcmp(name, "--client")) x->opt.client = v;
    else if (!strcmp(name, "--rules")) x->opt.rules_dir = v;
    else if (!strcmp(name, "--data")) x->opt.data_dir = v;
    else if (!strcmp(name, "--format")) {
        if (strcmp(v, "text") && strcmp(v, "json"))
            return usage("--format must be text or json, not '%s'", v);
        x->json = !strcmp(v, "json");
    } else {
        if (strcmp(v, "json") && strcmp(v, "jsonl") && strcmp(v, "x12"))
            return usage("--input must be json, jsonl or x12, not '%s'", v);
        x->x12 = !strcmp(v, "x12");
        x->input = !strcmp(v, "json") ? CS_INPUT_JSON : CS_INPUT_JSONL;
    }
    return EXIT_CLEAN;
}

/* Parse the options, moving the operands to the front of argv (counted in
 * *nfiles).  EXIT_CLEAN, -1 for help, or EXIT_TROUBLE (message printed). */
static int parse(int argc, char **argv, ex *x, int *nfiles)
{
    static const char *const names[] = {"--payer", "--client", "--rules", "--data", "--format", "--input"};
    bool operands_only = false;
    *nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (operands_only || a[0] != '-' || !strcmp(a, "-")) { argv[(*nfiles)++] = argv[i]; continue; }
        if (!strcmp(a, "--")) { operands_only = true; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
        size_t k = 0;
        for (; k < sizeof names / sizeof *names; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) != 0 || (a[n] != 0 && a[n] != '=')) continue;
            const char *v = a + n + 1;
            if (!a[n]) {
                if (i + 1 >= argc) return usage("option %s needs a value", a);
                v = argv[++i];
            }
            int rc = set_option(x, names[k], v);
            if (rc != EXIT_CLEAN) return rc;
            break;
        }
        if (k == sizeof names / sizeof *names) return usage("unknown option '%s'", a);
    }
    return EXIT_CLEAN;
}

int cmd_explain(int argc, char **argv)
{
    ex x = {0};
    int nfiles;
    int rc = parse(argc, argv, &x, &nfiles);
    if (rc < 0) { fputs(explain_help, stdout); return EXIT_CLEAN; }
    if (rc != EXIT_CLEAN) return rc;
    struct stat st;
    if (x.opt.rules_dir && (stat(x.opt.rules_dir, &st) != 0 || !S_ISDIR(st.st_mode))) {
        fprintf(stderr, "claimscrub: rules directory %s: %s\n", x.opt.rules_dir,
                errno ? strerror(errno) : "not a directory");
        return EXIT_TROUBLE;
    }
    char *err = NULL;
    if (!(x.e = cs_engine_new(&x.opt, &err))) {
        fprintf(stderr, "claimscrub: %s\n", err ? err : "out of memory loading rules");
        cs_free(err);
        return EXIT_TROUBLE;
    }
    if (nfiles == 0) explain_path(&x, "-");
    for (int i = 0; i < nfiles && !x.stop; i++) explain_path(&x, argv[i]);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "claimscrub: cannot write the output: %s\n", strerror(errno));
        worsen(&x, EXIT_TROUBLE);
    }
    cs_engine_free(x.e);
    return x.exit;
}
