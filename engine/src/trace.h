/*
 * trace.h -- what `claimscrub explain` shows of one claim: every rule of its
 * layers in run order with what happened to it, how long it took and the
 * reference rows its `ref` lookups consulted.
 *
 * Recording happens only while cs_host.trace is set (cs_explain); the hooks
 * in run.c and refview.c are one test of that pointer otherwise.  Findings
 * are not copied: a rule's entry keeps the range of the verdict's findings
 * it added, and cs_trace_json reads them after cs_verdict_merge, so the
 * trace shows final severities and waivers.
 */
#ifndef CS_TRACE_H
#define CS_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "pack.h"
#include "refdata.h"
#include "verdict.h"

/* Reference rows recorded per rule; later lookups are only counted
 * ("refs_more").  cms.ncci.ptp looks up every ordered pair of lines, so a
 * 50-line claim makes 2,450 lookups: the first rows are the ones to read. */
#define CS_TRACE_MAX_REFS 32

/* Why a rule did not run. */
typedef enum cs_trace_skip {
    CS_TRACE_RAN = 0,
    CS_TRACE_NOT_IN_FORCE,      /* no line's date of service is in its effective range */
    CS_TRACE_NOT_APPLICABLE     /* its applies_to does not hold (trigger.h) */
} cs_trace_skip;

/* The `ref` function a row was looked up with. */
typedef enum cs_trace_lookup {
    CS_LOOKUP_PTP, CS_LOOKUP_MUE, CS_LOOKUP_AOC_TYPE, CS_LOOKUP_AOC_PRIMARY,
    CS_LOOKUP_PFS, CS_LOOKUP_ICD10, CS_LOOKUP_HCPCS, CS_LOOKUP_CARC,
    CS_LOOKUP_RARC, CS_LOOKUP_GROUP
} cs_trace_lookup;

typedef struct cs_trace_ref {
    cs_trace_lookup lookup;
    char key[24];               /* "96372/99211" (column 1/column 2), "J0696",
                                   "99213-26" (PFS with modifier), "D51.0" */
    cs_date dos, release;       /* release 0: the data set has none */
    bool found;
    union {
        cs_ptp ptp;
        cs_mue mue;
        int aoc_type;
        cs_pfs pfs;
        cs_icd10 icd10;
        cs_hcpcs hcpcs;
        cs_adj adj;
    } row;                      /* strings point into the mapped data set */
} cs_trace_ref;

typedef struct cs_trace_rule {
    const cs_rule *rule;        /* its layer is rule->pack */
    cs_trace_skip skipped;
    int f0, f1;                 /* its findings: verdict f[f0..f1) */
    int r0, nrefs;              /* its rows: refs[r0..r0 + nrefs) */
    long more;                  /* lookups past CS_TRACE_MAX_REFS */
    long long us;               /* elapsed, monotonic clock */
    struct timespec start;
} cs_trace_rule;

typedef struct cs_trace {
    const cs_refdata *ref;      /* for the release of each row */
    cs_trace_rule *rules;
    int n, cap;
    cs_trace_ref *refs;
    int nrefs, capref;
    bool running;               /* rules[n - 1] is running */
    bool oom;                   /* something was not recorded */
} cs_trace;

/* Forget the last claim, keeping allocations; ref is the engine's data set
 * (NULL: none). */
void cs_trace_reset(cs_trace *t, const cs_refdata *ref);
void cs_trace_free(cs_trace *t);

/* Rule r did not run on this claim, for reason why. */
void cs_trace_skipped(cs_trace *t, const cs_rule *r, cs_trace_skip why);

/* Rule r starts / ends checking the claim whose verdict is v.  A rule
 * with applies_to begins before its trigger is tested, so the rows the
 * trigger looks up are the rule's; its check then continues the entry. */
void cs_trace_begin(cs_trace *t, const cs_rule *r, const cs_verdict *v);
void cs_trace_end(cs_trace *t, const cs_verdict *v);

/* The running rule's trigger does not hold: it is not applicable. */
void cs_trace_not_applicable(cs_trace *t);

/* A lookup of the running rule and its result (NULL / 0 / false: no row). */
void cs_trace_ptp(cs_trace *t, const char *col1, const char *col2, cs_date dos, const cs_ptp *row);
void cs_trace_mue(cs_trace *t, const char *code, cs_date dos, const cs_mue *row);
void cs_trace_aoc_type(cs_trace *t, const char *addon, cs_date dos, int type);
void cs_trace_aoc_primary(cs_trace *t, const char *addon, const char *primary, cs_date dos,
                          bool listed);
void cs_trace_pfs(cs_trace *t, const char *code, const char *mod, cs_date dos, const cs_pfs *row);
void cs_trace_icd10(cs_trace *t, const char *code, cs_date dos, const cs_icd10 *row);
void cs_trace_hcpcs(cs_trace *t, const char *code, cs_date dos, const cs_hcpcs *row);
void cs_trace_adj(cs_trace *t, cs_adj_kind kind, const char *code, cs_date dos, const cs_adj *row);

/* Append ,"trace":[...] to the record in b, just inside its closing brace
 * (b holds what cs_verdict_json wrote).  v must be merged. */
void cs_trace_json(const cs_trace *t, const cs_verdict *v, cs_buf *b);

#endif
