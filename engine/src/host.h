/*
 * host.h -- what host functions called from scripts (payer{}, rule{},
 * flag()) need to know about the engine: kept in sandbox->host.
 */
#ifndef CS_HOST_H
#define CS_HOST_H

#include <stdint.h>

#include "buf.h"
#include "claim.h"
#include "pack.h"
#include "refdata.h"
#include "refmemo.h"
#include "trace.h"
#include "verdict.h"

typedef struct cs_host {
    /* manifests */
    const char *manifest_kind;  /* "payer" or "client" while one runs */
    int manifest_ref;           /* registry ref of its table, LUA_NOREF */
    int manifest_line;

    /* scripts being loaded */
    cs_pack *pack;
    cs_script *script;

    /* checking a claim */
    const cs_claim *claim;
    uint32_t gen;               /* claim generation */
    uint32_t view_gen;          /* claim the views were last filled for */
    int view_objects, view_shadows, view_names; /* stack slots while filling */
    uint8_t view_len[512];      /* length of each list view (claimview.c) */
    uint32_t view_set[512];     /* fields holding a value, per record view */
    const cs_rule *rule;        /* running rule */
    cs_verdict *verdict;

    /* reference data; lookups note the release they used in the verdict */
    const cs_refdata *ref;

    /* what the claim being checked looked up (refmemo.h) */
    cs_refmemo memo;

    /* cs_explain: what each rule did; NULL when not explaining */
    cs_trace *trace;
} cs_host;

static inline cs_host *cs_host_of(lua_State *L)
{
    return (cs_host *)cs_sandbox_of(L)->host;
}

#endif
