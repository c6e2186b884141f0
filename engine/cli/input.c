/*
 * input.c -- split an input file into claim records (see input.h).
 *
 * The file is read with read(2) in chunks of READ_CHUNK bytes; the current
 * record is collected in a buffer that grows up to CS_MAX_RECORD_BYTES.  A
 * record that outgrows it is still scanned to its end (so the records after
 * it are found) but its text is dropped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

/* Bytes asked of read(2) at a time: large enough that system-call overhead
 * vanishes, small enough to be unremarkable inside the reader struct. */
#define READ_CHUNK 65536

/* First size of the record buffer; it doubles from here as needed. */
#define RECORD_START_CAP 4096

struct cs_reader {
    int fd;
    bool own_fd;            /* fd is ours to close (not standard input) */
    cs_input_format format;
    char name[CS_READER_ERROR_MAX / 2]; /* for messages */
    char error[CS_READER_ERROR_MAX];

    unsigned char in[READ_CHUNK];
    size_t pos, n;          /* unread bytes are in[pos..n) */
    bool eof, failed;
    bool started;           /* the byte order mark check is done */

    long line;              /* line of the next unread byte */
    long count;             /* records yielded so far */

    char *rec;              /* the record being collected */
    size_t len, cap;
    bool too_long;
    bool in_array;          /* JSON: inside a top-level array */
};

/* ---- reading bytes ---- */

/* Read more input after the bytes kept in in[pos..n), which move to the
 * front.  Returns false at end of input or on error (then failed is set). */
static bool refill(cs_reader *r)
{
    if (r->eof) return false;
    size_t keep = r->n - r->pos;
    memmove(r->in, r->in + r->pos, keep);
    r->pos = 0;
    r->n = keep;
    for (;;) {
        ssize_t got = read(r->fd, r->in + r->n, sizeof r->in - r->n);
        if (got > 0) { r->n += (size_t)got; return true; }
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) {
            snprintf(r->error, sizeof r->error, "cannot read %s: %s",
                     r->name, strerror(errno));
            r->failed = true;
        }
        r->eof = true;
        return false;
    }
}

/* The next byte without consuming it, or EOF. */
static int peek(cs_reader *r)
{
    if (r->pos == r->n && !refill(r)) return EOF;
    return r->in[r->pos];
}

/* Consume and return the next byte, or EOF; counts lines. */
static int take(cs_reader *r)
{
    int c = peek(r);
    if (c == EOF) return EOF;
    r->pos++;
    if (c == '\n') r->line++;
    return c;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static void skip_bom(cs_reader *r)
{
    static const unsigned char bom[3] = {0xEF, 0xBB, 0xBF};
    r->started = true;
    while (r->n - r->pos < 3 && refill(r)) {}
    if (r->n - r->pos >= 3 && memcmp(r->in + r->pos, bom, 3) == 0) r->pos += 3;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ---- collecting the record ---- */

static void rec_reset(cs_reader *r)
{
    r->len = 0;
    r->too_long = false;
}

/* Append n bytes.  Past CS_MAX_RECORD_BYTES the record becomes too_long and
 * further bytes are dropped.  Returns false when memory ran out. */
static bool rec_append(cs_reader *r, const void *s, size_t n)
{
    if (r->too_long || n == 0) return true;
    if (n > CS_MAX_RECORD_BYTES - r->len) {
        r->too_long = true;
        r->len = 0;
        return true;
    }
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : RECORD_START_CAP;
        while (cap < r->len + n + 1) cap *= 2;
        if (cap > CS_MAX_RECORD_BYTES + 1) cap = CS_MAX_RECORD_BYTES + 1;
        char *p = realloc(r->rec, cap);
        if (!p) {
            snprintf(r->error, sizeof r->error, "out of memory reading %s", r->name);
            return false;
        }
        r->rec = p;
        r->cap = cap;
    }
    memcpy(r->rec + r->len, s, n);
    r->len += n;
    return true;
}

static bool rec_putc(cs_reader *r, int c)
{
    unsigned char b = (unsigned char)c;
    return rec_append(r, &b, 1);
}

/* Hand out the collected record, which started on line start. */
static int yield(cs_reader *r, cs_record *out, long start)
{
    if (r->failed) return -1;
    out->too_long = r->too_long;
    if (r->too_long || !r->rec) {
        out->text = "";
        out->len = 0;
    } else {
        r->rec[r->len] = 0;
        out->text = r->rec;
        out->len = r->len;
    }
    out->record = ++r->count;
    out->line = start;
    return 1;
}

/* ---- JSONL ---- */

static bool all_space(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_space(p[i])) return false;
    return true;
}

/* Collect one line (without its newline) into the record.  Sets *blank when
 * it holds only whitespace and *ended when a newline ended it.  Returns
 * false when memory ran out. */
static bool read_line(cs_reader *r, bool *blank, bool *ended)
{
    *blank = true;
    *ended = false;
    while (r->pos < r->n || refill(r)) {
        const unsigned char *p = r->in + r->pos;
        size_t avail = r->n - r->pos;
        const unsigned char *nl = memchr(p, '\n', avail);
        size_t span = nl ? (size_t)(nl - p) : avail;
        if (*blank && !all_space(p, span)) *blank = false;
        if (!rec_append(r, p, span)) return false;
        r->pos += span;
        if (nl) {
            r->pos++;
            r->line++;
            *ended = true;
            return true;
        }
    }
    return true;
}

static int next_jsonl(cs_reader *r, cs_record *out)
{
    for (;;) {
        long start = r->line;
        bool blank, ended;
        rec_reset(r);
        if (!read_line(r, &blank, &ended)) return -1;
        if (r->failed) return -1;
        if (!blank) {
            if (!r->too_long && r->len && r->rec[r->len - 1] == '\r') r->len--;
            return yield(r, out, start);
        }
        if (!ended) return 0;
    }
}

/* ---- JSON ---- */

/* Collect the rest of a string whose opening quote is already taken. */
static bool scan_string(cs_reader *r)
{
    int c;
    while ((c = take(r)) != EOF) {
        if (!rec_putc(r, c)) return false;
        if (c == '"') return true;
        if (c == '\\') {
            if ((c = take(r)) == EOF) return true;
            if (!rec_putc(r, c)) return false;
        }
    }
    return true;
}

/* Collect the rest of an object or array whose opener is already taken,
 * up to the bracket that brings the depth back to zero (or end of input). */
static bool scan_nested(cs_reader *r)
{
    long depth = 1;
    int c;
    while (depth > 0 && (c = take(r)) != EOF) {
        if (!rec_putc(r, c)) return false;
        if (c == '"') {
            if (!scan_string(r)) return false;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return true;
}

/* Collect the rest of a bare word (number, true, garbage): up to whitespace
 * or a structural character, which is left unread. */
static bool scan_bare(cs_reader *r)
{
    int c;
    while ((c = peek(r)) != EOF && !is_space(c) && !strchr(",[]{}\"", c)) {
        take(r);
        if (!rec_putc(r, c)) return false;
    }
    return true;
}

/* Collect one value starting at the next byte, which is not whitespace.
 * The first byte is always consumed, so a stray '}' still makes progress. */
static int scan_value(cs_reader *r, cs_record *out)
{
    long start = r->line;
    int c = take(r);
    bool ok;
    rec_reset(r);
    if (!rec_putc(r, c)) return -1;
    if (c == '{' || c == '[') ok = scan_nested(r);
    else if (c == '"') ok = scan_string(r);
    else ok = scan_bare(r);
    return ok ? yield(r, out, start) : -1;
}

static int next_json(cs_reader *r, cs_record *out)
{
    for (;;) {
        int c;
        while ((c = peek(r)) != EOF && is_space(c)) take(r);
        if (c == EOF) return r->failed ? -1 : 0;
        if (c == ',') {
            take(r);
        } else if (c == '[' && !r->in_array) {
            take(r);
            r->in_array = true;
        } else if (c == ']' && r->in_array) {
            take(r);
            r->in_array = false;
        } else {
            return scan_value(r, out);
        }
    }
}

/* ---- public ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

cs_reader *cs_reader_open(const char *path, cs_input_format format,
                          char *err, size_t errlen)
{
    bool is_stdin = strcmp(path, "-") == 0;
    cs_reader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory opening %s", path);
        return NULL;
    }
    r->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY);
    if (r->fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        free(r);
        return NULL;
    }
    r->own_fd = !is_stdin;
    if (format == CS_INPUT_AUTO)
        format = !is_stdin && ends_with(path, ".jsonl") ? CS_INPUT_JSONL : CS_INPUT_JSON;
    r->format = format;
    snprintf(r->name, sizeof r->name, "%s", is_stdin ? "standard input" : path);
    r->line = 1;
    return r;
}

int cs_reader_next(cs_reader *r, cs_record *rec)
{
    if (!r->started) skip_bom(r);
    return r->format == CS_INPUT_JSONL ? next_jsonl(r, rec) : next_json(r, rec);
}

const char *cs_reader_error(const cs_reader *r) { return r->error; }

cs_input_format cs_reader_format(const cs_reader *r) { return r->format; }

void cs_reader_close(cs_reader *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    free(r->rec);
    free(r);
}
