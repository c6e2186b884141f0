/*
 * buf.c -- growable byte buffer and JSON string writing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define CS_BUF_FIRST 2048   /* first allocation: one claim's record fits */

/* Make room for n more bytes plus a NUL.  Returns false (and sets oom) when
 * memory ran out. */
static bool reserve(cs_buf *b, size_t n)
{
    if (b->oom) return false;
    if (b->len + n + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : CS_BUF_FIRST;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2) { b->oom = true; return false; }
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) { b->oom = true; return false; }
    b->p = p;
    b->cap = cap;
    return true;
}

void cs_buf_put(cs_buf *b, const char *s, size_t n)
{
    if (!reserve(b, n)) return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

void cs_buf_puts(cs_buf *b, const char *s) { cs_buf_put(b, s, strlen(s)); }

void cs_buf_putc(cs_buf *b, char c) { cs_buf_put(b, &c, 1); }

void cs_buf_printf(cs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void cs_buf_int(cs_buf *b, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (v < 0) *--p = '-';
    cs_buf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

void cs_buf_money(cs_buf *b, int64_t cents)
{
    uint64_t mag = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    char frac[4] = {'.', (char)('0' + mag % 100 / 10), (char)('0' + mag % 10), '"'};
    cs_buf_putc(b, '"');
    if (cents < 0) cs_buf_putc(b, '-');
    cs_buf_int(b, (long long)(mag / 100));
    cs_buf_put(b, frac, 4);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { need = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 4; cp = c & 0x07; }
    else return 0;
    if (n < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
    return need;
}

/* Bytes copied as they are into a JSON string: printable ASCII but '"' and
 * '\\'. */
static const unsigned char JSON_PLAIN[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),                     /* 0x00-0x1f */
    1, 1, 0, R8(1), 1, 1, 1, 1, 1,                  /* 0x20-0x2f: '"' */
    R8(1), R8(1),                                   /* 0x30-0x3f */
    R8(1), R8(1),                                   /* 0x40-0x4f */
    R8(1), 1, 1, 1, 1, 0, 1, 1, 1,                  /* 0x50-0x5f: '\\' */
    R8(1), R8(1), R8(1), 1, 1, 1, 1, 1, 1, 1, 1,    /* 0x60-0x7f */
#undef R8
};

/* Room is reserved once for the worst case (6 bytes out per byte in, as
 * \u00XX or \ufffd), then bytes are stored directly: one table look-up a
 * plain byte, no call per run. */
void cs_buf_json_str(cs_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *u = (const unsigned char *)s;
    if (n > (SIZE_MAX - 2) / 6) { b->oom = true; return; }
    if (!reserve(b, n * 6 + 2)) return;
    char *o = b->p + b->len;
    *o++ = '"';
    size_t i = 0;
    while (i < n) {
        unsigned c = u[i];
        if (JSON_PLAIN[c]) { *o++ = (char)c; i++; continue; }
        i++;
        if (c == '"' || c == '\\') { *o++ = '\\'; *o++ = (char)c; }
        else if (c == '\n') { *o++ = '\\'; *o++ = 'n'; }
        else if (c == '\t') { *o++ = '\\'; *o++ = 't'; }
        else if (c == '\r') { *o++ = '\\'; *o++ = 'r'; }
        else if (c < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        } else {
            size_t k = utf8_len(u + i - 1, n - i + 1);
            if (k) { memcpy(o, s + i - 1, k); o += k; i += k - 1; }
            else { memcpy(o, "\\ufffd", 6); o += 6; }
        }
    }
    *o++ = '"';
    b->len = (size_t)(o - b->p);
    b->p[b->len] = 0;
}

void cs_buf_json_cstr(cs_buf *b, const char *s)
{
    if (!s) cs_buf_puts(b, "null");
    else cs_buf_json_str(b, s, strlen(s));
}

char *cs_buf_take(cs_buf *b, size_t *len)
{
    if (b->oom || !reserve(b, 0)) { cs_buf_free(b); return NULL; }
    char *p = b->p;
    if (len) *len = b->len;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

void cs_buf_free(cs_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}
