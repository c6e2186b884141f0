/*
 * run.h -- checking one claim: running each layer's scripts and rules.
 */
#ifndef CS_RUN_H
#define CS_RUN_H

#include <stdbool.h>

#include "host.h"

/* Run every rule of v->layers (in order) against c, adding findings to v.
 * A rule that errors, runs out of CPU or memory yields an
 * engine.script_error finding (severity review); nothing stops the claim. */
void cs_run_claim(cs_sandbox *sb, cs_host *h, const cs_claim *c, cs_verdict *v);

/* Raise a script error naming `what` when the table at idx has a key not
 * in keys (NULL-terminated). */
void cs_check_known_keys(lua_State *L, int idx, const char *const *keys, const char *what);

/* Code formats shared with manifests and lint. */
bool cs_valid_group(const char *s);  /* CO PR OA PI CR */
bool cs_valid_carc(const char *s);   /* 1-5 upper-case letters/digits */
bool cs_valid_rarc(const char *s);   /* letter, then 1-6 letters/digits */

#endif
