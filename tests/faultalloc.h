/*
 * faultalloc.h -- allocation fault injection for tests (docs/testing.md).
 *
 * A test program that includes this header and is linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 *   --wrap=strdup,--wrap=mmap,--wrap=munmap
 * gets every allocation made by the library objects and the test itself
 * routed through the wrappers below: the engine's own malloc/calloc/
 * realloc/strdup, Lua's (the sandbox allocator calls realloc and free),
 * cJSON's (through the engine's hooks, which call malloc) and the mapped
 * reference data files (mmap).  Once armed, the wrappers count allocations
 * and fail the Nth (one-shot) or every one from the Nth on (sticky), and
 * they keep the set of live blocks and mappings so a test can assert that
 * nothing leaked.
 *
 * Only objects linked statically are wrapped: libc's, liblua's and
 * libcjson's own internal calls (fopen's buffer, say) are not counted.
 * Single-threaded use only.
 */
#ifndef CS_FAULTALLOC_H
#define CS_FAULTALLOC_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

static struct {
    bool armed;         /* counting (and maybe failing) allocations */
    long count;         /* allocations seen since fa_arm */
    long fail_at;       /* 1-based allocation to fail; 0: none */
    bool sticky;        /* fail every allocation from fail_at on */
    long failed;        /* failures injected since fa_arm */
    long live;          /* tracked blocks not yet freed */
    long maps;          /* tracked mappings not yet unmapped */
} fa;

/* The live set: open addressing, linear probing, keys stored scrambled so
 * LeakSanitizer does not see this table as a reference to the blocks. */
#define FA_SLOTS ((size_t)1 << 21)
#define FA_SCRAMBLE ((uintptr_t)0x5a5a5a5a5a5a5a5aULL)
static uintptr_t fa_set[FA_SLOTS];

static size_t fa_slot(uintptr_t k)
{
    return (size_t)((k * (uintptr_t)0x9e3779b97f4a7c15ULL) >> 20) & (FA_SLOTS - 1);
}

static void fa_track(void *p)
{
    uintptr_t k = (uintptr_t)p ^ FA_SCRAMBLE;
    size_t i = fa_slot(k);
    while (fa_set[i]) i = (i + 1) & (FA_SLOTS - 1);
    fa_set[i] = k;
    fa.live++;
}

/* Forget p; false when it was not tracked (allocated before the wrappers
 * saw it, by libc say). */
static bool fa_untrack(void *p)
{
    uintptr_t k = (uintptr_t)p ^ FA_SCRAMBLE;
    size_t i = fa_slot(k);
    while (fa_set[i] && fa_set[i] != k) i = (i + 1) & (FA_SLOTS - 1);
    if (!fa_set[i]) return false;
    fa_set[i] = 0;
    fa.live--;
    /* backward-shift deletion keeps every probe chain unbroken */
    for (size_t j = (i + 1) & (FA_SLOTS - 1); fa_set[j]; j = (j + 1) & (FA_SLOTS - 1)) {
        size_t home = fa_slot(fa_set[j]);
        if (((j - home) & (FA_SLOTS - 1)) >= ((j - i) & (FA_SLOTS - 1))) {
            fa_set[i] = fa_set[j];
            fa_set[j] = 0;
            i = j;
        }
    }
    return true;
}

/* Whether this allocation is to fail. */
static bool fa_fail(void)
{
    if (!fa.armed) return false;
    long k = ++fa.count;
    if (fa.fail_at > 0 && (k == fa.fail_at || (fa.sticky && k > fa.fail_at))) {
        fa.failed++;
        errno = ENOMEM;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    if (fa_fail()) return NULL;
    void *p = __real_malloc(n);
    if (p) fa_track(p);
    return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
    if (fa_fail()) return NULL;
    void *p = __real_calloc(n, size);
    if (p) fa_track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n)
{
    if (!p) return __wrap_malloc(n);
    if (n == 0) { __wrap_free(p); return NULL; }
    if (fa_fail()) return NULL;
    void *q = __real_realloc(p, n);
    if (q && fa_untrack(p)) fa_track(q);
    return q;
}

void __wrap_free(void *p)
{
    if (p) fa_untrack(p);
    __real_free(p);
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Mappings are counted, not keyed: the library maps whole files and unmaps
 * them with the same address. */
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if (fa_fail()) return MAP_FAILED;
    void *p = __real_mmap(addr, len, prot, flags, fd, off);
    if (p != MAP_FAILED) fa.maps++;
    return p;
}

int __wrap_munmap(void *addr, size_t len)
{
    int rc = __real_munmap(addr, len);
    if (rc == 0) fa.maps--;
    return rc;
}

/* Start counting; fail allocation n (0: none), and every later one when
 * sticky. */
static void fa_arm(long n, bool sticky)
{
    fa.count = 0;
    fa.failed = 0;
    fa.fail_at = n;
    fa.sticky = sticky;
    fa.armed = true;
}

/* Stop failing (and counting).  Returns the allocations counted. */
static long fa_disarm(void)
{
    fa.armed = false;
    return fa.count;
}

#endif
