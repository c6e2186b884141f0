/*
 * main.c -- the claimscrub command-line tool.
 *
 * Uses only the public API (claimscrub.h) and the record reader (input.h).
 * docs/cli.md is the reference for everything a user sees here.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "claimscrub.h"
#include "data.h"
#include "explain.h"
#include "input.h"
#include "rules.h"
#include "lint.h"
#include "test.h"
#include "x12.h"
#include "convert.h"

/* Exit status (docs/cli.md, "Exit status"). */
#define EXIT_CLEAN   0  /* no claim is review, deny or reject */
#define EXIT_FLAGGED 1  /* some claim is */
#define EXIT_TROUBLE 2  /* usage, rules, configuration error, or some input
                           could not be read (a record that is not JSON, a
                           file that cannot be opened or read) */

/* --jobs range.  Checking is CPU-bound, so more threads than cores gains
 * nothing, and each thread holds its own engine (all rules loaded). */
#define MAX_JOBS 64

/* A batch is what the workers share between two prints.  Records: enough
 * that starting the threads is noise next to the checking.  Bytes: bounds
 * the memory held by in-flight records and their verdicts, which would
 * otherwise reach MAX_BATCH_RECORDS * CS_MAX_RECORD_BYTES. */
#define MAX_BATCH_RECORDS 512
#define MAX_BATCH_BYTES   ((size_t)64 << 20)

/* ---- messages ---- */

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "claimscrub: <message>" on standard error. */
static void complain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("claimscrub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- the check command: state ---- */

typedef struct item {
    char *text;             /* a copy of the record; NULL when too long */
    size_t len;
    cs_origin origin;       /* origin.file outlives the batch (see run_dir) */
    char *out;              /* the verdict record, from cs_check */
    int status;             /* cs_check's result */
    const cs_x12_claim *x12; /* X12: the claim (cs_check_x12), not text; its
                               file outlives the batch (see run_x12) */
} item;

typedef struct batch {
    item items[MAX_BATCH_RECORDS];
    size_t n, bytes;
    atomic_size_t next;     /* next item for a worker to take */
} batch;

typedef struct check_opts {
    cs_options engine;
    bool text;              /* --format text */
    cs_input_format input;
    bool x12;               /* --input x12 */
    int jobs;
} check_opts;

typedef struct run {
    const check_opts *opt;
    cs_engine *engines[MAX_JOBS];
    batch *b;
    int exit;               /* worst exit status so far */
    bool stop;              /* memory ran out: print no more */
} run;

static void worsen(run *r, int status)
{
    if (status > r->exit) r->exit = status;
}

/* ---- checking a batch ---- */

typedef struct worker {
    batch *b;
    cs_engine *engine;
} worker;

/* Check items until none are left.  Each item is taken by exactly one
 * worker, so workers write disjoint slots. */
static void *work(void *arg)
{
    worker *w = arg;
    size_t i;
    while ((i = atomic_fetch_add(&w->b->next, 1)) < w->b->n) {
        item *it = &w->b->items[i];
        it->status = it->x12
            ? cs_check_x12(w->engine, it->x12, &it->origin, &it->out, NULL)
            : cs_check(w->engine, it->text ? it->text : "", it->len,
                       &it->origin, &it->out, NULL);
    }
    return NULL;
}

/* Check every item of the batch with up to opt->jobs threads, the calling
 * thread being one of them.  A thread that cannot be started only means
 * fewer workers. */
static void check_batch(run *r)
{
    worker w[MAX_JOBS];
    pthread_t tid[MAX_JOBS];
    bool started[MAX_JOBS] = {false};
    size_t nw = (size_t)r->opt->jobs < r->b->n ? (size_t)r->opt->jobs : r->b->n;
    atomic_store(&r->b->next, 0);
    for (size_t i = 0; i < nw; i++) w[i] = (worker){r->b, r->engines[i]};
    for (size_t i = 1; i < nw; i++)
        started[i] = pthread_create(&tid[i], NULL, work, &w[i]) == 0;
    work(&w[0]);
    for (size_t i = 1; i < nw; i++)
        if (started[i]) pthread_join(tid[i], NULL);
}

/* Print one verdict; false when memory ran out. */
static bool print_item(run *r, const item *it)
{
    if (it->status < 0) {
        complain("%s: record %ld: out of memory", it->origin.file, it->origin.record);
        return false;
    }
    worsen(r, it->status >= CS_REVIEW ? EXIT_FLAGGED : EXIT_CLEAN);
    char why[128];
    long at;
    if (!it->x12 && it->text && it->status == CS_REJECT &&   /* only rejects: it costs */
        !cs_json_check(it->text, it->len, why, sizeof why, &at)) {
        complain("%s:%ld: record %ld is not valid JSON (line %ld: %s); it is rejected",
                 it->origin.file, it->origin.line, it->origin.record, it->origin.line + at,
                 why);
        worsen(r, EXIT_TROUBLE);
    }
    if (!r->opt->text) {
        fputs(it->out, stdout);
        fputc('\n', stdout);
        return true;
    }
    char *text = cs_record_to_text(it->out);
    if (!text) {
        complain("%s: record %ld: cannot render the verdict as text (out of memory)",
                 it->origin.file, it->origin.record);
        return false;
    }
    fputs(text, stdout);
    cs_free(text);
    return true;
}

/* Check, print (in input order) and empty the batch. */
static void flush(run *r)
{
    batch *b = r->b;
    if (b->n == 0) return;
    check_batch(r);
    for (size_t i = 0; i < b->n; i++) {
        if (!r->stop && !print_item(r, &b->items[i])) {
            r->stop = true;
            worsen(r, EXIT_TROUBLE);
        }
        free(b->items[i].text);
        cs_free(b->items[i].out);
    }
    memset(b->items, 0, b->n * sizeof *b->items);
    b->n = b->bytes = 0;
}

/* Queue one record, flushing when the batch is full.  file must live until
 * the next flush. */
static void add_record(run *r, const char *file, const cs_record *rec)
{
    item *it = &r->b->items[r->b->n];
    if (rec->too_long) {
        complain("%s:%ld: record %ld is longer than %zu bytes; it is checked as empty "
                 "and rejected", file, rec->line, rec->record, CS_MAX_RECORD_BYTES);
        worsen(r, EXIT_TROUBLE);
    } else if (!(it->text = malloc(rec->len + 1))) {
        complain("%s: record %ld: out of memory", file, rec->record);
        r->stop = true;
        worsen(r, EXIT_TROUBLE);
        return;
    } else {
        memcpy(it->text, rec->text, rec->len + 1);
        it->len = rec->len;
    }
    it->origin = (cs_origin){.file = file, .record = rec->record, .line = rec->line};
    r->b->n++;
    r->b->bytes += rec->len;
    if (r->b->n == MAX_BATCH_RECORDS || r->b->bytes >= MAX_BATCH_BYTES) flush(r);
}

/* ---- inputs ---- */

/* Queue one X12 claim, flushing when the batch is full; file and the
 * claim must live until the next flush. */
static void add_x12(run *r, const char *file, long record, const cs_x12_claim *c,
                    const cs_x12_info *info)
{
    item *it = &r->b->items[r->b->n++];
    it->x12 = c;
    it->origin = (cs_origin){.file = file, .record = record, .line = info->line,
                             .segment = info->segment,
                             .transaction = info->transaction[0] ? info->transaction : NULL};
    if (r->b->n == MAX_BATCH_RECORDS) flush(r);
}

/* Check the claims of an X12 837P file (docs/x12.md); they are checked
 * from the file's claims, which refer to its data, so the batch is flushed
 * before either is freed.  data (malloc'd, len bytes; freed here) is the
 * file when it was read already (standard input), else NULL: then the file
 * is loaded from path. */
static void run_x12(run *r, const char *path, char *data, size_t len)
{
    char err[CS_READER_ERROR_MAX] = "";
    bool mapped = false;
    if (!data && !(data = (char *)cs_x12_load(path, &len, &mapped, err, sizeof err))) {
        complain("%s", err);
        worsen(r, EXIT_TROUBLE);
        return;
    }
    cs_x12_options xo = {r->opt->engine.rules_dir ? r->opt->engine.rules_dir : CS_DEFAULT_ROOT,
                         r->opt->engine.payer != NULL};
    cs_x12_file *f = NULL;
    char *why = NULL;
    int rc = cs_x12_read_kept(data, len, &xo, &f, &why);    /* data stays until the end */
    size_t n = cs_x12_count(f);
    for (size_t i = 0; i < n && !r->stop; i++) {
        cs_x12_info info;
        const cs_x12_claim *c = cs_x12_claim_at(f, i, &info);
        add_x12(r, path, (long)i + 1, c, &info);
    }
    if (rc < 0) {           /* said before the claims still queued are printed */
        complain("%s: %s", path, rc == -2 ? "out of memory reading X12" : why);
        worsen(r, EXIT_TROUBLE);
    }
    flush(r);
    cs_free(why);
    cs_x12_free(f);
    cs_x12_unload(data, len, mapped);
}

/* Read every record of one file ("-": standard input) into the batch.  A
 * record that is not JSON is still checked (the engine rejects it), and
 * makes the exit status 2 (print_item): input that could not be read. */
static void run_file(run *r, const char *path)
{
    if (r->opt->x12) { run_x12(r, path, NULL, 0); return; }
    char err[CS_READER_ERROR_MAX];
    cs_reader *rd = cs_reader_open(path, r->opt->input, err, sizeof err);
    if (!rd) {
        complain("%s", err);
        worsen(r, EXIT_TROUBLE);
        return;
    }
    if (cs_reader_format(rd) == CS_INPUT_X12) {
        size_t len = 0;
        char *data = NULL;
        if (!strcmp(path, "-") && !(data = cs_reader_slurp(rd, CS_X12_MAX_FILE, &len))) {
            complain("%s", cs_reader_error(rd));
            worsen(r, EXIT_TROUBLE);
        } else {
            run_x12(r, path, data, len);
        }
        cs_reader_close(rd);
        return;
    }
    cs_record rec;
    int rc = 0;
    while (!r->stop && (rc = cs_reader_next(rd, &rec)) == 1)
        add_record(r, path, &rec);
    if (rc < 0) {
        complain("%s", cs_reader_error(rd));
        worsen(r, EXIT_TROUBLE);
    }
    cs_reader_close(rd);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A directory entry we read: *.json or *.jsonl, not hidden. */
static bool wanted(const char *name)
{
    return name[0] != '.' && (ends_with(name, ".json") || ends_with(name, ".jsonl") ||
                              ends_with(name, ".837") || ends_with(name, ".x12"));
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths dir/NAME of the wanted entries, sorted by byte order, in a
 * NULL-terminated array; *n gets the count.  NULL when the directory cannot
 * be read (message printed) or memory ran out. */
static char **list_dir(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    if (!d) { complain("cannot open %s: %s", dir, strerror(errno)); return NULL; }
    const char *sep = ends_with(dir, "/") ? "" : "/";
    char **v = NULL;
    size_t cap = 0;
    struct dirent *de;
    *n = 0;
    while ((de = readdir(d))) {
        if (!wanted(de->d_name)) continue;
        if (*n + 2 > cap) {
            char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (!nv) goto oom;
            v = nv;
        }
        size_t len = strlen(dir) + strlen(sep) + strlen(de->d_name) + 1;
        if (!(v[*n] = malloc(len))) goto oom;
        snprintf(v[(*n)++], len, "%s%s%s", dir, sep, de->d_name);
    }
    closedir(d);
    if (!v) v = calloc(1, sizeof *v);
    if (v) { qsort(v, *n, sizeof *v, by_name); v[*n] = NULL; }
    else complain("out of memory listing %s", dir);
    return v;
oom:
    closedir(d);
    while (*n > 0) free(v[--*n]);
    free(v);
    complain("out of memory listing %s", dir);
    return NULL;
}

/* Read the directory's *.json and *.jsonl files in name order.  Their paths
 * are freed here, so the batch is flushed first. */
static void run_dir(run *r, const char *dir)
{
    size_t n;
    char **paths = list_dir(dir, &n);
    if (!paths) { worsen(r, EXIT_TROUBLE); return; }
    for (size_t i = 0; i < n && !r->stop; i++) {
        struct stat st;
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) continue;
        run_file(r, paths[i]);
    }
    flush(r);
    for (size_t i = 0; i < n; i++) free(paths[i]);
    free(paths);
}

static void run_path(run *r, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        run_dir(r, path);
    else
        run_file(r, path);
}

/* ---- engines ---- */

/* One engine per job.  Returns false (message printed) on a rules error. */
static bool open_engines(run *r)
{
    const char *dir = r->opt->engine.rules_dir;
    struct stat st;
    if (dir && stat(dir, &st) != 0) {
        complain("rules directory %s: %s", dir, strerror(errno));
        return false;
    }
    if (dir && !S_ISDIR(st.st_mode)) {
        complain("rules directory %s: not a directory", dir);
        return false;
    }
    for (int i = 0; i < r->opt->jobs; i++) {
        char *err = NULL;
        if (!(r->engines[i] = cs_engine_new(&r->opt->engine, &err))) {
            complain("%s", err ? err : "out of memory loading rules");
            cs_free(err);
            return false;
        }
    }
    return true;
}

static void close_engines(run *r)
{
    for (int i = 0; i < MAX_JOBS; i++)
        if (r->engines[i]) cs_engine_free(r->engines[i]);
}

/* ---- the check command: options ---- */

static const char check_help[] =
    "usage: claimscrub check [options] [FILE...]\n"
    "\n"
    "Check claims against the payer rules; print one verdict per claim, in\n"
    "input order.  FILE is a .json file (one claim, several, or an array of\n"
    "them), a .jsonl file (one claim per line), an X12 837P file, a directory\n"
    "(its *.json, *.jsonl, *.837 and *.x12 files in name order) or - for\n"
    "standard input (the default; JSON, JSON lines or X12 by its content).\n"
    "\n"
    "options:\n"
    "  --payer ID           check every claim for payer ID (overrides \"payer\")\n"
    "  --client ID          apply client ID's overlay (overrides \"client\")\n"
    "  --rules DIR          rules root holding payers/ and clients/\n"
    "  --data DIR           reference data set (default: the starter set)\n"
    "  --format jsonl|text  verdicts as JSON lines (default) or a text report\n"
    "  --input json|jsonl|x12  how to read input (default: x12 for X12 content,\n"
    "                       jsonl for *.jsonl files, json otherwise; standard\n"
    "                       input by content; see docs/cli.md, docs/x12.md)\n"
    "  --jobs N             check with N threads, 1..64 (default 1); the output\n"
    "                       is the same for any N\n"
    "  -h, --help           show this help\n"
    "\n"
    "exit status: 0 every claim is pass, info or warn; 1 some claim is review,\n"
    "deny or reject; 2 a usage or rules error, or some input could not be read\n"
    "(a file that cannot be opened or read, a record that is not JSON).\n";

/* Report a usage error of command cmd (NULL: of claimscrub itself);
 * returns EXIT_TROUBLE. */
static int usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("claimscrub: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'claimscrub %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_TROUBLE;
}

/* Match argv[*i] as "--name VALUE" or "--name=VALUE".  Returns 1 with *val
 * set and *i on the last word used, 0 when it is another option, -1 when the
 * value is missing (message printed). */
static int opt_value(int argc, char **argv, int *i, const char *name, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return 0;
    if (a[n] == '=') { *val = a + n + 1; return 1; }
    if (a[n] != 0) return 0;
    if (*i + 1 >= argc) {
        usage_error("check", "option %s needs a value", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

/* Parse a --jobs value: a whole number in 1..MAX_JOBS. */
static bool parse_jobs(const char *s, int *jobs)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > MAX_JOBS) return false;
    *jobs = (int)v;
    return true;
}

/* Apply one option with its value; returns EXIT_CLEAN or a usage error. */
static int set_option(check_opts *o, const char *name, const char *v)
{
    if (!*v) return usage_error("check", "option %s needs a value", name);
    if (!strcmp(name, "--payer")) o->engine.payer = v;
    else if (!strcmp(name, "--client")) o->engine.client = v;
    else if (!strcmp(name, "--rules")) o->engine.rules_dir = v;
    else if (!strcmp(name, "--data")) o->engine.data_dir = v;
    else if (!strcmp(name, "--format")) {
        if (strcmp(v, "jsonl") && strcmp(v, "text"))
            return usage_error("check", "--format must be jsonl or text, not '%s'", v);
        o->text = !strcmp(v, "text");
    } else if (!strcmp(name, "--input")) {
        if (strcmp(v, "json") && strcmp(v, "jsonl") && strcmp(v, "x12"))
            return usage_error("check", "--input must be json, jsonl or x12, not '%s'", v);
        o->x12 = !strcmp(v, "x12");
        o->input = !strcmp(v, "json") ? CS_INPUT_JSON : CS_INPUT_JSONL;
    } else if (!strcmp(name, "--jobs")) {
        if (!parse_jobs(v, &o->jobs))
            return usage_error("check", "--jobs must be a number from 1 to %d, not '%s'",
                               MAX_JOBS, v);
    }
    return EXIT_CLEAN;
}

/* Parse the check options; the file operands are moved to the front of
 * argv and counted in *nfiles.  Returns EXIT_CLEAN, -1 when help was asked
 * for, or EXIT_TROUBLE with the message printed. */
static int parse_check(int argc, char **argv, check_opts *o, int *nfiles)
{
    static const char *const valued[] = {
        "--payer", "--client", "--rules", "--data", "--format", "--input", "--jobs",
    };
    bool operands_only = false;
    *nfiles = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (operands_only || a[0] != '-' || !strcmp(a, "-")) {
            argv[(*nfiles)++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--")) { operands_only = true; continue; }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) return -1;
        size_t k = 0;
        int m = 0;
        for (; k < sizeof valued / sizeof *valued; k++)
            if ((m = opt_value(argc, argv, &i, valued[k], &v)) != 0) break;
        if (m < 0) return EXIT_TROUBLE;
        if (m == 0) return usage_error("check", "unknown option '%s'", a);
        int rc = set_option(o, valued[k], v);
        if (rc != EXIT_CLEAN) return rc;
    }
    return EXIT_CLEAN;
}

/* ---- the check command ---- */

static int cmd_check(int argc, char **argv)
{
    check_opts opt = {.jobs = 1};
    int nfiles;
    int rc = parse_check(argc, argv, &opt, &nfiles);
    if (rc < 0) { fputs(check_help, stdout); return EXIT_CLEAN; }
    if (rc != EXIT_CLEAN) return rc;

    run r = {.opt = &opt};
    if (!(r.b = calloc(1, sizeof *r.b))) { complain("out of memory"); return EXIT_TROUBLE; }
    if (!open_engines(&r)) { close_engines(&r); free(r.b); return EXIT_TROUBLE; }
    if (nfiles == 0) run_path(&r, "-");
    for (int i = 0; i < nfiles && !r.stop; i++) run_path(&r, argv[i]);
    flush(&r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        complain("cannot write the output: %s", strerror(errno));
        worsen(&r, EXIT_TROUBLE);
    }
    close_engines(&r);
    free(r.b);
    return r.exit;
}

/* ---- commands ---- */

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);  /* argv[0] is the command name */
    const char *summary;
} command;

static const command commands[] = {
    {"check", cmd_check, "check claims against payer rules"},
    {"explain", cmd_explain, "say what every rule did with each claim, and what it consulted"},
    {"data", cmd_data, "import and list reference data releases"},
    {"test", cmd_test, "run rule packs' test cases"},
    {"rules", cmd_rules, "list the rules in force for a payer and client"},
    {"lint", cmd_lint, "check rule packs and overlays before they ship"},
    {"convert", cmd_convert, "print the claims of an X12 837P file as claim JSON"},
};

static void usage(FILE *f)
{
    fputs("usage: claimscrub COMMAND [options] [args]\n"
          "       claimscrub --version | --help\n"
          "\n"
          "commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'claimscrub COMMAND --help' for a command's options.\n", f);
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return EXIT_TROUBLE; }
    const char *a = argv[1];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return EXIT_CLEAN; }
    if (!strcmp(a, "--version")) { printf("claimscrub %s\n", cs_version()); return EXIT_CLEAN; }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(a, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    if (a[0] == '-') return usage_error(NULL, "unknown option '%s'", a);
    return usage_error(NULL, "unknown command '%s'", a);
}
