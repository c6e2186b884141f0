/*
 * x12_internal.h -- what the engine needs of an X12 claim (x12.c).
 */
#ifndef CS_X12_INTERNAL_H
#define CS_X12_INTERNAL_H

#include <cjson/cJSON.h>

#include "claimscrub.h"

/* Fill *info for c. */
void cs_x12_info_of(const cs_x12_claim *c, cs_x12_info *info);

/* c's values as a cJSON tree, made with cJSON's allocator (the engine's
 * arena when one is active): the tree cJSON would parse from its claim JSON,
 * built without text.  NULL for a transaction we do not read, or when memory
 * ran out.  Release with cJSON_Delete (nothing to do in an arena). */
cJSON *cs_x12_tree(const cs_x12_claim *c);

#endif
