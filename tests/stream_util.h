/* stream_util.h -- helpers shared by test_stream.c and test_hostile.c: run
 * build/claimscrub (or $CLAIMSCRUB) with fork/exec, and split its JSONL
 * output into parsed records. */
#ifndef CS_STREAM_UTIL_H
#define CS_STREAM_UTIL_H

#include "testutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>

typedef struct su_result {
    int status;             /* exit status; 128 + signal when killed */
    char *out, *err;
} su_result;

static inline const char *su_cli(void)
{
    const char *p = getenv("CLAIMSCRUB");
    return p ? p : "build/claimscrub";
}

/* Run the tool with args (NULL-terminated); output files go to dir. */
static inline su_result su_run(const char *dir, const char *const *args)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = su_cli();
    while (args[n - 1] && n < 63) { argv[n] = args[n - 1]; n++; }
    argv[n] = NULL;
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", dir);
    snprintf(err, sizeof err, "%s/stderr", dir);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int i = open("/dev/null", O_RDONLY);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (i < 0 || o < 0 || e < 0) _exit(126);
        dup2(i, 0); dup2(o, 1); dup2(e, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int ws;
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    su_result r = {WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws),
                   tu_slurp(out, NULL), tu_slurp(err, NULL)};
    assert_non_null(r.out);
    assert_non_null(r.err);
    if (r.status == 127) fail_msg("cannot run %s", su_cli());
    return r;
}

#define SU_RUN(dir, ...) su_run(dir, (const char *const[]){__VA_ARGS__, NULL})

static inline void su_done(su_result *r)
{
    free(r->out);
    free(r->err);
}

/* Split text into lines (modified in place); returns the count, *lines
 * malloc'd. */
static inline size_t su_lines(char *text, char ***lines)
{
    size_t n = 0, cap = 1024;
    char **v = malloc(cap * sizeof *v);
    for (char *p = text; *p;) {
        char *nl = strchr(p, '\n');
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = p;
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    *lines = v;
    return n;
}

/* The record's string field key, NULL when null or missing. */
static inline const char *su_str(const cJSON *rec, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static inline long su_input(const cJSON *rec, const char *key)
{
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(rec, "input");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(in, key);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
}

/* The record without the fields named (NULL-terminated), printed; caller
 * frees. */
static inline char *su_without(const char *line, const char *const *drop)
{
    cJSON *j = cJSON_Parse(line);
    assert_non_null(j);
    for (; *drop; drop++) cJSON_DeleteItemFromObjectCaseSensitive(j, *drop);
    char *s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

#endif
