/*
 * jsonmem.c -- a per-thread arena behind cJSON's allocation hooks.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "jsonmem.h"

#define ALIGN 16

struct cs_arena_block {
    cs_arena_block *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
};

static _Thread_local cs_arena *active;
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static cs_arena_block *new_block(size_t size)
{
    cs_arena_block *b = malloc(sizeof *b + size);
    if (!b) return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

static void *arena_alloc(cs_arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    cs_arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        b = new_block(n > CS_ARENA_BLOCK ? n : CS_ARENA_BLOCK);
        if (!b) { a->oom = true; return NULL; }
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static void *hook_malloc(size_t n)
{
    return active ? arena_alloc(active, n) : malloc(n);
}

/* Arena memory is released all at once by cs_jsonmem_end. */
static void hook_free(void *p)
{
    if (!active) free(p);
}

static void install(void)
{
    cJSON_Hooks h = {hook_malloc, hook_free};
    cJSON_InitHooks(&h);
}

void cs_jsonmem_init(void) { pthread_once(&hooks_once, install); }

void cs_jsonmem_begin(cs_arena *a)
{
    a->oom = false;
    active = a;
}

void cs_jsonmem_end(cs_arena *a)
{
    active = NULL;
    cs_arena_block *b = a->head;
    if (!b) return;
    /* keep the oldest block, which has the standard size */
    while (b->next) {
        cs_arena_block *next = b->next;
        free(b);
        b = next;
    }
    b->used = 0;
    a->head = b;
}

void cs_jsonmem_leave(cs_arena *a)
{
    if (active == a) active = NULL;
}

bool cs_jsonmem_owns(const cs_arena *a, const void *p)
{
    for (const cs_arena_block *b = a->head; b; b = b->next)
        if ((const unsigned char *)p >= b->data && (const unsigned char *)p < b->data + b->used)
            return true;
    return false;
}

void cs_arena_free(cs_arena *a)
{
    cs_jsonmem_end(a);
    free(a->head);
    a->head = NULL;
}
