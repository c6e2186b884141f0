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

/* ---- running the command-line tool ---------------------------------------- */

#include <fcntl.h>
#include <sys/wait.h>

typedef struct tu_result {
    int status;             /* exit status; 128 + signal when killed */
    char *out, *err;        /* everything it wrote */
} tu_result;

/* The tool under test: $CLAIMSCRUB, or build/claimscrub. */
static inline const char *tu_cli(void)
{
    const char *p = getenv("CLAIMSCRUB");
    return p ? p : "build/claimscrub";
}

/* Run the tool with args (NULL-terminated), standard input from the file in
 * (NULL: /dev/null); its output goes through files in dir. */
static inline tu_result tu_run_cli(const char *dir, const char *in, const char *const *args)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = tu_cli();
    while (args[n - 1] && n < 63) { argv[n] = args[n - 1]; n++; }
    argv[n] = NULL;
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int i = open(in ? in : "/dev/null", O_RDONLY);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (i < 0 || o < 0 || e < 0) _exit(126);
        dup2(i, 0); dup2(o, 1); dup2(e, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    tu_result r = {WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws),
                   tu_slurp(out, NULL), tu_slurp(err, NULL)};
    assert_non_null(r.out);
    assert_non_null(r.err);
    if (r.status == 127) fail_msg("cannot run %s", tu_cli());
    return r;
}

static inline void tu_result_free(tu_result *r)
{
    free(r->out);
    free(r->err);
}

#endif
