/*
 * verdict.h -- findings, layered merging (waivers, severity changes), and
 * the one output record per claim.
 */
#ifndef CS_VERDICT_H
#define CS_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

#include "claimscrub.h"
#include "buf.h"
#include "claim.h"
#include "pack.h"
#include "refdata.h"

#define CS_MAX_FINDINGS      500  /* per claim; a rule past it is an error */
#define CS_MAX_MESSAGE_LEN  1000  /* longer messages are cut, marked "..." */
#define CS_MAX_ENGINE_FINDINGS 64 /* room kept past CS_MAX_FINDINGS for the
                                     engine's own findings (script errors) */

typedef enum cs_fix_action {
    CS_FIX_NONE = 0,
    CS_FIX_ADD_MODIFIER,
    CS_FIX_REMOVE_MODIFIER,
    CS_FIX_REPLACE_CODE,
    CS_FIX_SET_UNITS,
    CS_FIX_REMOVE_LINE,
    CS_FIX_ADD_LINE
} cs_fix_action;

typedef struct cs_fix {
    cs_fix_action action;
    int line;                   /* 1-based; 0 for add_line */
    char arg[6];                /* modifier or code */
    int32_t units;
} cs_fix;

typedef struct cs_finding {
    char rule[CS_MAX_RULE_ID_LEN + 1];
    int severity;               /* after overrides */
    int severity_from;          /* before; == severity when unchanged */
    const cs_pack *severity_by;
    int line;                   /* 0 = the claim as a whole */
    uint8_t lines[CS_MAX_LINES];
    int nlines;
    size_t message;             /* offset into cs_verdict.text */
    size_t message_len;
    char group[3], carc[6], rarc[8];
    cs_fix fix;
    int64_t amount;
    bool has_amount;
    bool amount_given;          /* the rule gave the amount (flag's opts) */
    int zero_from;              /* severity before the $0.00 downgrade; 0 = none */
    bool primary;               /* the primary reason of at least one line */
    char source[192];
    const cs_pack *layer;       /* NULL for input.* findings */
    const cs_pack *waived_by;
    const char *waive_reason;
} cs_finding;

/* One line's outcome, filled by cs_verdict_lines. */
typedef struct cs_line_verdict {
    int status;                 /* CS_PASS when nothing touches the line */
    int primary;                /* index in cs_verdict.f, or -1 */
    int64_t at_risk;            /* the line's charge when denied/rejected, else 0 */
} cs_line_verdict;

#define CS_RECORD_FORMAT 2      /* "format" of the record (docs/cli.md) */

typedef struct cs_verdict {
    cs_finding *f;
    int n, cap;
    cs_buf text;                /* message storage */
    const cs_claim *claim;      /* the claim as read; NULL when unreadable */
    cs_line_verdict lines[CS_MAX_LINES]; /* per line of claim, cs_verdict_lines */
    int64_t at_risk;            /* amount_at_risk, cs_verdict_lines */
    const char *claim_id;       /* NULL when unreadable */
    const char *payer, *client; /* NULL when unknown */
    const cs_pack *layers[CS_MAX_LAYERS];
    int nlayers;
    cs_date data_used[CS_REF_NTABLES]; /* release consulted per table; 0 = none */
} cs_verdict;

/* Reset for a new claim, keeping allocations. */
void cs_verdict_reset(cs_verdict *v);
void cs_verdict_free(cs_verdict *v);

/* Append a finding (zeroed apart from rule and severity) and return it, or
 * NULL when CS_MAX_FINDINGS is reached or memory ran out. */
cs_finding *cs_verdict_add(cs_verdict *v, const char *rule, int severity);

/* The same for the engine's own findings, which may use the room past
 * CS_MAX_FINDINGS; when even that is full, the last finding is replaced, so
 * an engine finding is never lost. */
cs_finding *cs_verdict_add_engine(cs_verdict *v, const char *rule, int severity);

/* Store msg as f's message, cut to CS_MAX_MESSAGE_LEN. */
void cs_verdict_message(cs_verdict *v, cs_finding *f, const char *msg, size_t len);

/* Index of layer p in v->layers, or -1. */
int cs_verdict_layer(const cs_verdict *v, const cs_pack *p);

/* Apply the waivers and severity changes of higher layers to the findings
 * of lower ones (input.* and engine.* findings are never changed), then
 * cs_verdict_zero_charge and cs_verdict_lines.  Call it once per claim,
 * before cs_verdict_json, whether rules ran or not. */
void cs_verdict_merge(cs_verdict *v);

/* After merging: report as warn a non-protected deny/reject finding on a
 * line whose money lines (see cs_finding_money_lines) all have a known
 * charge of 0.00 (and whose amount, if any, is 0): no money is at stake.
 * Needs v->claim; claim-level findings keep their severity. */
void cs_verdict_zero_charge(cs_verdict *v);

/* The lines whose money finding f puts at stake, 1-based, into out
 * (CS_MAX_LINES): its line, and its `lines` when the rule gave as amount the
 * sum of their charges.  Returns the count; 0 for a claim-level finding
 * that names no such lines (it concerns the whole claim). */
int cs_finding_money_lines(const cs_verdict *v, const cs_finding *f, uint8_t *out);

/* Fill v->lines, v->at_risk and each finding's primary mark from the
 * non-waived findings (after merging): a line's status is the highest
 * severity of the findings on it (its money lines), and of the claim-level
 * deny/reject findings, which concern every line; its primary finding is the
 * most severe, ties going to the line's own findings, then to record order
 * (layer, then rule order).  at_risk is the sum of the charges of the lines
 * denied or rejected: a set of distinct lines, so never more than the
 * claim's total charge (checked under CS_CHECKS). */
void cs_verdict_lines(cs_verdict *v);

/* The claim's status: its highest non-waived severity, or CS_PASS. */
int cs_verdict_status(const cs_verdict *v);

/* Append the claim's record (one line of JSON, no newline) to out. */
void cs_verdict_json(const cs_verdict *v, const cs_origin *origin,
                     const char *rules_hash, cs_buf *out);

const char *cs_fix_action_name(cs_fix_action a);
cs_fix_action cs_fix_action_parse(const char *s);

#endif
