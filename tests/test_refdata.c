/*
 * test_refdata.c -- reference data: import, release files, lookups.
 *
 * The small tests write their own CSVs into a temporary folder.  The tests
 * over CMS's files read them in place from $CMS_DATA (default ../shared/cms
 * relative to the repository root) and are skipped when it is missing:
 * nothing from it is copied into the repository.
 */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <time.h>

#include "claimscrub.h"
#include "refdata.h"
#include "refformat.h"

/* ---- helpers ---- */

/* dir/name in a static buffer, one of 16 used in turn. */
static char *path_in(const char *dir, const char *name)
{
    static char buf[16][4200];
    static int k;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Entries of dir other than . and ..; -1 when it does not exist. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void import_ok(const char *dir, const cs_import *in)
{
    char *err = NULL;
    if (!cs_refdata_import(dir, in, &err)) fail_msg("import failed: %s", err);
    free(err);
}

static cs_refdata *open_ok(const char *dir)
{
    char *err = NULL;
    cs_refdata *r = cs_refdata_open(dir, &err);
    if (!r) fail_msg("open failed: %s", err);
    return r;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* $CMS_DATA, or ../shared/cms; NULL (test skipped) when it is missing. */
static const char *cms_data(void)
{
    const char *d = getenv("CMS_DATA");
    if (!d || !*d) d = "../shared/cms";
    struct stat st;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("SKIPPED: CMS data folder %s not found (set CMS_DATA)\n", d);
        return NULL;
    }
    return d;
}

/* A CMS file under the data folder; NULL (skip) when missing. */
static const char *cms_file(const char *dir, const char *name)
{
    const char *p = path_in(dir, name);
    if (access(p, R_OK) != 0) {
        printf("SKIPPED: %s not found\n", p);
        return NULL;
    }
    return p;
}

/* ---- small normalised inputs ---- */

static const char ptp_csv[] =
    "column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\r\n"
    "96372,99211,2019-12-31,1,Old row\r\n"
    "96372,99211,9999-12-31,0,Misuse of Column Two code with Column One code\r\n"
    "96372,99213,*,1,\"Standards of medical/surgical practice\"\r\n"
    "11042,11719,2020-06-30,9,Standards of medical/surgical practice\r\n";

static const char ptp_tsv[] =
    "CPT only copyright 2025 American Medical Association.  All rights reserved.\t\t\t\t\t\t\n"
    "Column1/Column2 Edits\t\t\t\t\t\t\n"
    "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tPTP Edit Rationale\n"
    "\t\tprior to 1996\tDate\tDate\t0=not allowed\t\n"
    "\t\t\t\t*=no data\t1=allowed\t\n"
    "\t\t\t\t\t9=not applicable\t\n"
    "20610\t96372\t\t20100101\t20191231\t0\tOld edit\n"
    "20610\t96372\t\t20200101\t*\t1\tStandards of medical/surgical practice\n";

static const char mue_csv[] =
    "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale\n"
    "96372,4,3,Clinical: Data\n"
    "J3420,1,3,Prescribing Information\n"
    "90471,1,2,CMS Policy\n";

static const char aoc_csv[] =
    "primary_code,add_on_code,aoc_edit_type\n"
    "CCCCC,0054T,2\n"
    "11042,11045,1\n"
    "11043,11045,1\n";

static const char pfs_csv[] =
    "hcpcs,mod,status_code,work_rvu,nonfac_pe_rvu,nonfac_total_rvu,fac_total_rvu,glob_days,conv_factor\n"
    "96372,,A,0.17,0.25,0.43,0.43,XXX,33.2875\n"
    "27447,,A,19.60,14.96,38.57,38.57,090,33.2875\n"
    "71045,,A,0.18,0.5,0.68,0.68,XXX,33.2875\n"
    "71045,26,A,0.18,0.02,0.24,0.24,XXX,33.2875\n"
    "71045,TC,A,0,0.44,0.44,0.44,XXX,33.2875\n";

static const char icd10_csv[] =
    "order,icd10cm_code,valid_for_hipaa,description,chapter_no\n"
    "3424,D51,0,Vitamin B12 deficiency anemia,3\n"
    "3425,D51.0,1,Vitamin B12 deficiency anemia due to intrinsic factor deficiency,3\n"
    "4626,E53.8,1,\"Deficiency of other specified B group vitamins, \"\"other\"\"\",4\n";

static const char hcpcs_csv[] =
    "hcpcs_code,hcpcs_section,desc_type,description\n"
    "J9000,Chemotherapy Drugs,Long,\"Injection, doxorubicin hydrochloride, 10 mg\"\n"
    "J7516,Drugs Administered Other Than Oral Method,Short,\"INJ, CYCLOSPORINE, 250MG\"\n"
    "J7516,Drugs Administered Other Than Oral Method,Long,\"Injection, cyclosporine, 250 mg\"\n"
    "J7192,Drugs Administered Other Than Oral Method,Long,\"Factor viii, not otherwise\n"
    "specified\"\n";

static const char adj_csv[] =
    "code,code_type,description,usage,notes,start_date,last_modified,end_date\n"
    "CO,Group,Contractual Obligations,,,,,\n"
    "15,CARC,\"The authorization number is missing, invalid.\",,,1995-01-01,2017-11-01,2018-05-01\n"
    "16,CARC,Claim/service lacks information.,,,1995-01-01,,\n"
    "N362,RARC,The number of Days or Units of Service exceeds our acceptable maximum.,,,2005-11-18,,\n";

/* Write every small table into tmp and import them all as release. */
static void import_all(const char *tmp, const char *out, cs_date release)
{
    tu_write(tmp, "ptp.csv", ptp_csv);
    tu_write(tmp, "ptp.txt", ptp_tsv);
    tu_write(tmp, "mue.csv", mue_csv);
    tu_write(tmp, "aoc.csv", aoc_csv);
    tu_write(tmp, "pfs.csv", pfs_csv);
    tu_write(tmp, "icd10.csv", icd10_csv);
    tu_write(tmp, "hcpcs.csv", hcpcs_csv);
    tu_write(tmp, "adj.csv", adj_csv);
    cs_import in = {
        .ptp = {path_in(tmp, "ptp.csv"), path_in(tmp, "ptp.txt")},
        .mue = path_in(tmp, "mue.csv"), .aoc = path_in(tmp, "aoc.csv"),
        .pfs = path_in(tmp, "pfs.csv"), .icd10 = path_in(tmp, "icd10.csv"),
        .hcpcs = path_in(tmp, "hcpcs.csv"), .adj = path_in(tmp, "adj.csv"),
        .release = release,
    };
    import_ok(out, &in);
}

/* ---- lookups ---- */

static void test_ptp_dates(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/data/set", tmp);     /* created, with its parent */
    import_all(tmp, out, 20240701);
    cs_refdata *r = open_ok(out);
    cs_ptp p;

    /* Two rows of one pair, both from the beginning: until the first is
     * deleted (inclusive) it describes the day, then the active one. */
    assert_true(cs_ref_ptp(r, "96372", "99211", 20190601, &p));
    assert_int_equal(p.indicator, 1);
    assert_int_equal(p.deleted, 20191231);
    assert_int_equal(p.effective, 0);
    assert_string_equal(p.rationale, "Old row");
    assert_true(cs_ref_ptp(r, "96372", "99211", 20191231, &p));
    assert_int_equal(p.indicator, 1);
    assert_true(cs_ref_ptp(r, "96372", "99211", 20200101, &p));
    assert_int_equal(p.indicator, 0);
    assert_int_equal(p.deleted, 0);
    assert_string_equal(p.rationale, "Misuse of Column Two code with Column One code");
    assert_true(cs_ref_ptp(r, "96372", "99213", 20240701, &p));
    assert_int_equal(p.indicator, 1);
    assert_string_equal(p.rationale, "Standards of medical/surgical practice");
    assert_false(cs_ref_ptp(r, "99211", "96372", 20240701, &p));  /* order matters */

    /* A deleted edit only. */
    assert_true(cs_ref_ptp(r, "11042", "11719", 20200630, &p));
    assert_int_equal(p.indicator, 9);
    assert_false(cs_ref_ptp(r, "11042", "11719", 20200701, &p));

    /* CMS's raw layout: effective dates. */
    assert_false(cs_ref_ptp(r, "20610", "96372", 20091231, &p));
    assert_true(cs_ref_ptp(r, "20610", "96372", 20100101, &p));
    assert_int_equal(p.effective, 20100101);
    assert_int_equal(p.deleted, 20191231);
    assert_int_equal(p.indicator, 0);
    assert_true(cs_ref_ptp(r, "20610", "96372", 20191231, &p));
    assert_int_equal(p.indicator, 0);
    assert_true(cs_ref_ptp(r, "20610", "96372", 20200101, &p));
    assert_int_equal(p.effective, 20200101);
    assert_int_equal(p.deleted, 0);
    assert_int_equal(p.indicator, 1);

    /* Not codes. */
    assert_false(cs_ref_ptp(r, "9637", "99211", 20240701, &p));
    assert_false(cs_ref_ptp(r, "96372", "99211", 0, &p));
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

static void test_tables(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_all(tmp, out, 20240701);
    cs_refdata *r = open_ok(out);
    cs_date dos = 20240815;

    cs_mue m;
    assert_true(cs_ref_mue(r, "96372", dos, &m));
    assert_int_equal(m.value, 4);
    assert_int_equal(m.mai, 3);
    assert_string_equal(m.rationale, "Clinical: Data");
    assert_true(cs_ref_mue(r, "90471", dos, &m));
    assert_int_equal(m.mai, 2);
    assert_false(cs_ref_mue(r, "99999", dos, &m));

    assert_int_equal(cs_ref_aoc_type(r, "11045", dos), 1);
    assert_int_equal(cs_ref_aoc_type(r, "0054T", dos), 2);
    assert_int_equal(cs_ref_aoc_type(r, "96372", dos), 0);
    assert_true(cs_ref_aoc_primary(r, "11045", "11042", dos));
    assert_true(cs_ref_aoc_primary(r, "11045", "11043", dos));
    assert_false(cs_ref_aoc_primary(r, "11045", "11044", dos));
    assert_false(cs_ref_aoc_primary(r, "0054T", "CCCCC", dos));

    cs_pfs f;
    assert_true(cs_ref_pfs(r, "96372", "", dos, &f));
    assert_int_equal(f.status, 'A');
    assert_string_equal(f.global, "XXX");
    assert_int_equal(f.work_rvu, 17);
    assert_int_equal(f.nonfac_total_rvu, 43);
    assert_int_equal(f.conv_factor, 332875);
    assert_int_equal(f.nonfac_price, 1431);     /* 0.43 x 33.2875 = 14.313625 */
    assert_int_equal(f.fac_price, 1431);
    assert_true(cs_ref_pfs(r, "27447", NULL, dos, &f));
    assert_string_equal(f.global, "090");
    assert_int_equal(f.nonfac_price, 128390);   /* 38.57 x 33.2875 = 1283.898875 */
    assert_true(cs_ref_pfs(r, "71045", "26", dos, &f));
    assert_int_equal(f.nonfac_total_rvu, 24);
    assert_true(cs_ref_pfs(r, "71045", "TC", dos, &f));
    assert_int_equal(f.work_rvu, 0);
    assert_int_equal(f.nonfac_total_rvu, 44);
    assert_false(cs_ref_pfs(r, "71045", "53", dos, &f));
    assert_false(cs_ref_pfs(r, "96372", "2", dos, &f));

    cs_icd10 c;
    assert_true(cs_ref_icd10(r, "D51.0", dos, &c));
    assert_true(c.billable);
    assert_true(cs_ref_icd10(r, "D510", dos, &c));
    assert_true(c.billable);
    assert_string_equal(c.description, "Vitamin B12 deficiency anemia due to intrinsic factor deficiency");
    assert_true(cs_ref_icd10(r, "D51", dos, &c));
    assert_false(c.billable);
    assert_true(cs_ref_icd10(r, "E538", dos, &c));
    assert_string_equal(c.description, "Deficiency of other specified B group vitamins, \"other\"");
    assert_false(cs_ref_icd10(r, "D51.9", dos, &c));
    assert_false(cs_ref_icd10(r, "D5.10", dos, &c));

    cs_hcpcs h;
    assert_true(cs_ref_hcpcs(r, "J9000", dos, &h));
    assert_string_equal(h.section, "Chemotherapy Drugs");
    assert_string_equal(h.description, "Injection, doxorubicin hydrochloride, 10 mg");
    assert_true(cs_ref_hcpcs(r, "J7516", dos, &h));   /* the Long row wins */
    assert_string_equal(h.description, "Injection, cyclosporine, 250 mg");
    assert_true(cs_ref_hcpcs(r, "J7192", dos, &h));   /* a line break in quotes */
    assert_string_equal(h.description, "Factor viii, not otherwise\nspecified");
    assert_false(cs_ref_hcpcs(r, "J9999", dos, &h));

    cs_adj a;
    assert_true(cs_ref_adj(r, CS_ADJ_GROUP, "CO", dos, &a));
    assert_int_equal(a.start, 0);
    assert_int_equal(a.end, 0);
    assert_true(cs_ref_adj(r, CS_ADJ_CARC, "15", 20180501, &a));
    assert_int_equal(a.end, 20180501);
    assert_false(cs_ref_adj(r, CS_ADJ_CARC, "15", 20180502, &a));
    assert_false(cs_ref_adj(r, CS_ADJ_CARC, "16", 19941231, &a));
    assert_true(cs_ref_adj(r, CS_ADJ_CARC, "16", 19950101, &a));
    assert_true(cs_ref_adj(r, CS_ADJ_RARC, "N362", dos, &a));
    assert_false(cs_ref_adj(r, CS_ADJ_RARC, "16", dos, &a));
    assert_false(cs_ref_adj(r, CS_ADJ_CARC, "CO", dos, &a));

    cs_ref_info info[2];
    assert_int_equal(cs_refdata_info(r, info, 2), 1);
    assert_int_equal(info[0].release, 20240701);
    assert_string_equal(info[0].file, "2024-07-01.csref");
    assert_int_equal(strlen(info[0].sha256), 64);
    long want[CS_REF_NTABLES] = {6, 3, 3, 5, 3, 3, 4};
    for (int t = 0; t < CS_REF_NTABLES; t++) assert_int_equal(info[0].rows[t], want[t]);
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

/* ---- several releases ---- */

static void import_mue(const char *tmp, const char *out, cs_date release, int units,
                       bool with_ptp)
{
    char text[256];
    snprintf(text, sizeof text, "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,"
             "mue_rationale\n96372,%d,3,Clinical: Data\n", units);
    tu_write(tmp, "m.csv", text);
    tu_write(tmp, "p.csv", ptp_csv);
    cs_import in = {.mue = path_in(tmp, "m.csv"), .release = release};
    if (with_ptp) in.ptp[0] = path_in(tmp, "p.csv");
    import_ok(out, &in);
}

static int mue_on(const cs_refdata *r, cs_date dos)
{
    cs_mue m;
    return cs_ref_mue(r, "96372", dos, &m) ? m.value : -1;
}

static void test_releases(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_mue(tmp, out, 20230101, 2, true);
    import_mue(tmp, out, 20240101, 3, false);
    tu_write(tmp, "p.csv", ptp_csv);
    cs_import in = {.ptp = {path_in(tmp, "p.csv")}, .release = 20240701};
    import_ok(out, &in);
    cs_refdata *r = open_ok(out);

    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20221231), 20230101);  /* all newer: oldest */
    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20230101), 20230101);
    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20231231), 20230101);
    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20240101), 20240101);
    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20250101), 20240101);  /* per table */
    assert_int_equal(cs_ref_release(r, CS_REF_PTP, 20240301), 20230101);
    assert_int_equal(cs_ref_release(r, CS_REF_PTP, 20240701), 20240701);
    assert_int_equal(cs_ref_release(r, CS_REF_AOC, 20240701), 0);
    assert_int_equal(mue_on(r, 20221231), 2);
    assert_int_equal(mue_on(r, 20231231), 2);
    assert_int_equal(mue_on(r, 20240101), 3);
    assert_int_equal(mue_on(r, 20990101), 3);
    assert_int_equal(cs_ref_aoc_type(r, "11045", 20240701), 0);

    cs_ref_info info[CS_REF_MAX_RELEASES];
    assert_int_equal(cs_refdata_info(r, info, CS_REF_MAX_RELEASES), 3);
    assert_int_equal(info[0].release, 20230101);
    assert_int_equal(info[1].release, 20240101);
    assert_int_equal(info[2].release, 20240701);
    assert_int_equal(info[1].rows[CS_REF_PTP], -1);
    assert_int_equal(info[1].rows[CS_REF_MUE], 1);
    assert_int_equal(info[2].rows[CS_REF_MUE], -1);
    assert_int_equal(cs_refdata_info(r, info, 1), 3);
    cs_refdata_close(r);

    /* Importing a release again replaces it. */
    import_mue(tmp, out, 20240101, 7, false);
    r = open_ok(out);
    assert_int_equal(mue_on(r, 20240201), 7);
    assert_int_equal(count_entries(out), 3);
    cs_refdata_close(r);

    /* The public wrappers. */
    cs_data_file files[] = {{"mue", path_in(tmp, "m.csv")}, {"ptp", path_in(tmp, "p.csv")}};
    char *err = NULL;
    assert_int_equal(cs_data_import(out, "2025-01-01", files, 2, &err), 0);
    char *text = cs_data_info(out, &err);
    assert_non_null(text);
    assert_contains(text, "4 releases");
    assert_contains(text, "release 2025-01-01  file 2025-01-01.csref");
    assert_contains(text, "rows ptp 4, mue 1, aoc -, pfs -");
    free(text);
    assert_int_equal(cs_data_import(out, "2025-02-30", files, 2, &err), -1);
    assert_contains(err, "not a date");
    free(err);
    cs_data_file bad[] = {{"cpt", path_in(tmp, "m.csv")}};
    assert_int_equal(cs_data_import(out, "2025-01-01", bad, 1, &err), -1);
    assert_contains(err, "unknown table 'cpt'");
    free(err);
    tu_rmdir(tmp);
}

/* ---- broken inputs ---- */

typedef struct broken {
    const char *table;          /* cs_data_file table */
    const char *text;
    const char *want;           /* in the message, after "in.csv:" */
} broken;

static const broken broken_inputs[] = {
    {"ptp", "column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
            "96372,99211,*,0,x\n96372,99212,*,2,x\n", "3: modifier indicator '2' is not 0, 1 or 9"},
    {"ptp", "column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
            "96372,99211,2024-13-01,0,x\n", "2: deletion date '2024-13-01' is not a date"},
    {"ptp", "column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
            "96372,9921,*,0,x\n", "2: column 2 code '9921'"},
    {"ptp", "Column 1\tColumn 2\t*=in existence\tEffective\tDeletion\tModifier\tRationale\n"
            "96372\t99211\t\t2024010\t*\t0\tx\n", "2: effective date '2024010'"},
    {"ptp", "column1,column2,modifier_indicator,ptp_edit_rationale\n96372,99211,0,x\n",
            "1: missing column DELETION_DATE"},
    {"mue", "hcpcs_cpt_code,mue_adjudication_indicator,mue_rationale\n96372,3,x\n",
            "1: missing column MUE_VALUE"},
    {"mue", "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale\n"
            "96372,4,4,x\n", "2: MUE adjudication indicator '4'"},
    {"mue", "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale\n"
            "96372,4,3,x\n90471,1,2,x\n96372,5,3,x\n", "4: code 96372 appears twice (also on line 2)"},
    {"mue", "hcpcs_cpt_code,mue_value,mue_adjudication_indicator,mue_rationale\n"
            "96372,-4,3,x\n", "2: MUE value '-4'"},
    {"mue", "code,value\n96372,4\n", "1: no header row with the columns HCPCS_CPT_CODE, MUE_VALUE, "
            "MUE_ADJUDICATION_INDICATOR"},
    {"hcpcs", "hcpcs_code,hcpcs_section,desc_type,description\n"
              "J9000,Chemotherapy Drugs,Long,\"Injection, doxorubicin\n"
              "J9010,Chemotherapy Drugs,Long,Injection\n", "2: unterminated quoted field"},
    {"hcpcs", "hcpcs_code,hcpcs_section,desc_type,description\n"
              "J9000,\"Chemo\"x,Long,Injection\n", "2: text after a closing quote"},
    {"hcpcs", "hcpcs_code,hcpcs_section,desc_type,description\r\n\r\n"     /* lines counted */
              "J9000,\"Chemo\r\ntherapy\",Long,\"x\"\r\nJ90,Chemo,Long,y\r\n",
              "5: HCPCS code 'J90' is not a 5-character code"},
    {"pfs", "hcpcs,mod,status_code,work_rvu,nonfac_total_rvu,fac_total_rvu,glob_days,conv_factor\n"
            "96372,,A,0.1x,0.43,0.43,XXX,33.2875\n", "2: work RVU '0.1x' is not a number"},
    {"pfs", "hcpcs,mod,status_code,work_rvu,nonfac_total_rvu,fac_total_rvu,glob_days,conv_factor\n"
            "96372,,A,0.17,0.435,0.43,XXX,33.2875\n", "2: non-facility total RVU '0.435'"},
    {"pfs", "hcpcs,mod,status_code,work_rvu,nonfac_total_rvu,fac_total_rvu,glob_days,conv_factor\n"
            "96372,,A,0.17,0.43,0.43,XYZ,33.2875\n", "2: global days 'XYZ'"},
    {"pfs", "hcpcs,mod,status_code,work_rvu,nonfac_total_rvu,fac_total_rvu,glob_days,conv_factor\n"
            "96372,,A,0.17,0.43\n", "2: no FAC_TOTAL_RVU field (5 fields)"},
    {"aoc", "primary_code,add_on_code,aoc_edit_type\nCCCCC,0054T,4\n", "2: AOC edit type '4'"},
    {"icd10", "order,icd10cm_code,valid_for_hipaa,description\n1,D51.0,2,x\n",
              "2: HIPAA-valid flag '2'"},
    {"icd10", "order,icd10cm_code,valid_for_hipaa,description\n1,51.0,1,x\n",
              "2: '51.0' is not an ICD-10-CM code"},
    {"adj", "code,code_type,description,start_date,end_date\n16,CARX,x,,\n",
            "2: code type 'CARX'"},
    {"adj", "code,code_type,description,start_date,end_date\n16,CARC,x,1995-02-30,\n",
            "2: start date '1995-02-30' is not a date"},
};

static void test_broken_inputs(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    for (size_t i = 0; i < sizeof broken_inputs / sizeof *broken_inputs; i++) {
        const broken *b = &broken_inputs[i];
        tu_write(tmp, "in.csv", b->text);
        cs_data_file f = {b->table, path_in(tmp, "in.csv")};
        char *err = NULL, want[512];
        if (cs_data_import(out, "2024-07-01", &f, 1, &err) == 0)
            fail_msg("case %zu imported", i);
        snprintf(want, sizeof want, "in.csv:%s", b->want);
        assert_contains(err, want);
        free(err);
        assert_int_equal(count_entries(out), -1);   /* not even the folder */
    }
    tu_rmdir(tmp);
}

/* A bad input leaves an existing release as it was. */
static void test_failed_import_keeps_release(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_all(tmp, out, 20240701);
    size_t n1, n2;
    char *before = tu_slurp(path_in(out, "2024-07-01.csref"), &n1);
    tu_write(tmp, "bad.csv", "hcpcs_cpt_code,mue_value,mue_adjudication_indicator\n96372,x,3\n");
    cs_import in = {.ptp = {path_in(tmp, "ptp.csv")}, .mue = path_in(tmp, "bad.csv"),
                    .release = 20240701};
    char *err = NULL;
    assert_false(cs_refdata_import(out, &in, &err));
    assert_contains(err, "bad.csv:2: MUE value 'x'");
    free(err);
    char *after = tu_slurp(path_in(out, "2024-07-01.csref"), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    assert_int_equal(count_entries(out), 1);
    free(before);
    free(after);
    tu_rmdir(tmp);
}

/* gzip input: read through gzip; a truncated stream is refused even when
 * the rows before the cut are fine. */
static void test_gzip(void **state)
{
    char *tmp = tu_tmpdir(), cmd[4400];
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    FILE *f = fopen(path_in(tmp, "ptp.csv"), "w");
    assert_non_null(f);
    fputs("column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%05d,%05d,9999-12-31,%d,Rationale number %d\n", 10000 + i / 7, 20000 + i,
                i % 2, i % 5);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gzip -k '%s'", path_in(tmp, "ptp.csv"));
    assert_int_equal(system(cmd), 0);
    cs_import in = {.ptp = {path_in(tmp, "ptp.csv.gz")}, .release = 20240701};
    import_ok(out, &in);
    cs_refdata *r = open_ok(out);
    cs_ptp p;
    assert_true(cs_ref_ptp(r, "12857", "39999", 20240701, &p));
    assert_int_equal(p.indicator, 1);
    assert_string_equal(p.rationale, "Rationale number 4");
    cs_refdata_close(r);

    /* A bad row early in a long gzip file: reading stops there, gzip is
     * stopped, and the row is what is reported. */
    f = fopen(path_in(tmp, "early.csv"), "w");
    assert_non_null(f);
    fputs("column1,column2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
          "96372,99211,*,0,x\n96372,99212,*,7,x\n", f);
    for (int i = 0; i < 200000; i++) fprintf(f, "%05d,%05d,*,1,Rationale\n", 10000 + i / 9, i);
    fclose(f);
    snprintf(cmd, sizeof cmd, "gzip '%s'", path_in(tmp, "early.csv"));
    assert_int_equal(system(cmd), 0);
    in.ptp[0] = path_in(tmp, "early.csv.gz");
    char *err = NULL;
    assert_false(cs_refdata_import(out, &in, &err));
    assert_contains(err, "early.csv.gz:3: modifier indicator '7'");
    free(err);

    size_t n = 0;
    char *gz = tu_slurp(path_in(tmp, "ptp.csv.gz"), &n);
    f = fopen(path_in(tmp, "cut.gz"), "wb");
    assert_non_null(f);
    fwrite(gz, 1, n / 2, f);
    fclose(f);
    free(gz);
    in.ptp[0] = path_in(tmp, "cut.gz");
    in.release = 20250101;
    assert_false(cs_refdata_import(out, &in, &err));
    assert_contains(err, "cut.gz:");
    assert_contains(err, "gzip -dc failed");
    assert_contains(err, "truncated or corrupt gzip data");
    free(err);
    assert_int_equal(count_entries(out), 1);
    tu_rmdir(tmp);
}

/* ---- corrupted release files ---- */

/* Write bytes as dir/name. */
static void put_bytes(const char *dir, const char *name, const void *p, size_t n)
{
    FILE *f = fopen(path_in(dir, name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* Open a data set holding only the given bytes as name; the error. */
static char *open_error(const char *tmp, const char *name, const void *p, size_t n)
{
    char dir[4200], cmd[8500];
    snprintf(dir, sizeof dir, "%s/bad", tmp);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
    put_bytes(dir, name, p, n);
    char *err = NULL;
    cs_refdata *r = cs_refdata_open(dir, &err);
    if (r) fail_msg("a corrupted release file was opened");
    assert_non_null(err);
    return err;
}

static void expect_refused(const char *tmp, const char *name, const void *p, size_t n,
                           const char *want)
{
    char *err = open_error(tmp, name, p, n);
    assert_contains(err, name);
    assert_contains(err, want);
    free(err);
}

static void test_corrupt_release(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_all(tmp, out, 20240701);
    size_t n;
    unsigned char *good = (unsigned char *)tu_slurp(path_in(out, "2024-07-01.csref"), &n);
    unsigned char *b = malloc(n);
    const char *name = "2024-07-01.csref";
    csref_header h;
    memcpy(&h, good, sizeof h);
    assert_true(h.ntables >= 3);
    csref_dirent d;

    expect_refused(tmp, name, good, n - 1, "size differs from its header");
    expect_refused(tmp, name, good, 20, "too short");
    memcpy(b, good, n); b[0] = 'X';
    expect_refused(tmp, name, b, n, "bad magic");
    memcpy(b, good, n); b[8] = CSREF_VERSION + 1;   /* a newer engine's file */
    expect_refused(tmp, name, b, n, "format version 3 is newer than this claimscrub reads (2)");
    memcpy(b, good, n); b[8] = 1;                   /* an older engine's file */
    expect_refused(tmp, name, b, n, "format version 1 is older than this claimscrub reads (2): "
                   "import the release again");
    /* the windows table: a window that ends before it starts; a table
     * without its window */
    size_t wat = 0;
    for (uint32_t i = 0; i < h.ntables; i++) {
        memcpy(&d, good + sizeof h + i * sizeof d, sizeof d);
        if (d.table == CSREF_T_WINDOWS) wat = sizeof h + i * sizeof d;
    }
    assert_true(wat > 0);
    memcpy(&d, good + wat, sizeof d);
    assert_int_equal(d.count, CS_REF_NTABLES);
    csref_window w;
    memcpy(b, good, n);
    memcpy(&w, b + d.offset, sizeof w); w.to = w.from - 1; memcpy(b + d.offset, &w, sizeof w);
    expect_refused(tmp, name, b, n, "bad validity window");
    memcpy(b, good, n);
    memcpy(&w, b + d.offset, sizeof w); w.table = 7; memcpy(b + d.offset, &w, sizeof w);
    expect_refused(tmp, name, b, n, "window of an unknown table");
    memcpy(b, good, n);
    d.count--; memcpy(b + wat, &d, sizeof d);
    expect_refused(tmp, name, b, n, "a table without its validity window");
    size_t at = sizeof h;                       /* the first table's entry */
    memcpy(b, good, n);
    memcpy(&d, b + at, sizeof d); d.offset = ((uint64_t)n + 8) / 8 * 8; memcpy(b + at, &d, sizeof d);
    expect_refused(tmp, name, b, n, "table offset outside the file");
    memcpy(b, good, n);
    memcpy(&d, b + at, sizeof d); d.count = UINT64_MAX / 2; memcpy(b + at, &d, sizeof d);
    expect_refused(tmp, name, b, n, "table extends past the end of the file");
    memcpy(b, good, n);
    memcpy(&d, b + at, sizeof d); d.offset += 4; memcpy(b + at, &d, sizeof d);
    expect_refused(tmp, name, b, n, "misaligned");
    memcpy(b, good, n);
    memcpy(&d, b + at, sizeof d); d.record_size = 8; memcpy(b + at, &d, sizeof d);
    expect_refused(tmp, name, b, n, "wrong record size");
    memcpy(b, good, n);
    memcpy(&d, b + at, sizeof d); d.table = 99; memcpy(b + at, &d, sizeof d);
    expect_refused(tmp, name, b, n, "unknown table id");
    memcpy(b, good, n);
    h.ntables = 1000; memcpy(b, &h, sizeof h);
    expect_refused(tmp, name, b, n, "too many directory entries");
    memcpy(b, good, n); b[n - 1] = 'x';        /* the pool is last */
    expect_refused(tmp, name, b, n, "string pool not NUL-terminated");
    expect_refused(tmp, "2024-01-01.csref", good, n, "does not match its release date");
    expect_refused(tmp, name, "", 0, "too short");

    char *err = NULL;
    assert_null(cs_refdata_open(path_in(tmp, "missing"), &err));
    assert_contains(err, "missing");
    free(err);
    char bad[4200];
    snprintf(bad, sizeof bad, "%s/bad", tmp);
    put_bytes(bad, "2024-07-01.csref", good, n);    /* a good one opens */
    cs_refdata *r = open_ok(bad);
    cs_refdata_close(r);
    free(good);
    free(b);
    tu_rmdir(tmp);
}

static void test_empty_data_set(void **state)
{
    char *tmp = tu_tmpdir();
    cs_refdata *r = open_ok(tmp);
    cs_mue m;
    assert_int_equal(cs_ref_release(r, CS_REF_MUE, 20240701), 0);
    assert_false(cs_ref_mue(r, "96372", 20240701, &m));
    assert_int_equal(cs_ref_aoc_type(r, "11045", 20240701), 0);
    cs_refdata_close(r);
    assert_false(cs_ref_mue(NULL, "96372", 20240701, &m));
    tu_rmdir(tmp);
}

/* ---- CMS's raw layouts (layout samples) ---- */

static void test_layout_samples(void **state)
{
    const char *cms = cms_data();
    if (!cms) { skip(); return; }
    const char *ptp = cms_file(cms, "layout_samples/ccipra-v322r0-f1_header_and_sample_rows.txt");
    const char *mue = cms_file(cms, "layout_samples/MCR_MUE_PractitionerServices_Eff_07-01-2026_header_and_sample_rows.csv");
    const char *pfs = cms_file(cms, "layout_samples/PPRRVU2026_Jul_nonQPP_header_and_sample_rows.redacted.csv");
    if (!ptp || !mue || !pfs) { skip(); return; }
    char *tmp = tu_tmpdir();
    cs_import in = {.ptp = {ptp}, .mue = mue, .pfs = pfs, .release = 20260701};
    import_ok(tmp, &in);
    cs_refdata *r = open_ok(tmp);
    cs_ref_info info;
    cs_refdata_info(r, &info, 1);
    assert_int_equal(info.rows[CS_REF_PTP], 17);
    assert_int_equal(info.rows[CS_REF_MUE], 6);
    assert_int_equal(info.rows[CS_REF_PFS], 3);

    cs_ptp p;
    assert_true(cs_ref_ptp(r, "0001A", "0591T", 20231231, &p));
    assert_int_equal(p.effective, 20220101);
    assert_int_equal(p.deleted, 20231231);
    assert_int_equal(p.indicator, 1);
    assert_string_equal(p.rationale, "CPT Manual or CMS manual coding instruction");
    assert_false(cs_ref_ptp(r, "0001A", "0591T", 20240101, &p));
    assert_false(cs_ref_ptp(r, "0001A", "0591T", 20211231, &p));
    assert_true(cs_ref_ptp(r, "0001A", "90473", 20220101, &p));
    assert_int_equal(p.indicator, 9);
    assert_true(cs_ref_ptp(r, "0001U", "0029U", 20260630, &p));
    assert_false(cs_ref_ptp(r, "0001U", "0029U", 20260701, &p));
    assert_true(cs_ref_ptp(r, "0001U", "0030U", 20990101, &p));
    assert_int_equal(p.deleted, 0);
    assert_true(cs_ref_ptp(r, "0001T", "36000", 20030101, &p));
    assert_string_equal(p.rationale, "Standards of medical/surgical practice");

    cs_mue m;
    assert_true(cs_ref_mue(r, "0001U", 20260701, &m));
    assert_int_equal(m.value, 1);
    assert_int_equal(m.mai, 2);
    assert_string_equal(m.rationale, "Code Descriptor / CPT Instruction");
    assert_true(cs_ref_mue(r, "0009U", 20260701, &m));
    assert_int_equal(m.value, 2);
    assert_int_equal(m.mai, 3);
    assert_string_equal(m.rationale, "Nature of Analyte");

    cs_pfs f;
    assert_true(cs_ref_pfs(r, "00100", "", 20260701, &f));
    assert_int_equal(f.status, 'J');
    assert_string_equal(f.global, "XXX");
    assert_int_equal(f.conv_factor, 334009);
    assert_int_equal(f.nonfac_price, 0);
    assert_true(cs_ref_pfs(r, "0001F", "", 20260701, &f));
    assert_int_equal(f.status, 'I');
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

/* CMS's ICD-10-CM order file layout (fixed width), written here. */
static void test_icd10_order_file(void **state)
{
    char *tmp = tu_tmpdir(), line[3][200];
    snprintf(line[0], sizeof line[0], "%05d %-7s %c %-60s %s\n", 3424, "D51", '0',
             "Vitamin B12 deficiency anemia", "Vitamin B12 deficiency anemia");
    snprintf(line[1], sizeof line[1], "%05d %-7s %c %-60s %s\n", 3425, "D510", '1',
             "Vitamin B12 defic anemia due to intrinsic factor deficiency",
             "Vitamin B12 deficiency anemia due to intrinsic factor deficiency");
    snprintf(line[2], sizeof line[2], "%05d %-7s %c %-60s %s\r\n", 71000, "S72001A", '1',
             "Fracture of unsp part of neck of right femur, init", "Fracture of unspecified part "
             "of neck of right femur, initial encounter for closed fracture");
    char text[700];
    snprintf(text, sizeof text, "%s%s%s", line[0], line[1], line[2]);
    tu_write(tmp, "order.txt", text);
    cs_import in = {.icd10 = path_in(tmp, "order.txt"), .release = 20231001};
    import_ok(path_in(tmp, "set"), &in);
    cs_refdata *r = open_ok(path_in(tmp, "set"));
    cs_icd10 c;
    assert_true(cs_ref_icd10(r, "D51.0", 20240101, &c));
    assert_true(c.billable);
    assert_string_equal(c.description, "Vitamin B12 deficiency anemia due to intrinsic factor deficiency");
    assert_true(cs_ref_icd10(r, "D51", 20240101, &c));
    assert_false(c.billable);
    assert_true(cs_ref_icd10(r, "S72.001A", 20240101, &c));
    assert_true(c.billable);
    assert_string_equal(c.description, "Fracture of unspecified part of neck of right femur, "
                        "initial encounter for closed fracture");
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

/* ---- the full CMS tables ---- */

static long rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void check_full(const cs_refdata *r)
{
    const cs_date dos = 20240701;
    cs_ptp p;
    static const struct { const char *c1, *c2; int ind; } edits[] = {
        {"96372", "99211", 0}, {"96372", "99213", 1}, {"96372", "99202", 1},
        {"96372", "99215", 1}, {"96401", "96372", 1}, {"96374", "96372", 1},
        {"90471", "90473", 0}, {"20610", "96372", 1},
    };
    for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
        if (!cs_ref_ptp(r, edits[i].c1, edits[i].c2, dos, &p))
            fail_msg("no PTP edit %s/%s", edits[i].c1, edits[i].c2);
        assert_int_equal(p.indicator, edits[i].ind);
        assert_int_equal(p.deleted, 0);
    }
    assert_true(cs_ref_ptp(r, "96372", "99211", 20190101, &p));   /* the deleted row */
    assert_int_equal(p.deleted, 20191231);
    cs_mue m;
    static const struct { const char *code; int value, mai; } mues[] = {
        {"96372", 4, 3}, {"J3420", 1, 3}, {"J1885", 8, 3}, {"J0696", 16, 3}, {"J0881", 500, 3},
        {"J0885", 60, 3}, {"90471", 1, 2}, {"96401", 3, 3}, {"99211", 1, 3},
    };
    for (size_t i = 0; i < sizeof mues / sizeof *mues; i++) {
        if (!cs_ref_mue(r, mues[i].code, dos, &m)) fail_msg("no MUE %s", mues[i].code);
        assert_int_equal(m.value, mues[i].value);
        assert_int_equal(m.mai, mues[i].mai);
    }
    cs_pfs f;
    static const struct { const char *code, *global; } globals[] = {
        {"27447", "090"}, {"47562", "090"}, {"11042", "000"}, {"20610", "000"},
        {"96372", "XXX"}, {"99213", "XXX"},
    };
    for (size_t i = 0; i < sizeof globals / sizeof *globals; i++) {
        assert_true(cs_ref_pfs(r, globals[i].code, "", dos, &f));
        assert_string_equal(f.global, globals[i].global);
    }
    assert_true(cs_ref_pfs(r, "96372", "", dos, &f));
    assert_int_equal(f.nonfac_total_rvu, 43);
    assert_int_equal(f.conv_factor, 332875);
    assert_int_equal(f.nonfac_price, 1431);
    cs_icd10 c;
    assert_true(cs_ref_icd10(r, "D51.0", dos, &c));
    assert_true(c.billable);
    assert_true(cs_ref_icd10(r, "D510", dos, &c));
    assert_true(cs_ref_icd10(r, "E53.8", dos, &c));
    assert_true(c.billable);
    assert_true(cs_ref_icd10(r, "D51", dos, &c));
    assert_false(c.billable);
    cs_hcpcs h;
    assert_true(cs_ref_hcpcs(r, "J9000", dos, &h));
    assert_string_equal(h.section, "Chemotherapy Drugs");
    assert_true(cs_ref_hcpcs(r, "J3420", dos, &h));
    assert_string_equal(h.section, "Drugs Administered Other Than Oral Method");
    assert_int_equal(cs_ref_aoc_type(r, "11045", dos), 1);
    assert_true(cs_ref_aoc_primary(r, "11045", "11042", dos));
    assert_int_equal(cs_ref_aoc_type(r, "0054T", dos), 2);
    cs_adj a;
    assert_true(cs_ref_adj(r, CS_ADJ_GROUP, "CO", dos, &a));
    assert_true(cs_ref_adj(r, CS_ADJ_CARC, "16", dos, &a));
    assert_true(cs_ref_adj(r, CS_ADJ_RARC, "N362", dos, &a));
    assert_false(cs_ref_adj(r, CS_ADJ_CARC, "15", dos, &a));     /* ended 2018-05-01 */
}

/* ---- validity windows, ICD-10-CM releases by date, CMS's ANWEB layout ---- */

/* The ICD-10-CM code set of three fiscal years, in the two layouts of
 * ../shared/cms (FY2024 with chapters; FY2025 and FY2026 with a short
 * description): E11.A is new in FY2026; M54.5 is a category header in all
 * three (it was billable until FY2021). */
static const char icd10_fy2024[] =
    "order,icd10cm_code,valid_for_hipaa,description,chapter_no,chapter_name\n"
    "4339,E11.9,1,Type 2 diabetes mellitus without complications,4,Endocrine\n"
    "19700,M54.5,0,Low back pain,13,Musculoskeletal\n"
    "19701,M54.50,1,\"Low back pain, unspecified\",13,Musculoskeletal\n";
static const char icd10_fy2025[] =
    "order,icd10cm_code,valid_for_hipaa,description,short_description\n"
    "4407,E11.9,1,Type 2 diabetes mellitus without complications,Type 2 diabetes mellitus without complications\n"
    "19881,M54.5,0,Low back pain,Low back pain\n"
    "19882,M54.50,1,\"Low back pain, unspecified\",\"Low back pain, unspecified\"\n";
static const char icd10_fy2026[] =
    "order,icd10cm_code,valid_for_hipaa,description,short_description\n"
    "4416,E11.9,1,Type 2 diabetes mellitus without complications,Type 2 diabetes mellitus without complications\n"
    "4417,E11.A,1,Type 2 diabetes mellitus without complications in remission,Type 2 diabetes mellitus without complications in remission\n"
    "20086,M54.5,0,Low back pain,Low back pain\n"
    "30497,QA0.0101,1,SCN2A-related neurodevelopmental disorder,SCN2A-related neurodevelopmental disorder\n";

static void import_icd10(const char *tmp, const char *out, const char *name, const char *csv,
                         cs_date release)
{
    tu_write(tmp, name, csv);
    cs_import in = {.icd10 = path_in(tmp, name), .release = release};
    import_ok(out, &in);
}

/* The default window of each table kind: the ICD-10-CM fiscal year, the
 * calendar quarter for the others. */
static void test_default_windows(void **state)
{
    static const struct { cs_ref_table t; cs_date release, from, to; } cases[] = {
        {CS_REF_ICD10, 20240701, 20231001, 20240930},
        {CS_REF_ICD10, 20230930, 20221001, 20230930},
        {CS_REF_ICD10, 20251001, 20251001, 20260930},
        {CS_REF_ICD10, 20251231, 20251001, 20260930},
        {CS_REF_HCPCS, 20251001, 20251001, 20251231},
        {CS_REF_HCPCS, 20240229, 20240101, 20240331},
        {CS_REF_PTP, 20240701, 20240701, 20240930},
        {CS_REF_MUE, 20240515, 20240401, 20240630},
        {CS_REF_AOC, 20240603, 20240401, 20240630},
        {CS_REF_PFS, 20241001, 20241001, 20241231},
        {CS_REF_ADJ, 20240101, 20240101, 20240331},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cs_date from = 0, to = 0;
        cs_ref_default_window(cases[i].t, cases[i].release, &from, &to);
        if (from != cases[i].from || to != cases[i].to)
            fail_msg("%s %d: %d..%d, want %d..%d", cs_ref_table_name(cases[i].t),
                     cases[i].release, from, to, cases[i].from, cases[i].to);
    }
}

/* A release records each table's window (default or given); data info
 * shows it; bad windows are refused before anything is read. */
static void test_windows_recorded(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    tu_write(tmp, "icd10.csv", icd10_fy2026);
    tu_write(tmp, "mue.csv", mue_csv);
    cs_data_file files[] = {{"icd10", path_in(tmp, "icd10.csv")}, {"mue", path_in(tmp, "mue.csv")}};
    char *err = NULL;
    assert_int_equal(cs_data_import(out, "2025-10-01", files, 2, &err), 0);
    char *text = cs_data_info(out, &err);
    assert_non_null(text);
    assert_contains(text, "valid mue 2025-10-01..2025-12-31, icd10 2025-10-01..2026-09-30\n");
    cs_free(text);
    /* every table from --valid-from/--valid-to, one table by name */
    cs_data_window w[] = {{"mue", NULL, "2026-03-31"}, {NULL, "2025-07-01", "2026-06-30"}};
    assert_int_equal(cs_data_import_windows(out, "2025-10-01", files, 2, w, 2, &err), 0);
    cs_refdata *r = open_ok(out);
    cs_ref_info info;
    assert_int_equal(cs_refdata_info(r, &info, 1), 1);
    assert_int_equal(info.from[CS_REF_ICD10], 20250701);
    assert_int_equal(info.to[CS_REF_ICD10], 20260630);
    assert_int_equal(info.from[CS_REF_MUE], 20250701);
    assert_int_equal(info.to[CS_REF_MUE], 20260331);
    assert_int_equal(info.from[CS_REF_PTP], 0);
    cs_ref_window win;
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20260701, &win));
    assert_int_equal(win.release, 20251001);
    assert_false(win.covers);
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20260630, &win));
    assert_true(win.covers);
    assert_false(cs_ref_window_of(r, CS_REF_PTP, 20260630, &win));
    cs_refdata_close(r);
    /* refused: the end before the start, a table not imported, an unknown
     * table, not a date */
    static const struct { cs_data_window w; const char *want; } bad[] = {
        {{"icd10", "2026-01-01", "2025-12-31"},
         "the validity window of table icd10 ends (2025-12-31) before it starts (2026-01-01)"},
        {{"ptp", "2025-10-01", NULL}, "validity window of table 'ptp', which is not imported"},
        {{"cpt", "2025-10-01", NULL}, "validity window of unknown table 'cpt'"},
        {{NULL, "2025-13-01", NULL}, "validity window of every table: '2025-13-01' is not a date"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(cs_data_import_windows(out, "2024-01-01", files, 2, &bad[i].w, 1, &err), -1);
        assert_contains(err, bad[i].want);
        cs_free(err);
    }
    assert_int_equal(count_entries(out), 1);        /* nothing written */
    tu_rmdir(tmp);
}

/* claimscrub data import: --valid-from/--valid-to for every table,
 * --window TABLE=FROM..TO for one (it wins), data info shows the windows;
 * malformed options are usage errors. */
static void test_cli_windows(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200], icd[4200], mue[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    tu_write(tmp, "icd10.csv", icd10_fy2026);
    tu_write(tmp, "mue.csv", mue_csv);
    snprintf(icd, sizeof icd, "%s", path_in(tmp, "icd10.csv"));
    snprintf(mue, sizeof mue, "%s", path_in(tmp, "mue.csv"));
    const char *imp[] = {"data", "import", "--out", out, "--release", "2025-10-01", "--icd10", icd,
                         "--mue", mue, "--valid-to", "2026-06-30", "--window",
                         "icd10=2025-10-01..2026-09-30", NULL};
    tu_result r = tu_run_cli(tmp, NULL, imp);
    if (r.status != 0) fail_msg("import: %s", r.err);
    tu_result_free(&r);
    const char *info[] = {"data", "info", "--data", out, NULL};
    r = tu_run_cli(tmp, NULL, info);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "  valid mue 2025-10-01..2026-06-30, icd10 2025-10-01..2026-09-30\n");
    tu_result_free(&r);
    static const struct { const char *opt, *val, *want; } bad[] = {
        {"--window", "icd10", "--window 'icd10' is not TABLE=YYYY-MM-DD..YYYY-MM-DD"},
        {"--window", "icd10=2025-10-01", "is not TABLE=YYYY-MM-DD..YYYY-MM-DD"},
        {"--window", "icd10=2026-10-01..2025-10-01", "the validity window of table icd10 ends (2025-10-01) before it starts (2026-10-01)"},
        {"--valid-from", "2025-02-30", "validity window of every table: '2025-02-30' is not a date"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *args[] = {"data", "import", "--out", out, "--release", "2025-10-01", "--icd10", icd,
                              bad[i].opt, bad[i].val, NULL};
        r = tu_run_cli(tmp, NULL, args);
        assert_int_equal(r.status, 2);
        assert_contains(r.err, bad[i].want);
        tu_result_free(&r);
    }
    tu_rmdir(tmp);
}

/* Three ICD-10-CM releases: each date of service uses the fiscal year in
 * force; before the oldest window and after the newest, the release used
 * says it does not cover the date. */
static void test_icd10_releases_by_date(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_icd10(tmp, out, "fy2024.csv", icd10_fy2024, 20240701);
    import_icd10(tmp, out, "fy2025.csv", icd10_fy2025, 20241001);
    import_icd10(tmp, out, "fy2026.csv", icd10_fy2026, 20251001);
    cs_refdata *r = open_ok(out);
    cs_icd10 x;
    cs_ref_window w;
    /* E11.A: not in FY2024 or FY2025, billable in FY2026 */
    assert_false(cs_ref_icd10(r, "E11.A", 20240301, &x));
    assert_false(cs_ref_icd10(r, "E11.A", 20250930, &x));
    assert_true(cs_ref_icd10(r, "E11.A", 20251001, &x) && x.billable);
    assert_true(cs_ref_icd10(r, "E11A", 20260930, &x));
    assert_true(cs_ref_icd10(r, "QA0.0101", 20260301, &x) && x.billable);
    assert_false(cs_ref_icd10(r, "QA0.0101", 20250301, &x));
    /* the FY2024 code set lives in a release dated 2024-07-01: used from
     * its window's start, 2023-10-01 */
    assert_int_equal(cs_ref_release(r, CS_REF_ICD10, 20231001), 20240701);
    assert_int_equal(cs_ref_release(r, CS_REF_ICD10, 20240930), 20240701);
    assert_int_equal(cs_ref_release(r, CS_REF_ICD10, 20241001), 20241001);
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20240101, &w) && w.covers);
    /* M54.5, a header since FY2022, on a 2019 claim: the oldest release,
     * which does not cover the date */
    assert_true(cs_ref_icd10(r, "M54.5", 20190603, &x) && !x.billable);
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20190603, &w));
    assert_int_equal(w.release, 20240701);
    assert_int_equal(w.from, 20231001);
    assert_int_equal(w.to, 20240930);
    assert_false(w.covers);
    /* after the newest window: FY2026 is used and says so */
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20261001, &w));
    assert_int_equal(w.release, 20251001);
    assert_false(w.covers);
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

/* A release dated before its window starts (next year's code set,
 * published early): dates of service before the window use the release
 * whose window holds them, not the newest release dated before them. */
static void test_window_before_release_date(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    import_icd10(tmp, out, "fy2025.csv", icd10_fy2025, 20241001);
    tu_write(tmp, "fy2026.csv", icd10_fy2026);
    cs_data_file f = {"icd10", path_in(tmp, "fy2026.csv")};
    cs_data_window w = {"icd10", "2025-10-01", "2026-09-30"};
    char *err = NULL;
    assert_int_equal(cs_data_import_windows(out, "2025-06-15", &f, 1, &w, 1, &err), 0);
    cs_refdata *r = open_ok(out);
    cs_icd10 x;
    assert_int_equal(cs_ref_release(r, CS_REF_ICD10, 20250801), 20241001);
    assert_false(cs_ref_icd10(r, "E11.A", 20250801, &x));
    assert_int_equal(cs_ref_release(r, CS_REF_ICD10, 20251001), 20250615);
    assert_true(cs_ref_icd10(r, "E11.A", 20251001, &x));
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

/* CMS's alpha-numeric HCPCS file (ANWEB) saved as CSV, hand-written here
 * with a part of CMS's columns: RECID 3 codes with add and termination
 * dates and the coverage code, RECID 7 modifiers (skipped). */
static const char anweb_csv[] =
    "hcpc,seqnum,recid,long_description,short_description,price1,cov,add_dt,act_eff_dt,term_dt,action_cd\n"
    "25,0010,7,Significant e/m service on the same day,Sig sep e/m svc same day,,,19900101,20080101,,N\n"
    "G0389,0010,3,Ultrasound b-scan for abdominal aortic aneurysm screening,Ultrasound exam aaa screen,,D,20070101,20170101,20161231,N\n"
    "J3590,0010,3,Unclassified biologics,Unclassified biologics,,C,20030101,20030101,,N\n"
    "J9999,0010,3,\"Not otherwise classified, antineoplastic drugs\",Antineoplastic drugs,,C,19900101,19970101,,N\n"
    "Q5200,0010,3,A code added in October,New code,,M,20251001,20251001,,A\n";

static void test_anweb_layout(void **state)
{
    char *tmp = tu_tmpdir();
    char out[4200];
    snprintf(out, sizeof out, "%s/set", tmp);
    tu_write(tmp, "anweb.csv", anweb_csv);
    cs_import in = {.hcpcs = path_in(tmp, "anweb.csv"), .release = 20251001};
    import_ok(out, &in);
    cs_refdata *r = open_ok(out);
    cs_ref_info info;
    cs_refdata_info(r, &info, 1);
    assert_int_equal(info.rows[CS_REF_HCPCS], 4);           /* the modifier is not kept */
    cs_hcpcs h;
    assert_true(cs_ref_hcpcs(r, "J3590", 20251103, &h));
    assert_string_equal(h.description, "Unclassified biologics");
    assert_string_equal(h.section, "");
    assert_int_equal(h.cov, 'C');
    assert_int_equal(h.added, 20030101);
    assert_int_equal(h.terminated, 0);
    /* dates honoured: valid from add_dt through term_dt */
    assert_false(cs_ref_hcpcs(r, "J3590", 20021231, &h));
    assert_true(cs_ref_hcpcs(r, "G0389", 20161231, &h));
    assert_int_equal(h.terminated, 20161231);
    assert_int_equal(h.cov, 'D');
    assert_false(cs_ref_hcpcs(r, "G0389", 20170101, &h));
    assert_false(cs_ref_hcpcs(r, "Q5200", 20250930, &h));
    assert_true(cs_ref_hcpcs(r, "Q5200", 20251001, &h));
    assert_false(cs_ref_hcpcs(r, "00025", 20251001, &h));
    cs_refdata_close(r);
    /* CMS's spaced column names read the same */
    tu_write(tmp, "spaced.csv",
             "HCPC,SEQNUM,RECID,LONG DESCRIPTION,COV,ADD DT,TERM DT\n"
             "J3590,0010,3,Unclassified biologics,C,20030101,\n");
    in.hcpcs = path_in(tmp, "spaced.csv");
    import_ok(out, &in);
    /* bad rows: a RECID other than 3 or 7, a termination before the add
     * date, a coverage code that is not a letter */
    static const struct { const char *row, *want; } bad[] = {
        {"J3590,0010,4,Unclassified biologics,C,20030101,\n", "RECID '4' is not 3 (a code) or 7 (a modifier)"},
        {"J3590,0010,3,Unclassified biologics,C,20030101,20021231\n", "TERM_DT 20021231 is before ADD_DT 20030101"},
        {"J3590,0010,3,Unclassified biologics,c1,20030101,\n", "coverage code COV 'c1' is not one capital letter"},
        {"J3590,0010,3,Unclassified biologics,C,2003-13-01,\n", "ADD_DT '2003-13-01' is not a date"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[512];
        snprintf(text, sizeof text, "HCPC,SEQNUM,RECID,LONG DESCRIPTION,COV,ADD DT,TERM DT\n%s",
                 bad[i].row);
        tu_write(tmp, "bad.csv", text);
        in.hcpcs = path_in(tmp, "bad.csv");
        char *err = NULL;
        assert_false(cs_refdata_import(out, &in, &err));
        assert_contains(err, "bad.csv:2: ");
        assert_contains(err, bad[i].want);
        free(err);
    }
    tu_rmdir(tmp);
}

/* CMS's complete ANWEB file of October 2025 and the three ICD-10-CM years
 * ($CMS_DATA): the Level II codes the 2024 descriptions file lacks are
 * there, termination dates are honoured, FY2025/FY2026 import. */
static void test_full_code_sets(void **state)
{
    const char *cms = cms_data();
    if (!cms) { skip(); return; }
    const char *names[] = {"hcpcs_level2_2025_oct_anweb.csv", "icd10cm_fy2024_order_with_chapters.csv.gz",
                           "icd10cm_fy2025_order.csv.gz", "icd10cm_fy2026_order.csv.gz"};
    char keep[4][4200];
    for (int i = 0; i < 4; i++) {
        const char *p = cms_file(cms, names[i]);
        if (!p) { skip(); return; }
        snprintf(keep[i], sizeof keep[i], "%s", p);
    }
    char *tmp = tu_tmpdir();
    cs_import a = {.icd10 = keep[1], .release = 20240701};
    cs_import b = {.icd10 = keep[2], .release = 20241001};
    cs_import c = {.icd10 = keep[3], .hcpcs = keep[0], .release = 20251001};
    import_ok(tmp, &a);
    import_ok(tmp, &b);
    import_ok(tmp, &c);
    cs_refdata *r = open_ok(tmp);
    cs_ref_info info[3];
    assert_int_equal(cs_refdata_info(r, info, 3), 3);
    assert_int_equal(info[1].rows[CS_REF_ICD10], 97584);
    assert_int_equal(info[2].rows[CS_REF_ICD10], 98186);
    assert_int_equal(info[2].rows[CS_REF_HCPCS], 8463);     /* RECID 3 rows */
    cs_hcpcs h;
    static const char *const missed[] = {"J3590", "J2350", "S5000", "A4550"};
    for (int i = 0; i < 4; i++)
        if (!cs_ref_hcpcs(r, missed[i], 20251103, &h)) fail_msg("%s not valid on 2025-11-03", missed[i]);
    assert_true(cs_ref_hcpcs(r, "G0389", 20160601, &h) && h.terminated == 20161231);
    assert_false(cs_ref_hcpcs(r, "G0389", 20251103, &h));
    assert_true(cs_ref_hcpcs(r, "J3420", 20251103, &h) && h.cov != 0);
    cs_icd10 x;
    assert_false(cs_ref_icd10(r, "E11.A", 20250301, &x));
    assert_true(cs_ref_icd10(r, "E11.A", 20260301, &x) && x.billable);
    assert_true(cs_ref_icd10(r, "QA0.0101", 20260301, &x) && x.billable);
    cs_ref_window w;
    assert_true(cs_ref_window_of(r, CS_REF_ICD10, 20190603, &w) && !w.covers);
    assert_true(cs_ref_icd10(r, "M54.5", 20190603, &x) && !x.billable);
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

static void test_full_tables(void **state)
{
    const char *cms = cms_data();
    if (!cms) { skip(); return; }
    const char *names[] = {
        "ncci_ptp_practitioner_2024-07-01_pairs.csv.gz", "ncci_mue_practitioner_2024-07-01.csv",
        "ncci_aoc_2024-06-03_active.csv", "pfs_pprrvu_2024_jul_national.csv",
        "icd10cm_fy2024_order_with_chapters.csv.gz", "hcpcs_level2_2024_descriptions.csv",
        "x12_carc_rarc_group_codes.csv",
    };
    const char *p[7];
    char keep[7][4200];
    for (int i = 0; i < 7; i++) {
        if (!(p[i] = cms_file(cms, names[i]))) { skip(); return; }
        snprintf(keep[i], sizeof keep[i], "%s", p[i]);
    }
    char *tmp = tu_tmpdir();
    cs_import in = {.ptp = {keep[0]}, .mue = keep[1], .aoc = keep[2], .pfs = keep[3],
                    .icd10 = keep[4], .hcpcs = keep[5], .adj = keep[6], .release = 20240701};
    double t0 = now();
    import_ok(tmp, &in);
    double t1 = now();
    cs_refdata *r = open_ok(tmp);
    double t2 = now();
    check_full(r);
    double t3 = now();
    cs_ref_info info;
    cs_refdata_info(r, &info, 1);
    printf("full tables: import %.2f s, open %.3f ms, first lookups %.3f ms, "
           "max RSS %ld MB (import included)\n",
           t1 - t0, (t2 - t1) * 1e3, (t3 - t2) * 1e3, rss_kb() / 1024);
    printf("rows: ptp %ld mue %ld aoc %ld pfs %ld icd10 %ld hcpcs %ld adj %ld\n",
           info.rows[0], info.rows[1], info.rows[2], info.rows[3], info.rows[4], info.rows[5],
           info.rows[6]);
    assert_int_equal(info.rows[CS_REF_PTP], 2546017);
    assert_int_equal(info.rows[CS_REF_MUE], 14677);
    assert_int_equal(info.rows[CS_REF_PFS], 18664);
    assert_int_equal(info.rows[CS_REF_ICD10], 97296);
    assert_true(t2 - t1 < 0.1);
    cs_refdata_close(r);
    tu_rmdir(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ptp_dates),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_releases),
        cmocka_unit_test(test_broken_inputs),
        cmocka_unit_test(test_failed_import_keeps_release),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_corrupt_release),
        cmocka_unit_test(test_empty_data_set),
        cmocka_unit_test(test_icd10_order_file),
        cmocka_unit_test(test_layout_samples),
        cmocka_unit_test(test_default_windows),
        cmocka_unit_test(test_windows_recorded),
        cmocka_unit_test(test_cli_windows),
        cmocka_unit_test(test_icd10_releases_by_date),
        cmocka_unit_test(test_window_before_release_date),
        cmocka_unit_test(test_anweb_layout),
        cmocka_unit_test(test_full_code_sets),
        cmocka_unit_test(test_full_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
