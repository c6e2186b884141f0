/*
 * pack.h -- rule packs, client overlays, and the rules they declare.
 *
 * A pack is payers/<id>/payer.lua plus the scripts it lists; an overlay is
 * clients/<id>/client.lua plus its scripts.  Both are loaded once per engine
 * into its sandbox; rules keep their metadata in C and their check function
 * in Lua.  After its top level has run, a script is sealed: what it left
 * behind is read-only, and its functions' upvalues are reset before every
 * claim.
 */
#ifndef CS_PACK_H
#define CS_PACK_H

#include <stdbool.h>

#include "claim.h"
#include "sandbox.h"

#define CS_MAX_PACKS        256  /* payers plus clients under one rules root */
#define CS_MAX_LAYERS         8  /* depth of an `extends` chain, overlay included */
#define CS_MAX_RULE_ID_LEN   64
#define CS_MAX_SUMMARY_LEN  200

typedef struct cs_pack cs_pack;

typedef struct cs_rule {
    char *id;
    char *summary;
    int severity;               /* CS_INFO..CS_REJECT */
    char group[3], carc[6], rarc[8]; /* "" = none */
    cs_date from, to;           /* effective by date of service; 0 = open */
    char *source;               /* "payers/medicare/visits.lua:12" */
    struct cs_trigger *trigger; /* applies_to; NULL = every claim */
    cs_pack *pack;
} cs_rule;

typedef struct cs_script {
    char *path;                 /* "payers/medicare/visits.lua" */
    int checks;                 /* registry ref: its rules' check functions */
    int sealed;                 /* registry ref: see cs_sandbox_seal */
    int first, count;           /* its rules in pack->rules */
} cs_script;

/* A waiver (reason set) or a severity change (severity set) of a rule of a
 * lower layer. */
typedef struct cs_override {
    char *rule;
    char *reason;
    int severity;
} cs_override;

struct cs_pack {
    char *id, *name, *extends;
    bool is_client;
    char *manifest;             /* "payers/medicare/payer.lua" */
    cs_pack *base;              /* resolved `extends` */
    cs_script *scripts;
    int nscripts;
    cs_rule *rules;
    int nrules, caprules;
    cs_override *waive, *sev;
    int nwaive, nsev;
};

typedef struct cs_packset {
    cs_pack *packs[CS_MAX_PACKS];
    int npacks;
    char hash[65];              /* SHA-256 over every file loaded, in order */
} cs_packset;

/* Load every payers/<id>/payer.lua and clients/<id>/client.lua under root
 * (in name order) with their scripts into sb.  On error returns false and
 * *err gets "file:line: problem"; what was loaded stays in ps for
 * cs_packset_free. */
bool cs_packset_load(cs_packset *ps, cs_sandbox *sb, const char *root, char **err);
void cs_packset_free(cs_packset *ps);

/* The payer pack or client overlay with this id, or NULL. */
cs_pack *cs_packset_find(const cs_packset *ps, const char *id, bool client);

/* How the layers above layers[from] (of layers[0..n), base first) treat
 * rule id of layers[from]: returns its severity after their severity
 * changes (bottom-up, so the highest layer has the last word), starting
 * from severity.  *sev_by gets the last layer that changed it, *waived_by
 * the highest layer waiving it and *reason its reason (NULL when none);
 * any of the three may be NULL. */
int cs_pack_overrides(const cs_pack *const *layers, int n, int from, const char *id,
                      int severity, const cs_pack **sev_by, const cs_pack **waived_by,
                      const char **reason);

/* Severity names "info".."reject" to CS_INFO..CS_REJECT; -1 if unknown. */
int cs_severity_parse(const char *s);

/* Host functions for scripts, defined in run.c. */
int cs_lua_rule(lua_State *L);
int cs_lua_flag(lua_State *L);

#endif
