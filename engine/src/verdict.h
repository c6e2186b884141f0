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
    char source[192];
    const cs_pack *layer;       /* NULL for input.* findings */
    const cs_pack *waived_by;
    const char *waive_reason;
} cs_finding;

typedef struct cs_verdict {
    cs_finding *f;
    int n, cap;
    cs_buf text;                /* message storage */
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
 * of lower ones.  input.* and engine.* findings are never changed. */
void cs_verdict_merge(cs_verdict *v);

/* The claim's status: its highest non-waived severity, or CS_PASS. */
int cs_verdict_status(const cs_verdict *v);

/* Append the claim's record (one line of JSON, no newline) to out. */
void cs_verdict_json(const cs_verdict *v, const cs_origin *origin,
                     const char *rules_hash, cs_buf *out);

const char *cs_fix_action_name(cs_fix_action a);
cs_fix_action cs_fix_action_parse(const char *s);

#endif
