/*
 * sha256.h -- SHA-256 (FIPS 180-4), for the hash of the loaded rules.
 */
#ifndef CS_SHA256_H
#define CS_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} cs_sha256;

void cs_sha256_init(cs_sha256 *s);
void cs_sha256_update(cs_sha256 *s, const void *data, size_t n);
/* Finish and write 64 lower-case hex digits and a NUL into hex. */
void cs_sha256_hex(cs_sha256 *s, char hex[65]);

#endif
