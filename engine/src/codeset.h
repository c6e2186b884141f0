/*
 * codeset.h -- sets of procedure codes: 5-character codes and inclusive
 * ranges ("96372", "J9000-J9999"), as rules write them.
 *
 * One reading of a code list serves both rule triggers (applies_to.codes,
 * trigger.c) and the stdlib's membership tests (the Lua module `codeset`,
 * used by stdlib/codes.lua), so a predicate and the trigger built from the
 * same list cannot disagree.  Codes compare byte by byte: "J9000" <
 * "J9999" < "K0000"; entries are upper-cased when read.
 */
#ifndef CS_CODESET_H
#define CS_CODESET_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#define CS_MAX_SET_CODES 512    /* codes and ranges in one list: a longer
                                   list is reference data, not a code set */

typedef struct cs_codeset cs_codeset;

/* Read the list (or set: keys with value true) at stack index idx into a
 * new code set, pushed as a userdata that owns it.  what names the list in
 * errors ("rule{} applies_to.codes").  Raises a script error for an entry
 * that is not a code or range, an empty list, or one longer than
 * CS_MAX_SET_CODES.  A read-only module table reads through to its
 * contents.  The work is charged to the running script's budget. */
const cs_codeset *cs_codeset_read(lua_State *L, int idx, const char *what);

/* A malloc'd copy of s, or NULL when memory runs out. */
cs_codeset *cs_codeset_copy(const cs_codeset *s);

/* Whether code (NUL-terminated) is in s: a binary search over its ranges. */
bool cs_codeset_has(const cs_codeset *s, const char *code);

/* Push the module table `codeset`, for cs_sandbox_preload:
 * codeset.of(list) -> a function code -> boolean (docs/stdlib.md). */
int cs_codeset_open(lua_State *L);

#endif
