/* testutil.h -- shared helpers for the cmocka suites. */
#ifndef CS_TESTUTIL_H
#define CS_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Read a whole file; NULL when it cannot be read.  Caller frees. */
static inline char *tu_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 1 >= cap) { cap *= 2; buf = realloc(buf, cap); }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    buf[n] = 0;
    if (len) *len = n;
    return buf;
}

/* Assert that haystack contains needle, printing both when it does not. */
#define assert_contains(hay, needle) do { \
    const char *h_ = (hay), *n_ = (needle); \
    if (!h_ || !strstr(h_, n_)) \
        fail_msg("expected to find\n  %s\nin\n  %s", n_, h_ ? h_ : "(null)"); \
} while (0)

#define assert_not_contains(hay, needle) do { \
    const char *h_ = (hay), *n_ = (needle); \
    if (h_ && strstr(h_, n_)) \
        fail_msg("did not expect\n  %s\nin\n  %s", n_, h_); \
} while (0)

#endif
