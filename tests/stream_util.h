/* stream_util.h -- helpers shared by test_stream.c and test_hostile.c: run
 * the tool (testutil.h) and split its JSONL output into parsed records. */
#ifndef CS_STREAM_UTIL_H
#define CS_STREAM_UTIL_H

#include "testutil.h"

#include <fcntl.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <cjson/cJSON.h>

typedef tu_result su_result;

#define SU_RUN(dir, ...) tu_run_cli(dir, NULL, (const char *const[]){__VA_ARGS__, NULL})
#define su_done tu_result_free
#define su_cli tu_cli

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
