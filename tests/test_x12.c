/* test_x12.c -- the X12 837P reader (cs_x12_*, engine/src/x12.c, docs/x12.md). */
#include "testutil.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdbool.h>
#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "x12_twin.h"

#define SHARED "/work/shared/x12"

static cs_engine *g_e;
static const cs_x12_options g_opt = {".", 0};

/* A read file as the tests look at it: each claim's info, JSON and
 * problems. */
typedef struct tclaim {
    const cs_x12_claim *x;
    char *json;                 /* cs_x12_claim_json; NULL when none */
    size_t len;
    char *problems;             /* cs_x12_claim_json; NULL when none */
    const char *id, *transaction;
    const char *warnings;       /* cs_x12_info.warnings */
    long segment, line;
} tclaim;

typedef struct tfile {
    cs_x12_file *f;
    tclaim *v;
    size_t n;
} tfile;

/* cs_x12_read into *t; err gets its message.  Returns its result. */
static int tparse(const char *data, size_t len, const cs_x12_options *o, tfile *t,
                  char *err, size_t errlen)
{
    char *why = NULL;
    memset(t, 0, sizeof *t);
    int rc = cs_x12_read(data, len, o, &t->f, &why);
    snprintf(err, errlen, "%s", why ? why : "");
    cs_free(why);
    if (rc == -1) assert_non_null(t->f);
    if (rc == -2) return rc;
    t->n = cs_x12_count(t->f);
    t->v = calloc(t->n + 1, sizeof *t->v);
    for (size_t i = 0; i < t->n; i++) {
        cs_x12_info info;
        tclaim *c = &t->v[i];
        c->x = cs_x12_claim_at(t->f, i, &info);
        assert_int_equal(cs_x12_claim_json(c->x, &c->json, &c->len, &c->problems), 0);
        c->id = info.id;
        c->transaction = info.transaction;
        c->warnings = info.warnings;
        c->segment = info.segment;
        c->line = info.line;
        if (c->json) assert_int_equal(strlen(c->json), c->len);
    }
    return rc;
}

static void tfile_free(tfile *t)
{
    for (size_t i = 0; i < t->n; i++) {
        cs_free(t->v[i].json);
        cs_free(t->v[i].problems);
    }
    free(t->v);
    cs_x12_free(t->f);
    memset(t, 0, sizeof *t);
}

static int setup(void **state)
{
    char *err = NULL;
    g_e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"}, &err);
    if (!g_e) fprintf(stderr, "engine: %s\n", err ? err : "?");
    cs_free(err);
    return g_e ? 0 : -1;
}

static int teardown(void **state)
{
    cs_engine_free(g_e);
    return 0;
}

/* Parse text; returns cs_x12_read's result, err in err. */
static int parse_text(const char *text, tfile *f, char *err, size_t errlen)
{
    return tparse(text, strlen(text), &g_opt, f, err, errlen);
}

static int parse_path(const char *path, tfile *f)
{
    size_t len = 0;
    char err[512];
    char *text = tu_slurp(path, &len);
    assert_non_null(text);
    int rc = tparse(text, len, &g_opt, f, err, sizeof err);
    free(text);         /* the file keeps what it needs */
    return rc;
}

static bool have_shared(void)
{
    DIR *d = opendir(SHARED);
    if (d) { closedir(d); return true; }
    printf("SKIPPED: %s is absent\n", SHARED);
    return false;
}

/* The record of claim c as check makes it (cs_check_x12); caller
 * cs_free()s.  It must be the record cs_check gives for the claim's JSON,
 * or, with problems, the one cs_check_problem gives for them. */
static char *check_claim(const tclaim *c, int *status)
{
    char *out = NULL, *twin = NULL;
    size_t len = 0;
    cs_origin o = {.file = "t.837", .record = 1, .line = c->line, .segment = c->segment,
                   .transaction = c->transaction};
    *status = cs_check_x12(g_e, c->x, &o, &out, &len);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    bool fatal = cs_x12_problems_fatal(c->problems) || !c->json;
    const char *readable = fatal ? NULL : c->problems;
    int st = fatal
        ? cs_check_problem(g_e, c->id, c->problems ? c->problems : "", &o, &twin, NULL)
        : cs_check(g_e, c->json, c->len, &o, &twin, NULL);
    if (!c->warnings && !readable) {
        assert_int_equal(st, *status);
        assert_string_equal(out, twin);
    } else {            /* the same, and one finding per warning or readable problem */
        int wst = -1;
        char *a = x12_twin_strip(out, c->warnings, readable, &wst), *b = x12_twin_reprint(twin, readable != NULL);
        if (!a) fail_msg("the warnings are not the record's input.x12 findings:\n%s\n%s",
                         c->warnings, out);
        assert_int_equal(wst, st);
        assert_string_equal(a, b);
        free(a);
        free(b);
    }
    cs_free(twin);
    return out;
}

/* ---- every shared file ---- */

static void test_shared_all(void **state)
{
    if (!have_shared()) { skip(); return; }
    DIR *d = opendir(SHARED);
    struct dirent *de;
    int files = 0;
    while ((de = readdir(d))) {
        const char *n = de->d_name;
        if (n[0] == '.' || !strcmp(n, "README.md")) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", SHARED, n);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue; /* 835/ */
        tfile f;
        int rc = parse_path(path, &f);
        files++;
        if (strstr(n, "X222__case")) {
            /* text before the ISA: skipped, with a warning; the base
             * 005010X222 read as X222A1, with another */
            assert_int_equal(rc, 0);
            assert_int_equal(f.n, 1);
            assert_string_equal(f.v[0].warnings,
                                "warn: lines 1 to 4: text before the ISA is not X12; skipped\n"
                                "warn: segment 3 (ST03): version 005010X222 has no errata "
                                "suffix; read as 005010X222A1");
            int status;
            cs_free(check_claim(&f.v[0], &status));
            assert_int_equal(status, CS_REJECT);        /* ICD-9 */
        } else if (strstr(n, "004010X098A1") || strstr(n, "X223A2")) {
            assert_int_equal(rc, 0);
            assert_int_equal(f.n, 1);
            assert_null(f.v[0].json);
            assert_non_null(f.v[0].id);
            assert_contains(f.v[0].problems, "is not supported; claimscrub reads 837 "
                            "005010X222A1 and 005010X222A2 (837P)");
        } else {
            assert_int_equal(rc, 0);
            assert_true(f.n >= 1);
            for (size_t i = 0; i < f.n; i++) {
                assert_non_null(f.v[i].json);
                assert_non_null(f.v[i].id);
                assert_true(f.v[i].segment > 0);
                assert_true(f.v[i].transaction[0] != 0);
                /* every one of them has ICD-9 diagnoses, or the wrong
                 * component separator, or an unmapped payer */
                assert_non_null(f.v[i].problems);
                int status;
                char *rec = check_claim(&f.v[i], &status);
                assert_int_equal(status, CS_REJECT);
                assert_contains(rec, "\"segment\":");
                cs_free(rec);
            }
        }
        tfile_free(&f);
    }
    closedir(d);
    assert_true(files >= 35);
}

/* ---- field by field ---- */

static cJSON *claim_json(const char *file, size_t idx, tfile *f)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", SHARED, file);
    assert_int_equal(parse_path(path, f), 0);
    assert_true(idx < f->n);
    assert_non_null(f->v[idx].json);
    cJSON *j = cJSON_Parse(f->v[idx].json);
    assert_non_null(j);
    return j;
}

static const char *sget(cJSON *o, const char *path)
{
    /* "a.b" or "lines[1].code" style paths of at most three steps */
    char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *cur = o;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, ".")) {
        char *br = strchr(tok, '[');
        if (br) {
            *br = 0;
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
            cur = cJSON_GetArrayItem(cur, atoi(br + 1));
        } else cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
    }
    if (!cur) return "(absent)";
    if (cJSON_IsString(cur)) return cur->valuestring;
    static char out[256];
    char *p = cJSON_PrintUnformatted(cur);
    snprintf(out, sizeof out, "%s", p);
    free(p);
    return out;
}

#define FIELD(j, path, want) assert_string_equal(sget(j, path), want)

static void test_example1(void **state)
{
    if (!have_shared()) { skip(); return; }
    tfile f;
    cJSON *j = claim_json("837_005010X222A2__demo.example1.837", 0, &f);
    assert_string_equal(f.v[0].id, "26463774");
    assert_string_equal(f.v[0].transaction, "0021");
    assert_int_equal(f.v[0].segment, 27);
    assert_int_equal(f.v[0].line, 27);
    FIELD(j, "payer", "(absent)");    /* KEY INSURANCE COMPANY: commercial (CI) */
    FIELD(j, "billing_provider.npi", "1912301953");
    FIELD(j, "billing_provider.taxonomy", "203BF0100Y");
    FIELD(j, "patient.id", "JS00111223333");      /* the subscriber's: QC has none */
    FIELD(j, "patient.birth_date", "1973-05-01"); /* the patient's DMG (2010CA) */
    FIELD(j, "patient.sex", "M");
    FIELD(j, "place_of_service", "11");
    FIELD(j, "diagnoses", "(absent)");             /* ICD-9 is not mapped */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "lines")), 4);
    FIELD(j, "lines[0].code", "99213");
    FIELD(j, "lines[0].charge", "40.00");
    FIELD(j, "lines[0].units", "1");
    FIELD(j, "lines[0].diagnosis_pointers", "[1]");
    FIELD(j, "lines[0].service_date", "2006-10-03");
    FIELD(j, "lines[3].code", "86663");
    FIELD(j, "lines[3].diagnosis_pointers", "[2]");
    FIELD(j, "lines[3].service_date", "2006-10-10");
    assert_string_equal(f.v[0].problems,
                        "payer: X12 payer id '999996666' (KEY INSURANCE COMPANY, claim filing "
                        "indicator CI) is not in payers/payer-map.csv, which has no row for it, "
                        "none for SBR09=CI and no default row ('*'); add a row '999996666,PACK' "
                        "or check with --payer\n"
                        "segment 29 (HI): HI01-1: qualifier BK marks an "
                        "ICD-9-CM diagnosis (0340); ICD-10-CM (ABK/ABF) is required");
    cJSON_Delete(j);
    tfile_free(&f);
}

static void test_drug_office(void **state)
{
    if (!have_shared()) { skip(); return; }
    tfile f;
    cJSON *j = claim_json("stupidedi__X222A1__pass__drug-administered-in-the-physician-office.edi",
                          0, &f);
    assert_string_equal(f.v[0].transaction, "0711");
    assert_int_equal(f.v[0].segment, 20);
    FIELD(j, "id", "CLMNO12345");
    FIELD(j, "payer", "(absent)");    /* PLANID12345, R&R Health Plan: commercial (CI) */
    FIELD(j, "billing_provider.npi", "1234567893");
    FIELD(j, "billing_provider.taxonomy", "(absent)");
    FIELD(j, "rendering_provider.npi", "1122333341");
    FIELD(j, "rendering_provider.taxonomy", "208D00000X");
    FIELD(j, "patient.id", "MBRID12345");
    FIELD(j, "patient.birth_date", "1943-05-01");
    FIELD(j, "lines[0].code", "90782");           /* deleted code: passed on */
    FIELD(j, "lines[0].place_of_service", "11");
    FIELD(j, "lines[0].charge", "50");
    FIELD(j, "lines[1].code", "J1550");
    FIELD(j, "lines[1].ndc", "00026063512");
    FIELD(j, "lines[1].service_date", "2004-07-11");
    cJSON_Delete(j);
    tfile_free(&f);
}

static void test_home_infusion(void **state)
{
    if (!have_shared()) { skip(); return; }
    tfile f;
    cJSON *j = claim_json("stupidedi__X222A1__pass__home-infusion-therapy-pharmacy-adjudicated-"
                          "with-HCPCS-in-loop-2400-or-NDC-in-loop-2410.edi", 0, &f);
    FIELD(j, "place_of_service", "12");
    FIELD(j, "lines[0].code", "S9500");
    FIELD(j, "lines[0].units", "7");
    FIELD(j, "lines[0].service_date", "2004-02-01");  /* RD8: the first date */
    FIELD(j, "lines[1].code", "J0696");
    FIELD(j, "lines[1].units", "56");
    FIELD(j, "lines[1].charge", "682.50");
    FIELD(j, "lines[1].ndc", "00004196501");
    FIELD(j, "lines[3].code", "J3490");             /* description dropped */
    FIELD(j, "lines[3].modifiers", "(absent)");
    FIELD(j, "lines[5].ndc", "08290038005");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "lines")), 6);
    cJSON_Delete(j);
    tfile_free(&f);
}

static void test_wheelchair_anesthesia(void **state)
{
    if (!have_shared()) { skip(); return; }
    tfile f;
    cJSON *j = claim_json("stupidedi__X222A1__pass__wheelchair.edi", 0, &f);
    FIELD(j, "lines[0].code", "K0001");
    FIELD(j, "lines[0].modifiers", "[\"RR\",\"KH\",\"BR\"]");
    FIELD(j, "lines[0].measurements", "[{\"type\":\"HT\",\"value\":70}]");
    FIELD(j, "lines[0].diagnosis_pointers", "[1,2]");
    FIELD(j, "patient.sex", "M");
    /* DMERC CARRIER 99999 is not in the map; its claim filing indicator MB
     * (Medicare Part B) is */
    FIELD(j, "payer", "medicare");
    assert_not_contains(f.v[0].problems, "payer");
    assert_string_equal(f.v[0].warnings,
                        "info: payer: X12 payer id '99999' (DMERC CARRIER) is not in "
                        "payers/payer-map.csv; checked with pack 'medicare' by the map's row "
                        "SBR09=MB (claim filing indicator, SBR09 of loop 2000B)");
    cJSON_Delete(j);
    tfile_free(&f);

    j = claim_json("stupidedi__X222A1__pass__anesthesia.edi", 0, &f);
    FIELD(j, "lines[0].code", "00142");
    FIELD(j, "lines[0].modifiers", "[\"QK\",\"QS\",\"P1\"]");
    FIELD(j, "lines[0].units", "61");
    FIELD(j, "place_of_service", "22");
    FIELD(j, "rendering_provider.npi", "5678912345");
    FIELD(j, "rendering_provider.taxonomy", "207L00000X");
    cJSON_Delete(j);
    tfile_free(&f);
}

static void test_ambulance_cob(void **state)
{
    if (!have_shared()) { skip(); return; }
    tfile f;
    cJSON *j = claim_json("stupidedi__X222A1__pass__ambulance.edi", 0, &f);
    FIELD(j, "payer", "medicare");                  /* 123245 MEDICARE PART B */
    FIELD(j, "place_of_service", "41");
    FIELD(j, "billing_provider.taxonomy", "3416L0300X");
    FIELD(j, "patient.sex", "F");
    FIELD(j, "lines[0].code", "A0427");
    FIELD(j, "lines[0].modifiers", "[\"RH\"]");
    FIELD(j, "lines[0].diagnosis_pointers", "[1,2,3,4]");
    FIELD(j, "lines[1].units", "21");
    cJSON_Delete(j);
    tfile_free(&f);

    /* COB: the 2320/2330 loops do not leak into the claim */
    j = claim_json("stupidedi__X222A1__pass__COB-claim-from-billing-provider-to-payer-a.edi",
                   0, &f);
    FIELD(j, "payer", "(absent)");    /* KEY INSURANCE COMPANY: commercial */
    FIELD(j, "patient.id", "111223333");
    FIELD(j, "rendering_provider.npi", "1999996666");
    FIELD(j, "rendering_provider.taxonomy", "204C00000X");
    FIELD(j, "lines[1].code", "90782");
    FIELD(j, "lines[2].code", "J3301");
    FIELD(j, "lines[2].charge", "21.04");
    cJSON_Delete(j);
    tfile_free(&f);

    /* the LinuxForHealth copy declares ':' in ISA16 but uses '>' */
    j = claim_json("837_005010X222A2__demo.example6.837", 0, &f);
    assert_contains(f.v[0].problems, "segment 28 (SV1): SV101: 'HC>98940' is not "
                    "qualifier:code (the component separator is ':', from ISA16)");
    cJSON_Delete(j);
    tfile_free(&f);
}

/* ---- own files and their JSON twins ---- */

/* The record without its "input" member. */
static char *strip_input(const char *rec)
{
    cJSON *j = cJSON_Parse(rec);
    assert_non_null(j);
    cJSON_DeleteItemFromObject(j, "input");
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static void test_twins(void **state)
{
    static const char *const names[] = {"sore-throat-with-25", "sore-throat-without-25"};
    static const int want[] = {CS_PASS, CS_DENY};
    static const char *const ids[] = {"CLM-X1", "CLM-X2"};
    for (int i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, "examples/x12/%s.837", names[i]);
        tfile f;
        assert_int_equal(parse_path(path, &f), 0);
        assert_int_equal(f.n, 1);
        assert_null(f.v[0].problems);
        assert_string_equal(f.v[0].id, ids[i]);
        int status;
        char *rx = check_claim(&f.v[0], &status);
        assert_int_equal(status, want[i]);
        assert_contains(rx, "\"segment\":21,\"transaction\":");
        snprintf(path, sizeof path, "examples/x12/%s.json", names[i]);
        size_t len = 0;
        char *json = tu_slurp(path, &len), *rj = NULL;
        assert_non_null(json);
        assert_int_equal(cs_check(g_e, json, len, NULL, &rj, NULL), want[i]);
        char *a = strip_input(rx), *b = strip_input(rj);
        assert_string_equal(a, b);
        free(a); free(b); free(json);
        cs_free(rx); cs_free(rj);
        tfile_free(&f);
    }
}

/* ---- broken and edited files, from the CLM-X2 example ---- */

static char *example(void)
{
    char *t = tu_slurp("examples/x12/sore-throat-without-25.837", NULL);
    assert_non_null(t);
    return t;
}

/* s with the first `from` replaced by `to`; caller frees. */
static char *edit(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t n = strlen(s) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    return out;
}

/* Parse the edited example; expect one claim whose problems hold want. */
static void expect_problem(const char *from, const char *to, const char *want)
{
    char *base = example(), *t = edit(base, from, to), err[256];
    tfile f;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_contains(f.v[0].problems, want);
    int status;
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_REJECT);
    assert_contains(rec, "\"rule\":\"input.invalid\"");
    cs_free(rec);
    tfile_free(&f);
    free(t);
    free(base);
}

/* A readable problem: the claim is rejected for it (a finding of rule,
 * severity reject, saying want) and its rules still run (the example's
 * 99213 without 25 is denied by cms.ncci.ptp). */
static void expect_readable(const char *from, const char *to, const char *rule,
                            const char *want)
{
    char *base = example(), *t = edit(base, from, to), err[256];
    tfile f;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_contains(f.v[0].problems, want);
    assert_false(cs_x12_problems_fatal(f.v[0].problems));
    int status;
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_REJECT);
    char r[96];
    snprintf(r, sizeof r, "\"rule\":\"%s\",\"severity\":\"reject\"", rule);
    assert_contains(rec, r);
    assert_contains(rec, want);
    assert_contains(rec, "\"rule\":\"cms.ncci.ptp\"");
    assert_not_contains(rec, "input.invalid");
    cs_free(rec);
    tfile_free(&f);
    free(t);
    free(base);
}

/* Parse the edited example; expect clean JSON the engine rejects with want. */
static void expect_engine_reject(const char *from, const char *to, const char *want)
{
    char *base = example(), *t = edit(base, from, to), err[256];
    tfile f;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    int status;
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_REJECT);
    assert_contains(rec, want);
    cs_free(rec);
    tfile_free(&f);
    free(t);
    free(base);
}

static void test_broken(void **state)
{
    /* a trailer's count or control number, a CLM02 that is not the sum of
     * the lines: the claim is read whole, its rules run (issue 11) */
    expect_readable("SE*34*0002", "SE*35*0002", "input.x12_envelope",
                    "segment 36 (SE): SE01: says 35 segments, the transaction has 34");
    expect_readable("SE*34*0002", "SE*34*0003", "input.x12_envelope",
                    "SE02: control number 0003 does not match ST02 0002");
    expect_readable("GE*1*0002", "GE*2*0002", "input.x12_envelope",
                    "GE01: says 2 transactions, the group has 1");
    expect_readable("IEA*1*000000102", "IEA*1*000000999", "input.x12_envelope",
                    "IEA02: control number 000000999 does not match ISA13 000000102");
    expect_readable("CLM-X2*180.00", "CLM-X2*190.00", "input.x12_total",
                    "CLM02: total charge 190.00 is not the sum of the line charges 180.00");
    expect_problem("SV1*HC:99213*", "SV1*HC:99213:25:59:76:77:XE*",
                   "segment 26 (SV1): SV101-7: 'XE' looks like a fifth modifier; a line "
                   "takes at most 4 (SV101-3 to SV101-6)");
    expect_problem("SV1*HC:99213*", "SV1*HC:99213:25:59:76:77:XE:X1*",
                   "SV101: has 8 components");
    expect_problem("HI*ABK:J029", "HI*BK:4659", "HI01-1: qualifier BK marks an ICD-9-CM "
                   "diagnosis (4659); ICD-10-CM (ABK/ABF) is required");
    expect_problem("SV1*HC:99213*125.00*UN*1*", "SV1*HC:99213*125.00*UN*1x*",
                   "segment 26 (SV1): SV104: '1x' is not a number");
    expect_problem("DTP*472*D8*20260302", "DTP*472*D8*2026032",
                   "segment 27 (DTP): DTP03: '2026032' is not a CCYYMMDD date");
    /* what the claim model checks is left to the engine */
    expect_engine_reject("SV1*HC:99213*125.00*UN*1***1", "SV1*HC:99213*125.00*UN*1***1:3",
                         "lines[0].diagnosis_pointers[1]: points at diagnosis 3 but the "
                         "claim has 1");
    expect_engine_reject("SV1*HC:99213*125.00*UN*1*", "SV1*HC:99213*125.00*UN*1.5*",
                         "lines[0].units: 1.5 is not a whole number");
}

static void test_truncated_and_missing_clm(void **state)
{
    char *base = example(), err[256];
    tfile f;
    /* cut after the second LX: no SE, GE, IEA */
    char *t = strdup(base);
    *strstr(t, "LX*2") = 0;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_contains(f.v[0].problems, "segment 3 (ST): transaction 0002 has no SE (it ends at "
                    "the end of the file)");
    assert_contains(f.v[0].problems, "interchange 000000102 has no IEA");
    tfile_free(&f);
    free(t);

    /* the claim's own problems (found mapping it) come first, then its
     * envelopes' (found reading the file), in the order found */
    t = edit(base, "SV1*HC:99213*", "SV1*HC>99213*");
    *strstr(t, "LX*2") = 0;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.v[0].problems,
                        "segment 26 (SV1): SV101: 'HC>99213' is not qualifier:code (the "
                        "component separator is ':', from ISA16)\n"
                        "@reject input.x12_total: segment 21 (CLM): CLM02: total charge "
                        "180.00 is not the sum of the line charges 125.00; a receiver rejects "
                        "the claim, the lines are read as billed\n"
                        "segment 3 (ST): transaction 0002 has no SE (it ends at the end of "
                        "the file)\n"
                        "segment 2 (GS): group 0002 has no GE\n"
                        "segment 1 (ISA): interchange 000000102 has no IEA (the file ends)");
    int st0;
    cs_free(check_claim(&f.v[0], &st0));
    assert_int_equal(st0, CS_REJECT);
    tfile_free(&f);
    free(t);

    /* no CLM: one record for the transaction */
    t = edit(base, "CLM*CLM-X2*180.00***11:B:1*Y*A*Y*Y~\n", "");
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].id);
    assert_int_equal(f.v[0].segment, 3);
    assert_contains(f.v[0].problems, "segment 3 (ST): transaction 0002 has no CLM segment");
    int status;
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_REJECT);
    assert_contains(rec, "{\"claim\":null,\"input\":{\"file\":\"t.837\",\"record\":1,"
                    "\"line\":3,\"segment\":3,\"transaction\":\"0002\"}");
    cs_free(rec);
    tfile_free(&f);
    free(t);
    free(base);
}

static void test_envelopes(void **state)
{
    char *a = example(), *b = tu_slurp("examples/x12/sore-throat-with-25.837", NULL), err[256];
    tfile f;
    /* two interchanges, CRLF after the terminators, a BOM */
    size_t n = strlen(a) + strlen(b) + 8;
    char *t = malloc(n);
    snprintf(t, n, "\xEF\xBB\xBF%s\n%s", b, a);
    char *crlf = malloc(2 * n), *o = crlf;
    for (const char *p = t; *p; p++) { if (*p == '\n') *o++ = '\r'; *o++ = *p; }
    *o = 0;
    assert_true(cs_x12_detect(crlf, strlen(crlf)));
    assert_int_equal(parse_text(crlf, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.v[0].id, "CLM-X1");
    assert_string_equal(f.v[1].id, "CLM-X2");
    assert_string_equal(f.v[1].transaction, "0002");
    assert_int_equal(f.v[1].segment, 21 + 38);
    assert_null(f.v[0].problems);
    assert_null(f.v[1].problems);
    tfile_free(&f);

    /* other separators, declared in the ISA */
    char *alt = strdup(a);
    for (char *p = alt; *p; p++)
        *p = *p == '*' ? '|' : *p == ':' ? '^' : *p == '~' ? '\'' : *p == '^' ? '!' : *p;
    assert_int_equal(parse_text(alt, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    tfile_free(&f);
    free(alt);

    /* bad separators: the envelope is unreadable */
    char *bad = edit(a, "*0*P*:~", "*0*P**~");
    assert_int_equal(parse_text(bad, &f, err, sizeof err), -1);
    assert_int_equal(f.n, 0);
    assert_contains(err, "ISA separators are not distinct");
    tfile_free(&f);
    free(bad);
    bad = edit(a, "*0*P*:~", "*0*P*A~");
    assert_int_equal(parse_text(bad, &f, err, sizeof err), -1);
    assert_contains(err, "is a letter, digit or space");
    tfile_free(&f);
    free(bad);

    /* a second interchange that is garbage: the first one's claim stays */
    snprintf(t, n, "%sGARBAGE", b);
    assert_int_equal(parse_text(t, &f, err, sizeof err), -1);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    assert_contains(err, "after IEA");
    tfile_free(&f);

    /* binary garbage: not X12 at all */
    static const char junk[] = "\x7f" "ELF\x02\x01\x01\x00\x00\xff\xfe ISA";
    assert_false(cs_x12_detect(junk, sizeof junk - 1));
    assert_int_equal(tparse(junk, sizeof junk - 1, &g_opt, &f, err, sizeof err), -1);
    assert_int_equal(f.n, 0);
    assert_contains(err, "not an X12 file");
    tfile_free(&f);
    free(t); free(crlf); free(a); free(b);
}

static char *example_payer(const char *id, const char *sbr09);

static void test_payer_given(void **state)
{
    char *base = example_payer("77777", "CI"), *t = strdup(base), err[256];
    tfile f = {0};
    cs_x12_options o = {".", 1};
    assert_int_equal(tparse(t, strlen(t), &o, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    assert_not_contains(f.v[0].json, "\"payer\"");
    tfile_free(&f);
    free(t); free(base);
}

/* The record of the edited example (no X12 problems), which check_claim
 * holds equal to its JSON twin's; caller cs_free()s. */
static char *check_edit(const char *from, const char *to, int *status)
{
    char *base = example(), *t = edit(base, from, to), err[256];
    tfile f;
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    char *rec = check_claim(&f.v[0], status);
    tfile_free(&f);
    free(t);
    free(base);
    return rec;
}

/* Long segments (64 bytes or more), a line feed inside a segment and more
 * elements than are kept (31) split as short ones do: the claim is the same,
 * one line further down. */
static void test_long_segments(void **state)
{
    char *base = example(), err[256], many[200] = "REF*EI*371234567";
    for (int i = 0; i < 40; i++) strcat(many, "*X");
    char *t1 = edit(base, "NM1*85*2*RIVERSIDE CLINIC*****XX*1234567893",
                    "NM1*85*2*RIVERSIDE\nCLINIC OF A VERY LONG NAME THAT GOES ON AND ON AND "
                    "ON*****XX*1234567893");
    char *t2 = edit(t1, "REF*EI*371234567", many);
    tfile a, b;
    assert_int_equal(parse_text(base, &a, err, sizeof err), 0);
    assert_int_equal(parse_text(t2, &b, err, sizeof err), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_null(b.v[0].problems);
    assert_contains(b.v[0].json, "\"billing_provider\":{\"npi\":\"1234567893\"");
    assert_string_equal(a.v[0].json, b.v[0].json);
    assert_int_equal(b.v[0].segment, a.v[0].segment);
    assert_int_equal(b.v[0].line, a.v[0].line + 1);
    int sa, sb;
    char *ra = check_claim(&a.v[0], &sa), *rb = check_claim(&b.v[0], &sb);
    assert_int_equal(sa, sb);
    assert_non_null(strstr(rb, "\"line\":22,"));
    cs_free(ra);
    cs_free(rb);
    tfile_free(&a);
    tfile_free(&b);
    free(t1);
    free(t2);
    free(base);
}

/* A file whose segment terminator is the line feed itself: the claim is
 * the same, and its CLM on the same line as in the "~\n" form. */
static void test_newline_terminator(void **state)
{
    char *base = example(), err[256];
    size_t n = strlen(base);
    char *nl = malloc(n + 1), *o = nl;
    for (const char *p = base; *p; p++)
        if (!(p[0] == '~' && p[1] == '\n')) *o++ = *p;
    *o = 0;
    tfile a, b;
    assert_int_equal(parse_text(base, &a, err, sizeof err), 0);
    assert_int_equal(parse_text(nl, &b, err, sizeof err), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_null(b.v[0].problems);
    assert_string_equal(a.v[0].json, b.v[0].json);
    assert_int_equal(b.v[0].segment, a.v[0].segment);
    assert_int_equal(b.v[0].line, a.v[0].line);
    assert_true(a.v[0].line > 10);
    tfile_free(&a);
    tfile_free(&b);
    free(nl);
    free(base);
}

/* Numbers reach the claim model as they would through the claim JSON's
 * text (cJSON prints, then parses them): the tree holds the same doubles. */
static void test_numbers(void **state)
{
    static const char *const units[] = {"1.0000000000000002", "1e2", "1.5", "0.1", "-0",
                                        "123456789012345678", "2147483648", "99999.0000001",
                                        "3.0000000000000004", "1E0", "0001"};
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        char to[64];
        int status;
        snprintf(to, sizeof to, "SV1*HC:99213*125.00*UN*%s*", units[i]);
        cs_free(check_edit("SV1*HC:99213*125.00*UN*1*", to, &status));
        snprintf(to, sizeof to, "SV1*HC:99213*125.00*UN*1***%s~", units[i]);
        cs_free(check_edit("SV1*HC:99213*125.00*UN*1***1~", to, &status));
    }
    int status;
    /* 1.0000000000000002 prints as 1 in JSON: a whole unit */
    char *rec = check_edit("SV1*HC:99213*125.00*UN*1*", "SV1*HC:99213*125.00*UN*1.0000000000000002*",
                           &status);
    assert_int_equal(status, CS_DENY);
    cs_free(rec);
    rec = check_edit("SV1*HC:99213*125.00*UN*1***1~", "SV1*HC:99213*125.00*UN*1***-0~", &status);
    assert_int_equal(status, CS_REJECT);
    assert_contains(rec, "lines[0].diagnosis_pointers[0]: ");
    assert_contains(rec, " is not a diagnosis number (they start at 1)");
    cs_free(rec);
}

/* DTP*472*RD8 is a from-to range: service_date is its first day and
 * service_date_to its last (absent for D8 and for a one-day range); a range
 * that ends before it starts is the engine's to reject. */
static void test_rd8_range(void **state)
{
    (void)state;
    static const struct { const char *dtp, *from, *to; } cases[] = {
        {"DTP*472*RD8*20260302-20260308", "2026-03-02", "2026-03-08"},
        {"DTP*472*RD8*20260302-20260302", "2026-03-02", "(absent)"},
        {"DTP*472*D8*20260302", "2026-03-02", "(absent)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *base = example(), *t = edit(base, "DTP*472*D8*20260302", cases[i].dtp), err[256];
        tfile f;
        assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
        assert_int_equal(f.n, 1);
        assert_null(f.v[0].problems);
        cJSON *j = cJSON_Parse(f.v[0].json);
        assert_non_null(j);
        FIELD(j, "lines[0].service_date", cases[i].from);
        FIELD(j, "lines[0].service_date_to", cases[i].to);
        FIELD(j, "lines[1].service_date_to", "(absent)");
        cJSON_Delete(j);
        int status;
        cs_free(check_claim(&f.v[0], &status));
        assert_int_equal(status, CS_DENY);      /* the example's verdict is unchanged */
        tfile_free(&f);
        free(t);
        free(base);
    }
    expect_engine_reject("DTP*472*D8*20260302", "DTP*472*RD8*20260302-20260301",
                         "lines[0].service_date_to: 2026-03-01 is before service_date 2026-03-02");
}

/* The API's edges: NULL arguments, claims of a transaction not read. */
static void test_api(void **state)
{
    assert_int_equal(cs_x12_count(NULL), 0);
    cs_x12_free(NULL);
    cs_x12_file *f = NULL;
    assert_int_equal(cs_x12_read(NULL, 0, NULL, &f, NULL), 0);      /* empty: no claim */
    assert_int_equal(cs_x12_count(f), 0);
    cs_x12_free(f);
    char *why = NULL;
    assert_int_equal(cs_x12_read("xyz", 3, NULL, &f, &why), -1);
    assert_string_equal(why, "not an X12 file: no ISA segment at the start");
    assert_int_equal(cs_x12_count(f), 0);
    cs_free(why);
    cs_x12_free(f);
    char *base = example(), *t = edit(base, "ST*837*0002*005010X222A1~", "ST*837*0002*005010X223A2~");
    assert_int_equal(cs_x12_read(t, strlen(t), NULL, &f, NULL), 0);
    assert_int_equal(cs_x12_count(f), 1);
    cs_x12_info info;
    const cs_x12_claim *c = cs_x12_claim_at(f, 0, &info);
    assert_string_equal(info.id, "CLM-X2");
    assert_string_equal(info.transaction, "0002");
    assert_int_equal(info.segment, 21);
    char *json = NULL, *problems = NULL;
    size_t jlen = 1;
    assert_int_equal(cs_x12_claim_json(c, &json, &jlen, &problems), 0);
    assert_null(json);
    assert_int_equal(jlen, 0);
    assert_contains(problems, "837 005010X223A2 is not supported");
    cs_free(problems);
    assert_int_equal(cs_x12_claim_json(c, NULL, NULL, NULL), 0);   /* neither wanted */
    char *out = NULL;
    assert_int_equal(cs_check_x12(g_e, c, NULL, &out, NULL), CS_REJECT);
    assert_contains(out, "\"claim\":\"CLM-X2\"");
    cs_free(out);
    cs_x12_free(f);
    free(t);

    /* cs_x12_read_kept refers to the data: the same claim, the same record */
    cs_x12_file *g = NULL;
    assert_int_equal(cs_x12_read(base, strlen(base), NULL, &f, NULL), 0);
    assert_int_equal(cs_x12_read_kept(base, strlen(base), NULL, &g, NULL), 0);
    assert_int_equal(cs_x12_count(g), 1);
    char *a = NULL, *b = NULL, *pa = NULL, *pb = NULL;
    assert_int_equal(cs_x12_claim_json(cs_x12_claim_at(f, 0, NULL), &a, NULL, &pa), 0);
    assert_int_equal(cs_x12_claim_json(cs_x12_claim_at(g, 0, NULL), &b, NULL, NULL), 0);
    assert_non_null(a);
    assert_null(pa);
    assert_string_equal(a, b);
    /* problems without the JSON: the same as with it */
    char *t2 = edit(base, "SV1*HC:99213*", "SV1*HC>99213*");
    cs_x12_file *h = NULL;
    assert_int_equal(cs_x12_read(t2, strlen(t2), NULL, &h, NULL), 0);
    char *jh = NULL;
    assert_int_equal(cs_x12_claim_json(cs_x12_claim_at(h, 0, NULL), &jh, NULL, &pa), 0);
    assert_int_equal(cs_x12_claim_json(cs_x12_claim_at(h, 0, NULL), NULL, NULL, &pb), 0);
    assert_non_null(jh);        /* a claim with problems still has JSON */
    assert_contains(pa, "(SV1): SV101: 'HC>99213' is not qualifier:code");
    assert_string_equal(pa, pb);
    cs_free(jh); cs_free(pa); cs_free(pb);
    cs_x12_free(h);
    free(t2);
    char *ra = NULL, *rb = NULL;
    assert_int_equal(cs_check_x12(g_e, cs_x12_claim_at(f, 0, NULL), NULL, &ra, NULL), CS_DENY);
    assert_int_equal(cs_check_x12(g_e, cs_x12_claim_at(g, 0, NULL), NULL, &rb, NULL), CS_DENY);
    assert_string_equal(ra, rb);
    cs_free(a); cs_free(b); cs_free(ra); cs_free(rb);
    cs_x12_free(f);
    cs_x12_free(g);
    free(base);
}

/* Claims of one file checked from several threads, an engine each, give
 * the records they give one at a time. */
typedef struct job {
    const tfile *f;
    size_t from, step;
    char **out;
} job;

static void *check_some(void *arg)
{
    job *j = arg;
    char *err = NULL;
    cs_engine *e = cs_engine_new(&(cs_options){.rules_dir = ".", .stdlib_dir = "stdlib"},
                                 &err);
    if (!e) return err;
    for (size_t i = j->from; i < j->f->n; i += j->step)
        cs_check_x12(e, j->f->v[i].x, NULL, &j->out[i], NULL);
    cs_engine_free(e);
    return NULL;
}

static void test_threads(void **state)
{
    char *a = example(), *b = tu_slurp("examples/x12/sore-throat-with-25.837", NULL);
    size_t n = 0, cap = 40 * (strlen(a) + strlen(b)) + 1;
    char *t = malloc(cap), err[256];
    for (int i = 0; i < 20; i++) n += (size_t)snprintf(t + n, cap - n, "%s%s", a, b);
    tfile f;
    assert_int_equal(tparse(t, n, &g_opt, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 40);
    char **seq = calloc(f.n, sizeof *seq), **par = calloc(f.n, sizeof *par);
    for (size_t i = 0; i < f.n; i++) cs_check_x12(g_e, f.v[i].x, NULL, &seq[i], NULL);
    pthread_t tid[3];
    job jobs[3];
    for (size_t k = 0; k < 3; k++) {
        jobs[k] = (job){&f, k, 3, par};
        assert_int_equal(pthread_create(&tid[k], NULL, check_some, &jobs[k]), 0);
    }
    for (size_t k = 0; k < 3; k++) {
        void *rv;
        pthread_join(tid[k], &rv);
        assert_null(rv);
    }
    for (size_t i = 0; i < f.n; i++) {
        assert_non_null(par[i]);
        assert_string_equal(seq[i], par[i]);
        assert_contains(seq[i], i % 2 ? "\"status\":\"pass\"" : "\"status\":\"deny\"");
        cs_free(seq[i]);
        cs_free(par[i]);
    }
    free(seq); free(par);
    tfile_free(&f);
    free(t); free(a); free(b);
}

static void test_check_problem(void **state)
{
    char *out = NULL;
    size_t len = 0;
    cs_origin o = {.file = "a.837", .record = 2, .segment = 40, .transaction = "0007"};
    int st = cs_check_problem(g_e, "C1", "first\nsecond", &o, &out, &len);
    assert_int_equal(st, CS_REJECT);
    assert_int_equal(strlen(out), len);
    assert_contains(out, "{\"claim\":\"C1\",\"input\":{\"file\":\"a.837\",\"record\":2,"
                    "\"segment\":40,\"transaction\":\"0007\"}");
    assert_contains(out, "\"message\":\"first\"");
    assert_contains(out, "\"message\":\"second\"");
    cs_free(out);
    /* a readable problem's line names its rule and severity; only the X12
     * reader's input.x12* rules, in plain letters, and a real severity:
     * anything else is an input.invalid problem like any other */
    st = cs_check_problem(g_e, "C1", "@warn input.x12_provider: p\n"
                          "@deny cms.ncci.ptp: spoofed\n@pass input.x12_a: no such severity\n"
                          "@warn input.x12\"x: quote", &o, &out, &len);
    assert_int_equal(st, CS_REJECT);
    assert_contains(out, "{\"rule\":\"input.x12_provider\",\"severity\":\"warn\",\"message\":\"p\"");
    assert_contains(out, "{\"rule\":\"input.invalid\",\"severity\":\"reject\",\"message\":"
                    "\"@deny cms.ncci.ptp: spoofed\"");
    assert_contains(out, "\"message\":\"@pass input.x12_a: no such severity\"");
    assert_contains(out, "\"message\":\"@warn input.x12\\\"x: quote\"");
    assert_not_contains(out, "\"rule\":\"cms.ncci.ptp\"");
    cs_free(out);
    assert_true(cs_x12_problems_fatal("a\n@reject input.x12_total: b"));
    assert_false(cs_x12_problems_fatal("@reject input.x12_total: b\n@warn input.x12_provider: c"));
    assert_false(cs_x12_problems_fatal(NULL));
}

/* ---- what real senders send (docs/x12.md, "Accepted with a warning") ---- */

/* The example, its payer id unmapped and its claim filing indicator
 * (SBR09) code; caller frees. */
static char *example_payer(const char *id, const char *sbr09)
{
    char *base = example(), to[64], *a, *b;
    snprintf(to, sizeof to, "PI*%s", id);
    a = edit(base, "PI*00435", to);
    snprintf(to, sizeof to, "SBR*P*18*******%s~", sbr09);
    b = edit(a, "SBR*P*18*******MB~", to);
    free(base);
    free(a);
    return b;
}

/* The payer map: an id's own row, else SBR09=<code>, else '*'; without
 * any, a reject that names the id, its indicator, the map and the fix. */
static void test_payer_map(void **state)
{
    char err[256];
    tfile f;
    int status;
    /* commercial (CI) and not in the map: rejected, never Medicare's pack */
    char *t = example_payer("77777", "CI");
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_not_contains(f.v[0].json, "\"payer\"");
    assert_string_equal(f.v[0].problems,
                        "payer: X12 payer id '77777' (MEDICARE PART B, claim filing indicator "
                        "CI) is not in payers/payer-map.csv, which has no row for it, none for "
                        "SBR09=CI and no default row ('*'); add a row '77777,PACK' or check "
                        "with --payer");
    assert_null(f.v[0].warnings);
    cs_free(check_claim(&f.v[0], &status));
    assert_int_equal(status, CS_REJECT);
    tfile_free(&f);
    free(t);

    /* Medicare Part B by its indicator: the medicare pack, with a note */
    t = example_payer("77777", "MB");
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_null(f.v[0].problems);
    assert_contains(f.v[0].json, "\"payer\":\"medicare\"");
    assert_string_equal(f.v[0].warnings,
                        "info: payer: X12 payer id '77777' (MEDICARE PART B) is not in "
                        "payers/payer-map.csv; checked with pack 'medicare' by the map's row "
                        "SBR09=MB (claim filing indicator, SBR09 of loop 2000B)");
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_DENY);          /* the rules ran: 99213 without 25 */
    assert_contains(rec, "\"rule\":\"cms.ncci.ptp\"");
    assert_contains(rec, "{\"rule\":\"input.x12\",\"severity\":\"info\",\"message\":\"payer: "
                    "X12 payer id '77777'");
    cs_free(rec);
    tfile_free(&f);
    free(t);

    /* a rules root whose map has a default row */
    char *root = tu_tmpdir();
    tu_write(root, "payers/payer-map.csv", "payer_id,pack\n 00435 , medicare \n*,commercial-cms\n");
    cs_x12_options o = {root, 0};
    t = example_payer("55555", "CI");
    assert_int_equal(tparse(t, strlen(t), &o, &f, err, sizeof err), 0);
    assert_null(f.v[0].problems);
    assert_contains(f.v[0].json, "\"payer\":\"commercial-cms\"");
    assert_string_equal(f.v[0].warnings,
                        "info: payer: X12 payer id '55555' (MEDICARE PART B) is not in "
                        "payers/payer-map.csv; checked with the map's default pack "
                        "'commercial-cms' (its row '*')");
    tfile_free(&f);
    free(t);
    t = example();              /* listed: no note */
    assert_int_equal(tparse(t, strlen(t), &o, &f, err, sizeof err), 0);
    assert_contains(f.v[0].json, "\"payer\":\"medicare\"");
    assert_null(f.v[0].warnings);
    tfile_free(&f);
    free(t);
    tu_rmdir(root);
}

/* An interchange of 00501 whose ISA11 is 'U', a version without its
 * errata suffix, a byte order mark and blank lines first: read, checked
 * by the rules, each accepted form an input.x12 warning on the record. */
static void test_envelope_forms(void **state)
{
    char err[256];
    tfile f;
    int status;
    char *base = example(), *u = edit(base, "*^*00501*", "*U*00501*");
    char *v1 = edit(u, "*005010X222A1~", "*005010X222~");   /* GS08 */
    char *v2 = edit(v1, "*005010X222A1~", "*005010X222~");  /* ST03 */
    size_t n = strlen(v2) + 8;
    char *t = malloc(n);
    snprintf(t, n, "\xEF\xBB\xBF\r\n \n%s", v2);
    assert_true(cs_x12_detect(t, strlen(t)));
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_null(f.v[0].problems);
    assert_int_equal(f.v[0].line, 23);          /* two lines more than the example */
    assert_string_equal(f.v[0].warnings,
                        "warn: segment 1 (ISA): ISA11 is 'U', the standards identifier of "
                        "versions before 00403; in 00501 it is the repetition separator: read "
                        "as none\n"
                        "warn: segment 3 (ST03): version 005010X222 has no errata suffix; "
                        "read as 005010X222A1");
    char *rec = check_claim(&f.v[0], &status);
    assert_int_equal(status, CS_DENY);
    assert_contains(rec, "\"status\":\"deny\"");
    assert_contains(rec, "\"rule\":\"cms.ncci.ptp\"");
    assert_contains(rec, "{\"rule\":\"input.x12\",\"severity\":\"warn\",\"message\":"
                    "\"segment 1 (ISA): ISA11 is 'U'");
    cs_free(rec);
    tfile_free(&f);

    /* only the base version without ST03: GS08 says it */
    char *g = edit(base, "*005010X222A1~", "*005010X222~"), *g2 = edit(g, "*0002*005010X222A1~",
                                                                       "*0002~");
    assert_int_equal(parse_text(g2, &f, err, sizeof err), 0);
    assert_string_equal(f.v[0].warnings, "warn: segment 2 (GS08): version 005010X222 has no "
                        "errata suffix; read as 005010X222A1");
    tfile_free(&f);

    /* 4010: 'U' is its standards identifier (no warning); still refused */
    char *old = edit(base, "*^*00501*", "*U*00401*");
    char *o2 = edit(old, "*005010X222A1~", "*004010X098A1~"), *o3 = edit(o2, "*005010X222A1~",
                                                                         "*004010X098A1~");
    assert_int_equal(parse_text(o3, &f, err, sizeof err), 0);
    assert_null(f.v[0].warnings);
    assert_contains(f.v[0].problems, "837 004010X098A1 is not supported");
    tfile_free(&f);

    /* another letter in ISA11 of 00501 is still refused */
    char *x = edit(base, "*^*00501*", "*Q*00501*");
    assert_int_equal(parse_text(x, &f, err, sizeof err), -1);
    assert_contains(err, "ISA separator 'Q' (repetition, ISA11) is a letter");
    tfile_free(&f);
    free(base); free(u); free(v1); free(v2); free(t); free(g); free(g2);
    free(old); free(o2); free(o3); free(x);
}

/* s (ASCII) as UTF-16 with or without a byte order mark; *len its bytes. */
static char *to_utf16(const char *s, bool le, bool bom, size_t *len)
{
    size_t n = strlen(s), k = 0;
    char *out = malloc(2 * n + 2);
    if (bom) { out[k++] = le ? '\xFF' : '\xFE'; out[k++] = le ? '\xFE' : '\xFF'; }
    for (size_t i = 0; i < n; i++) {
        out[k++] = le ? s[i] : 0;
        out[k++] = le ? 0 : s[i];
    }
    *len = k;
    return out;
}

/* UTF-16 (LE or BE, with a byte order mark or without) is read as the
 * same text in UTF-8 would be, with a warning; text before the ISA is
 * skipped, with one; GS without ISA is X12, refused. */
static void test_encodings_and_preamble(void **state)
{
    char err[256];
    char *base = example();
    tfile ref;
    assert_int_equal(parse_text(base, &ref, err, sizeof err), 0);
    for (int k = 0; k < 4; k++) {
        size_t len;
        char *u = to_utf16(base, k & 1, k & 2, &len);
        tfile f;
        assert_true(cs_x12_detect(u, len));
        assert_int_equal(tparse(u, len, &g_opt, &f, err, sizeof err), 0);
        free(u);                /* the file keeps its UTF-8 */
        assert_int_equal(f.n, 1);
        assert_string_equal(f.v[0].json, ref.v[0].json);
        char want[128];
        snprintf(want, sizeof want, "warn: the file is UTF-16%s text%s; read as UTF-8",
                 k & 1 ? "LE" : "BE", k & 2 ? "" : " without a byte order mark");
        assert_string_equal(f.v[0].warnings, want);
        int status;
        cs_free(check_claim(&f.v[0], &status));
        assert_int_equal(status, CS_DENY);
        tfile_free(&f);
    }
    tfile_free(&ref);

    /* an unpaired surrogate: refused, saying it is UTF-16 */
    static const char bad[] = "\xFF\xFEI\0S\0A\0\x00\xD8";
    tfile f;
    assert_int_equal(tparse(bad, sizeof bad - 1, &g_opt, &f, err, sizeof err), -1);
    assert_string_equal(err, "UTF-16LE text with an unpaired surrogate at byte 8");
    tfile_free(&f);

    /* a description before the interchange */
    size_t n = strlen(base) + 64;
    char *t = malloc(n);
    snprintf(t, n, "Example 2 - the visit\n\nwithout modifier 25\n%s", base);
    assert_true(cs_x12_detect(t, strlen(t)));
    assert_int_equal(parse_text(t, &f, err, sizeof err), 0);
    assert_string_equal(f.v[0].warnings, "warn: lines 1 to 3: text before the ISA is not X12; "
                        "skipped");
    assert_int_equal(f.v[0].line, 24);
    tfile_free(&f);
    free(t);

    /* GS first: X12 without its ISA, read with the GS's separators (its
     * claims refer to a copy with an ISA before the GS), with a warning */
    const char *gs = strstr(base, "GS*");
    assert_true(cs_x12_detect(gs, strlen(gs)));
    assert_int_equal(parse_text(gs, &f, err, sizeof err), 0);
    assert_int_equal(f.n, 1);
    assert_non_null(f.v[0].json);
    assert_null(f.v[0].problems);
    assert_string_equal(f.v[0].warnings, "warn: the file has no ISA: its interchange is read "
                        "with the separators of its GS (element '*', segment terminator '~') and "
                        "component separator ':'; segment numbers count the missing ISA as "
                        "segment 1");
    int status;
    char *rec = check_claim(&f.v[0], &status);
    assert_contains(rec, "\"rule\":\"cms.ncci.ptp\"");
    cs_free(rec);
    tfile_free(&f);
    /* ST first: no GS either; refused */
    const char *st = strstr(base, "ST*");
    assert_true(cs_x12_detect(st, strlen(st)));
    assert_int_equal(parse_text(st, &f, err, sizeof err), -1);
    assert_string_equal(err, "not an X12 file: no ISA segment at the start");
    tfile_free(&f);
    /* JSON and prose are not X12 */
    assert_false(cs_x12_detect("{\"id\":\"ISA\"}\nISA*00*", 20));
    assert_false(cs_x12_detect("Dear sir,\nthe ISA was late.", 27));
    free(base);
}

/* ---- every 837 file under the shared folders ---- */

/* Why a shared file's claims are rejected, when they all are for one
 * reason of their own (docs/x12.md, "The shared samples"). */
static const struct { const char *file, *reason; } refused_files[] = {
    {"837P__5010__UnicodeExample.txt", "has no CLM segment"},  /* a UTF-16 fragment */
    {"837_DeIdent_02.dat", "837 999999X999X9 is not supported"}, /* version masked */
    {"837_DeIdent_03.dat", "837 999999X999X9 is not supported"},
};

/* Whether a claim's problems hold one of the documented reasons to reject:
 * ICD-9 diagnoses, an unsupported version (4010, 837I), an unmapped
 * commercial payer, a transcription error of the samples (the wrong
 * component separator, masked or bad codes, counts), or its file's own. */
static bool documented(const char *problems, const char *file_reason)
{
    static const char *const reasons[] = {
        "marks an ICD-9-CM diagnosis", "is not supported; claimscrub reads",
        "is not in payers/payer-map.csv, which has no row for it",
        "is not qualifier", "qualifier 'XX' is not HC", "SE01: says", "is not the sum",
        "expected XX (NPI)", "has no DTP*472", "is not a diagnosis pointer",
    };
    if (!problems) return false;
    if (file_reason && strstr(problems, file_reason)) return true;
    for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
        if (strstr(problems, reasons[i])) return true;
    return false;
}

/* The CLM segments of X12 text (its element separator is its 4th byte),
 * counted independently of the reader. */
static size_t count_clm(const char *t, size_t n)
{
    const char *isa = NULL;
    for (size_t i = 0; i + 3 < n && !isa; i++)     /* after a mark, blanks, text */
        if (!memcmp(t + i, "ISA", 3) && !isalnum((unsigned char)t[i + 3]) &&
            (i == 0 || t[i - 1] == '\n' || (i == 3 && (unsigned char)t[0] == 0xEF)))
            isa = t + i;
    char sep = isa ? isa[3] : 0;
    if (!isa) {                                      /* GS first, no ISA */
        size_t i = 0;
        while (i < n && isspace((unsigned char)t[i])) i++;
        if (n - i >= 3 && !memcmp(t + i, "GS", 2)) sep = t[i + 2];
    }
    if (!sep) return 0;
    char pat[5] = {'C', 'L', 'M', sep, 0};
    size_t c = 0;
    for (const char *p = t; (p = strstr(p, pat)); p += 4)
        if (p == t || !isalnum((unsigned char)p[-1])) c++;
    return c;
}

static int walked;

static void walk_file(const char *path, const char *name)
{
    size_t len = 0;
    char *data = tu_slurp(path, &len);
    assert_non_null(data);
    if (!cs_x12_detect(data, len)) { free(data); return; }
    /* an 835, or any other transaction but 837: not ours to walk */
    if (!strstr(data, "ST*837") && !strstr(data, "S\0T\0*\0" "8\0" "3\0" "7") &&
        !strstr(name, "no_isa")) { free(data); return; }
    const char *file_reason = NULL;
    for (size_t i = 0; i < sizeof refused_files / sizeof *refused_files; i++)
        if (!strcmp(name, refused_files[i].file)) file_reason = refused_files[i].reason;
    tfile f;
    char err[512];
    int rc = tparse(data, len, &g_opt, &f, err, sizeof err);
    walked++;
    if (rc == -1) {             /* only a file refused for its documented reason */
        if (!file_reason || !strstr(err, file_reason))
            fail_msg("%s: refused: %s", path, err);
        tfile_free(&f);
        free(data);
        return;
    }
    assert_int_equal(rc, 0);
    /* each CLM its own record, in order; a file without CLM one record */
    size_t clm = strstr(name, "Unicode") ? 0 : count_clm(data, len);
    if (f.n != (clm ? clm : 1)) fail_msg("%s: %zu records for %zu CLM", path, f.n, clm);
    long last = 0;
    for (size_t i = 0; i < f.n; i++) {
        tclaim *c = &f.v[i];
        assert_true(c->segment > last);
        last = c->segment;
        int status;
        char *rec = check_claim(c, &status);
        if (status == CS_REJECT && !documented(c->problems, file_reason))
            fail_msg("%s: claim %s rejected for no documented reason:\n%s", path,
                     c->id ? c->id : "(none)", rec);
        cs_free(rec);
    }
    tfile_free(&f);
    free(data);
}

static void walk_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) walk_dir(path);
        else if (S_ISREG(st.st_mode)) walk_file(path, de->d_name);
    }
    closedir(d);
}

/* Every 837 under the shared folders is read: each claim gets its own
 * record, in order, and a claim is rejected only for a documented reason. */
static void test_shared_walk(void **state)
{
    if (!have_shared()) { skip(); return; }
    walked = 0;
    walk_dir(SHARED);
    walk_dir("/work/shared/external/x12");
    assert_true(walked >= 80);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_all),
        cmocka_unit_test(test_example1),
        cmocka_unit_test(test_drug_office),
        cmocka_unit_test(test_home_infusion),
        cmocka_unit_test(test_wheelchair_anesthesia),
        cmocka_unit_test(test_ambulance_cob),
        cmocka_unit_test(test_twins),
        cmocka_unit_test(test_payer_map),
        cmocka_unit_test(test_envelope_forms),
        cmocka_unit_test(test_encodings_and_preamble),
        cmocka_unit_test(test_shared_walk),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_truncated_and_missing_clm),
        cmocka_unit_test(test_envelopes),
        cmocka_unit_test(test_payer_given),
        cmocka_unit_test(test_check_problem),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_rd8_range),
        cmocka_unit_test(test_long_segments),
        cmocka_unit_test(test_newline_terminator),
        cmocka_unit_test(test_api),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
