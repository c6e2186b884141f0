/*
 * test_faults.c -- out-of-memory simulation (docs/testing.md).
 *
 * Linked with the allocation functions wrapped (tests/faultalloc.h), so the
 * engine's, Lua's and cJSON's allocations and the mapping of reference data
 * files can be made to fail at the Nth allocation (one-shot) or from the Nth
 * on (sticky).  For N = 1, 2, ... up to the allocations a whole run makes:
 * load the rules, check some claims, free the engine; import a reference data
 * set; read one.  Every N must end without a crash or leak, with a clear
 * error, and with the engine still usable where the API says it is.
 *
 * Every N is run in a normal build (about 36 s); in a sanitizer build the
 * scenarios over the repository's whole packs take every 5th N plus 300
 * random ones per mode.  Environment: FAULTS_FULL=1 runs every N anyway;
 * FAULTS_STEP and FAULTS_SAMPLE set the stride and sample; FAULTS_N=n (with
 * FAULTS_STICKY=1 for sticky) runs that one N; FAULTS_VERBOSE=1 prints each
 * N before running it.
 */
#include "testutil.h"
#include "faultalloc.h"

#include <dirent.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"

static bool verbose;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Open file descriptors of the process. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

/* ---- one scenario: an engine over a rules root, checking claims ---------- */

#define MAX_CLAIMS 6

typedef struct scenario {
    const char *name;
    cs_options opt;
    const char *claims[MAX_CLAIMS];   /* files (or PROBLEM); up to a NULL */
    int nclaims;
    char *text[MAX_CLAIMS];
    char *base[MAX_CLAIMS];           /* each claim's record, fault-free */
    char *hash;                       /* the rules hash, fault-free */
    long allocs;                      /* allocations of a fault-free run */
} scenario;

/* What one run under injection saw. */
typedef struct outcome {
    bool engine;                      /* cs_engine_new succeeded */
    int records, failed_checks;       /* cs_check: records, -1 returns */
} outcome;

/* A claim named PROBLEM is checked with cs_check_problem instead. */
#define PROBLEM "(cs_check_problem)"

static void load_claims(scenario *s)
{
    for (s->nclaims = 0; s->nclaims < MAX_CLAIMS && s->claims[s->nclaims]; s->nclaims++) {
        s->text[s->nclaims] = strcmp(s->claims[s->nclaims], PROBLEM) == 0
            ? strdup("CLM-X12\nSV1: bad units\nno line 3")
            : tu_slurp(s->claims[s->nclaims], NULL);
        if (!s->text[s->nclaims]) fail_msg("cannot read %s", s->claims[s->nclaims]);
    }
}

static void scenario_free(scenario *s)
{
    for (int i = 0; i < s->nclaims; i++) {
        free(s->text[i]);
        cs_free(s->base[i]);
        s->text[i] = s->base[i] = NULL;
    }
    free(s->hash);
    s->hash = NULL;
}

static int check(cs_engine *e, const scenario *s, int i, char **out)
{
    *out = (char *)"not set";
    size_t len = 12345;
    cs_origin o = {.file = s->claims[i], .record = 1, .line = 1};
    int st = strcmp(s->claims[i], PROBLEM) == 0
        ? cs_check_problem(e, "CLM-X12", strchr(s->text[i], '\n') + 1, &o, out, &len)
        : cs_check(e, s->text[i], strlen(s->text[i]), &o, out, &len);
    if (st >= 0 && *out && len != strlen(*out))
        fail_msg("%s: claim %d: outlen %zu for a record of %zu bytes", s->name, i, len, strlen(*out));
    return st;
}

/* The fault-free run: the records every faulty run is compared with, and
 * the number of allocations a whole run makes. */
static void baseline(scenario *s)
{
    load_claims(s);
    char *err = NULL;
    /* a first engine warms up whatever is process-wide (cJSON's hooks) */
    cs_engine *e = cs_engine_new(&s->opt, &err);
    if (!e) fail_msg("%s: rules did not load: %s", s->name, err);
    cs_engine_free(e);

    long live = fa.live, maps = fa.maps;
    fa_arm(0, false);
    e = cs_engine_new(&s->opt, &err);
    assert_non_null(e);
    for (int i = 0; i < s->nclaims; i++) {
        int st = check(e, s, i, &s->base[i]);
        assert_true(st >= CS_PASS && st <= CS_REJECT);
        assert_non_null(s->base[i]);
    }
    cs_engine_free(e);
    s->allocs = fa_disarm();
    /* Lua seeds its string hashes from the clock and addresses, so its
     * tables grow at slightly different moments from run to run: the count
     * varies by a few.  Take the largest of a few runs. */
    for (int k = 0; k < 3; k++) {
        fa_arm(0, false);
        e = cs_engine_new(&s->opt, &err);
        for (int i = 0; i < s->nclaims; i++) {
            char *out;
            check(e, s, i, &out);
            cs_free(out);
        }
        cs_engine_free(e);
        long again = fa_disarm();
        if (again > s->allocs) s->allocs = again;
    }
    assert_int_equal(fa.live, live + s->nclaims);   /* the records kept */
    assert_int_equal(fa.maps, maps);

    e = cs_engine_new(&s->opt, &err);
    s->hash = strdup(cs_engine_rules_hash(e));
    cs_engine_free(e);
    /* the claims are not all alike: the run reaches several rules */
    int distinct = 0;
    for (int i = 0; i < s->nclaims; i++)
        distinct += i == 0 || strcmp(s->base[i], s->base[i - 1]) != 0;
    assert_true(distinct == s->nclaims);
}

/* A record produced while an allocation failed must be the fault-free one,
 * or say that the engine could not do its work (a rule that ran out of
 * memory is an engine.script_error finding, status review or worse). */
static void check_faulty_record(const scenario *s, int i, long n, const char *rec, int st)
{
    if (strcmp(rec, s->base[i]) == 0) return;
    cJSON *j = cJSON_Parse(rec);
    if (!j) fail_msg("%s N=%ld claim %d: record is not JSON: %s", s->name, n, i, rec);
    const char *status = cJSON_GetStringValue(cJSON_GetObjectItem(j, "status"));
    bool same_status = status && cs_status_name(st) && strcmp(status, cs_status_name(st)) == 0;
    cJSON_Delete(j);
    if (!same_status) fail_msg("%s N=%ld claim %d: returned %d for %s", s->name, n, i, st, rec);
    if (!strstr(rec, "\"rule\":\"engine.script_error\"") || !strstr(rec, "not enough memory") ||
        st < CS_REVIEW)
        fail_msg("%s N=%ld claim %d: a different verdict that does not say memory ran out:\n%s\n"
                 "fault-free:\n%s", s->name, n, i, rec, s->base[i]);
}

/* One run with allocation n failing (sticky: and every one after it until
 * the call that saw the failure returns). */
static outcome run_once(const scenario *s, long n, bool sticky)
{
    outcome o = {0};
    if (verbose) fprintf(stderr, "%s N=%ld%s\n", s->name, n, sticky ? " sticky" : "");
    long live = fa.live, maps = fa.maps;
    int fds = open_fds();
    char *err = (char *)"not set";

    fa_arm(n, sticky);
    cs_engine *e = cs_engine_new(&s->opt, &err);
    bool hit = fa.failed > 0;
    if (hit) fa_disarm();
    if (!e) {
        if (!hit) fail_msg("%s N=%ld: cs_engine_new failed with no allocation failing: %s",
                           s->name, n, err ? err : "(null)");
        /* the message is always there, unless allocating it failed too */
        if (err == NULL) {
            if (!sticky) fail_msg("%s N=%ld: cs_engine_new failed without a message", s->name, n);
        } else {
            if (!*err) fail_msg("%s N=%ld: empty error message", s->name, n);
            /* a clear error: the only thing that went wrong was memory */
            if (!strstr(err, "memory"))
                fail_msg("%s N=%ld%s: the error does not say memory ran out: %s", s->name, n,
                         sticky ? " sticky" : "", err);
            cs_free(err);
        }
    } else {
        o.engine = true;
        if (err != NULL) fail_msg("%s N=%ld: engine made but *err set", s->name, n);
        /* an engine that was made is whole: same rules as the fault-free one */
        if (strcmp(cs_engine_rules_hash(e), s->hash) != 0) {
            fa_disarm();
            cs_engine *fresh = cs_engine_new(&s->opt, NULL);
            if (fresh && strcmp(cs_engine_rules_hash(fresh), s->hash) != 0)
                fail_msg("%s: the rules files changed while the test ran", s->name);
            cs_engine_free(fresh);
            fail_msg("%s N=%ld: rules hash %s, fault-free %s", s->name, n, cs_engine_rules_hash(e), s->hash);
        }
        for (int i = 0; i < s->nclaims; i++) {
            char *out;
            long before = fa.failed;
            int st = check(e, s, i, &out);
            bool faulty = fa.armed && fa.failed > before;
            if (faulty) fa_disarm();
            if (st == -1) {
                if (!faulty) fail_msg("%s N=%ld claim %d: -1 with no allocation failing", s->name, n, i);
                if (out != NULL) fail_msg("%s N=%ld claim %d: -1 but *out is not NULL", s->name, n, i);
                o.failed_checks++;
                continue;
            }
            if (st < CS_PASS || st > CS_REJECT || !out)
                fail_msg("%s N=%ld claim %d: returned %d, out %p", s->name, n, i, st, (void *)out);
            o.records++;
            if (faulty) check_faulty_record(s, i, n, out, st);
            else if (strcmp(out, s->base[i]) != 0)
                fail_msg("%s N=%ld claim %d: no allocation failed, yet the record differs:\n%s\n"
                         "fault-free:\n%s", s->name, n, i, out, s->base[i]);
            cs_free(out);
        }
        fa_disarm();
        /* still usable: every claim again, fault-free, byte for byte */
        for (int i = 0; i < s->nclaims; i++) {
            char *out;
            int st = check(e, s, i, &out);
            if (st < 0 || !out || strcmp(out, s->base[i]) != 0)
                fail_msg("%s N=%ld claim %d: after the failure the engine answers %d:\n%s\nfault-free:\n%s",
                         s->name, n, i, st, st < 0 ? "(none)" : out, s->base[i]);
            cs_free(out);
        }
        cs_engine_free(e);
    }
    fa_disarm();
    if (fa.live != live)
        fail_msg("%s N=%ld%s: %ld blocks leaked", s->name, n, sticky ? " sticky" : "", fa.live - live);
    if (fa.maps != maps) fail_msg("%s N=%ld: %ld mappings leaked", s->name, n, fa.maps - maps);
    if (open_fds() != fds) fail_msg("%s N=%ld: %d file descriptors leaked", s->name, n, open_fds() - fds);
    return o;
}

static long env_long(const char *name, long dflt);

/* Every N from 1 to the allocations of a whole run (when step is 1), else
 * N = 1, 1 + step, ... plus `sample` random N; both modes. */
static void run_scenario(scenario *s, long step, int sample)
{
    double t0 = now_s();
    baseline(s);
    long runs = 0, engines = 0, records = 0, failed_checks = 0;
    if (env_long("FAULTS_N", 0) > 0) {       /* debugging one N */
        run_once(s, env_long("FAULTS_N", 0), env_long("FAULTS_STICKY", 0) != 0);
        scenario_free(s);
        return;
    }
    for (int mode = 0; mode < 2; mode++) {
        bool sticky = mode == 1;
        for (long n = 1; n <= s->allocs + 8; n += step) {
            outcome o = run_once(s, n, sticky);
            runs++;
            engines += o.engine;
            records += o.records;
            failed_checks += o.failed_checks;
        }
        unsigned seed = 12345u + (unsigned)mode;
        for (int k = 0; k < sample; k++) {
            seed = seed * 1103515245u + 12345u;
            long n = 1 + (long)((seed >> 8) % (unsigned long)s->allocs);
            outcome o = run_once(s, n, sticky);
            runs++;
            engines += o.engine;
            records += o.records;
            failed_checks += o.failed_checks;
        }
    }
    /* past the last allocation nothing fails: the fault-free records */
    outcome o = run_once(s, 2 * s->allocs, true);
    assert_true(o.engine);
    assert_int_equal(o.records, s->nclaims);
    print_message("%s: %ld allocations per run; %ld runs (N step %ld, %d random, one-shot and sticky): "
                  "engine made %ld times, %ld records, %ld checks -1; %.1f s\n",
                  s->name, s->allocs, runs, step, sample, engines, records, failed_checks, now_s() - t0);
    /* the failures landed in both phases */
    assert_true(engines > 0 && engines < runs);
    assert_true(failed_checks > 0);
    scenario_free(s);
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    return v && *v ? strtol(v, NULL, 10) : dflt;
}

/* N step over the whole packs: every N (1) unless FAULTS_STEP says
 * otherwise, or in a sanitizer build, where a run is ~10x slower. */
static long default_step(void)
{
#if defined(__SANITIZE_ADDRESS__)
    long dflt = 5;
#else
    long dflt = 1;
#endif
    return env_long("FAULTS_FULL", 0) ? 1 : env_long("FAULTS_STEP", dflt);
}

/* ---- the scenarios --------------------------------------------------------- */

#define CLAIM(n) "examples/claims/" n

/* A small pack: every N, both modes. */
static void t_small_pack_every_n(void **state)
{
    char *root = tu_tmpdir();
    tu_write(root, "payers/tiny/payer.lua",
             "payer { id = \"tiny\", scripts = { \"r.lua\" } }\n");
    tu_write(root, "payers/tiny/r.lua",
             "local codes = require \"codes\"\n"
             "local ref = require \"ref\"\n"
             "rule {\n"
             "  id = \"tiny.ptp\", summary = \"pairs with an NCCI edit\", severity = \"deny\",\n"
             "  group = \"CO\", carc = \"97\",\n"
             "  check = function(claim)\n"
             "    for _, a in ipairs(claim.lines) do for _, b in ipairs(claim.lines) do\n"
             "      local e = ref.ptp(a.code, b.code, a.service_date)\n"
             "      if e then flag(b, a.code .. \"/\" .. b.code .. \": \" .. tostring(e.rationale)) end\n"
             "    end end\n"
             "  end,\n"
             "}\n"
             "rule {\n"
             "  id = \"tiny.drug\", summary = \"drug lines\", severity = \"warn\",\n"
             "  check = function(claim)\n"
             "    for _, l in ipairs(claim.lines) do\n"
             "      if codes.is_drug_supply(l.code) then flag(l, \"drug \" .. l.code) end\n"
             "    end\n"
             "  end,\n"
             "}\n");
    tu_write(root, "bad.json", "{\"id\": \"BAD-1\", \"payer\": \"tiny\", \"lines\": "
                               "[{\"code\": \"99213\", \"units\": -1}]}");
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.json", root);
    scenario s = {.name = "small pack",
                  .opt = {.rules_dir = root, .stdlib_dir = "stdlib", .payer = "tiny"},
                  .claims = {CLAIM("02-sore-throat-visit-injection-without-25.json"),
                             CLAIM("01-sore-throat-visit-injection-with-25.json"),
                             bad, PROBLEM}};
    run_scenario(&s, 1, 0);
    tu_rmdir(root);
}

/* The repository's packs (rules root "."), Medicare. */
static void t_repository_packs(void **state)
{
    scenario s = {.name = "repository packs",
                  .opt = {.rules_dir = ".", .stdlib_dir = "stdlib"},
                  .claims = {CLAIM("02-sore-throat-visit-injection-without-25.json"),
                             CLAIM("05-b12-shot-without-deficiency.json"),
                             CLAIM("10-aranesp-ckd-without-ec-and-hemoglobin.json"),
                             CLAIM("11-injection-in-knee-replacement-global-period.json")}};
    run_scenario(&s, default_step(),
                 (int)env_long("FAULTS_SAMPLE", default_step() > 1 ? 300 : 0));
}

/* The client overlay: rules root examples/, client riverside-clinic. */
static void t_client_overlay(void **state)
{
    scenario s = {.name = "client overlay",
                  .opt = {.rules_dir = "examples", .stdlib_dir = "stdlib", .client = "riverside-clinic"},
                  .claims = {CLAIM("01-sore-throat-visit-injection-with-25.json"),
                             CLAIM("08-leuprolide-billed-with-96372.json"),
                             CLAIM("09-aranesp-ckd-with-ec-and-hemoglobin.json")}};
    run_scenario(&s, default_step(),
                 (int)env_long("FAULTS_SAMPLE", default_step() > 1 ? 300 : 0));
}

/* ---- reference data ------------------------------------------------------ */

static const cs_data_file STARTER[] = {
    {"ptp", "data/starter/ptp.csv"}, {"mue", "data/starter/mue.csv"},
    {"aoc", "data/starter/aoc.csv"}, {"pfs", "data/starter/pfs.csv"},
    {"icd10", "data/starter/icd10.csv"}, {"hcpcs", "data/starter/hcpcs.csv"},
    {"adj", "data/starter/adjustment_codes.csv"},
};
#define NSTARTER (sizeof STARTER / sizeof *STARTER)

/* A folder's listing with every regular file's contents, in name order
 * (p NULL when the folder does not exist). */
typedef struct snap { char *p; size_t len; } snap;

static snap take(const char *dir)
{
    snap s = {NULL, 0};
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) return s;
    size_t cap = 64;
    s.p = malloc(cap);
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        size_t flen = 0;
        char *text = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? tu_slurp(path, &flen) : NULL;
        size_t nlen = strlen(names[i]->d_name);
        if (s.len + nlen + flen + 2 > cap) { cap = (s.len + nlen + flen + 2) * 2; s.p = realloc(s.p, cap); }
        memcpy(s.p + s.len, names[i]->d_name, nlen + 1);   /* the NUL separates */
        s.len += nlen + 1;
        if (text) memcpy(s.p + s.len, text, flen);
        s.len += flen;
        s.p[s.len++] = '\n';
        free(text);
        free(names[i]);
    }
    free(names);
    return s;
}

static bool same_snapshot(const snap *a, const snap *b)
{
    if (!a->p || !b->p) return a->p == b->p;
    return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Import the starter CSVs as release `release` into dir under injection n;
 * on failure dir must be as it was; on success as the fault-free import
 * left it (want). */
static bool import_once(const char *dir, const char *release, long n, bool sticky, const snap *want,
                        long *allocs)
{
    if (verbose) fprintf(stderr, "import %s N=%ld%s\n", dir, n, sticky ? " sticky" : "");
    long live = fa.live, maps = fa.maps;
    snap before = take(dir);
    int fds = open_fds();
    char *err = (char *)"not set";
    fa_arm(n, sticky);
    int rc = cs_data_import(dir, release, STARTER, NSTARTER, &err);
    long count = fa_disarm();
    if (allocs) *allocs = count;
    snap after = take(dir);
    if (rc == 0) {
        if (err != NULL) fail_msg("import N=%ld: success but *err set", n);
        if (want && !same_snapshot(&after, want))
            fail_msg("import into %s N=%ld: succeeded, but the folder differs from a fault-free import", dir, n);
    } else {
        if (rc != -1) fail_msg("import N=%ld: returned %d", n, rc);
        if (!fa.failed) fail_msg("import N=%ld: failed with no allocation failing: %s", n, err ? err : "(null)");
        if (err) {
            if (!*err) fail_msg("import N=%ld: empty message", n);
            if (!strstr(err, "memory")) fail_msg("import N=%ld: the error does not say memory ran out: %s", n, err);
            cs_free(err);
        } else if (!sticky) {
            fail_msg("import N=%ld: failed without a message", n);
        }
        if (!same_snapshot(&before, &after))
            fail_msg("import into %s N=%ld failed but the folder changed (%s -> %s)", dir, n,
                     before.p ? "existed" : "absent", after.p ? "exists" : "absent");
    }
    free(before.p);
    free(after.p);
    if (fa.live != live) fail_msg("import N=%ld%s: %ld blocks leaked", n, sticky ? " sticky" : "", fa.live - live);
    if (fa.maps != maps) fail_msg("import N=%ld: %ld mappings leaked", n, fa.maps - maps);
    if (open_fds() != fds) fail_msg("import N=%ld: %d file descriptors leaked", n, open_fds() - fds);
    return rc == 0;
}

/* cs_data_import, every N, both modes: into a folder that does not exist
 * yet, and into one holding another release, which a failure leaves
 * alone.  All or nothing. */
static void t_data_import_every_n(void **state)
{
    double t0 = now_s();
    char *tmp = tu_tmpdir();
    char fresh[512], other[512], ref_fresh[512], ref_other[512];
    snprintf(fresh, sizeof fresh, "%s/fresh", tmp);
    snprintf(other, sizeof other, "%s/other", tmp);
    snprintf(ref_fresh, sizeof ref_fresh, "%s/ref-fresh", tmp);
    snprintf(ref_other, sizeof ref_other, "%s/ref-other", tmp);
    /* fault-free: what each import must leave */
    long allocs = 0;
    assert_true(import_once(ref_fresh, "2024-07-01", 0, false, NULL, &allocs));
    assert_true(import_once(ref_other, "2024-01-01", 0, false, NULL, NULL));
    assert_true(import_once(ref_other, "2024-07-01", 0, false, NULL, NULL));
    snap want_fresh = take(ref_fresh), want_other = take(ref_other);
    assert_non_null(want_fresh.p);
    assert_non_null(want_other.p);

    long runs = 0, ok = 0;
    for (int mode = 0; mode < 2; mode++) {
        for (long n = 1; n <= allocs + 1; n++) {
            char cmd[1200];
            snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s' && mkdir '%s' && cp '%s'/2024-01-01.csref '%s'/",
                     fresh, other, other, ref_other, other);
            assert_int_equal(system(cmd), 0);
            ok += import_once(fresh, "2024-07-01", n, mode == 1, &want_fresh, NULL);
            ok += import_once(other, "2024-07-01", n, mode == 1, &want_other, NULL);
            runs += 2;
        }
    }
    print_message("data import: %ld allocations per import; %ld runs (every N, one-shot and sticky, "
                  "new folder and folder with a release): %ld succeeded; %.1f s\n",
                  allocs, runs, ok, now_s() - t0);
    assert_true(ok >= 4 && ok < runs);
    free(want_fresh.p);
    free(want_other.p);
    tu_rmdir(tmp);
}

/* cs_data_info over the starter set, and cs_data_has_adjustments: NULL /
 * -1 with a message, or the fault-free answer. */
static void t_data_info_every_n(void **state)
{
    const char *dir = getenv("FAULTS_DATA") ? getenv("FAULTS_DATA") : NULL;
    char *err = NULL;
    char *want = cs_data_info(dir, &err);
    if (!want) fail_msg("cs_data_info: %s", err);
    static const char *const kinds[] = {"group", "carc", "rarc", "carc"};
    static const char *const codes[] = {"CO", "97", "M15", "99999"};
    int want_found[4];
    assert_int_equal(cs_data_has_adjustments(dir, "2026-03-02", 4, kinds, codes, want_found, &err), 0);
    assert_int_equal(want_found[0] + want_found[1] + want_found[2], 3);
    assert_int_equal(want_found[3], 0);
    long live = fa.live, maps = fa.maps, allocs_info, allocs_adj, failed = 0, runs = 0;
    fa_arm(0, false);
    char *again = cs_data_info(dir, &err);
    allocs_info = fa_disarm();
    assert_string_equal(again, want);
    free(again);
    int found[4];
    fa_arm(0, false);
    cs_data_has_adjustments(dir, "2026-03-02", 4, kinds, codes, found, &err);
    allocs_adj = fa_disarm();
    for (int mode = 0; mode < 2; mode++) {
        for (long n = 1; n <= allocs_info + 1; n++, runs++) {
            err = (char *)"not set";
            fa_arm(n, mode == 1);
            char *info = cs_data_info(dir, &err);
            fa_disarm();
            if (info) {
                if (strcmp(info, want) != 0) fail_msg("cs_data_info N=%ld: %s", n, info);
                free(info);
            } else {
                failed++;
                if (!err && mode == 0) fail_msg("cs_data_info N=%ld: NULL without a message", n);
                if (err && !strstr(err, "memory")) fail_msg("cs_data_info N=%ld: %s", n, err);
                free(err);
            }
        }
        for (long n = 1; n <= allocs_adj + 1; n++, runs++) {
            err = (char *)"not set";
            memset(found, 0xff, sizeof found);
            fa_arm(n, mode == 1);
            int rc = cs_data_has_adjustments(dir, "2026-03-02", 4, kinds, codes, found, &err);
            fa_disarm();
            if (rc == 0) {
                if (memcmp(found, want_found, sizeof found) != 0)
                    fail_msg("cs_data_has_adjustments N=%ld: wrong answer", n);
            } else {
                failed++;
                if (rc != -1) fail_msg("cs_data_has_adjustments N=%ld: %d", n, rc);
                if (!err && mode == 0) fail_msg("cs_data_has_adjustments N=%ld: -1 without a message", n);
                if (err && !strstr(err, "memory")) fail_msg("cs_data_has_adjustments N=%ld: %s", n, err);
                free(err);
            }
        }
    }
    assert_int_equal(fa.live, live);
    assert_int_equal(fa.maps, maps);
    print_message("data info: %ld + %ld allocations; %ld runs, %ld failed cleanly\n",
                  allocs_info, allocs_adj, runs, failed);
    assert_true(failed > 0);
    free(want);
}

/* cs_record_to_text: NULL or the fault-free text. */
static void t_record_to_text_every_n(void **state)
{
    char *err = NULL, *rec = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"}, &err);
    if (!e) fail_msg("%s", err);
    char *text = tu_slurp(CLAIM("10-aranesp-ckd-without-ec-and-hemoglobin.json"), NULL);
    assert_true(cs_check(e, text, strlen(text), NULL, &rec, NULL) == CS_DENY);
    free(text);
    cs_engine_free(e);
    char *want = cs_record_to_text(rec);
    assert_non_null(want);
    long live = fa.live;
    fa_arm(0, false);
    free(cs_record_to_text(rec));
    long allocs = fa_disarm(), failed = 0;
    for (int mode = 0; mode < 2; mode++)
        for (long n = 1; n <= allocs + 1; n++) {
            fa_arm(n, mode == 1);
            char *t = cs_record_to_text(rec);
            fa_disarm();
            if (!t) { failed++; continue; }
            if (strcmp(t, want) != 0) fail_msg("cs_record_to_text N=%ld:\n%s", n, t);
            free(t);
        }
    assert_int_equal(fa.live, live);
    print_message("record to text: %ld allocations; %ld failed cleanly\n", allocs, failed);
    assert_true(failed > 0);
    free(want);
    cs_free(rec);
}

int main(void)
{
    verbose = env_long("FAULTS_VERBOSE", 0) != 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(t_small_pack_every_n),
        cmocka_unit_test(t_repository_packs),
        cmocka_unit_test(t_client_overlay),
        cmocka_unit_test(t_data_import_every_n),
        cmocka_unit_test(t_data_info_every_n),
        cmocka_unit_test(t_record_to_text_every_n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
