/*
 * refdata.h -- CMS reference data: a data set of releases, looked up by
 * date of service.
 *
 * A data set is a folder of release files, one per release date
 * ("2024-07-01.csref"), each holding any of the tables below, written by
 * cs_refdata_import and read by mapping the file into memory (no parsing at
 * start-up).  Each table of a release has a validity window: the dates of
 * service it is meant for (ICD-10-CM FY2026: 2025-10-01..2026-09-30).  A
 * lookup for table T on date of service D uses the newest release holding T
 * whose window contains D; when none does, the newest release holding T
 * dated on or before D, else the oldest (and cs_ref_window says that D lies
 * outside the window of the release used).  Within a release, rows carry
 * their own dates where CMS gives them (PTP, HCPCS, adjustment codes).
 *
 * The reader treats release files as untrusted input: every offset and count
 * is checked against the file size when it is opened.
 */
#ifndef CS_REFDATA_H
#define CS_REFDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "claim.h"

#define CS_REF_MAX_RELEASES 64   /* release files in one data set */

typedef enum cs_ref_table {
    CS_REF_PTP = 0,     /* NCCI procedure-to-procedure edits (practitioner) */
    CS_REF_MUE,         /* Medically Unlikely Edits (practitioner) */
    CS_REF_AOC,         /* add-on code edits */
    CS_REF_PFS,         /* Physician Fee Schedule RVU file */
    CS_REF_ICD10,       /* ICD-10-CM code set */
    CS_REF_HCPCS,       /* HCPCS Level II code set */
    CS_REF_ADJ,         /* CARC, RARC and group codes */
    CS_REF_NTABLES
} cs_ref_table;

typedef struct cs_refdata cs_refdata;

/* ---- reading ------------------------------------------------------------ */

/* Open every release file in dir.  On error NULL is returned and *err (if
 * not NULL) gets a malloc'd message naming the file and the problem. */
cs_refdata *cs_refdata_open(const char *dir, char **err);
void cs_refdata_close(cs_refdata *r);

/* Release date (YYYYMMDD) of the release used for table t on dos, or 0 when
 * no release holds t. */
cs_date cs_ref_release(const cs_refdata *r, cs_ref_table t, cs_date dos);

typedef struct cs_ref_window {
    cs_date release;            /* the release used for the table on dos */
    cs_date from, to;           /* its validity window for the table */
    bool covers;                /* from <= dos <= to */
} cs_ref_window;

/* The window of the release used for table t on dos.  False when no
 * release holds t. */
bool cs_ref_window_of(const cs_refdata *r, cs_ref_table t, cs_date dos, cs_ref_window *out);

typedef struct cs_ptp {
    cs_date effective;          /* 0 = from the beginning */
    cs_date deleted;            /* 0 = still active (CMS "*") */
    int indicator;              /* 0, 1 or 9 */
    const char *rationale;      /* points into the mapped file */
} cs_ptp;

/* The edit column1/column2 in force on dos (effective <= dos, and dos <=
 * deleted when deleted).  Returns false when there is none. */
bool cs_ref_ptp(const cs_refdata *r, const char *col1, const char *col2,
                cs_date dos, cs_ptp *out);

typedef struct cs_mue {
    int value;                  /* units */
    int mai;                    /* 1 per line, 2 per day (policy), 3 per day (clinical) */
    const char *rationale;
} cs_mue;

bool cs_ref_mue(const cs_refdata *r, const char *code, cs_date dos, cs_mue *out);

/* Add-on code edit type of code (1, 2 or 3), or 0 when code is not an
 * add-on code. */
int cs_ref_aoc_type(const cs_refdata *r, const char *addon, cs_date dos);

/* True when primary is listed as a primary code of addon. */
bool cs_ref_aoc_primary(const cs_refdata *r, const char *addon, const char *primary,
                        cs_date dos);

typedef struct cs_pfs {
    char status;                /* 'A', 'B', 'I', 'N', ... */
    char global[4];             /* "000", "010", "090", "XXX", "YYY", "ZZZ", "MMM" */
    int32_t work_rvu;           /* RVUs in hundredths: 0.43 -> 43 */
    int32_t nonfac_total_rvu;
    int32_t fac_total_rvu;
    int64_t nonfac_price;       /* national payment in cents: total RVU x CF, rounded */
    int64_t fac_price;
    int32_t conv_factor;        /* dollars in ten-thousandths: 33.2875 -> 332875 */
} cs_pfs;

/* The PFS row of code with modifier mod ("" for the global row, "26",
 * "TC", "53"). */
bool cs_ref_pfs(const cs_refdata *r, const char *code, const char *mod,
                cs_date dos, cs_pfs *out);

typedef struct cs_icd10 {
    bool billable;              /* HIPAA-valid (a leaf code) */
    const char *description;
} cs_icd10;

/* code is dotted ("D51.0") or not ("D510").  Returns false when the code
 * is not in the code set at all. */
bool cs_ref_icd10(const cs_refdata *r, const char *code, cs_date dos, cs_icd10 *out);

typedef struct cs_hcpcs {
    const char *section;        /* "Chemotherapy Drugs", ...; "" when the file has none */
    const char *description;
    cs_date added;              /* CMS ADD DT; 0 = not given */
    cs_date terminated;         /* CMS TERM DT (last day); 0 = none */
    char cov;                   /* CMS coverage code (C, D, I, M, S); 0 = not given */
} cs_hcpcs;

/* The code, when it is valid on dos: added on or before dos, and not
 * terminated before it. */
bool cs_ref_hcpcs(const cs_refdata *r, const char *code, cs_date dos, cs_hcpcs *out);

typedef enum cs_adj_kind { CS_ADJ_GROUP, CS_ADJ_CARC, CS_ADJ_RARC } cs_adj_kind;

typedef struct cs_adj {
    cs_date start, end;         /* 0 = open */
    const char *description;
} cs_adj;

/* The adjustment code of that kind, if it is valid on dos (start <= dos,
 * and dos <= end when end is set). */
bool cs_ref_adj(const cs_refdata *r, cs_adj_kind kind, const char *code,
                cs_date dos, cs_adj *out);

/* ---- information -------------------------------------------------------- */

typedef struct cs_ref_info {
    cs_date release;
    char file[64];              /* file name in the data set folder */
    char sha256[65];
    long rows[CS_REF_NTABLES];  /* -1 when the release lacks the table */
    cs_date from[CS_REF_NTABLES], to[CS_REF_NTABLES];  /* windows; 0 when lacking */
} cs_ref_info;

/* Number of releases; fills info[0..min(n, max)-1] in release order. */
int cs_refdata_info(const cs_refdata *r, cs_ref_info *info, int max);

const char *cs_ref_table_name(cs_ref_table t);  /* "ptp", "mue", ... */

/* ---- writing ------------------------------------------------------------ */

/* Input files for one release; NULL = table not given.  Each is CMS's raw
 * layout or the normalised CSV (see docs/data.md), gzip-compressed or not.
 * from/to: a table's validity window; 0 = the default for the table kind
 * from the release date (cs_ref_default_window). */
typedef struct cs_import {
    const char *ptp[8];         /* NULL-terminated: CMS splits PTP in parts */
    const char *mue, *aoc, *pfs, *icd10, *hcpcs, *adj;
    cs_date release;            /* required */
    cs_date from[CS_REF_NTABLES], to[CS_REF_NTABLES];
} cs_import;

/* The default window of table t in a release dated release: the ICD-10-CM
 * fiscal year holding rel (1 October - 30 September), for the other
 * tables the calendar quarter holding it. */
void cs_ref_default_window(cs_ref_table t, cs_date rel, cs_date *from, cs_date *to);

/* Read the inputs and write (or replace) release file <release>.csref in
 * dir, creating dir when needed.  The release file appears complete or not
 * at all (written to a temporary name, then renamed).  On error false is
 * returned, *err gets "file:line: problem", and dir is left as it was. */
bool cs_refdata_import(const char *dir, const cs_import *in, char **err);

#endif
