/*
 * x12.h -- reading X12 837P files for the CLI (docs/x12.md).
 *
 * The library reads and maps the X12 (cs_x12_read, claimscrub.h); the CLI
 * reads X12 files whole (the record reader, input.h, recognises them).
 */
#ifndef CS_CLI_X12_H
#define CS_CLI_X12_H

#include <stdbool.h>
#include <stddef.h>

/* Largest X12 file read, in bytes (the file is read whole). */
#define CS_X12_MAX_FILE ((size_t)256 << 20)

/* Read the whole of path ("-": standard input).  NULL with err set on error.
 * The text is NUL-terminated; free() it. */
char *cs_x12_slurp(const char *path, size_t *len, char *err, size_t errlen);

/* The whole of path in memory, for cs_x12_read_kept: a regular file is
 * mapped (*mapped set), anything else read by cs_x12_slurp.  NULL with err
 * set on error, as cs_x12_slurp.  Release with cs_x12_unload. */
const char *cs_x12_load(const char *path, size_t *len, bool *mapped, char *err,
                        size_t errlen);

void cs_x12_unload(const char *data, size_t len, bool mapped);

#endif
