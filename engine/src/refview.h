/*
 * refview.h -- the Lua module `ref`: read-only lookups in the engine's
 * reference data set (refdata.h), by date of service.  See docs/stdlib.md.
 */
#ifndef CS_REFVIEW_H
#define CS_REFVIEW_H

#include <lua.h>

/* Push the module table.  For cs_sandbox_preload(sb, "ref", cs_refview_open,
 * &err); the functions find the data set in the sandbox's cs_host (ref)
 * and note the release of every lookup in its verdict's data_used. */
int cs_refview_open(lua_State *L);

#endif
