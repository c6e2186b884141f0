/*
 * refmemo.h -- what the claim being checked looked up in the reference
 * data, kept for that claim so that rule triggers (trigger.c) and `ref`
 * functions (refview.c) share one lookup.
 *
 * Every lookup notes the release it used in the claim's verdict, as a
 * `ref` lookup does.  The memo belongs to the engine's host and is
 * forgotten when the next claim starts (cs_host.gen changes).
 */
#ifndef CS_REFMEMO_H
#define CS_REFMEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "claim.h"
#include "refdata.h"

/* PTP edits kept per claim: a claim with more (a 50-line claim of codes
 * that all edit each other) has them looked up again by ref.ptp_edits. */
#define CS_MEMO_MAX_PTP 64

typedef struct cs_ptp_pair {
    uint8_t col1, col2;         /* 0-based lines: column 1, column 2 */
    cs_ptp edit;
} cs_ptp_pair;

typedef struct cs_refmemo {
    uint32_t gen;               /* the claim (cs_host.gen) it holds */
    signed char pfs[CS_MAX_LINES];  /* -2 not looked up, -1 no data, 0 no row, 1 row */
    cs_pfs pfs_row[CS_MAX_LINES];
    signed char icd10_problem;  /* -1 not tested (trigger.c) */
    int nptp;                   /* -3 not looked up, -2 more than the memo
                                   holds, -1 no data for some date, else
                                   the number of edits */
    cs_ptp_pair ptp[CS_MEMO_MAX_PTP];
} cs_refmemo;

struct cs_host;

/* Forget the previous claim's lookups when h checks another claim. */
void cs_refmemo_start(struct cs_host *h);

/* The data set when it can answer for table t on dos, noting the release
 * in the verdict; NULL when it cannot (no data, or no release holds t). */
const cs_refdata *cs_refmemo_data(struct cs_host *h, cs_ref_table t, cs_date dos);

/* The PFS row (no modifier) of line i, or NULL when the data set has none;
 * *no_data is set when the data set cannot answer at all. */
const cs_pfs *cs_refmemo_pfs(struct cs_host *h, int i, bool *no_data);

/* Called for each pair cs_refmemo_each_ptp looks up: lines col1 and col2
 * (0-based), and the edit in force (NULL when none). */
typedef void cs_ptp_visit(void *ctx, int col1, int col2, const cs_ptp *edit);

/* Look up every ordered pair of different lines on the same date of
 * service, by column 2 line, then column 1 line, noting the release of
 * each (and, while the claim is explained, listing it as a row of the
 * rule), and call fn for every pair the data set can answer for.  Not
 * memoised: the memo itself, and explain, which lists each pair, use it.
 * Returns 0, or the first date of service the data set cannot answer for
 * (the pairs of the other dates are still visited). */
cs_date cs_refmemo_each_ptp(struct cs_host *h, cs_ptp_visit *fn, void *ctx);

/* The PTP edits in force between ordered pairs of different lines on the
 * same date of service, by column 2 line, then column 1 line: *pairs gets
 * them and the count is returned; -1 when the data set cannot answer for
 * some date, -2 when there are more than CS_MEMO_MAX_PTP. */
int cs_refmemo_ptp(struct cs_host *h, const cs_ptp_pair **pairs);

#endif
