/*
 * input.c -- split an input file into claim records (see input.h).
 *
 * The file is read with read(2) in chunks of READ_CHUNK bytes; the current
 * record is collected in a buffer that grows up to CS_MAX_RECORD_BYTES.  A
 * record that outgrows it is still scanned to its end (so the records after
 * it are found) but its text is dropped.  Each record's text is checked
 * with a small JSON syntax machine (jv below): JSONL lines after they are
 * read, JSON values while they are scanned, so that a broken value ends at
 * the line where the next record can start instead of swallowing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claimscrub.h"
#include "input.h"

/* Bytes asked of read(2) at a time: large enough that system-call overhead
 * vanishes, small enough to be unremarkable inside the reader struct. */
#define READ_CHUNK 65536

/* First size of the record buffer; it doubles from here as needed. */
#define RECORD_START_CAP 4096

/* Room for what is wrong with a malformed record. */
#define WHY_MAX 160

struct cs_reader {
    int fd;
    bool own_fd;            /* fd is ours to close (not standard input) */
    bool is_stdin;
    cs_input_format format;
    char name[CS_READER_ERROR_MAX / 2]; /* for messages */
    char error[CS_READER_ERROR_MAX];
    char why[WHY_MAX];      /* the last malformed record's problem */

    unsigned char in[READ_CHUNK];
    size_t pos, n;          /* unread bytes are in[pos..n) */
    bool eof, failed;
    bool refused;           /* UTF-16 that is not X12: error already set */
    bool started;           /* the byte order mark check is done */

    unsigned char *back;    /* bytes given back by a broken record, read */
    size_t bpos, blen;      /* before in[]: back[bpos..blen) */

    long line;              /* line of the next unread byte */
    long col;               /* bytes before it on its line */
    long count;             /* records yielded so far */

    char *rec;              /* the record being collected */
    size_t len, cap;
    bool too_long;
    bool in_array;          /* JSON: inside a top-level array */
};

/* ---- the JSON syntax machine ----
 * Fed one byte at a time (or JV_END at the end of the text), it follows
 * strings, escapes, literals, numbers and nesting and says when one value
 * is complete or where it stops being JSON.  Looser than RFC 8259 where
 * cJSON is (a number is any run of digits, signs, '.', 'e' and 'E' with a
 * digit; control characters other than a newline may stand in strings), so
 * that it never calls malformed what the engine reads. */

#define JV_END (-1)

enum { JV_MORE, JV_DONE, JV_DONE_BEFORE, JV_ERR };   /* jv_step's answers */
enum { X_VALUE, X_VALUE_OR_CLOSE, X_KEY, X_KEY_OR_CLOSE, X_COLON, X_COMMA_OR_CLOSE,
       X_DONE };

typedef struct jv {
    int expect;
    int depth;
    uint64_t obj[(CS_JSON_MAX_DEPTH + 63) / 64];   /* bit d: the container at depth
                                               d + 1 is an object */
    bool in_str, esc, key;
    bool in_tok, tok_num, tok_digit;
    size_t toklen;
    char tok[16];
    char msg[96];
} jv;

static void jv_init(jv *v)
{
    v->expect = X_VALUE;
    v->depth = 0;
    v->in_str = v->esc = v->in_tok = false;
}

static bool is_tok(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '-' || c == '.';
}

static int jv_err(jv *v, const char *fmt, int c)
{
    char shown[8];
    if (c >= 0x21 && c <= 0x7e) snprintf(shown, sizeof shown, "'%c'", c);
    else snprintf(shown, sizeof shown, "0x%02X", c & 0xFF);
    snprintf(v->msg, sizeof v->msg, fmt, shown);
    return JV_ERR;
}

static int jv_after_value(jv *v)
{
    if (v->depth == 0) { v->expect = X_DONE; return JV_DONE; }
    v->expect = X_COMMA_OR_CLOSE;
    return JV_MORE;
}

static bool jv_top_is_obj(const jv *v)
{
    int d = v->depth - 1;
    return (v->obj[d / 64] >> (d % 64)) & 1;
}

static int jv_push(jv *v, bool obj)
{
    if (v->depth >= CS_JSON_MAX_DEPTH) {
        snprintf(v->msg, sizeof v->msg, "nested deeper than %d", CS_JSON_MAX_DEPTH);
        return JV_ERR;
    }
    int d = v->depth++;
    if (obj) v->obj[d / 64] |= (uint64_t)1 << (d % 64);
    else v->obj[d / 64] &= ~((uint64_t)1 << (d % 64));
    v->expect = obj ? X_KEY_OR_CLOSE : X_VALUE_OR_CLOSE;
    return JV_MORE;
}

static bool jv_tok_ok(const jv *v)
{
    if (v->tok_num) return v->tok_digit;
    return (v->toklen == 4 && (!memcmp(v->tok, "true", 4) || !memcmp(v->tok, "null", 4))) ||
           (v->toklen == 5 && !memcmp(v->tok, "false", 5));
}

/* Feed c (a byte, or JV_END).  JV_MORE and JV_DONE consume it (JV_DONE: a
 * value is complete); JV_DONE_BEFORE: the value ended just before c, which
 * is not consumed; JV_ERR: c is where the text stops being JSON (v->msg
 * says why), not consumed. */
static int jv_step(jv *v, int c)
{
    if (v->in_str) {
        if (c == JV_END) return jv_err(v, "the text ends inside a string%.0s", c);
        if (v->esc) { v->esc = false; return JV_MORE; }
        if (c == '\\') { v->esc = true; return JV_MORE; }
        if (c == '\n') return jv_err(v, "a string is not closed at the end of the line%.0s", c);
        if (c != '"') return JV_MORE;
        v->in_str = false;
        if (v->key) { v->expect = X_COLON; return JV_MORE; }
        return jv_after_value(v);
    }
    if (v->in_tok) {
        if (c != JV_END && is_tok(c)) {
            if (v->toklen < sizeof v->tok) v->tok[v->toklen] = (char)c;
            v->toklen++;
            if (c >= '0' && c <= '9') v->tok_digit = true;
            else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') v->tok_num = false;
            return JV_MORE;
        }
        v->in_tok = false;
        if (!jv_tok_ok(v)) {
            snprintf(v->msg, sizeof v->msg, "'%.*s%s' is not a JSON value",
                     (int)(v->toklen < sizeof v->tok ? v->toklen : sizeof v->tok), v->tok,
                     v->toklen > sizeof v->tok ? "..." : "");
            return JV_ERR;
        }
        if (jv_after_value(v) == JV_DONE) return JV_DONE_BEFORE;
    }
    if (c == JV_END) {
        if (v->depth) return jv_err(v, "the text ends inside an object or array%.0s", c);
        return jv_err(v, "no JSON value%.0s", c);
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return JV_MORE;
    switch (v->expect) {
    case X_VALUE_OR_CLOSE:
        if (c == ']') { v->depth--; return jv_after_value(v); }
        /* fall through */
    case X_VALUE:
        if (c == '{') return jv_push(v, true);
        if (c == '[') return jv_push(v, false);
        if (c == '"') { v->in_str = true; v->key = false; return JV_MORE; }
        if (is_tok(c)) {
            v->in_tok = true;
            v->tok[0] = (char)c;
            v->toklen = 1;
            v->tok_digit = c >= '0' && c <= '9';
            v->tok_num = v->tok_digit || c == '+' || c == '-' || c == '.';
            return JV_MORE;
        }
        return jv_err(v, "unexpected %s where a value should be", c);
    case X_KEY_OR_CLOSE:
        if (c == '}') { v->depth--; return jv_after_value(v); }
        /* fall through */
    case X_KEY:
        if (c == '"') { v->in_str = true; v->key = true; return JV_MORE; }
        return jv_err(v, "unexpected %s where a member name should be", c);
    case X_COLON:
        if (c == ':') { v->expect = X_VALUE; return JV_MORE; }
        return jv_err(v, "unexpected %s where ':' should be", c);
    case X_COMMA_OR_CLOSE: {
        bool obj = jv_top_is_obj(v);
        if (c == ',') { v->expect = obj ? X_KEY : X_VALUE; return JV_MORE; }
        if (c == (obj ? '}' : ']')) { v->depth--; return jv_after_value(v); }
        return jv_err(v, obj ? "unexpected %s where ',' or '}' should be"
                             : "unexpected %s where ',' or ']' should be", c);
    }
    default:
        return JV_DONE_BEFORE;
    }
}

/* Check that s (n bytes) is exactly one JSON value, white space around it
 * allowed.  NULL when it is; else what is wrong (in v->msg), *at the byte
 * where. */
static const char *json_check(jv *v, const char *s, size_t n, size_t *at)
{
    size_t i = 0;
    int st = JV_MORE;
    jv_init(v);
    *at = 0;
    while (i < n) {
        if (v->in_str && !v->esc) {     /* the common case: string bytes */
            while (i < n && s[i] != '"' && s[i] != '\\' && s[i] != '\n') i++;
            if (i == n) break;
        }
        st = jv_step(v, (unsigned char)s[i]);
        if (st == JV_ERR) { *at = i; return v->msg; }
        if (st == JV_DONE_BEFORE) break;
        i++;
        if (st == JV_DONE) break;
    }
    if (st != JV_DONE && st != JV_DONE_BEFORE) {
        st = jv_step(v, JV_END);
        if (st == JV_ERR) { *at = n; return v->msg; }
    }
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    *at = i;
    if (i < n) return "text after the JSON value";
    return NULL;
}

bool cs_json_check(const char *s, size_t n, char *why, size_t whylen, long *line)
{
    jv v;
    size_t at;
    const char *w = json_check(&v, s, n, &at);
    long lines = 0;
    if (!w) return true;
    for (size_t i = 0; i < at && i < n; i++) lines += s[i] == '\n';
    *line = lines;
    snprintf(why, whylen, "%s", w);
    return false;
}

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
    if (r->bpos < r->blen) return r->back[r->bpos];
    if (r->pos == r->n && !refill(r)) return EOF;
    return r->in[r->pos];
}

/* Consume and return the next byte, or EOF; counts lines and columns. */
static int take(cs_reader *r)
{
    int c = peek(r);
    if (c == EOF) return EOF;
    if (r->bpos < r->blen) r->bpos++;
    else r->pos++;
    if (c == '\n') { r->line++; r->col = 0; }
    else r->col++;
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
    if (!r->too_long && r->len + 2 <= r->cap && r->len < CS_MAX_RECORD_BYTES) {
        r->rec[r->len++] = (char)c;         /* the common case */
        return true;
    }
    unsigned char b = (unsigned char)c;
    return rec_append(r, &b, 1);
}

/* Hand out the collected record, which started on line start; why is NULL,
 * or what makes it malformed. */
static int yield(cs_reader *r, cs_record *out, long start, const char *why)
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
    out->malformed = why != NULL;
    out->why = why ? why : "";
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
            return yield(r, out, start, NULL);  /* not checked: cs_json_check */
        }
        if (!ended) return 0;
    }
}

/* ---- JSON ---- */

/* Give bytes back: they are read again before anything else. */
static bool give_back(cs_reader *r, const char *p, size_t n)
{
    size_t rest = r->blen - r->bpos;
    unsigned char *b = malloc(n + rest ? n + rest : 1);
    if (!b) {
        snprintf(r->error, sizeof r->error, "out of memory reading %s", r->name);
        return false;
    }
    memcpy(b, p, n);
    if (rest) memcpy(b + n, r->back + r->bpos, rest);
    free(r->back);
    r->back = b;
    r->bpos = 0;
    r->blen = n + rest;
    return true;
}

/* Where the next record may start inside the collected text: the first line
 * after the record's first whose first non-blank byte is '{' or '[' at a
 * column no deeper than col.  Returns its offset, or 0 when none. */
static size_t restart_in_record(const cs_reader *r, long col)
{
    for (size_t i = 0; i < r->len; i++) {
        if (r->rec[i] != '\n') continue;
        size_t j = i + 1;
        while (j < r->len && (r->rec[j] == ' ' || r->rec[j] == '\t')) j++;
        if (j < r->len && (r->rec[j] == '{' || r->rec[j] == '[') && (long)(j - i - 1) <= col)
            return i + 1;
    }
    return 0;
}

/* Whether the next, unread byte may start a record after the one that
 * started on line start, column col: '{' or '[' on a later line, with only
 * blanks before it, at a column no deeper than col. */
static bool starts_record_here(cs_reader *r, long start, long col)
{
    int c = peek(r);
    if (r->line == start || (c != '{' && c != '[') || r->col > col || r->too_long)
        return false;
    for (size_t i = r->len; i > 0 && r->rec[i - 1] != '\n'; i--)
        if (r->rec[i - 1] != ' ' && r->rec[i - 1] != '\t') return false;
    return true;
}

/* The value that started on line start, column col, is not JSON (what says
 * why, at the reader's position).  It becomes one malformed record ending
 * where the next may start: at such a line already collected (the rest is
 * given back), else after its current line and the lines that follow up to
 * such a line. */
static int broken_value(cs_reader *r, cs_record *out, long start, long col, const char *what)
{
    snprintf(r->why, sizeof r->why, "line %ld: %s", r->line, what);
    size_t k = r->too_long ? 0 : restart_in_record(r, col);
    if (k) {
        if (!give_back(r, r->rec + k, r->len - k)) return -1;
        long lines = 0;
        for (size_t i = 0; i < k; i++) lines += r->rec[i] == '\n';
        r->line = start + lines;
        r->col = 0;
        r->len = k;
    } else if (!starts_record_here(r, start, col)) {
        int c;
        while ((c = take(r)) != EOF) {
            if (!rec_putc(r, c)) return -1;
            if (c != '\n') continue;
            while ((c = peek(r)) == ' ' || c == '\t') {
                take(r);
                if (!rec_putc(r, c)) return -1;
            }
            if ((c == '{' || c == '[') && r->col <= col) break;
        }
    }
    while (!r->too_long && r->len && is_space(r->rec[r->len - 1])) r->len--;
    return yield(r, out, start, r->why);
}

/* Collect one value starting at the next byte, which is not whitespace,
 * checking it as it goes.  The first byte is always consumed, so a stray
 * '}' still makes progress. */
static int scan_value(cs_reader *r, cs_record *out)
{
    long start = r->line, col = r->col;
    jv v;
    jv_init(&v);
    rec_reset(r);
    for (bool first = true;; first = false) {
        if (v.in_str && !v.esc && r->bpos == r->blen && r->pos < r->n) {
            /* a string's plain bytes, as a run (they hold no line feed) */
            const unsigned char *p = r->in + r->pos, *q = p, *e = r->in + r->n;
            while (q < e && *q != '"' && *q != '\\' && *q != '\n') q++;
            if (q > p) {
                if (!rec_append(r, p, (size_t)(q - p))) return -1;
                r->pos += (size_t)(q - p);
                r->col += (long)(q - p);
                continue;
            }
        }
        int c = peek(r);
        int st = jv_step(&v, c == EOF ? JV_END : c);
        if (st == JV_DONE_BEFORE) return yield(r, out, start, NULL);
        if (st == JV_ERR) {
            if (first) {        /* a stray byte: it is the broken record */
                take(r);
                if (!rec_putc(r, c)) return -1;
            }
            return r->failed ? -1 : broken_value(r, out, start, col, v.msg);
        }
        take(r);
        if (!rec_putc(r, c)) return -1;
        if (st == JV_DONE) return yield(r, out, start, NULL);
    }
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

/* ---- recognising the input ---- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "LE", "BE" when the buffered start looks like UTF-16 (a byte order mark,
 * or ASCII with every other byte zero), else NULL. */
static const char *utf16(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) return "LE";
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) return "BE";
    if (n >= 4 && p[0] && !p[1] && p[2] && !p[3]) return "LE";
    if (n >= 4 && !p[0] && p[1] && !p[2] && p[3]) return "BE";
    return NULL;
}

/* Index of the first byte after a UTF-8 byte order mark and white space. */
static size_t skip_start(const unsigned char *p, size_t n)
{
    size_t i = n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < n && is_space(p[i])) i++;
    return i;
}

/* Standard input: JSONL when its first non-blank line is a whole value (or
 * is not JSON at all), JSON when it opens an array or a value that goes on
 * past the line. */
static cs_input_format stdin_format(const unsigned char *p, size_t n)
{
    size_t i = skip_start(p, n);
    if (i < n && p[i] == '[') return CS_INPUT_JSON;
    if (i == n || p[i] != '{') return CS_INPUT_JSONL;
    const unsigned char *nl = memchr(p + i, '\n', n - i);
    if (!nl) return CS_INPUT_JSONL;     /* longer than the look: one line */
    jv v;
    jv_init(&v);
    for (; p + i < nl; i++) {
        int st = jv_step(&v, p[i]);
        if (st != JV_MORE) return CS_INPUT_JSONL;   /* whole, or broken */
    }
    return v.in_str ? CS_INPUT_JSONL : CS_INPUT_JSON;
}

/* Look at the start of the input (not consumed) and settle the format. */
static void sniff(cs_reader *r)
{
    for (;;) {
        size_t i = skip_start(r->in, r->n);
        if (i < r->n && (r->in[i] == '{' || r->in[i] == '[') &&
            memchr(r->in + i, '\n', r->n - i))
            break;
        if (r->n >= CS_SNIFF_BYTES || !refill(r)) break;
    }
    const char *u = utf16(r->in, r->n);
    if (cs_x12_detect((const char *)r->in, r->n)) {
        r->format = CS_INPUT_X12;
    } else if (u) {
        snprintf(r->error, sizeof r->error, "%s is UTF-16%s text; claimscrub reads claim JSON "
                 "as UTF-8 (save it as UTF-8)", r->name, u);
        r->refused = true;
        r->format = CS_INPUT_JSON;
    } else if (r->is_stdin) {
        r->format = stdin_format(r->in, r->n);
    } else {
        r->format = ends_with(r->name, ".jsonl") ? CS_INPUT_JSONL : CS_INPUT_JSON;
    }
}

/* ---- public ---- */

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
    r->is_stdin = is_stdin;
    snprintf(r->name, sizeof r->name, "%s", is_stdin ? "standard input" : path);
    r->line = 1;
    r->format = format;
    if (format == CS_INPUT_AUTO) sniff(r);
    return r;
}

int cs_reader_next(cs_reader *r, cs_record *rec)
{
    if (r->refused || r->format == CS_INPUT_X12) {
        if (!r->error[0])
            snprintf(r->error, sizeof r->error, "%s is X12, not claim JSON", r->name);
        return -1;
    }
    if (r->failed) return -1;
    if (!r->started) skip_bom(r);
    return r->format == CS_INPUT_JSONL ? next_jsonl(r, rec) : next_json(r, rec);
}

char *cs_reader_slurp(cs_reader *r, size_t max, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        size_t want = (r->blen - r->bpos) + (r->n - r->pos);
        if (!buf) break;
        if (n + want + 1 > cap) {
            while (n + want + 1 > cap) cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        if (r->blen > r->bpos) memcpy(buf + n, r->back + r->bpos, r->blen - r->bpos);
        n += r->blen - r->bpos;
        r->bpos = r->blen;
        memcpy(buf + n, r->in + r->pos, r->n - r->pos);
        n += r->n - r->pos;
        r->pos = r->n;
        if (n > max) {
            snprintf(r->error, sizeof r->error, "%s: X12 input larger than %zu bytes", r->name,
                     max);
            free(buf);
            return NULL;
        }
        if (!refill(r)) break;
    }
    if (!buf) {
        snprintf(r->error, sizeof r->error, "out of memory reading %s", r->name);
        return NULL;
    }
    if (r->failed) { free(buf); return NULL; }
    buf[n] = 0;
    *len = n;
    return buf;
}

const char *cs_reader_error(const cs_reader *r) { return r->error; }

cs_input_format cs_reader_format(const cs_reader *r) { return r->format; }

void cs_reader_close(cs_reader *r)
{
    if (!r) return;
    if (r->own_fd) close(r->fd);
    free(r->back);
    free(r->rec);
    free(r);
}
