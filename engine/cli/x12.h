/*
 * x12.h -- read ANSI X12 837P (005010X222A1 and A2) files into claim JSON
 * for the CLI (docs/x12.md).
 *
 * The reader takes a whole file, walks its interchanges (ISA/IEA),
 * functional groups (GS/GE) and transactions (ST/SE), and produces one
 * cs_x12_claim per CLM segment: the claim as the project's claim JSON
 * (docs/claim-format.md) plus, when something is wrong with the X12 (a bad
 * segment, an envelope count that does not match, an unsupported version,
 * an unmapped payer), the list of problems, one per line, each naming the
 * segment number and element.  A claim with problems is rejected as a
 * whole (cs_check_problem); one without goes to cs_check.
 *
 * Only an unreadable envelope (no ISA, bad separators) is an error for the
 * file; then the claims read before it are still returned.
 */
#ifndef CS_CLI_X12_H
#define CS_CLI_X12_H

#include <stdbool.h>
#include <stddef.h>

/* Largest X12 file read, in bytes (the file is read whole). */
#define CS_X12_MAX_FILE ((size_t)256 << 20)

typedef struct cs_x12_claim {
    char *json;             /* the claim JSON, NUL-terminated; NULL when the
                               transaction is not one we read */
    size_t len;
    char *problems;         /* NULL, or problems separated by '\n' */
    char *id;               /* CLM01; NULL when the record has no CLM */
    long segment;           /* segment number of the CLM (of ST when none) */
    long line;              /* 1-based line of that segment */
    char transaction[16];   /* ST02 ("" when none) */
} cs_x12_claim;

typedef struct cs_x12_file {
    cs_x12_claim *v;
    size_t n, cap;
} cs_x12_file;

typedef struct cs_x12_opts {
    const char *rules_root; /* folder holding payers/payer-map.csv; NULL: "." */
    bool payer_given;       /* --payer: no finding for an unmapped payer id */
} cs_x12_opts;

/* True when data (after an optional UTF-8 BOM and white space) starts with
 * "ISA". */
bool cs_x12_detect(const char *data, size_t len);

/* Peek at the start of path ("-": standard input, only when it can seek
 * back) and say whether it is X12 by cs_x12_detect. */
bool cs_x12_sniff(const char *path);

/* Read the whole of path ("-": standard input).  NULL with err set on error.
 * The text is NUL-terminated; free() it. */
char *cs_x12_slurp(const char *path, size_t *len, char *err, size_t errlen);

/* Parse len bytes of data into out (zeroed by the caller).  Returns 0, or -1
 * when the envelope is unreadable (err says where and why; the claims read
 * before that point are in out), or -2 when memory ran out. */
int cs_x12_parse(const char *data, size_t len, const cs_x12_opts *opt,
                 cs_x12_file *out, char *err, size_t errlen);

void cs_x12_file_free(cs_x12_file *f);

#endif
