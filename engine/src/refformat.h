/*
 * refformat.h -- the on-disk layout of a release file (.csref), shared by
 * the reader (refdata.c) and the writer (refimport.c).  docs/data.md,
 * "Release file format", is the prose version of this header.
 *
 * A release file is little-endian and laid out as
 *
 *   header       64 bytes (csref_header)
 *   directory    header.ntables entries of 24 bytes (csref_dirent)
 *   tables       each at an 8-byte aligned offset: count fixed-size
 *                records, sorted by the table's key (csref_key)
 *   strings      one directory entry of 1-byte "records": NUL-terminated
 *                strings; it starts and ends with a NUL byte, so offset 0
 *                is "" and every offset inside it starts a terminated string
 *
 * Codes are packed into integers (csref_pack) whose numeric order is the
 * codes' byte order, so a lookup is a binary search over integer keys.
 * The file describes itself completely; the reader trusts none of it and
 * checks every offset and count against the file size (refdata.c).
 */
#ifndef CS_REFFORMAT_H
#define CS_REFFORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "claim.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "release files are little-endian and read in place: a big-endian host needs byte swapping"
#endif

#define CSREF_MAGIC       "CSREF\0\0\1"     /* 8 bytes, the last is the format family */
#define CSREF_MAGIC_LEN   8
#define CSREF_VERSION     2u                /* bumped on any incompatible change:
                                               2 added the windows table and the
                                               HCPCS dates and coverage code */
#define CSREF_ALIGN       8u                /* table offsets; records hold u64 at most */
#define CSREF_MAX_DIRENTS 16u               /* 7 tables + labels + strings, with room */

/* Table ids in the directory: the cs_ref_table values, and two internal
 * tables. */
#define CSREF_T_LABELS  64u     /* PTP rationales: u32 string offsets */
#define CSREF_T_STRINGS 65u     /* the string pool, record size 1 */
#define CSREF_T_WINDOWS 66u     /* validity window of each table (csref_window) */

/* PTP dates are u16 days since 1970-01-01 (0 = none), which covers
 * 1970-01-02 .. 2149-06-06; NCCI started in 1996. */
#define CSREF_DAY_MAX 65535

typedef struct csref_header {
    char magic[CSREF_MAGIC_LEN];
    uint32_t version;
    int32_t release;            /* YYYYMMDD */
    uint32_t ntables;           /* directory entries after the header */
    uint32_t reserved0;         /* 0 */
    uint64_t file_size;         /* the whole file: catches truncation */
    uint8_t reserved[32];       /* 0 */
} csref_header;

typedef struct csref_dirent {
    uint32_t table;             /* cs_ref_table or CSREF_T_* */
    uint32_t record_size;       /* must equal csref_record_size(table) */
    uint64_t offset;            /* from the start of the file, 8-aligned */
    uint64_t count;             /* records */
} csref_dirent;

typedef struct csref_ptp {      /* key col1:col2, then effective, deleted */
    uint32_t col1, col2;        /* csref_pack(code, 5) */
    uint16_t effective;         /* days since 1970-01-01; 0 = from the beginning */
    uint16_t deleted;           /* days; 0 = active */
    uint16_t rationale;         /* index into the labels table */
    uint8_t indicator;          /* 0, 1 or 9 */
    uint8_t pad;
} csref_ptp;

typedef struct csref_mue {      /* key code */
    uint32_t code;
    uint32_t value;
    uint32_t rationale;         /* string offset */
    uint8_t mai;                /* 1, 2 or 3 */
    uint8_t pad[3];
} csref_mue;

typedef struct csref_aoc {      /* key addon:primary */
    uint32_t addon;
    uint32_t primary;           /* 0 = no specific primary (CMS "CCCCC") */
    uint8_t type;               /* 1, 2 or 3 */
    uint8_t pad[3];
} csref_aoc;

typedef struct csref_pfs {      /* key code:mod */
    uint32_t code;
    int32_t work_rvu;           /* hundredths */
    int32_t nonfac_total_rvu;
    int32_t fac_total_rvu;
    int32_t conv_factor;        /* ten-thousandths of a dollar */
    uint16_t mod;               /* csref_pack(mod, 2); 0 = the global row */
    char status;
    char global[3];             /* no NUL */
    uint8_t pad[2];
} csref_pfs;

typedef struct csref_icd10 {    /* key code */
    uint64_t code;              /* csref_pack(undotted code, 7) */
    uint32_t description;       /* string offset */
    uint8_t billable;
    uint8_t pad[3];
} csref_icd10;

typedef struct csref_hcpcs {    /* key code */
    uint32_t code;
    uint32_t section;           /* string offset */
    uint32_t description;       /* string offset */
    int32_t added;              /* YYYYMMDD, first day; 0 = not given */
    int32_t terminated;         /* YYYYMMDD, last day; 0 = not terminated */
    char cov;                   /* Medicare coverage code (CMS COV), 0 = not given */
    uint8_t pad[3];
} csref_hcpcs;

/* The dates of service a table of the release is meant for: the release's
 * answer "not in the table" holds inside [from, to] only.  One record per
 * table of the release, sorted by table id. */
typedef struct csref_window {   /* key table */
    uint32_t table;             /* cs_ref_table */
    int32_t from, to;           /* YYYYMMDD, both set, from <= to */
} csref_window;

typedef struct csref_adj {      /* key kind:code, then start */
    uint32_t code;              /* csref_pack(code, 5) */
    uint8_t kind;               /* cs_adj_kind */
    uint8_t pad[3];
    int32_t start, end;         /* YYYYMMDD; 0 = open */
    uint32_t description;       /* string offset */
} csref_adj;

_Static_assert(sizeof(csref_header) == 64, "header layout");
_Static_assert(sizeof(csref_dirent) == 24, "directory layout");
_Static_assert(sizeof(csref_ptp) == 16, "ptp layout");
_Static_assert(sizeof(csref_mue) == 16, "mue layout");
_Static_assert(sizeof(csref_aoc) == 12, "aoc layout");
_Static_assert(sizeof(csref_pfs) == 28, "pfs layout");
_Static_assert(sizeof(csref_icd10) == 16, "icd10 layout");
_Static_assert(sizeof(csref_hcpcs) == 24, "hcpcs layout");
_Static_assert(sizeof(csref_window) == 12, "window layout");
_Static_assert(sizeof(csref_adj) == 20, "adj layout");

/* Record size of a table id; 0 for an unknown id. */
static inline uint32_t csref_record_size(uint32_t table)
{
    switch (table) {
    case 0: return sizeof(csref_ptp);
    case 1: return sizeof(csref_mue);
    case 2: return sizeof(csref_aoc);
    case 3: return sizeof(csref_pfs);
    case 4: return sizeof(csref_icd10);
    case 5: return sizeof(csref_hcpcs);
    case 6: return sizeof(csref_adj);
    case CSREF_T_LABELS: return sizeof(uint32_t);
    case CSREF_T_STRINGS: return 1;
    case CSREF_T_WINDOWS: return sizeof(csref_window);
    default: return 0;
    }
}

/* The sort and search key of a record of table (one of the cs_ref_table
 * values). */
static inline uint64_t csref_key(uint32_t table, const void *rec)
{
    switch (table) {
    case 0: { const csref_ptp *p = rec; return (uint64_t)p->col1 << 32 | p->col2; }
    case 1: return ((const csref_mue *)rec)->code;
    case 2: { const csref_aoc *a = rec; return (uint64_t)a->addon << 32 | a->primary; }
    case 3: { const csref_pfs *p = rec; return (uint64_t)p->code << 16 | p->mod; }
    case 4: return ((const csref_icd10 *)rec)->code;
    case 5: return ((const csref_hcpcs *)rec)->code;
    case 6: { const csref_adj *a = rec; return (uint64_t)a->kind << 32 | a->code; }
    default: return 0;
    }
}

/* Pack a code of n characters (at most width, [0-9A-Za-z], case ignored)
 * as width base-37 digits: '0'-'9' are 1-10, letters 11-36, positions past
 * the end 0.  So shorter codes sort first and the numeric order of packed
 * codes is the byte order of the upper-cased codes.  Returns 0 when the
 * code is empty, longer than width or has another character.  width 5 fits
 * in 32 bits (37^5 < 2^27), width 7 in 64. */
static inline uint64_t csref_pack(const char *s, size_t n, int width)
{
    if (n == 0 || n > (size_t)width) return 0;
    uint64_t v = 0;
    for (int i = 0; i < width; i++) {
        unsigned d = 0;
        if ((size_t)i < n) {
            unsigned char c = (unsigned char)s[i];
            if (c >= '0' && c <= '9') d = 1 + (c - '0');
            else if (c >= 'A' && c <= 'Z') d = 11 + (c - 'A');
            else if (c >= 'a' && c <= 'z') d = 11 + (c - 'a');
            else return 0;
        }
        v = v * 37 + d;
    }
    return v;
}

/* Pack an ICD-10-CM code, dotted ("D51.0") or not ("D510"): a letter, a
 * digit or (from FY2026, category QA0) a letter, then 1 to 5 more letters or
 * digits, with at most one dot, right after the third character.  Both forms give the same value; 0 when the
 * text is not shaped like a code. */
static inline uint64_t csref_pack_icd10(const char *s, size_t n)
{
    char u[7];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && i == 3 && n > 4) continue;
        if (k == sizeof u) return 0;
        u[k++] = s[i];
    }
    if (k < 3) return 0;
    unsigned char c0 = (unsigned char)u[0], c1 = (unsigned char)u[1];
    if (!((c0 >= 'A' && c0 <= 'Z') || (c0 >= 'a' && c0 <= 'z'))) return 0;
    if (!((c1 >= '0' && c1 <= '9') || (c1 >= 'A' && c1 <= 'Z') || (c1 >= 'a' && c1 <= 'z')))
        return 0;
    return csref_pack(u, k, 7);
}

/* Days since 1970-01-01 of a valid date d, as stored in PTP records; 0
 * when d is 0 or outside 1970-01-02 .. 2149-06-06. */
static inline uint16_t csref_days(cs_date d)
{
    if (d == 0) return 0;
    int32_t days = cs_date_days(d);
    return days > 0 && days <= CSREF_DAY_MAX ? (uint16_t)days : 0;
}

/* The date (YYYYMMDD) of days since 1970-01-01 (civil_from_days). */
static inline cs_date csref_date(int32_t days)
{
    days += 719468;
    int32_t era = (days >= 0 ? days : days - 146096) / 146097;
    int32_t doe = days - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t y = yoe + era * 400;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    int32_t d = doy - (153 * mp + 2) / 5 + 1;
    int32_t m = mp + (mp < 10 ? 3 : -9);
    return (y + (m <= 2)) * 10000 + m * 100 + d;
}

#endif
