/*
 * x12.c -- reading X12 837P files for the CLI (x12.h, docs/x12.md); the
 * reader itself is the library's (cs_x12_read, engine/src/x12.c).
 */
#define _DEFAULT_SOURCE     /* MAP_POPULATE, where the system has it */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claimscrub.h"
#include "x12.h"

char *cs_x12_slurp(const char *path, size_t *len, char *err, size_t errlen)
{
    bool in = !strcmp(path, "-");
    FILE *f = in ? stdin : fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno)); return NULL; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= CS_X12_MAX_FILE) {
                snprintf(err, errlen, "%s: X12 file larger than %zu bytes", path,
                         CS_X12_MAX_FILE);
                free(buf);
                buf = NULL;
                break;
            }
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (!buf && !err[0]) snprintf(err, errlen, "%s: out of memory", path);
    if (!in) fclose(f);
    if (buf) { buf[n] = 0; *len = n; }
    return buf;
}

const char *cs_x12_load(const char *path, size_t *len, bool *mapped, char *err,
                        size_t errlen)
{
    struct stat st;
    int fd = strcmp(path, "-") ? open(path, O_RDONLY) : -1;
    *mapped = false;
    if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((size_t)st.st_size + 1 >= CS_X12_MAX_FILE) {
            snprintf(err, errlen, "%s: X12 file larger than %zu bytes", path, CS_X12_MAX_FILE);
            close(fd);
            return NULL;
        }
        int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
        flags |= MAP_POPULATE;      /* read it all now: it is all read */
#endif
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, flags, fd, 0);
        close(fd);
        if (p != MAP_FAILED) {
            *mapped = true;
            *len = (size_t)st.st_size;
            return p;
        }
    } else if (fd >= 0) {
        close(fd);
    }
    return cs_x12_slurp(path, len, err, errlen);    /* says why it cannot open */
}

void cs_x12_unload(const char *data, size_t len, bool mapped)
{
    if (mapped) munmap((void *)data, len);
    else free((void *)data);
}
