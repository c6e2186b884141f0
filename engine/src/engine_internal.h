/*
 * engine_internal.h -- what other library files may see of a cs_engine.
 */
#ifndef CS_ENGINE_INTERNAL_H
#define CS_ENGINE_INTERNAL_H

#include "claimscrub.h"
#include "pack.h"

/* The packs and overlays the engine loaded; owned by the engine. */
const cs_packset *cs_engine_packset(const cs_engine *e);

#endif
