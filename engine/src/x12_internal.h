/*
 * x12_internal.h -- what the engine needs of an X12 claim (x12.c).
 */
#ifndef CS_X12_INTERNAL_H
#define CS_X12_INTERNAL_H

#include <cjson/cJSON.h>

#include "claimscrub.h"

/* Fill *info for c. */
void cs_x12_info_of(const cs_x12_claim *c, cs_x12_info *info);

/* Map c (reading the file only split it into claims): *tree gets its values as a cJSON tree made
 * with cJSON's allocator (the engine's arena when one is active), the tree
 * cJSON would parse from its claim JSON, built without text; NULL for a
 * transaction we do not read.  *problems gets NULL, or its X12 problems
 * (malloc'd, '\n'-separated): those found mapping it, then those found
 * reading the file.  Returns 0, or -2 when memory ran out (both NULL).
 * Release the tree with cJSON_Delete (nothing to do in an arena). */
int cs_x12_map(const cs_x12_claim *c, cJSON **tree, char **problems);

#endif
