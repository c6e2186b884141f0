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

#include <sys/stat.h>
#include <unistd.h>

/* Write text to root/rel, creating folders on the way. */
static inline void tu_write(const char *root, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') { *p = 0; mkdir(path, 0755); *p = '/'; }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A fresh empty temporary folder; caller frees the name. */
static inline char *tu_tmpdir(void)
{
    char tmpl[] = "/tmp/cs-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

/* Remove a folder made by tu_tmpdir. */
static inline void tu_rmdir(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fail_msg("could not remove %s", dir);
    free(dir);
}

#endif
