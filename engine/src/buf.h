/*
 * buf.h -- a growable byte buffer, and JSON string writing.
 *
 * Allocation failure is sticky: once a call fails, buf->oom is set, every
 * later append is a no-op, and the owner checks oom once at the end.
 */
#ifndef CS_BUF_H
#define CS_BUF_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct cs_buf {
    char *p;
    size_t len, cap;
    bool oom;
} cs_buf;

void cs_buf_put(cs_buf *b, const char *s, size_t n);
void cs_buf_puts(cs_buf *b, const char *s);
void cs_buf_putc(cs_buf *b, char c);
void cs_buf_printf(cs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Append a decimal integer. */
void cs_buf_int(cs_buf *b, long long v);
/* Append cents as a JSON string of dollars: "125.00". */
void cs_buf_money(cs_buf *b, int64_t cents);
/* Append a string literal. */
#define CS_BUF_LIT(b, lit) cs_buf_put((b), (lit), sizeof(lit) - 1)
/* Append s (n bytes) as a quoted JSON string; bytes that are not valid
 * UTF-8 are written as U+FFFD so the output is always valid JSON. */
void cs_buf_json_str(cs_buf *b, const char *s, size_t n);
void cs_buf_json_cstr(cs_buf *b, const char *s); /* NULL writes null */
/* Hand the NUL-terminated contents to the caller and reset b.  Returns NULL
 * (and frees everything) when an allocation failed along the way. */
char *cs_buf_take(cs_buf *b, size_t *len);
void cs_buf_free(cs_buf *b);

#endif
