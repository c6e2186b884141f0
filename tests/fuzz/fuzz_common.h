/* fuzz_common.h -- shared bits of the libFuzzer targets (tests/fuzz/).
 *
 * Each target defines FUZZ_ENTRY, which is LLVMFuzzerTestOneInput in the
 * fuzz build (make fuzz) and fuzz_<name> when the same source is linked into
 * the plain regression test (tests/test_regressions.c replays the crash
 * inputs kept under tests/fuzz/regressions/<name>/).  A broken invariant
 * calls abort(), which libFuzzer reports as a crash. */
#ifndef CS_FUZZ_COMMON_H
#define CS_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include "claimscrub.h"

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

int FUZZ_ENTRY(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
    abort(); } } while (0)

/* Write size bytes to path (replacing it). */
static inline void fuzz_put(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
}

/* A temporary folder made once per process, removed at exit. */
static char fuzz_tmp_dir[64];
static inline void fuzz_tmp_cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_tmp_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", fuzz_tmp_dir);
}
static inline const char *fuzz_tmp(void)
{
    if (!fuzz_tmp_dir[0]) {
        snprintf(fuzz_tmp_dir, sizeof fuzz_tmp_dir, "/tmp/cs-fuzz-XXXXXX");
        FUZZ_CHECK(mkdtemp(fuzz_tmp_dir) != NULL);
        atexit(fuzz_tmp_cleanup);
    }
    return fuzz_tmp_dir;
}

/* Make the rules root <tmp>/rules with an empty pack folder payers/f;
 * root (128 bytes) gets the root. */
static inline void fuzz_pack_root(char *root)
{
    char p[192];
    snprintf(root, 128, "%s/rules", fuzz_tmp());
    FUZZ_CHECK(mkdir(root, 0755) == 0);
    snprintf(p, sizeof p, "%s/payers", root);
    FUZZ_CHECK(mkdir(p, 0755) == 0);
    snprintf(p, sizeof p, "%s/payers/f", root);
    FUZZ_CHECK(mkdir(p, 0755) == 0);
}

/* The record cs_check produced must be one line of JSON whose "status"
 * matches the returned status. */
static inline void fuzz_check_record(int status, const char *out, size_t outlen)
{
    if (status < 0) { FUZZ_CHECK(out == NULL); return; }
    FUZZ_CHECK(status <= CS_REJECT);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(strlen(out) == outlen);
    FUZZ_CHECK(memchr(out, '\n', outlen) == NULL);
    cJSON *j = cJSON_Parse(out);
    FUZZ_CHECK(j != NULL);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "status");
    FUZZ_CHECK(cJSON_IsString(st));
    FUZZ_CHECK(strcmp(st->valuestring, cs_status_name(status)) == 0);
    cJSON_Delete(j);
}

#endif
