/*
 * claimview.h -- exposing the claim being checked to scripts, read-only.
 */
#ifndef CS_CLAIMVIEW_H
#define CS_CLAIMVIEW_H

#include <stdbool.h>
#include <lua.h>

/* Register the view metatable in L; once per state.  Returns false when
 * memory ran out. */
bool cs_claimview_init(lua_State *L);

/* Push the view of the claim the host is checking (host->claim, host->gen). */
void cs_claimview_push(lua_State *L);

/* The 1-based line number of the line view at idx, or 0 when idx holds no
 * line of the current claim. */
int cs_claimview_line(lua_State *L, int idx);

/* Whether idx holds the view of the claim being checked. */
bool cs_claimview_is_claim(lua_State *L, int idx);

/* Push the view of line i (0-based) of the claim being checked. */
void cs_claimview_push_line(lua_State *L, int i);

#endif
