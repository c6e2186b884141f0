/*
 * jsonmem.h -- memory for the cJSON tree of one claim.
 *
 * cJSON allocates every node and string with malloc and frees them one by
 * one; for a claim that is a hundred allocations, about as costly as the
 * parse itself.  The engine instead parses into an arena it owns, and drops
 * the whole tree at once.  To do that it installs cJSON allocation hooks
 * (cJSON_InitHooks, process-wide, once): they use the calling thread's active
 * arena when there is one, and malloc/free otherwise, so other cJSON use is
 * unaffected.  A host that installs its own hooks later only loses the
 * speed-up: cs_jsonmem_owns() then says the tree is not the arena's and the
 * engine frees it with cJSON_Delete.
 */
#ifndef CS_JSONMEM_H
#define CS_JSONMEM_H

#include <stdbool.h>
#include <stddef.h>

/* Size of the block an arena keeps between claims; a claim needing more
 * gets extra blocks, freed when the claim is done. */
#define CS_ARENA_BLOCK ((size_t)64 << 10)

typedef struct cs_arena_block cs_arena_block;

typedef struct cs_arena {
    cs_arena_block *head;       /* newest block first */
    bool oom;                   /* an allocation failed since begin */
} cs_arena;

/* Install the hooks (once per process; thread-safe). */
void cs_jsonmem_init(void);

/* Make a the calling thread's arena until cs_jsonmem_end. */
void cs_jsonmem_begin(cs_arena *a);

/* Stop using a, release everything allocated in it (keeping one block). */
void cs_jsonmem_end(cs_arena *a);

/* True when p was allocated in a since cs_jsonmem_begin. */
bool cs_jsonmem_owns(const cs_arena *a, const void *p);

/* Stop using a, keeping everything allocated in it (an arena that outlives
 * one claim: the trees of an X12 file). */
void cs_jsonmem_leave(cs_arena *a);

/* Free all of a's blocks. */
void cs_arena_free(cs_arena *a);

#endif
