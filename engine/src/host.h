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
    uint32_t view_gen;          /* claim the views were last cleaned for */
    const cs_rule *rule;        /* running rule */
    cs_verdict *verdict;

    /* reference data; lookups note the release they used in the verdict */
    const cs_refdata *ref;
} cs_host;

static inline cs_host *cs_host_of(lua_State *L)
{
    return (cs_host *)cs_sandbox_of(L)->host;
}

#endif
