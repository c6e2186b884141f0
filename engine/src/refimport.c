/*
 * refimport.c -- cs_refdata_import: read CMS tables (CMS's raw layouts or
 * the normalised CSVs, gzip or not) and write one release file.
 *
 * The import is all or nothing.  Every input is read and checked first;
 * the first problem stops the import with "file:line: problem".  Only then
 * is the release written, to a temporary file in the target folder that is
 * synced and renamed over <release>.csref; on any failure the temporary
 * file is removed and the folder is left as it was.
 *
 * Input layouts (docs/data.md, "Tables"):
 *   CSV   RFC 4180: quoted fields may hold commas, doubled quotes and line
 *         breaks; CRLF or LF.  The header row is found by column names,
 *         possibly after a preamble (CMS's notices) and possibly stacked
 *         over several rows (CMS's PPRRVU file).  HCPCS: the normalised
 *         CSV, or CMS's ANWEB file (a RECID column; add/termination dates,
 *         coverage code).
 *   TSV   CMS's raw PTP file: a preamble, a two-row header, 7 fields a row.
 *   fixed CMS's ICD-10-CM order file (icd10cm_order_YYYY.txt).
 * Gzip input is recognised by its magic bytes and read through a child
 * `gzip -dc` process, whose exit status is checked: a truncated or corrupt
 * stream is an error even when the rows read so far were fine.
 *
 * Each table of the release gets a validity window (docs/data.md,
 * "Validity windows"): the one asked for, else the default of its kind
 * (cs_ref_default_window); it is checked before any input is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "claimscrub.h"
#include "refdata.h"
#include "refformat.h"

/* ---- limits ---- */

#define READ_CHUNK        65536     /* bytes per read() from a file or gzip */
#define MAX_FIELDS          256     /* fields in a row; PPRRVU has 32 */
#define MAX_ROW_BYTES (1u << 20)    /* one row; a longer one is a runaway quote */
#define MAX_PREAMBLE         16     /* rows searched for the header row */
#define MAX_HEADER_ROWS       8     /* rows of a stacked header (PPRRVU: 5) */
#define MAX_NAME            256     /* a column name, stacked rows joined */
#define MAX_PTP_FILES         8     /* cs_import.ptp; CMS ships 4 parts */
#define MAX_ROWS     10000000u      /* rows per table: 4x the full PTP file;
                                       bounds import memory (~24 B a row) */
#define MAX_LABELS        65535     /* PTP rationales (a u16 index); CMS has 12 */
#define MAX_STRINGS ((size_t)1 << 30) /* string pool bytes (u32 offsets) */
#define MAX_MUE_VALUE   1000000     /* units; the largest CMS value is 90000 */
#define MAX_RVU        99999999     /* hundredths: 999999.99 RVUs */
#define MAX_CF         99999999     /* ten-thousandths: $9999.9999 */
#define ERR_MAX            4352     /* a path (PATH_MAX 4096) plus the problem */

/* ---- state ---- */

typedef struct rows {           /* records of one table, each followed by a meta */
    unsigned char *p;
    size_t n, cap, recsize, stride;
    const char *path;           /* the file, for duplicate messages; NULL: several */
} rows;

typedef struct meta {
    uint32_t line;              /* in the input file */
    uint32_t rank;              /* preference among rows of one key, 0 best */
} meta;

typedef struct pool {           /* the string pool, interned */
    cs_buf b;
    uint32_t *slots;            /* offsets of strings; 0 = empty slot */
    size_t nslots, used;
} pool;

typedef struct imp {
    char err[ERR_MAX];
    bool failed;
    pool strings;
    rows t[CS_REF_NTABLES];
    bool have[CS_REF_NTABLES];
    uint32_t labels[MAX_LABELS];
    size_t nlabels;
    csref_window windows[CS_REF_NTABLES];   /* of the tables given, by id */
    size_t nwindows;
    size_t last_label;          /* cache: PTP rows repeat rationales */
} imp;

static void fail(imp *im, const char *path, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Record the first problem as "path:line: ..." (line 0: "path: ..."). */
static void fail(imp *im, const char *path, long line, const char *fmt, ...)
{
    if (im->failed) return;
    im->failed = true;
    int n = line > 0 ? snprintf(im->err, sizeof im->err, "%s:%ld: ", path, line)
                     : snprintf(im->err, sizeof im->err, "%s: ", path);
    if (n < 0 || (size_t)n >= sizeof im->err) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->err + n, sizeof im->err - (size_t)n, fmt, ap);
    va_end(ap);
}

/* ---- byte source: a file or `gzip -dc` reading it ---- */

typedef struct src {
    const char *path;
    int fd;
    pid_t child;                /* gzip, or 0 */
    long line;                  /* current line, 1-based */
    size_t pos, len;
    bool eof;
    unsigned char buf[READ_CHUNK];
} src;

/* Append what one read() gives to the buffer; false at end of input or on
 * a read error (message set). */
static bool src_fill(imp *im, src *s)
{
    if (s->eof) return false;
    if (s->pos == s->len) s->pos = s->len = 0;
    if (s->len == sizeof s->buf) return true;
    ssize_t n;
    do n = read(s->fd, s->buf + s->len, sizeof s->buf - s->len);
    while (n < 0 && errno == EINTR);
    if (n < 0) fail(im, s->path, s->line, "read error: %s", strerror(errno));
    if (n <= 0) { s->eof = true; return false; }
    s->len += (size_t)n;
    return true;
}

/* The next byte; -1 at end of input or after a read error. */
static inline int src_get(imp *im, src *s)
{
    if (s->pos == s->len && !src_fill(im, s)) return -1;
    return s->buf[s->pos++];
}

static inline int src_peek(imp *im, src *s)
{
    if (s->pos == s->len && !src_fill(im, s)) return -1;
    return s->buf[s->pos];
}

/* Read until the buffer holds the first line (or is full, or input ends),
 * so layouts can be recognised; then skip a UTF-8 byte order mark. */
static void src_prime(imp *im, src *s)
{
    while (!memchr(s->buf, '\n', s->len) && s->len < sizeof s->buf && src_fill(im, s)) {}
    if (s->len >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0) s->pos = 3;
}

/* The first line of the input (primed), without its line end, in out. */
static void src_first_line(const src *s, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = s->pos; i < s->len && n + 1 < cap; i++) {
        if (s->buf[i] == '\n' || s->buf[i] == '\r') break;
        out[n++] = (char)s->buf[i];
    }
    out[n] = 0;
}

/* Path of the gzip program, found on PATH before forking (the child may
 * only call async-signal-safe functions). */
static bool find_gzip(char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path || !*path) path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(out, cap, "%.*s/gzip", (int)n, path);
        if (n && access(out, X_OK) == 0) return true;
        path += n + (path[n] == ':');
    }
    return false;
}

/* Replace s->fd (a gzip file at offset 0) with a pipe from `gzip -dc`. */
static bool src_gunzip(imp *im, src *s)
{
    char gzip[4200];
    int p[2];
    if (!find_gzip(gzip, sizeof gzip)) {
        fail(im, s->path, 0, "gzip input, but no gzip program on PATH");
        return false;
    }
    if (pipe(p) != 0) { fail(im, s->path, 0, "pipe: %s", strerror(errno)); return false; }
    /* Neither end may stay open in gzip (or in any other child): with a
     * read end held there, gzip would block instead of dying of SIGPIPE
     * when we stop reading early. */
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) {
        fail(im, s->path, 0, "fork: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {                         /* child: async-signal-safe calls only */
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        signal(SIGPIPE, SIG_DFL);           /* stop quietly when we stop reading */
        if (dup2(s->fd, 0) < 0 || dup2(p[1], 1) < 0 || (null >= 0 && dup2(null, 2) < 0))
            _exit(126);
        char *const argv[] = {"gzip", "-dc", NULL};
        execv(gzip, argv);
        _exit(127);
    }
    close(p[1]);
    close(s->fd);
    s->fd = p[0];
    s->child = pid;
    return true;
}

/* Open path for reading, through gzip when it starts with 1f 8b.  NULL
 * with the message set. */
static src *src_open(imp *im, const char *path)
{
    src *s = calloc(1, sizeof *s);
    if (!s) { fail(im, path, 0, "out of memory"); return NULL; }
    s->path = path;
    s->line = 1;
    unsigned char magic[2];
    struct stat st;
    if ((s->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(s->fd, &st) != 0) {
        fail(im, path, 0, "%s", strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        fail(im, path, 0, "is a directory");
    } else if (pread(s->fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        src_gunzip(im, s);
    }
    if (im->failed) {
        if (s->fd >= 0) close(s->fd);
        free(s);
        return NULL;
    }
    src_prime(im, s);
    return s;
}

/* Close s; for gzip input wait for gzip and check how it ended.  ok says
 * whether reading succeeded.  Returns the final verdict: a gzip failure is
 * reported (replacing a row error it probably caused: truncated data ends
 * in a broken row) unless we stopped reading first and gzip died of the
 * closed pipe. */
static bool src_close(imp *im, src *s, bool ok)
{
    close(s->fd);
    if (s->child > 0) {
        int st = 0;
        pid_t w;
        do w = waitpid(s->child, &st, 0);
        while (w < 0 && errno == EINTR);
        bool clean = w == s->child && WIFEXITED(st) && WEXITSTATUS(st) == 0;
        bool stopped = !ok && w == s->child && WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE;
        if (!clean && !stopped) {
            im->failed = false;
            if (w != s->child)
                fail(im, s->path, s->line, "cannot get gzip's exit status: %s", strerror(errno));
            else if (WIFEXITED(st) && WEXITSTATUS(st) >= 126)
                fail(im, s->path, 0, "cannot run gzip -dc");
            else
                fail(im, s->path, s->line, "gzip -dc failed (%s %d): truncated or corrupt "
                     "gzip data", WIFEXITED(st) ? "exit status" : "signal",
                     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            ok = false;
        }
    }
    free(s);
    return ok;
}

/* ---- rows of text: CSV (RFC 4180) and tab-separated ---- */

typedef struct rec {
    char *data;                 /* the fields, each NUL-terminated */
    size_t len, cap;
    size_t off[MAX_FIELDS];
    int nf;
    long line;                  /* where the row starts */
} rec;

static bool rec_put(imp *im, src *s, rec *r, char c)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4096;
        char *p = cap <= MAX_ROW_BYTES ? realloc(r->data, cap) : NULL;
        if (!p) {
            if (cap > MAX_ROW_BYTES)
                fail(im, s->path, r->line, "row longer than %u bytes (an unterminated quote?)",
                     MAX_ROW_BYTES);
            else
                fail(im, s->path, r->line, "out of memory");
            return false;
        }
        r->data = p;
        r->cap = cap;
    }
    r->data[r->len++] = c;
    return true;
}

/* End the current field; false when there are too many. */
static bool rec_end_field(imp *im, src *s, rec *r, size_t start)
{
    if (r->nf == MAX_FIELDS) {
        fail(im, s->path, r->line, "more than %d fields", MAX_FIELDS);
        return false;
    }
    if (!rec_put(im, s, r, 0)) return false;
    r->off[r->nf++] = start;
    return true;
}

/* Field i of r, trimmed of spaces and tabs; "" when r has no field i. */
static char *rec_field(rec *r, int i)
{
    if (i < 0 || i >= r->nf) return "";
    char *f = r->data + r->off[i], *e = f + strlen(f);
    while (*f == ' ' || *f == '\t') f++;
    while (e > f && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
    return f;
}

static bool rec_blank(rec *r)
{
    for (int i = 0; i < r->nf; i++)
        if (*rec_field(r, i)) return false;
    return true;
}

/* A line end at c: "\n", or "\r\n" (the \n is consumed). */
static bool line_end(imp *im, src *s, int c)
{
    if (c == '\r' && src_peek(im, s) == '\n') { s->pos++; return true; }
    return c == '\n';
}

/* Read a quoted field (the opening quote read); *c gets the byte after
 * the closing quote. */
static bool csv_quoted(imp *im, src *s, rec *r, int *c)
{
    long start = s->line;
    for (;;) {
        int ch = src_get(im, s);
        if (ch < 0) {
            if (!im->failed)
                fail(im, s->path, start, "unterminated quoted field");
            return false;
        }
        if (ch == '"') {
            if (src_peek(im, s) != '"') { *c = src_get(im, s); return true; }
            s->pos++;
        } else if (ch == '\n') {
            s->line++;
        }
        if (!rec_put(im, s, r, (char)ch)) return false;
    }
}

/* Read the next CSV row into r: 1, 0 at end of input, -1 on error. */
static int read_csv(imp *im, src *s, rec *r)
{
    r->len = 0;
    r->nf = 0;
    r->line = s->line;
    int c = src_get(im, s);
    if (c < 0) return im->failed ? -1 : 0;
    for (;;) {
        size_t start = r->len;
        if (c == '"') {
            if (!csv_quoted(im, s, r, &c)) return -1;
            if (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                fail(im, s->path, s->line, "text after a closing quote");
                return -1;
            }
            if (c == '\r') { line_end(im, s, c); c = '\n'; }   /* CR, or CR LF */
        } else {
            while (c >= 0 && c != ',' && !line_end(im, s, c)) {
                if (!rec_put(im, s, r, (char)c)) return -1;
                c = src_get(im, s);
            }
            if (c == '\r') c = '\n';                  /* line_end took the LF */
        }
        if (!rec_end_field(im, s, r, start)) return -1;
        if (c == ',') { c = src_get(im, s); continue; }
        if (c == '\n') s->line++;
        return im->failed ? -1 : 1;
    }
}

/* Read the next tab-separated row (no quoting): 1, 0 at end, -1 on error. */
static int read_tsv(imp *im, src *s, rec *r)
{
    r->len = 0;
    r->nf = 0;
    r->line = s->line;
    int c = src_get(im, s);
    if (c < 0) return im->failed ? -1 : 0;
    size_t start = 0;
    for (; c >= 0 && !line_end(im, s, c); c = src_get(im, s)) {
        if (c != '\t') { if (!rec_put(im, s, r, (char)c)) return -1; continue; }
        if (!rec_end_field(im, s, r, start)) return -1;
        start = r->len;
    }
    if (!rec_end_field(im, s, r, start)) return -1;
    if (c >= 0) s->line++;
    return im->failed ? -1 : 1;
}

/* ---- the string pool ---- */

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;            /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static bool pool_grow(pool *p)
{
    size_t n = p->nslots ? p->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < p->nslots; i++) {
        uint32_t off = p->slots[i];
        if (!off) continue;
        const char *s = p->b.p + off;
        size_t j = hash_str(s, strlen(s)) & (n - 1);
        while (slots[j]) j = (j + 1) & (n - 1);
        slots[j] = off;
    }
    free(p->slots);
    p->slots = slots;
    p->nslots = n;
    return true;
}

/* Offset of s in the pool, adding it when new; 0 for "" and on failure
 * (message set). */
static uint32_t intern(imp *im, const char *path, long line, const char *s)
{
    pool *p = &im->strings;
    size_t n = strlen(s);
    if (n == 0) return 0;
    if ((p->used + 1) * 2 > p->nslots && !pool_grow(p)) goto oom;
    size_t j = hash_str(s, n) & (p->nslots - 1);
    for (; p->slots[j]; j = (j + 1) & (p->nslots - 1))
        if (!strcmp(p->b.p + p->slots[j], s)) return p->slots[j];
    if (p->b.len + n + 1 > MAX_STRINGS) {
        fail(im, path, line, "more than %zu bytes of text in one release", MAX_STRINGS);
        return 0;
    }
    uint32_t off = (uint32_t)p->b.len;
    cs_buf_put(&p->b, s, n + 1);
    if (p->b.oom) goto oom;
    p->slots[j] = off;
    p->used++;
    return off;
oom:
    fail(im, path, line, "out of memory");
    return 0;
}

/* ---- table rows ---- */

static bool rows_add(imp *im, cs_ref_table t, const char *path, long line,
                     const void *record, uint32_t rank)
{
    rows *r = &im->t[t];
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 1024;
        unsigned char *p = r->n < MAX_ROWS ? realloc(r->p, cap * r->stride) : NULL;
        if (!p) {
            if (r->n >= MAX_ROWS) fail(im, path, line, "more than %u rows", MAX_ROWS);
            else fail(im, path, line, "out of memory");
            return false;
        }
        r->p = p;
        r->cap = cap;
    }
    meta m = {(uint32_t)line, rank};
    memcpy(r->p + r->n * r->stride, record, r->recsize);
    memcpy(r->p + r->n * r->stride + r->recsize, &m, sizeof m);
    r->n++;
    return true;
}

/* ---- field values ---- */

/* A CPT/HCPCS code: exactly 5 letters or digits. */
static bool code5(const char *s, uint32_t *out)
{
    *out = strlen(s) == 5 ? (uint32_t)csref_pack(s, 5, 5) : 0;
    return *out != 0;
}

/* code5, with the message "<what> '<s>' is not a 5-character code". */
static bool code_field(imp *im, const char *path, long line, const char *what, const char *s,
                       uint32_t *out)
{
    if (code5(s, out)) return true;
    fail(im, path, line, "%s '%s' is not a 5-character code", what, s);
    return false;
}

/* A date "YYYY-MM-DD" or "YYYYMMDD" into *d; "" gives 0 when empty_ok. */
static bool date_field(const char *s, bool empty_ok, cs_date *d)
{
    char iso[11];
    *d = 0;
    if (!*s) return empty_ok;
    size_t n = strlen(s);
    if (n == 8 && strspn(s, "0123456789") == 8) {
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        s = iso;
    }
    return cs_date_parse(s, d);
}

/* An unsigned whole number <= max. */
static bool uint_field(const char *s, long max, long *v)
{
    long x = 0;
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9) return false;
    for (; *s; s++) x = x * 10 + (*s - '0');
    *v = x;
    return x <= max;
}

/* A non-negative decimal with at most scale decimals, as an integer in
 * units of 10^-scale ("0.43", 2 -> 43), exactly: no floating point. */
static bool fixed_field(const char *s, int scale, long max, int32_t *v)
{
    long x = 0;
    int digits = 0, decimals = -1;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0 && digits > 0) { decimals = 0; continue; }
        if (*s < '0' || *s > '9' || ++digits > 12) return false;
        if (decimals >= 0 && ++decimals > scale) return false;
        x = x * 10 + (*s - '0');
    }
    if (digits == 0 || decimals == 0) return false;
    for (int i = decimals < 0 ? 0 : decimals; i < scale; i++) x *= 10;
    if (x > max) return false;
    *v = (int32_t)x;
    return true;
}

/* ---- PTP ---- */

/* Label index of a rationale (a pool offset), adding it when new. */
static bool label_of(imp *im, const char *path, long line, uint32_t off, uint16_t *idx)
{
    if (im->last_label < im->nlabels && im->labels[im->last_label] == off) {
        *idx = (uint16_t)im->last_label;
        return true;
    }
    size_t i = 0;
    while (i < im->nlabels && im->labels[i] != off) i++;
    if (i == im->nlabels) {
        if (i == MAX_LABELS) {
            fail(im, path, line, "more than %d distinct PTP rationales", MAX_LABELS);
            return false;
        }
        im->labels[im->nlabels++] = off;
    }
    im->last_label = i;
    *idx = (uint16_t)i;
    return true;
}

/* A PTP date into days since 1970 (0 for none). */
static bool ptp_day(imp *im, const char *path, long line, const char *what, const char *s,
                    bool active_ok, uint16_t *day)
{
    cs_date d;
    *day = 0;
    if (active_ok && (!strcmp(s, "*") || !strcmp(s, "9999-12-31") || !strcmp(s, "99991231")))
        return true;
    if (!date_field(s, !active_ok, &d)) {
        fail(im, path, line, "%s date '%s' is not a date (YYYY-MM-DD or YYYYMMDD%s)", what, s,
             active_ok ? ", or * or 9999-12-31 when active" : "");
        return false;
    }
    if (d && !(*day = csref_days(d))) {
        fail(im, path, line, "%s date %s is outside 1970-01-02..2149-06-06", what, s);
        return false;
    }
    return true;
}

/* One PTP row from its field texts. */
static bool ptp_add(imp *im, const char *path, long line, char **f)
{
    csref_ptp p = {0};
    uint32_t off;
    if (!code_field(im, path, line, "column 1 code", f[0], &p.col1)) return false;
    if (!code_field(im, path, line, "column 2 code", f[1], &p.col2)) return false;
    if (!ptp_day(im, path, line, "effective", f[2], false, &p.effective)) return false;
    if (!ptp_day(im, path, line, "deletion", f[3], true, &p.deleted)) return false;
    if (strlen(f[4]) != 1 || !strchr("019", f[4][0])) {
        fail(im, path, line, "modifier indicator '%s' is not 0, 1 or 9", f[4]);
        return false;
    }
    p.indicator = (uint8_t)(f[4][0] - '0');
    off = intern(im, path, line, f[5]);
    if (im->failed || !label_of(im, path, line, off, &p.rationale)) return false;
    return rows_add(im, CS_REF_PTP, path, line, &p, 0);
}

/* ---- header rows: columns found by name ---- */

typedef struct col {
    const char *names[3];       /* normalised name, CMS's names; "*X": ends with X */
    bool required;
} col;

/* Upper-case s with runs of white space made one space, trimmed, appended
 * to out (a space first when out is not empty). */
static void name_append(char *out, const char *s)
{
    size_t n = strlen(out);
    bool space = n > 0;
    for (; *s && n + 2 < MAX_NAME; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') { space = n > 0; continue; }
        if (space) { out[n++] = ' '; space = false; }
        out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    out[n] = 0;
}

static bool name_matches(const char *name, const char *want)
{
    if (want[0] != '*') return !strcmp(name, want);
    size_t n = strlen(name), m = strlen(want + 1);
    return n >= m && !strcmp(name + n - m, want + 1) && (n == m || name[n - m - 1] == ' ');
}

/* Whether a row above a header row is part of a stacked header: not blank,
 * and not a title line (titles sit in the first three columns). */
static bool header_like(rec *r)
{
    for (int i = 3; i < r->nf; i++)
        if (*rec_field(r, i)) return true;
    return false;
}

/* Match the columns against row r, each column's name being its cells in
 * the `above` rows (top first) and r joined.  Fills idx (-1: not found);
 * returns how many columns were found. */
static int match_columns(rec *r, rec **above, int nabove, const col *cols, int ncols, int *idx)
{
    int found = 0;
    for (int k = 0; k < ncols; k++) idx[k] = -1;
    for (int j = 0; j < r->nf; j++) {
        char name[MAX_NAME] = "";
        for (int a = 0; a < nabove; a++) name_append(name, rec_field(above[a], j));
        name_append(name, rec_field(r, j));
        for (int k = 0; k < ncols; k++)
            for (int v = 0; v < 3 && cols[k].names[v] && idx[k] < 0; v++)
                if (name_matches(name, cols[k].names[v])) { idx[k] = j; found++; }
    }
    return found;
}

static bool all_required(const col *cols, int ncols, const int *idx)
{
    for (int k = 0; k < ncols; k++)
        if (cols[k].required && idx[k] < 0) return false;
    return true;
}

/* Try row r (with the rows before it, prev[0..nprev-1] oldest first) as
 * the header: alone, then with the header-like rows right above it.
 * Returns the number of columns of the better match; idx filled. */
static int try_header(rec *r, rec *prev, int nprev, const col *cols, int ncols, int *idx)
{
    rec *above[MAX_HEADER_ROWS];
    int n = match_columns(r, NULL, 0, cols, ncols, idx);
    if (all_required(cols, ncols, idx)) return n;
    int k = nprev;
    while (k > 0 && header_like(&prev[k - 1])) k--;
    if (k == nprev) return n;
    for (int i = k; i < nprev; i++) above[i - k] = &prev[i];
    int alt[MAX_FIELDS];
    int m = match_columns(r, above, nprev - k, cols, ncols, alt);
    if (all_required(cols, ncols, alt) || m > n) {
        memcpy(idx, alt, (size_t)ncols * sizeof *idx);
        return m;
    }
    return n;
}

/* Keep a copy of r as the newest of the previous rows. */
static bool keep_prev(rec *prev, int *nprev, const rec *r)
{
    if (*nprev == MAX_HEADER_ROWS) {
        free(prev[0].data);
        memmove(prev, prev + 1, (MAX_HEADER_ROWS - 1) * sizeof *prev);
        (*nprev)--;
    }
    rec *c = &prev[*nprev];
    *c = *r;
    if (!(c->data = malloc(r->len ? r->len : 1))) return false;
    memcpy(c->data, r->data, r->len);
    (*nprev)++;
    return true;
}

/* Name a required column that idx lacks, for the message. */
static void missing_columns(const col *cols, int ncols, const int *idx, char *out, size_t cap)
{
    out[0] = 0;
    for (int k = 0; k < ncols; k++) {
        if (!cols[k].required || idx[k] >= 0) continue;
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", n ? ", " : "", cols[k].names[0]);
    }
}

/* Read rows of s until the header; idx gets each column's position.  A row
 * naming two or more of the columns but not all the required ones is a
 * header with missing columns. */
static bool find_header(imp *im, src *s, rec *r, const col *cols, int ncols, int *idx)
{
    rec prev[MAX_HEADER_ROWS];
    int nprev = 0;
    bool ok = false;
    char missing[512];
    for (int i = 0; i < MAX_PREAMBLE && read_csv(im, s, r) == 1; i++) {
        int n = try_header(r, prev, nprev, cols, ncols, idx);
        if (all_required(cols, ncols, idx)) { ok = true; break; }
        if (n >= 2) {
            missing_columns(cols, ncols, idx, missing, sizeof missing);
            fail(im, s->path, r->line, "missing column%s %s", strchr(missing, ',') ? "s" : "",
                 missing);
            break;
        }
        if (!keep_prev(prev, &nprev, r)) { fail(im, s->path, r->line, "out of memory"); break; }
    }
    if (!ok && !im->failed) {
        missing_columns(cols, ncols, idx, missing, sizeof missing);
        fail(im, s->path, 1, "no header row with the columns %s in the first %d rows", missing,
             MAX_PREAMBLE);
    }
    for (int i = 0; i < nprev; i++) free(prev[i].data);
    return ok;
}

/* ---- CSV tables ---- */

#define MAX_COLS 8

typedef bool (*row_fn)(imp *im, const char *path, long line, char **f);

typedef struct csv_table {
    cs_ref_table t;
    col cols[MAX_COLS];
    int ncols;
    row_fn row;
} csv_table;

/* Read every row of a CSV table from s after its header. */
static bool read_csv_rows(imp *im, src *s, const csv_table *tb)
{
    rec r = {0};
    int idx[MAX_COLS], rc;
    bool ok = find_header(im, s, &r, tb->cols, tb->ncols, idx);
    while (ok && (rc = read_csv(im, s, &r)) != 0) {
        if (rc < 0) { ok = false; break; }
        if (rec_blank(&r)) continue;
        char *f[MAX_COLS];
        for (int k = 0; k < tb->ncols; k++) {
            if (tb->cols[k].required && idx[k] >= r.nf) {
                fail(im, s->path, r.line, "no %s field (%d fields)", tb->cols[k].names[0], r.nf);
                ok = false;
                break;
            }
            f[k] = rec_field(&r, idx[k]);
        }
        if (ok) ok = tb->row(im, s->path, r.line, f);
    }
    free(r.data);
    return ok;
}

static bool import_csv(imp *im, const char *path, const csv_table *tb)
{
    src *s = src_open(im, path);
    if (!s) return false;
    im->t[tb->t].path = path;
    return src_close(im, s, read_csv_rows(im, s, tb));
}

/* PTP, normalised: column1,column2,[effective_date,]deletion_date,
 * modifier_indicator,ptp_edit_rationale. */
static bool ptp_csv_row(imp *im, const char *path, long line, char **f)
{
    char *g[6] = {f[0], f[1], f[2], f[3], f[4], f[5]};
    return ptp_add(im, path, line, g);
}

static const csv_table ptp_csv = {CS_REF_PTP, {
    {{"COLUMN1", "COLUMN 1"}, true},
    {{"COLUMN2", "COLUMN 2"}, true},
    {{"EFFECTIVE_DATE", "EFFECTIVE DATE"}, false},
    {{"DELETION_DATE", "DELETION DATE"}, true},
    {{"MODIFIER_INDICATOR", "MODIFIER INDICATOR"}, true},
    {{"PTP_EDIT_RATIONALE", "PTP EDIT RATIONALE"}, false},
}, 6, ptp_csv_row};

/* PTP, CMS's raw tab-separated file: a preamble, the header row "Column 1",
 * "Column 2", "*=in existence", "Effective", "Deletion", "Modifier", "PTP
 * Edit Rationale" and its continuation rows (first two fields empty), then
 * rows of 7 fields: codes, pre-1996 flag ("*" or ""), effective YYYYMMDD,
 * deletion YYYYMMDD or "*", indicator, rationale. */
static bool ptp_tsv_header(imp *im, src *s, rec *r)
{
    for (int i = 0; i < MAX_PREAMBLE; i++) {
        int rc = read_tsv(im, s, r);
        if (rc < 0) return false;
        if (rc == 0) break;
        if (strcmp(rec_field(r, 0), "Column 1") || strcmp(rec_field(r, 1), "Column 2")) continue;
        if (r->nf < 7 || strncmp(rec_field(r, 3), "Effective", 9) ||
            strncmp(rec_field(r, 4), "Deletion", 8) || strncmp(rec_field(r, 5), "Modifier", 8)) {
            fail(im, s->path, r->line, "PTP header row is not Column 1, Column 2, *=in existence, "
                 "Effective, Deletion, Modifier, PTP Edit Rationale");
            return false;
        }
        return true;
    }
    fail(im, s->path, s->line, "no PTP header row (Column 1, Column 2, ...) in the first %d lines",
         MAX_PREAMBLE);
    return false;
}

static bool ptp_tsv_row(imp *im, src *s, rec *r)
{
    if (r->nf < 7) {
        fail(im, s->path, r->line, "%d fields, expected 7 (tab-separated)", r->nf);
        return false;
    }
    for (int i = 7; i < r->nf; i++)
        if (*rec_field(r, i)) {
            fail(im, s->path, r->line, "%d fields, expected 7 (tab-separated)", r->nf);
            return false;
        }
    const char *flag = rec_field(r, 2);
    if (*flag && strcmp(flag, "*")) {
        fail(im, s->path, r->line, "pre-1996 flag '%s' is not * or empty", flag);
        return false;
    }
    char *f[6] = {rec_field(r, 0), rec_field(r, 1), rec_field(r, 3), rec_field(r, 4),
                  rec_field(r, 5), rec_field(r, 6)};
    if (!*f[2]) { fail(im, s->path, r->line, "no effective date"); return false; }
    return ptp_add(im, s->path, r->line, f);
}

static bool read_ptp_tsv(imp *im, src *s)
{
    rec r = {0};
    int rc;
    bool ok = ptp_tsv_header(im, s, &r), header = true;
    while (ok && (rc = read_tsv(im, s, &r)) != 0) {
        if (rc < 0) { ok = false; break; }
        if (header && !*rec_field(&r, 0) && !*rec_field(&r, 1)) continue;
        header = false;
        if (!rec_blank(&r)) ok = ptp_tsv_row(im, s, &r);
    }
    free(r.data);
    return ok;
}

/* A PTP file of either layout: CMS's raw file has tabs on its first line. */
static bool import_ptp(imp *im, const char *path)
{
    src *s = src_open(im, path);
    if (!s) return false;
    char first[512];
    src_first_line(s, first, sizeof first);
    bool ok = strchr(first, '\t') ? read_ptp_tsv(im, s) : read_csv_rows(im, s, &ptp_csv);
    return src_close(im, s, ok);
}

/* ---- MUE, AOC, PFS ---- */

static bool mue_row(imp *im, const char *path, long line, char **f)
{
    csref_mue m = {0};
    long v;
    if (!code_field(im, path, line, "code", f[0], &m.code)) return false;
    if (!uint_field(f[1], MAX_MUE_VALUE, &v)) {
        fail(im, path, line, "MUE value '%s' is not a whole number of units (0..%d)", f[1],
             MAX_MUE_VALUE);
        return false;
    }
    m.value = (uint32_t)v;
    /* "3" (normalised) or "3 Date of Service Edit: Clinical" (CMS). */
    if (!f[2][0] || !strchr("123", f[2][0]) || (f[2][1] && f[2][1] != ' ')) {
        fail(im, path, line, "MUE adjudication indicator '%s' is not 1, 2 or 3", f[2]);
        return false;
    }
    m.mai = (uint8_t)(f[2][0] - '0');
    m.rationale = intern(im, path, line, f[3]);
    return !im->failed && rows_add(im, CS_REF_MUE, path, line, &m, 0);
}

static const csv_table mue_csv = {CS_REF_MUE, {
    {{"HCPCS_CPT_CODE", "HCPCS/ CPT CODE", "HCPCS/CPT CODE"}, true},
    {{"MUE_VALUE", "*MUE VALUES"}, true},
    {{"MUE_ADJUDICATION_INDICATOR", "MUE ADJUDICATION INDICATOR"}, true},
    {{"MUE_RATIONALE", "MUE RATIONALE"}, false},
}, 4, mue_row};

static bool aoc_row(imp *im, const char *path, long line, char **f)
{
    csref_aoc a = {0};
    if (strcmp(f[0], "CCCCC") && !code5(f[0], &a.primary)) {
        fail(im, path, line, "primary code '%s' is not a 5-character code or CCCCC", f[0]);
        return false;
    }
    if (!code_field(im, path, line, "add-on code", f[1], &a.addon)) return false;
    if (strlen(f[2]) != 1 || !strchr("123", f[2][0])) {
        fail(im, path, line, "AOC edit type '%s' is not 1, 2 or 3", f[2]);
        return false;
    }
    a.type = (uint8_t)(f[2][0] - '0');
    return rows_add(im, CS_REF_AOC, path, line, &a, 0);
}

static const csv_table aoc_csv = {CS_REF_AOC, {
    {{"PRIMARY_CODE", "PRIMARY CODE"}, true},
    {{"ADD_ON_CODE", "ADD-ON CODE", "ADD ON CODE"}, true},
    {{"AOC_EDIT_TYPE", "AOC EDIT TYPE"}, true},
}, 3, aoc_row};

static bool rvu(imp *im, const char *path, long line, const char *what, const char *s, int32_t *v)
{
    if (fixed_field(s, 2, MAX_RVU, v)) return true;
    fail(im, path, line, "%s '%s' is not a number with at most 2 decimals", what, s);
    return false;
}

static bool pfs_row(imp *im, const char *path, long line, char **f)
{
    static const char *const globals[] = {"000", "010", "090", "MMM", "XXX", "YYY", "ZZZ"};
    csref_pfs p = {0};
    if (!code_field(im, path, line, "HCPCS code", f[0], &p.code)) return false;
    if (*f[1] && (strlen(f[1]) != 2 || !(p.mod = (uint16_t)csref_pack(f[1], 2, 2)))) {
        fail(im, path, line, "modifier '%s' is not 2 letters or digits", f[1]);
        return false;
    }
    if (strlen(f[2]) != 1 || f[2][0] < 'A' || f[2][0] > 'Z') {
        fail(im, path, line, "status code '%s' is not one letter", f[2]);
        return false;
    }
    p.status = f[2][0];
    if (!rvu(im, path, line, "work RVU", f[3], &p.work_rvu) ||
        !rvu(im, path, line, "non-facility total RVU", f[4], &p.nonfac_total_rvu) ||
        !rvu(im, path, line, "facility total RVU", f[5], &p.fac_total_rvu)) return false;
    size_t g = 0;
    while (g < 7 && strcmp(f[6], globals[g])) g++;
    if (g == 7) {
        fail(im, path, line, "global days '%s' is not 000, 010, 090, MMM, XXX, YYY or ZZZ", f[6]);
        return false;
    }
    memcpy(p.global, f[6], 3);
    if (!fixed_field(f[7], 4, MAX_CF, &p.conv_factor)) {
        fail(im, path, line, "conversion factor '%s' is not a number with at most 4 decimals",
             f[7]);
        return false;
    }
    return rows_add(im, CS_REF_PFS, path, line, &p, 0);
}

static const csv_table pfs_csv = {CS_REF_PFS, {
    {{"HCPCS"}, true},
    {{"MOD"}, true},
    {{"STATUS_CODE", "STATUS CODE"}, true},
    {{"WORK_RVU", "WORK RVU"}, true},
    {{"NONFAC_TOTAL_RVU", "NON-FACILITY TOTAL"}, true},
    {{"FAC_TOTAL_RVU", "FACILITY TOTAL"}, true},
    {{"GLOB_DAYS", "GLOB DAYS"}, true},
    {{"CONV_FACTOR", "CONV FACTOR"}, true},
}, 8, pfs_row};

/* ---- ICD-10-CM ---- */

static bool icd10_add(imp *im, const char *path, long line, const char *code,
                      const char *billable, const char *desc)
{
    csref_icd10 c = {0};
    if (!(c.code = csref_pack_icd10(code, strlen(code)))) {
        fail(im, path, line, "'%s' is not an ICD-10-CM code", code);
        return false;
    }
    if (strlen(billable) != 1 || (billable[0] != '0' && billable[0] != '1')) {
        fail(im, path, line, "HIPAA-valid flag '%s' is not 0 or 1", billable);
        return false;
    }
    c.billable = billable[0] == '1';
    c.description = intern(im, path, line, desc);
    return !im->failed && rows_add(im, CS_REF_ICD10, path, line, &c, 0);
}

static bool icd10_row(imp *im, const char *path, long line, char **f)
{
    return icd10_add(im, path, line, f[0], f[1], f[2]);
}

static const csv_table icd10_csv = {CS_REF_ICD10, {
    {{"ICD10CM_CODE", "CODE"}, true},
    {{"VALID_FOR_HIPAA"}, true},
    {{"DESCRIPTION"}, true},
}, 3, icd10_row};

/* CMS's order file, fixed width: order number (5 digits), space, code
 * (7, undotted, space padded), space, 0 header / 1 valid, space, short
 * description (60), space, long description. */
static bool order_file_line(const char *s)
{
    size_t n = strlen(s);
    return n >= 16 && strspn(s, "0123456789") == 5 && s[5] == ' ' && s[13] == ' ' &&
           (s[14] == '0' || s[14] == '1') && s[15] == ' ';
}

static bool icd10_order_row(imp *im, src *s, rec *r)
{
    char *line = rec_field(r, 0), code[8], flag[2] = {0};
    if (!order_file_line(line)) {
        fail(im, s->path, r->line, "not a line of the ICD-10-CM order file");
        return false;
    }
    memcpy(code, line + 6, 7);
    code[7] = 0;
    for (char *e = code + 7; e > code && e[-1] == ' '; ) *--e = 0;
    flag[0] = line[14];
    const char *desc = strlen(line) > 77 ? line + 77 : line + 16;
    while (*desc == ' ') desc++;
    char shortd[61];
    if (desc == line + 16) {            /* no long description: the short one */
        snprintf(shortd, sizeof shortd, "%.60s", desc);
        for (char *e = shortd + strlen(shortd); e > shortd && e[-1] == ' '; ) *--e = 0;
        desc = shortd;
    }
    return icd10_add(im, s->path, r->line, code, flag, desc);
}

static bool read_icd10_order(imp *im, src *s)
{
    rec r = {0};
    int rc;
    bool ok = true;
    /* one field a line: the order file has no tabs */
    while (ok && (rc = read_tsv(im, s, &r)) != 0) {
        if (rc < 0) { ok = false; break; }
        if (r.nf > 1) { fail(im, s->path, r.line, "tab in the ICD-10-CM order file"); ok = false; }
        else if (!rec_blank(&r)) ok = icd10_order_row(im, s, &r);
    }
    free(r.data);
    return ok;
}

static bool import_icd10(imp *im, const char *path)
{
    src *s = src_open(im, path);
    if (!s) return false;
    im->t[CS_REF_ICD10].path = path;
    char first[512];
    src_first_line(s, first, sizeof first);
    bool ok = order_file_line(first) ? read_icd10_order(im, s) : read_csv_rows(im, s, &icd10_csv);
    return src_close(im, s, ok);
}

/* ---- HCPCS, adjustment codes ---- */

/* HCPCS, normalised (hcpcs_code,hcpcs_section,desc_type,description): no
 * dates, no coverage code. */
static bool hcpcs_row(imp *im, const char *path, long line, char **f)
{
    csref_hcpcs h = {0};
    if (!code_field(im, path, line, "HCPCS code", f[0], &h.code)) return false;
    h.section = intern(im, path, line, f[1]);
    h.description = intern(im, path, line, f[3]);
    /* One row per code is kept: the first "Long" description, else the
     * first row (the CSV also holds Short and NOC rows). */
    uint32_t rank = !*f[2] || !strcmp(f[2], "Long") ? 0 : 1;
    return !im->failed && rows_add(im, CS_REF_HCPCS, path, line, &h, rank);
}

static const csv_table hcpcs_csv = {CS_REF_HCPCS, {
    {{"HCPCS_CODE"}, true},
    {{"HCPCS_SECTION"}, true},
    {{"DESC_TYPE"}, false},
    {{"DESCRIPTION"}, true},
}, 4, hcpcs_row};

/* HCPCS, CMS's alpha-numeric file (HCPC<YYYY>_<MON>_ANWEB) saved as CSV:
 * HCPC, RECID (3 a code, 7 a modifier: skipped), LONG DESCRIPTION, COV,
 * ADD DT, TERM DT (YYYYMMDD).  Columns by name, underscores or spaces. */
static bool anweb_row(imp *im, const char *path, long line, char **f)
{
    csref_hcpcs h = {0};
    if (!strcmp(f[1], "7")) return true;                /* a modifier */
    if (strcmp(f[1], "3")) {
        fail(im, path, line, "RECID '%s' is not 3 (a code) or 7 (a modifier)", f[1]);
        return false;
    }
    if (!code_field(im, path, line, "HCPCS code", f[0], &h.code)) return false;
    if (!date_field(f[3], true, &h.added)) {
        fail(im, path, line, "ADD_DT '%s' is not a date (YYYYMMDD)", f[3]);
        return false;
    }
    if (!date_field(f[4], true, &h.terminated)) {
        fail(im, path, line, "TERM_DT '%s' is not a date (YYYYMMDD)", f[4]);
        return false;
    }
    if (h.added && h.terminated && h.terminated < h.added) {
        fail(im, path, line, "TERM_DT %s is before ADD_DT %s", f[4], f[3]);
        return false;
    }
    if (*f[5] && (f[5][1] || f[5][0] < 'A' || f[5][0] > 'Z')) {
        fail(im, path, line, "coverage code COV '%s' is not one capital letter", f[5]);
        return false;
    }
    h.cov = f[5][0];
    h.description = intern(im, path, line, f[2]);
    return !im->failed && rows_add(im, CS_REF_HCPCS, path, line, &h, 0);
}

static const csv_table anweb_csv = {CS_REF_HCPCS, {
    {{"HCPC"}, true},
    {{"RECID"}, true},
    {{"LONG_DESCRIPTION", "LONG DESCRIPTION"}, true},
    {{"ADD_DT", "ADD DT"}, true},
    {{"TERM_DT", "TERM DT"}, true},
    {{"COV"}, true},
}, 6, anweb_row};

/* Whether the header line names the column RECID (CMS's ANWEB layout). */
static bool anweb_header(const char *line)
{
    char name[MAX_NAME];
    while (*line) {
        size_t n = strcspn(line, ",");
        char field[MAX_NAME];
        snprintf(field, sizeof field, "%.*s", (int)(n < MAX_NAME - 1 ? n : MAX_NAME - 1), line);
        for (char *q; (q = strchr(field, '"')); ) memmove(q, q + 1, strlen(q));
        name[0] = 0;
        name_append(name, field);
        if (!strcmp(name, "RECID")) return true;
        line += n + (line[n] == ',');
    }
    return false;
}

static bool import_hcpcs(imp *im, const char *path)
{
    src *s = src_open(im, path);
    if (!s) return false;
    im->t[CS_REF_HCPCS].path = path;
    char first[4096];
    src_first_line(s, first, sizeof first);
    bool ok = read_csv_rows(im, s, anweb_header(first) ? &anweb_csv : &hcpcs_csv);
    return src_close(im, s, ok);
}

static bool adj_row(imp *im, const char *path, long line, char **f)
{
    static const char *const kinds[] = {"Group", "CARC", "RARC"};
    csref_adj a = {0};
    size_t n = strlen(f[0]);
    if (n > 5 || !(a.code = (uint32_t)csref_pack(f[0], n, 5))) {
        fail(im, path, line, "code '%s' is not 1 to 5 letters or digits", f[0]);
        return false;
    }
    size_t k = 0;
    while (k < 3 && strcmp(f[1], kinds[k])) k++;
    if (k == 3) {
        fail(im, path, line, "code type '%s' is not Group, CARC or RARC", f[1]);
        return false;
    }
    a.kind = (uint8_t)k;
    if (!date_field(f[3], true, &a.start)) {
        fail(im, path, line, "start date '%s' is not a date (YYYY-MM-DD)", f[3]);
        return false;
    }
    if (!date_field(f[4], true, &a.end)) {
        fail(im, path, line, "end date '%s' is not a date (YYYY-MM-DD)", f[4]);
        return false;
    }
    if (a.start && a.end && a.end < a.start) {
        fail(im, path, line, "end date %s is before the start date %s", f[4], f[3]);
        return false;
    }
    a.description = intern(im, path, line, f[2]);
    return !im->failed && rows_add(im, CS_REF_ADJ, path, line, &a, 0);
}

static const csv_table adj_csv = {CS_REF_ADJ, {
    {{"CODE"}, true},
    {{"CODE_TYPE"}, true},
    {{"DESCRIPTION"}, true},
    {{"START_DATE"}, true},
    {{"END_DATE"}, true},
}, 5, adj_row};

/* ---- sorting and checking ---- */

/* Order of two rows of table t: key, then the table's secondary order
 * (PTP: effective, then deletion with active last; adjustment codes:
 * start), then rank, then the record bytes (so the output does not
 * depend on the input order), then the input line. */
static int cmp_rows(cs_ref_table t, const rows *r, const void *a, const void *b)
{
    uint64_t ka = csref_key((uint32_t)t, a), kb = csref_key((uint32_t)t, b);
    if (ka != kb) return ka < kb ? -1 : 1;
    if (t == CS_REF_PTP) {
        const csref_ptp *x = a, *y = b;
        if (x->effective != y->effective) return x->effective < y->effective ? -1 : 1;
        uint32_t dx = x->deleted ? x->deleted : UINT32_MAX;
        uint32_t dy = y->deleted ? y->deleted : UINT32_MAX;
        if (dx != dy) return dx < dy ? -1 : 1;
    } else if (t == CS_REF_ADJ) {
        const csref_adj *x = a, *y = b;
        if (x->start != y->start) return x->start < y->start ? -1 : 1;
    }
    meta ma, mb;
    memcpy(&ma, (const unsigned char *)a + r->recsize, sizeof ma);
    memcpy(&mb, (const unsigned char *)b + r->recsize, sizeof mb);
    if (ma.rank != mb.rank) return ma.rank < mb.rank ? -1 : 1;
    int c = t == CS_REF_HCPCS ? 0 : memcmp(a, b, r->recsize);   /* HCPCS: first row wins */
    if (c) return c;
    return (ma.line > mb.line) - (ma.line < mb.line);
}

/* qsort has no context argument: one comparator per table. */
#define CMP_FOR(T, name) \
    static int name(const void *a, const void *b) { \
        return cmp_rows(T, &(rows){.recsize = csref_record_size(T)}, a, b); \
    }
CMP_FOR(CS_REF_PTP, cmp_ptp)
CMP_FOR(CS_REF_MUE, cmp_mue)
CMP_FOR(CS_REF_AOC, cmp_aoc)
CMP_FOR(CS_REF_PFS, cmp_pfs)
CMP_FOR(CS_REF_ICD10, cmp_icd10)
CMP_FOR(CS_REF_HCPCS, cmp_hcpcs)
CMP_FOR(CS_REF_ADJ, cmp_adj)

static int (*const comparators[CS_REF_NTABLES])(const void *, const void *) = {
    cmp_ptp, cmp_mue, cmp_aoc, cmp_pfs, cmp_icd10, cmp_hcpcs, cmp_adj,
};

/* Write a packed code back as text (for messages). */
static void unpack(uint64_t v, int width, char *out)
{
    char tmp[8];
    for (int i = width - 1; i >= 0; i--, v /= 37) {
        unsigned d = (unsigned)(v % 37);
        tmp[i] = d == 0 ? 0 : d <= 10 ? (char)('0' + d - 1) : (char)('A' + d - 11);
    }
    int n = 0;
    while (n < width && tmp[n]) { out[n] = tmp[n]; n++; }
    out[n] = 0;
}

/* A readable form of key of table t, for messages. */
static void key_text(cs_ref_table t, uint64_t key, char *out, size_t cap)
{
    char a[8], b[8];
    switch (t) {
    case CS_REF_AOC: unpack(key >> 32, 5, a); unpack(key & 0xffffffffu, 5, b);
                     snprintf(out, cap, "add-on %s with primary %s", a, *b ? b : "CCCCC"); break;
    case CS_REF_PFS: unpack(key >> 16, 5, a); unpack(key & 0xffff, 2, b);
                     snprintf(out, cap, "code %s%s%s", a, *b ? " modifier " : "", b); break;
    case CS_REF_ICD10: unpack(key, 7, a); snprintf(out, cap, "code %s", a); break;
    default: unpack(key, 5, a); snprintf(out, cap, "code %s", a); break;
    }
}

static bool duplicates_allowed(cs_ref_table t)
{
    return t == CS_REF_PTP || t == CS_REF_ADJ || t == CS_REF_HCPCS;
}

/* Sort table t, check for duplicate keys where the table has none (HCPCS:
 * keep the best row of each code) and pack the records together. */
static bool finish_table(imp *im, cs_ref_table t)
{
    rows *r = &im->t[t];
    bool sorted = true;
    for (size_t i = 1; i < r->n && sorted; i++)
        sorted = comparators[t](r->p + (i - 1) * r->stride, r->p + i * r->stride) <= 0;
    if (!sorted) qsort(r->p, r->n, r->stride, comparators[t]);
    size_t out = 0;
    for (size_t i = 0; i < r->n; i++) {
        const unsigned char *rec_i = r->p + i * r->stride;
        uint64_t key = csref_key((uint32_t)t, rec_i);
        if (out > 0 && csref_key((uint32_t)t, r->p + (out - 1) * r->recsize) == key) {
            if (t == CS_REF_HCPCS) continue;
            if (!duplicates_allowed(t)) {
                meta m, first;
                char what[64];
                memcpy(&m, rec_i + r->recsize, sizeof m);
                memcpy(&first, rec_i - r->stride + r->recsize, sizeof first);
                key_text(t, key, what, sizeof what);
                fail(im, r->path, m.line, "%s appears twice (also on line %u)", what, first.line);
                return false;
            }
        }
        memmove(r->p + out * r->recsize, rec_i, r->recsize);
        out++;
    }
    r->n = out;
    return true;
}

/* ---- writing the release file ---- */

static bool write_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

static uint64_t align_up(uint64_t x)
{
    return (x + CSREF_ALIGN - 1) / CSREF_ALIGN * CSREF_ALIGN;
}

typedef struct piece {          /* one directory entry and its bytes */
    csref_dirent d;
    const void *data;
} piece;

/* The directory: the tables given, the labels when PTP is there, the
 * strings; offsets assigned.  Returns the entry count; *size the file's. */
static uint32_t layout(imp *im, piece *pc, uint64_t *size)
{
    uint32_t n = 0;
    for (int t = 0; t < CS_REF_NTABLES; t++)
        if (im->have[t])
            pc[n++] = (piece){{(uint32_t)t, (uint32_t)im->t[t].recsize, 0, im->t[t].n}, im->t[t].p};
    if (im->have[CS_REF_PTP])
        pc[n++] = (piece){{CSREF_T_LABELS, sizeof(uint32_t), 0, im->nlabels}, im->labels};
    pc[n++] = (piece){{CSREF_T_WINDOWS, sizeof(csref_window), 0, im->nwindows}, im->windows};
    pc[n++] = (piece){{CSREF_T_STRINGS, 1, 0, im->strings.b.len}, im->strings.b.p};
    uint64_t at = sizeof(csref_header) + n * sizeof(csref_dirent);
    for (uint32_t i = 0; i < n; i++) {
        pc[i].d.offset = at = align_up(at);
        at += pc[i].d.count * pc[i].d.record_size;
    }
    *size = at;
    return n;
}

/* Write the whole release to fd. */
static bool write_release(imp *im, int fd, cs_date release)
{
    static const char magic[CSREF_MAGIC_LEN] = CSREF_MAGIC;
    static const unsigned char zeros[CSREF_ALIGN];
    piece pc[CSREF_MAX_DIRENTS];
    uint64_t size;
    uint32_t n = layout(im, pc, &size);
    csref_header h = {.version = CSREF_VERSION, .release = release, .ntables = n,
                      .file_size = size};
    memcpy(h.magic, magic, sizeof magic);
    if (!write_all(fd, &h, sizeof h)) return false;
    for (uint32_t i = 0; i < n; i++)
        if (!write_all(fd, &pc[i].d, sizeof pc[i].d)) return false;
    uint64_t at = sizeof h + n * sizeof(csref_dirent);
    for (uint32_t i = 0; i < n; i++) {
        if (!write_all(fd, zeros, (size_t)(pc[i].d.offset - at))) return false;
        size_t bytes = (size_t)(pc[i].d.count * pc[i].d.record_size);
        if (bytes && !write_all(fd, pc[i].data, bytes)) return false;
        at = pc[i].d.offset + bytes;
    }
    return true;
}

/* mkdir -p dir. */
static bool make_dirs(const char *dir)
{
    char path[ERR_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return false;
    }
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(path, 0755) != 0 && errno != EEXIST) return false;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return false;
    if (stat(path, &st) != 0) return false;
    if (!S_ISDIR(st.st_mode)) { errno = ENOTDIR; return false; }
    return true;
}

/* Sync the folder, so the rename is durable too. */
static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) { fsync(fd); close(fd); }
}

/* Write dir/<release>.csref through a synced temporary file. */
static bool publish(imp *im, const char *dir, cs_date release)
{
    char name[11], tmp[ERR_MAX], final[ERR_MAX];
    cs_date_format(release, name);
    if (!make_dirs(dir)) {
        fail(im, dir, 0, "cannot create the folder: %s", strerror(errno));
        return false;
    }
    snprintf(final, sizeof final, "%s/%s.csref", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.csref.XXXXXX", dir, name);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fail(im, dir, 0, "cannot create a temporary file: %s", strerror(errno));
        return false;
    }
    bool ok = fchmod(fd, 0644) == 0 && write_release(im, fd, release) && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) { ok = false; e = errno; }
    if (ok && rename(tmp, final) != 0) { ok = false; e = errno; }
    if (!ok) {
        unlink(tmp);
        fail(im, final, 0, "cannot write: %s", strerror(e));
        return false;
    }
    sync_dir(dir);
    return true;
}

/* ---- the import ---- */

static void imp_init(imp *im)
{
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        im->t[t].recsize = csref_record_size((uint32_t)t);
        im->t[t].stride = im->t[t].recsize + sizeof(meta);
    }
    cs_buf_putc(&im->strings.b, 0);     /* offset 0: "" */
}

static void imp_free(imp *im)
{
    for (int t = 0; t < CS_REF_NTABLES; t++) free(im->t[t].p);
    cs_buf_free(&im->strings.b);
    free(im->strings.slots);
    free(im);
}

/* Read every input given. */
static bool read_inputs(imp *im, const cs_import *in)
{
    const struct { cs_ref_table t; const char *path; const csv_table *tb; } one[] = {
        {CS_REF_MUE, in->mue, &mue_csv}, {CS_REF_AOC, in->aoc, &aoc_csv},
        {CS_REF_PFS, in->pfs, &pfs_csv}, {CS_REF_ICD10, in->icd10, NULL},
        {CS_REF_HCPCS, in->hcpcs, NULL}, {CS_REF_ADJ, in->adj, &adj_csv},
    };
    for (int i = 0; i < MAX_PTP_FILES && in->ptp[i]; i++) {
        im->have[CS_REF_PTP] = true;
        if (!import_ptp(im, in->ptp[i])) return false;
    }
    for (size_t i = 0; i < sizeof one / sizeof *one; i++) {
        if (!one[i].path) continue;
        im->have[one[i].t] = true;
        bool ok = one[i].tb ? import_csv(im, one[i].path, one[i].tb)
                : one[i].t == CS_REF_ICD10 ? import_icd10(im, one[i].path)
                : import_hcpcs(im, one[i].path);
        if (!ok) return false;
    }
    return true;
}

/* The window of every table given: the one asked for, else the default
 * for the table kind.  False (message set) on a bad window. */
static bool set_windows(imp *im, const char *dir, const cs_import *in)
{
    const char *const given[CS_REF_NTABLES] = {in->ptp[0], in->mue, in->aoc, in->pfs, in->icd10,
                                               in->hcpcs, in->adj};
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        if (!given[t]) continue;
        cs_date from, to;
        cs_ref_default_window((cs_ref_table)t, in->release, &from, &to);
        if (in->from[t]) from = in->from[t];
        if (in->to[t]) to = in->to[t];
        const char *name = cs_ref_table_name((cs_ref_table)t);
        if (!cs_date_valid(from) || !cs_date_valid(to)) {
            fail(im, dir, 0, "the validity window of table %s is not two dates", name);
            return false;
        }
        if (to < from) {
            char a[11], b[11];
            cs_date_format(from, a);
            cs_date_format(to, b);
            fail(im, dir, 0, "the validity window of table %s ends (%s) before it starts (%s)",
                 name, b, a);
            return false;
        }
        im->windows[im->nwindows++] = (csref_window){(uint32_t)t, from, to};
    }
    return true;
}

bool cs_refdata_import(const char *dir, const cs_import *in, char **err)
{
    if (err) *err = NULL;
    if (!dir || !in) {
        if (err) *err = strdup("no folder or no inputs given");
        return false;
    }
    imp *im = calloc(1, sizeof *im);
    if (!im) { if (err) *err = strdup("out of memory"); return false; }
    imp_init(im);
    char date[11];
    cs_date_format(in->release, date);
    cs_date check;
    if (!cs_date_parse(date, &check) || check != in->release)
        fail(im, dir, 0, "release date %d is not a date", (int)in->release);
    bool ok = !im->failed && !im->strings.b.oom && set_windows(im, dir, in) &&
              read_inputs(im, in);
    for (int t = 0; ok && t < CS_REF_NTABLES; t++)
        if (im->have[t]) ok = finish_table(im, (cs_ref_table)t);
    ok = ok && publish(im, dir, in->release);
    if (!ok && !im->failed) fail(im, dir, 0, "out of memory");
    if (!ok && err) *err = strdup(im->err);
    imp_free(im);
    return ok;
}

/* ---- public wrapper (claimscrub.h) ---- */

static int import_error(char **err, const char *fmt, const char *arg)
{
    char msg[ERR_MAX];
    snprintf(msg, sizeof msg, fmt, arg);
    if (err) *err = strdup(msg);
    return -1;
}

/* The table id named t, or -1. */
static int table_id(const char *t)
{
    for (int k = 0; k < CS_REF_NTABLES; k++)
        if (!strcmp(cs_ref_table_name((cs_ref_table)k), t)) return k;
    return -1;
}

/* Apply window w to the tables it names (in->from/to); 0 or -1 with *err. */
static int apply_window(cs_import *in, const cs_data_window *w, bool named, char **err)
{
    cs_date from = 0, to = 0;
    const char *what = w->table ? w->table : "every table";
    char msg[ERR_MAX];
    if ((w->from && !cs_date_parse(w->from, &from)) || (w->to && !cs_date_parse(w->to, &to))) {
        snprintf(msg, sizeof msg, "validity window of %s: '%s' is not a date YYYY-MM-DD", what,
                 w->from && !from ? w->from : w->to);
        return import_error(err, "%s", msg);
    }
    int k = w->table ? table_id(w->table) : -1;
    if (w->table && k < 0) return import_error(err, "validity window of unknown table '%s'", w->table);
    const char *const given[CS_REF_NTABLES] = {in->ptp[0], in->mue, in->aoc, in->pfs, in->icd10,
                                               in->hcpcs, in->adj};
    if (k >= 0 && !given[k])
        return import_error(err, "validity window of table '%s', which is not imported", w->table);
    for (int t = 0; t < CS_REF_NTABLES; t++) {
        if ((k >= 0 && t != k) || (w->table != NULL) != named) continue;
        if (from) in->from[t] = from;
        if (to) in->to[t] = to;
    }
    return 0;
}

int cs_data_import_windows(const char *dir, const char *release, const cs_data_file *files,
                           size_t nfiles, const cs_data_window *windows, size_t nwindows,
                           char **err)
{
    cs_import in = {0};
    int nptp = 0;
    if (err) *err = NULL;
    if (!release || !cs_date_parse(release, &in.release))
        return import_error(err, "release '%s' is not a date YYYY-MM-DD", release ? release : "");
    for (size_t i = 0; i < nfiles; i++) {
        const char *t = files[i].table, **slot = NULL;
        if (!t || !files[i].path) return import_error(err, "%s", "an input without table or path");
        if (!strcmp(t, "ptp")) {
            if (nptp == MAX_PTP_FILES) return import_error(err, "%s", "more than 8 PTP files");
            slot = &in.ptp[nptp++];
        } else if (!strcmp(t, "mue")) slot = &in.mue;
        else if (!strcmp(t, "aoc")) slot = &in.aoc;
        else if (!strcmp(t, "pfs")) slot = &in.pfs;
        else if (!strcmp(t, "icd10")) slot = &in.icd10;
        else if (!strcmp(t, "hcpcs")) slot = &in.hcpcs;
        else if (!strcmp(t, "adj")) slot = &in.adj;
        else return import_error(err, "unknown table '%s'", t);
        if (*slot) return import_error(err, "table '%s' given twice", t);
        *slot = files[i].path;
    }
    /* windows for every table first, then those naming a table */
    for (int named = 0; named < 2; named++)
        for (size_t i = 0; i < nwindows; i++)
            if (apply_window(&in, &windows[i], named, err) != 0) return -1;
    return cs_refdata_import(dir, &in, err) ? 0 : -1;
}

int cs_data_import(const char *dir, const char *release, const cs_data_file *files,
                   size_t nfiles, char **err)
{
    return cs_data_import_windows(dir, release, files, nfiles, NULL, 0, err);
}
