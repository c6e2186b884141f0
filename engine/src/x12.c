/*
 * x12.c -- ANSI X12 837P reader and mapper (claimscrub.h, docs/x12.md).
 *
 * cs_x12_read takes a whole file, walks its interchanges (ISA/IEA),
 * functional groups (GS/GE) and transactions (ST/SE), and makes one claim per
 * CLM segment.  Reading does only that: it finds the segments, splits into
 * elements those outside claims (and those that end one), checks the
 * envelopes (counts, control numbers, versions) and notes, for each claim,
 * its segments, the loop state above it and the envelopes' problems; it
 * does not look inside the claim.  cs_x12_map maps a claim once, when it is
 * checked or converted, into the cJSON tree its claim JSON would parse into
 * (no text) and its problems (a bad segment, an unmapped payer, ...; one
 * per line, each naming the segment number and element).  cs_check_x12
 * (engine.c) validates that tree as cs_check validates parsed JSON, so X12
 * claims meet exactly the rules and messages of JSON claims.
 *
 * Only an unreadable envelope (no ISA, bad separators) is an error for the
 * file; then the claims read before it are still returned.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "claimscrub.h"
#include "x12_internal.h"

#ifndef CS_DEFAULT_ROOT
#define CS_DEFAULT_ROOT "."
#endif

/* One claim.  Its tree is not kept (a few KiB a claim): the claim keeps its
 * own segments, from the CLM on, as they are in the file (a copy, or, for
 * cs_x12_read_kept, where they are) and the state of the loops above it;
 * cs_x12_map splits and maps them. */
struct cs_x12_claim {
    char *read_problems;    /* NULL, or the problems found reading (envelopes,
                               transaction), separated by '\n'; cs_x12_map
                               finds the claim's own */
    const char *warnings;   /* NULL, or what was accepted with a warning
                               (cs_x12_info.warnings), in the file's pool */
    char *id;               /* CLM01; NULL when the record has no CLM */
    long segment;           /* segment number of the CLM (of ST when none) */
    long line;              /* 1-based line of that segment */
    char transaction[16];   /* ST02 ("" when none) */
    const char *text;       /* the claim's segments (in the file's pool, or
                               in the data for cs_x12_read_kept); NULL when
                               the transaction is not one we read */
    size_t len;
    const char *above;      /* the loops above, packed (see save_loops) */
    char elem, comp, term;  /* the interchange's separators */
    bool payer_given;
};

/* Memory for the claims' segments and loop states, freed with the file. */
typedef struct pool_block {
    struct pool_block *next;
    size_t size, used;
    char data[];
} pool_block;

#define POOL_BLOCK ((size_t)256 << 10)

struct cs_x12_file {
    cs_x12_claim *v;
    size_t n, cap;
    pool_block *pool;
    char *text;             /* the file transcoded from UTF-16, when it was */
    bool oom;
};

/* n bytes from f's pool; NULL (f->oom set) when memory ran out. */
static char *pool_alloc(cs_x12_file *f, size_t n)
{
    pool_block *b = f->pool;
    if (!b || b->size - b->used < n) {
        size_t size = n > POOL_BLOCK ? n : POOL_BLOCK;
        if (!(b = malloc(sizeof *b + size))) { f->oom = true; return NULL; }
        b->next = f->pool;
        b->size = size;
        b->used = 0;
        f->pool = b;
    }
    char *p = b->data + b->used;
    b->used += n;
    return p;
}

#define MAX_ELEMENTS 32     /* elements kept per segment (SV1 has 21) */
/* Bytes of text before an ISA looked through for it (docs/limits.md): a
 * description a few lines long, as some sample files carry. */
#define CS_X12_MAX_PREAMBLE 4096
#define MAX_COMPONENTS 12
#define SHORT 96            /* room for ids, names and codes we keep */

/* ---- small helpers ---- */

typedef struct str {
    char *p;
    size_t n, cap;
    bool oom;
} str;

static void str_add(str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append one problem line. */
static void str_add(str *s, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t m = strlen(line) + 2;
    if (s->n + m > s->cap) {
        size_t cap = (s->n + m) * 2;
        char *np = realloc(s->p, cap);
        if (!np) { s->oom = true; return; }
        s->p = np;
        s->cap = cap;
    }
    if (s->n) s->p[s->n++] = '\n';
    memcpy(s->p + s->n, line, m - 1);
    s->n += m - 2;
    s->p[s->n] = 0;
}

/* A field: bytes p[0..n), not NUL-terminated. */
typedef struct field {
    const char *p;
    size_t n;
} field;

/* Copy f into buf (size SHORT), cut; non-printable bytes become '?'. */
static const char *fcpy(field f, char *buf)
{
    size_t n = f.n < SHORT - 1 ? f.n : SHORT - 1;
    for (size_t i = 0; i < n; i++)
        buf[i] = (f.p[i] >= 0x20 && f.p[i] <= 0x7e) ? f.p[i] : '?';
    buf[n] = 0;
    return buf;
}

static inline bool feq(field f, const char *s)
{
    return f.n == strlen(s) && memcmp(f.p, s, f.n) == 0;
}

/* Split f on sep into at most max fields; returns the count (which may
 * exceed max).  out[count..max) are set empty, so a missing component reads
 * as "". */
static int split(field f, char sep, field *out, int max)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= f.n; i++) {
        if (i == f.n || f.p[i] == sep) {
            if (n < max) out[n] = (field){f.p + start, i - start};
            n++;
            start = i + 1;
        }
    }
    for (int k = n; k < max; k++) out[k] = (field){"", 0};
    return n;
}

/* ---- segments ---- */

typedef struct seg {
    field raw;
    char id[4];
    int n;                      /* elements after the id */
    long num, line;
    field el[MAX_ELEMENTS];     /* el[1] is the first element; only el[1..n]
                                   are set (el() guards) */
} seg;

typedef struct seps {
    char elem, comp, rep, term;
} seps;

/* id (a segment id, zero-padded to 4 bytes) equals lit (2 or 3 letters). */
static inline bool ideq(const char *id, const char *lit)
{
    return id[0] == lit[0] && id[1] == lit[1] && id[2] == lit[2] && (!lit[2] || !id[3]);
}

#define SHORT_SEG 64    /* a segment shorter has fewer separators */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SPLIT_WORDS 1
#define ONES 0x0101010101010101ULL
#define LOW7 0x7f7f7f7f7f7f7f7fULL

/* The bytes of w equal to byte b (bb = b * ONES), each as its high bit. */
static inline uint64_t eq_bytes(uint64_t w, uint64_t bb)
{
    uint64_t v = w ^ bb;
    return ~(((v & LOW7) + LOW7) | v | LOW7);
}
#endif

/* Split the segment p[0..n) (its terminator not included; avail >= n bytes
 * may be read) into the id (its first 3 bytes) and up to MAX_ELEMENTS - 1
 * elements (any further ones are dropped); returns the line feeds in it.
 * The bytes are looked at without branching on separators, which a
 * processor cannot predict: each byte's offset is written to at[k], and k
 * moves on when the byte is a separator, so at[0..k) are the separators'
 * offsets.  Eight bytes at a time where they can be read. */
static long split_seg(seg *s, const char *p, size_t n, size_t avail, char e)
{
    size_t at[SHORT_SEG], k = 0, j = 0;
    long lf = 0;
    if (n < SHORT_SEG) {            /* k <= j: at[] is large enough */
#ifdef SPLIT_WORDS
        const uint64_t ee = ONES * (unsigned char)e, nn = ONES * '\n';
        for (; j < n && avail - j >= 8; j += 8) {
            uint64_t w, keep = n - j >= 8 ? ~0ULL : (1ULL << 8 * (n - j)) - 1;
            memcpy(&w, p + j, 8);
            uint64_t m = (eq_bytes(w, ee) & keep) >> 7, l = eq_bytes(w, nn) & keep;
            for (; l; l &= l - 1) lf++;
            at[k] = j;     k += m & 1;
            at[k] = j + 1; k += m >> 8 & 1;
            at[k] = j + 2; k += m >> 16 & 1;
            at[k] = j + 3; k += m >> 24 & 1;
            at[k] = j + 4; k += m >> 32 & 1;
            at[k] = j + 5; k += m >> 40 & 1;
            at[k] = j + 6; k += m >> 48 & 1;
            at[k] = j + 7; k += m >> 56 & 1;
        }
#endif
        for (; j < n; j++) {
            at[k] = j;
            k += p[j] == e;
            lf += p[j] == '\n';
        }
    } else {                        /* keep the first MAX_ELEMENTS */
        for (; j < n; j++) {
            at[k] = j;
            k += (p[j] == e) & (k < MAX_ELEMENTS);
            lf += p[j] == '\n';
        }
    }
    at[k] = n;                      /* the last element ends the segment */
    size_t idn = k ? at[0] : n;
    s->id[0] = idn > 0 ? p[0] : 0;
    s->id[1] = idn > 1 ? p[1] : 0;
    s->id[2] = idn > 2 ? p[2] : 0;
    s->id[3] = 0;
    size_t ne = k < MAX_ELEMENTS - 1 ? k : MAX_ELEMENTS - 1;
    for (size_t i = 1; i <= ne; i++)
        s->el[i] = (field){p + at[i - 1] + 1, at[i] - at[i - 1] - 1};
    s->n = (int)ne;
    s->raw = (field){p, n};
    return lf;
}

/* Whether a segment with this id ends a claim or what holds it. */
static bool ends_claim(const char *id)
{
    return ideq(id, "HL") || ideq(id, "CLM") || ideq(id, "SE") || ideq(id, "ST") ||
           ideq(id, "IEA");
}

/* The next segment of data[0..len) from *i on, skipping CR, LF (and spaces,
 * unless the terminator is a space) before it; *num and *line count
 * segments and lines.  Split into its elements when all is true or when it
 * ends_claim; else only its id and raw are set (no element): reading does
 * not look inside a claim.  False at the end of data. */
static bool next_seg(const char *data, size_t len, size_t *i, const seps *sp, long *num,
                     long *line, seg *s, bool all)
{
    while (*i < len && (data[*i] == '\r' || data[*i] == '\n' ||
                        (data[*i] == ' ' && sp->term != ' ')))
        *line += data[(*i)++] == '\n';
    if (*i >= len) return false;
    const char *p = data + *i, *q = memchr(p, sp->term, len - *i);
    size_t n = q ? (size_t)(q - p) : len - *i;
    long nl = 0;
    if (!all) {
        size_t idn = 0;         /* as split_seg makes it */
        while (idn < 3 && idn < n && p[idn] != sp->elem) idn++;
        s->id[0] = idn > 0 ? p[0] : 0;
        s->id[1] = idn > 1 ? p[1] : 0;
        s->id[2] = idn > 2 ? p[2] : 0;
        s->id[3] = 0;
        all = ends_claim(s->id);
    }
    if (all) {
        nl = split_seg(s, p, n, len - *i, sp->elem);
    } else {
        s->n = 0;
        s->raw = (field){p, n};
        for (const char *f = p, *end = p + n; (f = memchr(f, '\n', (size_t)(end - f))); f++)
            nl++;
    }
    s->num = ++*num;
    s->line = *line;
    *line += nl + (q && sp->term == '\n');    /* a terminator that ends a line, too */
    *i += n + (q != NULL);
    return true;
}

static field el(const seg *s, int i)
{
    return i >= 1 && i <= s->n ? s->el[i] : (field){"", 0};
}

/* ---- the payer map ---- */

typedef struct payer_map {
    char (*id)[SHORT];          /* a payer id, or "SBR09=<code>" */
    char (*pack)[SHORT];
    size_t n;
    char dflt[SHORT];           /* the '*' row's pack; "" when none */
} payer_map;

static void trim_copy(char *dst, const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s)) { s++; n--; }
    while (n && isspace((unsigned char)s[n - 1])) n--;
    if (n >= SHORT) n = SHORT - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* Read root/payers/payer-map.csv (header payer_id,pack; '#' comments).
 * A missing file is an empty map. */
static void map_load(payer_map *m, const char *root)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/payers/payer-map.csv", root ? root : CS_DEFAULT_ROOT);
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (line[0] == '#' || !comma) continue;
        char id[SHORT], pack[SHORT];
        trim_copy(id, line, (size_t)(comma - line));
        trim_copy(pack, comma + 1, strlen(comma + 1));
        if (!id[0] || !pack[0] || !strcmp(id, "payer_id")) continue;
        if (!strcmp(id, "*")) { strcpy(m->dflt, pack); continue; }
        if (m->n == cap) {
            cap = cap ? cap * 2 : 16;
            void *a = realloc(m->id, cap * sizeof *m->id);
            if (a) m->id = a;
            void *b = realloc(m->pack, cap * sizeof *m->pack);
            if (b) m->pack = b;
            if (!a || !b) break;
        }
        strcpy(m->id[m->n], id);
        strcpy(m->pack[m->n++], pack);
    }
    fclose(f);
}

static const char *map_find(const payer_map *m, const char *id)
{
    for (size_t i = 0; i < m->n; i++)
        if (!strcmp(m->id[i], id)) return m->pack[i];
    return NULL;
}

/* How a payer was mapped (map_payer). */
enum { BY_NONE, BY_ID, BY_SBR09, BY_DEFAULT };

/* The pack for payer id (NM109 of 2010BB) with claim filing indicator sbr09
 * (SBR09 of 2000B): the id's row, else the row SBR09=<code>, else the '*'
 * row; NULL when none (*how says which). */
static const char *map_payer(const payer_map *m, const char *id, const char *sbr09, int *how)
{
    const char *p = id[0] ? map_find(m, id) : NULL;
    *how = BY_ID;
    if (p) return p;
    if (sbr09[0]) {
        char key[SHORT];
        snprintf(key, sizeof key, "SBR09=%s", sbr09);
        *how = BY_SBR09;
        if ((p = map_find(m, key))) return p;
    }
    *how = m->dflt[0] ? BY_DEFAULT : BY_NONE;
    return m->dflt[0] ? m->dflt : NULL;
}

/* ---- output claims ---- */

static cs_x12_claim *new_claim(cs_x12_file *f)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        cs_x12_claim *v = realloc(f->v, cap * sizeof *v);
        if (!v) return NULL;
        f->v = v;
        f->cap = cap;
    }
    cs_x12_claim *c = &f->v[f->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Append a problem to claims [from, f->n); f->oom when memory ran out. */
static void problem_all(cs_x12_file *f, size_t from, const char *msg)
{
    for (size_t i = from; i < f->n; i++) {
        char *p = f->v[i].read_problems;
        str s = {p, p ? strlen(p) : 0, p ? strlen(p) + 1 : 0, false};
        str_add(&s, "%s", msg);
        f->v[i].read_problems = s.p;
        if (s.oom) f->oom = true;
    }
}

/* ---- mapping one transaction ---- */

typedef struct party {
    char id[SHORT], birth[11], sex[2];
} party;

/* A transaction being read (out set), or one claim being mapped (out
 * NULL, cs_x12_map).  Reading splits the transaction into claims and keeps
 * the loop state above each; mapping builds a claim's tree and finds its
 * problems. */
typedef struct ctx {
    const seps *sp;
    const payer_map *map;       /* reading: the payer map */
    bool payer_given;
    bool data_stays;            /* reading: claims may refer to the data */
    cs_x12_file *out;           /* reading: the file; NULL when mapping */
    const char *txn;
    const char *clm_at;         /* reading: where the claim's CLM starts, */
    const char *last_end;       /* where the segment before this one ends */
    const char *above;          /* reading: the loops saved for the claim */
    const char *env_warnings;   /* reading: the envelopes' warnings (pool) */
    int payer_how;              /* reading: how the saved payer was mapped */
    cs_x12_claim scratch;       /* mapping: the claim's record */
    cJSON *done;                /* mapping: the claim's tree */
    char payer_pack[SHORT];     /* mapping: the payer's pack, "" none */
    /* loop state */
    char bill_npi[SHORT], bill_tax[SHORT];
    party sub, pat;
    bool has_pat;
    char payer_id[SHORT], payer_name[SHORT];
    char sbr09[SHORT];          /* claim filing indicator of 2000B */
    char last_nm1[4];
    /* the claim: its record (set from its CLM to its end), and, when
     * mapping, its tree and problems */
    cs_x12_claim *rec;
    cJSON *claim, *lines, *line, *diags;
    str prob;
    bool in_cob;                /* inside 2320/2330 (other payers) */
    bool line_has_date;
    bool line_filled;           /* the line has a code or units (an SV1) */
    long lx_seg;
    int nlines;
    long long total, sum;       /* cents; -1 unknown */
    bool icd9_reported;
} ctx;

/* Add item to object o under the constant key k (not copied: keys are
 * literals); returns item, NULL when it is NULL. */
static cJSON *put(cJSON *o, const char *k, cJSON *item)
{
    if (item) cJSON_AddItemToObjectCS(o, k, item);
    return item;
}

/* A new object or array (type cJSON_Object or cJSON_Array) in o under k. */
static cJSON *put_new(cJSON *o, const char *k, int type)
{
    return put(o, k, type == cJSON_Array ? cJSON_CreateArray() : cJSON_CreateObject());
}

static cJSON *put_string(cJSON *o, const char *k, const char *v)
{
    return put(o, k, cJSON_CreateString(v));
}

static void append(cJSON *a, cJSON *item)
{
    if (item) cJSON_AddItemToArray(a, item);
}

/* cJSON's compare_double: equal within the precision of the larger. */
static bool close_enough(double a, double b)
{
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return fabs(a - b) <= m * DBL_EPSILON;
}

/* The number JSON text for d parses back into: d as cJSON prints it (a
 * whole int with %d, else %1.15g when that reads back close enough, else
 * %1.17g), read by strtod as cJSON reads numbers.  The tree then holds
 * exactly what cs_check would see in the claim's JSON; d is finite. */
static double json_number(double d)
{
    int vi = d >= INT_MAX ? INT_MAX : d <= (double)INT_MIN ? INT_MIN : (int)d;
    if (d == (double)vi) return (double)vi;
    char buf[32];
    snprintf(buf, sizeof buf, "%1.15g", d);
    double test = strtod(buf, NULL);
    if (!close_enough(test, d)) snprintf(buf, sizeof buf, "%1.17g", d);
    return strtod(buf, NULL);
}

static cJSON *put_number(cJSON *o, const char *k, double v)
{
    return put(o, k, cJSON_CreateNumber(json_number(v)));
}

/* Parse an X12 decimal ("40", "40.5", ".5") into cents; -1 when not. */
static long long cents(field f)
{
    long long v = 0;
    size_t i = 0;
    int dec = -1;
    if (!f.n) return -1;
    for (; i < f.n; i++) {
        char c = f.p[i];
        if (c == '.' && dec < 0) { dec = 0; continue; }
        if (c < '0' || c > '9' || dec >= 2 || v > 100000000000LL) return -1;
        v = v * 10 + (c - '0');
        if (dec >= 0) dec++;
    }
    if (dec < 0) dec = 0;
    for (; dec < 2; dec++) v *= 10;
    return v;
}

/* "CCYYMMDD" into "CCYY-MM-DD"; false when not 8 digits. */
static bool d8(field f, char *out)
{
    if (f.n != 8) return false;
    for (size_t i = 0; i < 8; i++) if (f.p[i] < '0' || f.p[i] > '9') return false;
    memcpy(out, f.p, 4);
    out[4] = '-';
    memcpy(out + 5, f.p + 4, 2);
    out[7] = '-';
    memcpy(out + 8, f.p + 6, 2);
    out[10] = 0;
    return true;
}

static bool number(field f, double *v)
{
    char buf[64], *end;
    if (!f.n || f.n + 1 >= sizeof buf) return false;    /* room for a leading '0' */
    if (f.n <= 9) {             /* the usual "1": plain digits, exact */
        long d = 0;
        size_t i = 0;
        while (i < f.n && f.p[i] >= '0' && f.p[i] <= '9') d = d * 10 + (f.p[i++] - '0');
        if (i == f.n) { *v = (double)d; return true; }
    }
    memcpy(buf, f.p, f.n);
    buf[f.n] = 0;
    if (buf[0] == '.') { memmove(buf + 1, buf, f.n + 1); buf[0] = '0'; }
    errno = 0;
    *v = strtod(buf, &end);
    return !errno && *end == 0 && !isspace((unsigned char)buf[0]) &&
           strpbrk(buf, "xXpPnNiI") == NULL;
}

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v && *v) put_string(o, k, v);
}

static void add_field(cJSON *o, const char *k, field f)
{
    char b[SHORT];
    if (f.n) put_string(o, k, fcpy(f, b));
}

/* The loop state a claim starts from (what start_claim reads), packed into
 * the file's pool as NUL-terminated strings in a fixed order; the payer is
 * saved already mapped.  NULL when memory ran out. */
static const char *save_loops(ctx *c)
{
    const char *pack = c->payer_id[0] ? map_payer(c->map, c->payer_id, c->sbr09, &c->payer_how)
                                      : NULL;
    const char *v[] = {c->bill_npi, c->bill_tax, c->sub.id, c->sub.birth, c->sub.sex,
                       c->pat.id, c->pat.birth, c->pat.sex, c->payer_id, c->payer_name,
                       c->sbr09, pack ? pack : "", c->has_pat ? "1" : ""};
    size_t n = 0, m[sizeof v / sizeof *v];
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) n += m[i] = strlen(v[i]) + 1;
    char *p = pool_alloc(c->out, n), *q = p;
    if (!p) return NULL;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        memcpy(q, v[i], m[i]);
        q += m[i];
    }
    return p;
}

/* Restore what save_loops saved. */
static void load_loops(ctx *c, const char *p)
{
    char *v[] = {c->bill_npi, c->bill_tax, c->sub.id, c->sub.birth, c->sub.sex,
                 c->pat.id, c->pat.birth, c->pat.sex, c->payer_id, c->payer_name,
                 c->sbr09, c->payer_pack};
    size_t size[] = {SHORT, SHORT, SHORT, sizeof c->sub.birth, sizeof c->sub.sex, SHORT,
                     sizeof c->pat.birth, sizeof c->pat.sex, SHORT, SHORT, SHORT, SHORT};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        size_t n = strlen(p);
        memcpy(v[i], p, n < size[i] ? n + 1 : size[i]);   /* saved from them: fits */
        p += n + 1;
    }
    c->has_pat = *p != 0;
}

/* Remember NM101 (entity code, 2 or 3 characters; "" when longer). */
static void set_nm1(ctx *c, field f)
{
    if (f.n < sizeof c->last_nm1) fcpy(f, c->last_nm1);
    else c->last_nm1[0] = 0;
}

/* Reading: the claim ends at the segment before this one; keep its
 * segments, CLM to there.  False when memory ran out. */
static bool keep_claim(ctx *c)
{
    bool ok = true;
    cs_x12_file *f = c->out;
    size_t len = (size_t)(c->last_end - c->clm_at);
    const char *text = c->clm_at;
    if (!c->data_stays) {
        char *copy = pool_alloc(f, len ? len : 1);
        if (copy) memcpy(copy, c->clm_at, len);
        else ok = false;
        text = copy;
    }
    cs_x12_claim *r = c->rec;
    *r = (cs_x12_claim){.read_problems = r->read_problems, .warnings = r->warnings,
                        .id = r->id, .segment = r->segment, .line = r->line,
                        .text = text, .len = len, .above = c->above,
                        .elem = c->sp->elem, .comp = c->sp->comp, .term = c->sp->term,
                        .payer_given = c->payer_given};
    memcpy(r->transaction, c->txn, strnlen(c->txn, sizeof r->transaction - 1));
    return ok;
}

/* Close the claim: reading, keep it; mapping, check the lines against it
 * and tidy its tree. */
static bool end_claim(ctx *c)
{
    if (!c->rec) return true;
    bool ok = true;
    if (c->out) {
        ok = keep_claim(c);
    } else {
        if (c->line && !c->line_has_date)
            str_add(&c->prob, "segment %ld (LX): line %d has no DTP*472 service date",
                    c->lx_seg, c->nlines);
        if (c->nlines == 0)
            str_add(&c->prob, "segment %ld (CLM): the claim has no service line (LX/SV1)",
                    c->rec->segment);
        if (c->total >= 0 && c->sum >= 0 && c->total != c->sum)
            str_add(&c->prob, "@reject input.x12_total: segment %ld (CLM): CLM02: total "
                    "charge %lld.%02lld is not the sum of the line charges %lld.%02lld; a "
                    "receiver rejects the claim, the lines are read as billed", c->rec->segment,
                    c->total / 100, c->total % 100, c->sum / 100, c->sum % 100);
        cJSON *d = cJSON_GetObjectItemCaseSensitive(c->claim, "diagnoses");
        if (d && !cJSON_GetArraySize(d))
            cJSON_DeleteItemFromObjectCaseSensitive(c->claim, "diagnoses");
        cJSON *ln;
        cJSON_ArrayForEach(ln, c->lines) {
            cJSON *p = cJSON_GetObjectItemCaseSensitive(ln, "diagnosis_pointers");
            if (p && !cJSON_GetArraySize(p))
                cJSON_DeleteItemFromObjectCaseSensitive(ln, "diagnosis_pointers");
        }
        c->done = c->claim;
    }
    c->claim = c->lines = c->line = c->diags = NULL;
    c->rec = NULL;
    return ok;
}

static void put_provider(cJSON *claim, const char *key, const char *npi, const char *tax)
{
    if (!npi[0]) return;
    cJSON *p = put_new(claim, key, cJSON_Object);
    if (!p) return;
    add_str(p, "npi", npi);
    add_str(p, "taxonomy", tax);
}

/* s1, then s2, on lines of their own, in f's pool; NULL when both are
 * empty (or memory ran out: f->oom set). */
static const char *pool_join(cs_x12_file *f, const char *s1, const char *s2)
{
    size_t n1 = s1 ? strlen(s1) : 0, n2 = s2 ? strlen(s2) : 0;
    if (!n1 && !n2) return NULL;
    char *p = pool_alloc(f, n1 + n2 + 2);
    if (!p) return NULL;
    snprintf(p, n1 + n2 + 2, "%s%s%s", n1 ? s1 : "", n1 && n2 ? "\n" : "", n2 ? s2 : "");
    return p;
}

/* Reading: the warnings of claim r: its envelopes', and how its payer was
 * mapped when not by its id.  False when memory ran out. */
static bool claim_warnings(ctx *c, cs_x12_claim *r)
{
    char note[512] = "";
    if (c->payer_id[0] && !c->payer_given && (c->payer_how == BY_SBR09 ||
                                              c->payer_how == BY_DEFAULT)) {
        const char *pack = map_payer(c->map, c->payer_id, c->sbr09, &c->payer_how);
        if (c->payer_how == BY_SBR09)
            snprintf(note, sizeof note, "info: payer: X12 payer id '%s' (%s) is not in "
                     "payers/payer-map.csv; checked with pack '%s' by the map's row SBR09=%s "
                     "(claim filing indicator, SBR09 of loop 2000B)", c->payer_id,
                     c->payer_name[0] ? c->payer_name : "no name", pack, c->sbr09);
        else
            snprintf(note, sizeof note, "info: payer: X12 payer id '%s' (%s) is not in "
                     "payers/payer-map.csv; checked with the map's default pack '%s' (its "
                     "row '*')", c->payer_id, c->payer_name[0] ? c->payer_name : "no name", pack);
    }
    if (!c->env_warnings && !note[0]) return true;
    r->warnings = note[0] ? pool_join(c->out, c->env_warnings, note) : c->env_warnings;
    return r->warnings != NULL;
}

/* Reading: a claim starts at CLM s; note where, its id and the loops above
 * it.  False when memory ran out. */
static bool note_claim(ctx *c, const seg *s)
{
    cs_x12_claim *r = new_claim(c->out);
    if (!r) return false;
    r->segment = s->num;
    r->line = s->line;
    field id = el(s, 1);
    if (id.n && !(r->id = strndup(id.p, id.n))) return false;
    if (!c->above && !(c->above = save_loops(c))) return false;
    c->clm_at = s->raw.p;
    c->rec = r;
    return claim_warnings(c, r);
}

static bool start_claim(ctx *c, const seg *s)
{
    if (!end_claim(c)) return false;
    if (c->out) return note_claim(c, s);
    char b[SHORT];
    cs_x12_claim *r = &c->scratch;
    r->segment = s->num;
    r->line = s->line;
    field id = el(s, 1);
    c->rec = r;
    c->in_cob = false;
    c->line = NULL;
    c->nlines = 0;
    c->sum = 0;
    c->icd9_reported = false;
    c->total = cents(el(s, 2));
    if (!id.n) str_add(&c->prob, "segment %ld (CLM): CLM01: the claim id is missing", s->num);
    if (!(c->claim = cJSON_CreateObject())) return false;
    if (id.n) put_string(c->claim, "id", fcpy(id, b));
    if (c->payer_id[0]) {
        if (c->payer_pack[0]) put_string(c->claim, "payer", c->payer_pack);
        else if (!c->payer_given)
            str_add(&c->prob, "payer: X12 payer id '%s' (%s%s%s) is not in "
                    "payers/payer-map.csv, which has no row for it%s%s and no default row "
                    "('*'); add a row '%s,PACK' or check with --payer",
                    c->payer_id, c->payer_name[0] ? c->payer_name : "no name",
                    c->sbr09[0] ? ", claim filing indicator " : "", c->sbr09,
                    c->sbr09[0] ? ", none for SBR09=" : "", c->sbr09, c->payer_id);
    } else if (!c->payer_given) {
        str_add(&c->prob, "segment %ld (CLM): no payer (NM1*PR) in loop 2010BB before the "
                "claim", s->num);
    }
    const party *p = c->has_pat ? &c->pat : &c->sub;
    cJSON *pt = put_new(c->claim, "patient", cJSON_Object);
    if (pt) {
        add_str(pt, "id", c->pat.id[0] ? c->pat.id : c->sub.id);
        add_str(pt, "birth_date", p->birth);
        add_str(pt, "sex", p->sex);
    }
    put_provider(c->claim, "billing_provider", c->bill_npi, c->bill_tax);
    field comp[MAX_COMPONENTS];
    field clm05 = el(s, 5);
    if (clm05.n) {
        split(clm05, c->sp->comp, comp, MAX_COMPONENTS);
        add_field(c->claim, "place_of_service", comp[0]);
    }
    c->diags = put_new(c->claim, "diagnoses", cJSON_Array);
    c->lines = put_new(c->claim, "lines", cJSON_Array);
    return c->diags && c->lines;
}

/* NM1 with an NPI (NM108 XX); false with a problem when the id is there
 * under another qualifier. */
static bool nm1_npi(ctx *c, const seg *s, char *npi, const char *what)
{
    char b[SHORT];
    npi[0] = 0;
    if (!el(s, 9).n) return true;
    if (!feq(el(s, 8), "XX")) {
        if (c->rec)
            str_add(&c->prob, "@warn input.x12_provider: segment %ld (NM1): NM108: %s id "
                    "qualifier is '%s', expected XX (NPI); read without an NPI", s->num, what,
                    fcpy(el(s, 8), b));
        return false;
    }
    fcpy(el(s, 9), npi);
    return true;
}

static void do_hi(ctx *c, const seg *s)
{
    char b[SHORT], q[SHORT];
    for (int i = 1; i <= s->n && i <= 12; i++) {
        field comp[MAX_COMPONENTS];
        field e = el(s, i);
        if (!e.n) continue;
        split(e, c->sp->comp, comp, MAX_COMPONENTS);
        fcpy(comp[0], q);
        if (!strcmp(q, "ABK") || !strcmp(q, "ABF")) {
            if (!comp[1].n || split(e, c->sp->comp, comp, MAX_COMPONENTS) < 2)
                str_add(&c->prob, "segment %ld (HI): HI%02d-2: the diagnosis code is missing",
                        s->num, i);
            else append(c->diags, cJSON_CreateString(fcpy(comp[1], b)));
        } else if (!strcmp(q, "BK") || !strcmp(q, "BF")) {
            if (!c->icd9_reported)
                str_add(&c->prob, "segment %ld (HI): HI%02d-1: qualifier %s marks an ICD-9-CM "
                        "diagnosis (%s); ICD-10-CM (ABK/ABF) is required", s->num, i, q,
                        fcpy(comp[1], b));
            c->icd9_reported = true;
        }
        /* other code lists (BP, BG, ...) are not diagnoses: ignored */
    }
}

static void do_sv1(ctx *c, const seg *s)
{
    char b[SHORT];
    field comp[MAX_COMPONENTS];
    cJSON *ln = c->line;
    field sv101 = el(s, 1);
    int nc = split(sv101, c->sp->comp, comp, MAX_COMPONENTS);
    if (!sv101.n) {
        str_add(&c->prob, "segment %ld (SV1): SV101: the procedure is missing", s->num);
    } else if (nc < 2 || !comp[1].n) {
        str_add(&c->prob, "segment %ld (SV1): SV101: '%s' is not qualifier%ccode (the "
                "component separator is '%c', from ISA16)", s->num, fcpy(sv101, b),
                c->sp->comp, c->sp->comp);
    } else {
        if (!feq(comp[0], "HC"))
            str_add(&c->prob, "segment %ld (SV1): SV101-1: qualifier '%s' is not HC "
                    "(HCPCS/CPT)", s->num, fcpy(comp[0], b));
        add_field(ln, "code", comp[1]);
        c->line_filled = true;
        if (nc > 7)
            str_add(&c->prob, "segment %ld (SV1): SV101: has %d components; at most 7 "
                    "(qualifier, code, 4 modifiers, description)", s->num, nc);
        else if (nc == 7 && comp[6].n == 2 && isalnum((unsigned char)comp[6].p[0]) &&
                 isalnum((unsigned char)comp[6].p[1]) && comp[5].n)
            str_add(&c->prob, "segment %ld (SV1): SV101-7: '%s' looks like a fifth modifier; "
                    "a line takes at most 4 (SV101-3 to SV101-6)", s->num, fcpy(comp[6], b));
        cJSON *mods = NULL;
        for (int i = 2; i < nc && i < 6; i++) {
            if (!comp[i].n) continue;
            if (!mods && !(mods = put_new(ln, "modifiers", cJSON_Array))) return;
            append(mods, cJSON_CreateString(fcpy(comp[i], b)));
        }
    }
    field ch = el(s, 2);
    if (ch.n) {
        char m[SHORT];
        fcpy(ch, m);
        if (m[0] == '.') {      /* ".5" is "0.5"; kept within SHORT */
            size_t n = strlen(m);
            if (n == SHORT - 1) m[--n] = 0;
            memmove(m + 1, m, n + 1);
            m[0] = '0';
        }
        put_string(ln, "charge", m);
        long long v = cents(ch);
        if (v < 0 || c->sum < 0) c->sum = -1;
        else c->sum += v;
    }
    field unit = el(s, 3);
    if (unit.n && !feq(unit, "UN") && !feq(unit, "MJ"))
        str_add(&c->prob, "segment %ld (SV1): SV103: unit '%s' is not UN (units) or MJ "
                "(minutes)", s->num, fcpy(unit, b));
    double u;
    if (!el(s, 4).n)
        str_add(&c->prob, "segment %ld (SV1): SV104: the quantity is missing", s->num);
    else if (!number(el(s, 4), &u))
        str_add(&c->prob, "segment %ld (SV1): SV104: '%s' is not a number", s->num,
                fcpy(el(s, 4), b));
    else {
        put_number(ln, "units", u);
        c->line_filled = true;
    }
    add_field(ln, "place_of_service", el(s, 5));
    field ptr = el(s, 7);
    if (ptr.n) {
        cJSON *a = put_new(ln, "diagnosis_pointers", cJSON_Array);
        int np = split(ptr, c->sp->comp, comp, MAX_COMPONENTS);
        for (int i = 0; i < np && i < MAX_COMPONENTS && a; i++) {
            double p;
            if (!comp[i].n) continue;
            if (!number(comp[i], &p))
                str_add(&c->prob, "segment %ld (SV1): SV107-%d: '%s' is not a diagnosis "
                        "pointer", s->num, i + 1, fcpy(comp[i], b));
            else append(a, cJSON_CreateNumber(json_number(p)));
        }
    }
}

static void do_dtp472(ctx *c, const seg *s)
{
    char b[SHORT], d[11], to[11] = "";
    field q = el(s, 2), v = el(s, 3);
    bool ok;
    if (feq(q, "D8")) ok = d8(v, d);
    else if (feq(q, "RD8")) ok = v.n == 17 && v.p[8] == '-' && d8((field){v.p, 8}, d) &&
                                 d8((field){v.p + 9, 8}, to);
    else {
        str_add(&c->prob, "segment %ld (DTP): DTP02: date format '%s' is not D8 or RD8",
                s->num, fcpy(q, b));
        return;
    }
    if (!ok) {
        str_add(&c->prob, "segment %ld (DTP): DTP03: '%s' is not a %s date", s->num,
                fcpy(v, b), feq(q, "D8") ? "CCYYMMDD" : "CCYYMMDD-CCYYMMDD");
        return;
    }
    if (c->line_has_date) return;
    c->line_has_date = true;
    put_string(c->line, "service_date", d);
    if (to[0] && strcmp(to, d)) put_string(c->line, "service_date_to", to); /* RD8 from-to */
}

static void do_mea(ctx *c, const seg *s)
{
    char b[SHORT];
    if (!feq(el(s, 1), "TR")) return;
    double v;
    if (!number(el(s, 3), &v)) {
        str_add(&c->prob, "segment %ld (MEA): MEA03: '%s' is not a number", s->num,
                fcpy(el(s, 3), b));
        return;
    }
    cJSON *a = cJSON_GetObjectItemCaseSensitive(c->line, "measurements");
    if (!a) a = put_new(c->line, "measurements", cJSON_Array);
    cJSON *m = cJSON_CreateObject();
    if (!a || !m) { cJSON_Delete(m); return; }
    add_field(m, "type", el(s, 2));
    put_number(m, "value", v);
    cJSON_AddItemToArray(a, m);
}

/* One segment of a supported transaction: reading (c->out), HL and the
 * loops above a claim give the loop state and a CLM starts a claim, whose
 * own segments are skipped; mapping, every segment goes into the claim's
 * tree and problems. */
static bool map_segment(ctx *c, const seg *s)
{
    char b[SHORT];
    {
        const char *id = s->id;
        if (ideq(id, "HL")) {
            if (!end_claim(c)) return false;
            c->above = NULL;
            field lvl = el(s, 3);
            if (feq(lvl, "20")) {
                c->bill_npi[0] = c->bill_tax[0] = 0;
                c->sub = (party){0};
                c->pat = (party){0};
                c->has_pat = false;
                c->payer_id[0] = c->payer_name[0] = c->sbr09[0] = 0;
            } else if (feq(lvl, "22")) {
                c->sub = (party){0};
                c->pat = (party){0};
                c->has_pat = false;
                c->payer_id[0] = c->payer_name[0] = c->sbr09[0] = 0;
            } else if (feq(lvl, "23")) {
                c->pat = (party){0};
                c->has_pat = true;
            }
            c->last_nm1[0] = 0;
        } else if (ideq(id, "CLM")) {
            if (!start_claim(c, s)) return false;
        } else if (!c->rec) {
            /* loops 2000A to 2010CA */
            c->above = NULL;
            if (ideq(id, "NM1")) {
                set_nm1(c, el(s, 1));
                if (!strcmp(c->last_nm1, "85")) {
                    if (!feq(el(s, 8), "XX") && el(s, 9).n) c->bill_npi[0] = 0;
                    else fcpy(el(s, 9), c->bill_npi);
                } else if (!strcmp(c->last_nm1, "IL")) fcpy(el(s, 9), c->sub.id);
                else if (!strcmp(c->last_nm1, "QC")) fcpy(el(s, 9), c->pat.id);
                else if (!strcmp(c->last_nm1, "PR")) {
                    fcpy(el(s, 9), c->payer_id);
                    fcpy(el(s, 3), c->payer_name);
                }
            } else if (ideq(id, "PRV") && feq(el(s, 1), "BI")) {
                fcpy(el(s, 3), c->bill_tax);
            } else if (ideq(id, "SBR")) {
                fcpy(el(s, 9), c->sbr09);
            } else if (ideq(id, "DMG")) {
                party *p = !strcmp(c->last_nm1, "QC") ? &c->pat :
                           !strcmp(c->last_nm1, "IL") ? &c->sub : NULL;
                if (p) {
                    char d[11];
                    if (d8(el(s, 2), d)) strcpy(p->birth, d);
                    if (el(s, 3).n == 1) { p->sex[0] = el(s, 3).p[0]; p->sex[1] = 0; }
                }
            }
        } else if (c->out) {
            /* reading: the claim's own segments are mapped when it is */
        } else if (ideq(id, "LX")) {
            if (c->line && !c->line_has_date)
                str_add(&c->prob, "segment %ld (LX): line %d has no DTP*472 service date",
                        c->lx_seg, c->nlines);
            c->in_cob = false;
            if (!(c->line = cJSON_CreateObject())) return false;
            cJSON_AddItemToArray(c->lines, c->line);
            c->line_filled = false;
            c->nlines++;
            c->line_has_date = false;
            c->lx_seg = s->num;
        } else if (!c->line) {
            /* loop 2300 and its 2310/2320/2330 loops */
            if (ideq(id, "SBR")) c->in_cob = true;
            else if (c->in_cob) return true;
            else if (ideq(id, "HI")) do_hi(c, s);
            else if (ideq(id, "NM1")) {
                set_nm1(c, el(s, 1));
                char npi[SHORT];
                if (feq(el(s, 1), "82")) {
                    if (nm1_npi(c, s, npi, "rendering provider"))
                        put_provider(c->claim, "rendering_provider", npi, "");
                } else if (feq(el(s, 1), "DQ")) {
                    if (nm1_npi(c, s, npi, "supervising provider"))
                        put_provider(c->claim, "supervising_provider", npi, "");
                }
            } else if (ideq(id, "PRV") && feq(el(s, 1), "PE") &&
                       !strcmp(c->last_nm1, "82")) {
                cJSON *r = cJSON_GetObjectItemCaseSensitive(c->claim, "rendering_provider");
                if (r) add_field(r, "taxonomy", el(s, 3));
            }
        } else {
            /* loop 2400 and its 2410/2420/2430/2440 loops */
            if (ideq(id, "SV1")) {
                if (c->line_filled)
                    str_add(&c->prob, "segment %ld (SV1): a second SV1 in line %d", s->num,
                            c->nlines);
                else do_sv1(c, s);
            } else if (ideq(id, "DTP") && feq(el(s, 1), "472")) do_dtp472(c, s);
            else if (ideq(id, "MEA")) do_mea(c, s);
            else if (ideq(id, "LIN")) {
                if (!feq(el(s, 2), "N4"))
                    str_add(&c->prob, "segment %ld (LIN): LIN02: qualifier '%s' is not N4 "
                            "(NDC)", s->num, fcpy(el(s, 2), b));
                else if (!cJSON_GetObjectItemCaseSensitive(c->line, "ndc"))
                    add_field(c->line, "ndc", el(s, 3));
            }
            /* CTP (drug quantity), NM1 of 2420, SVD/CAS of 2430: not in the
             * claim model, ignored */
        }
    }
    return true;
}

/* Segment s of the transaction being read: the loop state, the claims'
 * starts and ends; a claim's text runs from its CLM to the end of its last
 * segment. */
static bool read_next(ctx *c, const seg *s)
{
    bool ok = map_segment(c, s);
    c->last_end = s->raw.p + s->raw.n;
    return ok;
}

/* ---- transactions and envelopes ---- */

typedef struct txn {
    size_t n;                   /* segments so far, ST included */
    bool open;
    bool mapped;                /* an 837P we read (its claims are mapped) */
    ctx c;                      /* reading it, when mapped */
    long st_num, st_line;
    char control[SHORT];        /* ST02 (claims keep its first 15 bytes) */
    char version[SHORT];
    char type[SHORT];
    const char *warnings;       /* the envelopes' warnings, its own last */
} txn;

typedef struct parser {
    const cs_x12_options *opt;
    bool data_stays;                /* cs_x12_read_kept */
    payer_map map;
    cs_x12_file *out;
    seps sp;
    txn t;
    size_t txn_from;                /* first claim of the open transaction */
    bool in_group, in_isa;
    size_t group_from, isa_from;    /* first claim of the group / interchange */
    long group_txns, isa_groups;
    char gs_control[SHORT], isa_control[SHORT], gs_version[SHORT];
    long gs_num, isa_num;
    char file_warning[256];         /* the file's ("" none): its encoding, text
                                       before its ISA */
    char isa_warning[256];          /* the interchange's ("" none) */
} parser;

static bool supported(const char *v)
{
    return !strcmp(v, "005010X222A1") || !strcmp(v, "005010X222A2");
}

/* The version a transaction is read as: the base 005010X222 (no errata
 * suffix; senders still write it) is read as 005010X222A1. */
static bool base_x222(const char *v)
{
    return !strcmp(v, "005010X222");
}

/* Open the transaction whose ST is s. */
static void start_txn(parser *P, const seg *s)
{
    txn *t = &P->t;
    *t = (txn){.open = true, .st_num = s->num, .st_line = s->line};
    fcpy(el(s, 2), t->control);
    fcpy(el(s, 1), t->type);
    if (el(s, 3).n) fcpy(el(s, 3), t->version);
    else snprintf(t->version, sizeof t->version, "%s", P->gs_version);
    bool is837 = !strcmp(t->type, "837");
    char own[256] = "";
    if (is837 && base_x222(t->version))
        snprintf(own, sizeof own, "warn: segment %ld (%s): version %s has no errata suffix; "
                 "read as 005010X222A1", el(s, 3).n ? s->num : P->gs_num,
                 el(s, 3).n ? "ST03" : "GS08", t->version);
    t->mapped = is837 && (supported(t->version) || base_x222(t->version));
    const char *env = pool_join(P->out, P->file_warning, P->isa_warning);
    t->warnings = own[0] ? pool_join(P->out, env, own) : env;
    t->c = (ctx){.sp = &P->sp, .map = &P->map, .payer_given = P->opt->payer_given,
                 .data_stays = P->data_stays, .out = P->out, .txn = t->control,
                 .env_warnings = t->warnings, .total = -1};
    P->txn_from = P->out->n;
}

/* Segment s of the open transaction: read, or, in one we do not read, a
 * CLM noted as a claim. */
static bool txn_segment(parser *P, const seg *s)
{
    txn *t = &P->t;
    t->n++;
    if (t->mapped) return read_next(&t->c, s);
    if (!ideq(s->id, "CLM")) return true;
    cs_x12_claim *r = new_claim(P->out);
    if (!r) return false;
    r->segment = s->num;
    r->line = s->line;
    r->warnings = t->warnings;
    if (el(s, 1).n && !(r->id = strndup(s->el[1].p, s->el[1].n))) return false;
    snprintf(r->transaction, sizeof r->transaction, "%s", t->control);
    return true;
}

/* Close the open transaction; close_problem (when not NULL) is added to each
 * of its claims. */
/* A record for the transaction itself (at its ST) when it gave no claim
 * from index from on; false when memory ran out. */
static bool txn_record(parser *P, size_t from)
{
    const txn *t = &P->t;
    if (P->out->n != from) return true;
    cs_x12_claim *r = new_claim(P->out);
    if (!r) return false;
    r->segment = t->st_num;
    r->line = t->st_line;
    r->warnings = t->warnings;
    snprintf(r->transaction, sizeof r->transaction, "%s", t->control);
    return true;
}

static bool finish_txn(parser *P, const char *close_problem)
{
    txn *t = &P->t;
    size_t from = P->txn_from;
    char msg[384];
    if (t->mapped) {
        if (!end_claim(&t->c)) return false;
        if (P->out->n == from) {
            if (!txn_record(P, from)) return false;
            snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no CLM segment: "
                     "no claim could be read", t->st_num, t->control);
            problem_all(P->out, from, msg);
        }
    } else {
        snprintf(msg, sizeof msg, "transaction %s (segment %ld): %s %s is not supported; "
                 "claimscrub reads 837 005010X222A1 and 005010X222A2 (837P)", t->control,
                 t->st_num, t->type, t->version[0] ? t->version : "(no version)");
        if (!txn_record(P, from)) return false;
        problem_all(P->out, from, msg);
    }
    if (close_problem) problem_all(P->out, from, close_problem);
    t->n = 0;
    t->open = false;
    t->mapped = false;
    P->group_txns++;
    return true;
}

/* Read the ISA at data[0..len): separators into *sp, the segment into *s;
 * returns the bytes it takes (terminator included), 0 when unreadable.
 * u_in gets "", or the version (ISA12) of an interchange from 00403 on
 * whose ISA11 is 'U', accepted (SHORT bytes). */
static size_t read_isa(const char *data, size_t len, seps *sp, char *why, size_t whylen,
                       char *u_in)
{
    u_in[0] = 0;
    if (len < 4 || memcmp(data, "ISA", 3)) { snprintf(why, whylen, "no ISA segment"); return 0; }
    char e = data[3];
    int count = 0;
    size_t i = 3;
    for (; i < len && count < 16; i++) if (data[i] == e) count++;
    if (count < 16 || i + 1 >= len) {
        snprintf(why, whylen, "ISA is cut short (it has 16 elements and a terminator)");
        return 0;
    }
    sp->elem = e;
    sp->comp = data[i];
    sp->term = data[i + 1];
    /* ISA11 is the repetition separator from 00403 on; before, it is the
     * standards identifier 'U', which older senders still write in 00501 */
    field parts[17];
    split((field){data, i}, e, parts, 17);
    sp->rep = parts[11].n == 1 ? parts[11].p[0] : 0;
    char ver[SHORT];
    fcpy(parts[12], ver);
    if (sp->rep && isalnum((unsigned char)sp->rep) && strcmp(ver, "00403") < 0) {
        sp->rep = 0;
    } else if (sp->rep == 'U') {
        snprintf(u_in, SHORT, "%s", ver);
        sp->rep = 0;
    }
    char all[4] = {sp->elem, sp->comp, sp->term, sp->rep};
    for (int a = 0; a < 4; a++) {
        unsigned char ch = (unsigned char)all[a];
        if (a == 3 && !ch) continue;
        if (isalnum(ch) || ch == ' ' || (a != 2 && (ch == '\r' || ch == '\n'))) {
            snprintf(why, whylen, "ISA separator '%c' (%s) is a letter, digit or space",
                     isprint(ch) ? ch : '?', a == 0 ? "element" : a == 1 ? "component, ISA16" :
                     a == 2 ? "segment terminator" : "repetition, ISA11");
            return 0;
        }
        for (int b = 0; b < a; b++)
            if (all[b] == all[a] && all[a]) {
                snprintf(why, whylen, "ISA separators are not distinct (element '%c', "
                         "component '%c', terminator '%c', repetition '%c')", sp->elem,
                         sp->comp, sp->term, sp->rep ? sp->rep : ' ');
                return 0;
            }
    }
    /* ISA fields are fixed-width (106 bytes in all); we do not insist */
    return i + 2;
}

/* A trailer whose count or control number disagrees: the receiver rejects
 * the file (TA1/999), but every claim in it was read whole, so it is a
 * readable problem: its claims' rules still run (cs_x12_problems_fatal). */
#define ENVELOPE "@reject input.x12_envelope: "

static void envelope_problem(parser *P, size_t from, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void envelope_problem(parser *P, size_t from, const char *fmt, ...)
{
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    problem_all(P->out, from, msg);
}

static long num_of(field f)
{
    char b[SHORT], *end;
    fcpy(f, b);
    long v = strtol(b, &end, 10);
    return *b && !*end ? v : -1;
}

/* One segment inside an interchange. */
static bool on_segment(parser *P, const seg *s)
{
    char b[SHORT], b2[SHORT];
    txn *t = &P->t;
    if (ideq(s->id, "ST")) {
        if (t->open) {
            char msg[256];
            snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no SE before the "
                     "next ST", s->num, t->control);
            if (!finish_txn(P, msg)) return false;
        }
        start_txn(P, s);
        return txn_segment(P, s);
    }
    if (ideq(s->id, "SE")) {
        if (!t->open) return true;  /* an SE without ST: nothing to attach it to */
        if (!txn_segment(P, s)) return false;
        char msg[512] = "";
        long count = num_of(el(s, 1));
        if (count != (long)t->n)
            snprintf(msg, sizeof msg, ENVELOPE "segment %ld (SE): SE01: says %s segments, "
                     "the transaction has %zu", s->num, fcpy(el(s, 1), b), t->n);
        else if (!feq(el(s, 2), t->control))
            snprintf(msg, sizeof msg, ENVELOPE "segment %ld (SE): SE02: control number %s "
                     "does not match ST02 %s", s->num, fcpy(el(s, 2), b), t->control);
        return finish_txn(P, msg[0] ? msg : NULL);
    }
    if (t->open) return txn_segment(P, s);
    if (ideq(s->id, "GS")) {
        P->in_group = true;
        P->group_from = P->out->n;
        P->group_txns = 0;
        P->gs_num = s->num;
        P->isa_groups++;
        fcpy(el(s, 6), P->gs_control);
        fcpy(el(s, 8), P->gs_version);
        return true;
    }
    if (ideq(s->id, "GE")) {
        if (P->in_group && num_of(el(s, 1)) != P->group_txns)
            envelope_problem(P, P->group_from, ENVELOPE "segment %ld (GE): GE01: says %s transactions, "
                             "the group has %ld", s->num, fcpy(el(s, 1), b), P->group_txns);
        else if (P->in_group && !feq(el(s, 2), P->gs_control))
            envelope_problem(P, P->group_from, ENVELOPE "segment %ld (GE): GE02: control number %s "
                             "does not match GS06 %s", s->num, fcpy(el(s, 2), b2),
                             P->gs_control);
        P->in_group = false;
        return true;
    }
    /* anything else between transactions is ignored */
    return true;
}

static void end_interchange_checks(parser *P, const seg *iea)
{
    char b[SHORT];
    if (P->t.open) {
        char msg[256];
        snprintf(msg, sizeof msg, "segment %ld (ST): transaction %s has no SE (it ends at "
                 "%s)", P->t.st_num, P->t.control, iea ? "IEA" : "the end of the file");
        finish_txn(P, msg);
    }
    if (P->in_group)
        envelope_problem(P, P->group_from, "segment %ld (GS): group %s has no GE", P->gs_num,
                         P->gs_control);
    P->in_group = false;
    if (!iea) {
        envelope_problem(P, P->isa_from, "segment %ld (ISA): interchange %s has no IEA (the "
                         "file ends)", P->isa_num, P->isa_control);
        return;
    }
    if (num_of(el(iea, 1)) != P->isa_groups)
        envelope_problem(P, P->isa_from, ENVELOPE "segment %ld (IEA): IEA01: says %s groups, the "
                         "interchange has %ld", iea->num, fcpy(el(iea, 1), b), P->isa_groups);
    else if (!feq(el(iea, 2), P->isa_control))
        envelope_problem(P, P->isa_from, ENVELOPE "segment %ld (IEA): IEA02: control number %s does "
                         "not match ISA13 %s", iea->num, fcpy(el(iea, 2), b), P->isa_control);
}

/* The offset of an ISA at the start of a line within the first
 * CS_X12_MAX_PREAMBLE bytes of data, after text that is not JSON; 0 when
 * none.  Some files carry a description before the interchange. */
static size_t preamble_end(const char *data, size_t len)
{
    size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < len && isspace((unsigned char)data[i])) i++;
    if (i >= len || data[i] == '{' || data[i] == '[' || (len - i >= 3 && !memcmp(data + i, "ISA", 3)))
        return 0;
    size_t lim = len < CS_X12_MAX_PREAMBLE ? len : CS_X12_MAX_PREAMBLE;
    for (; i + 4 < lim; i++)
        if (data[i] == '\n' && !memcmp(data + i + 1, "ISA", 3) &&
            !isalnum((unsigned char)data[i + 4]) && !isspace((unsigned char)data[i + 4]))
            return i + 1;
    return 0;
}

/* "LE" or "BE" when data looks like UTF-16 (a byte order mark, or ASCII with
 * every other byte zero), else NULL; *bom gets the mark's length. */
static const char *utf16(const char *data, size_t len, size_t *bom)
{
    const unsigned char *p = (const unsigned char *)data;
    *bom = 2;
    if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) return "LE";
    if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) return "BE";
    *bom = 0;
    if (len >= 4 && p[0] && !p[1] && p[2] && !p[3]) return "LE";
    if (len >= 4 && !p[0] && p[1] && !p[2] && p[3]) return "BE";
    return NULL;
}

int cs_x12_detect(const char *data, size_t len)
{
    size_t i = 0, bom;
    if (!data) return 0;
    const char *u = utf16(data, len, &bom);
    if (u) {                    /* the ASCII of its first code units */
        char head[64];
        size_t n = 0;
        for (size_t k = bom; k + 1 < len && n < sizeof head; k += 2) {
            unsigned hi = (unsigned char)data[k + (u[0] == 'L')];
            head[n++] = hi ? '?' : data[k + (u[0] == 'B')];
        }
        return cs_x12_detect(head, n);
    }
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < len && isspace((unsigned char)data[i])) i++;
    if (len - i >= 3 && !memcmp(data + i, "ISA", 3)) return 1;
    /* an interchange without its ISA (GS or ST first), which reading
     * refuses; text before an ISA, which reading skips */
    if (len - i >= 3 && (!memcmp(data + i, "GS", 2) || !memcmp(data + i, "ST", 2)) &&
        !isalnum((unsigned char)data[i + 2]) && !isspace((unsigned char)data[i + 2]) &&
        data[i + 2] != '"')
        return 1;
    return preamble_end(data, len) != 0;
}

/* data (UTF-16, bom bytes of byte order mark first, byte order u) as UTF-8
 * in a malloc'd buffer, its length in *out_len; NULL with why set when it
 * is not UTF-16 (an odd length, an unpaired surrogate) or memory ran out. */
static char *from_utf16(const char *data, size_t len, size_t bom, const char *u,
                        size_t *out_len, char *why, size_t whylen)
{
    const unsigned char *p = (const unsigned char *)data;
    bool le = u[0] == 'L';
    if ((len - bom) % 2) {
        snprintf(why, whylen, "UTF-16%s text with an odd number of bytes", u);
        return NULL;
    }
    char *out = malloc((len - bom) / 2 * 3 + 1), *q = out;
    if (!out) { snprintf(why, whylen, "out of memory"); return NULL; }
    for (size_t i = bom; i < len; i += 2) {
        unsigned c = le ? p[i] | p[i + 1] << 8 : p[i] << 8 | p[i + 1];
        if (c >= 0xD800 && c <= 0xDBFF && i + 3 < len) {
            unsigned d = le ? p[i + 2] | p[i + 3] << 8 : p[i + 2] << 8 | p[i + 3];
            if (d >= 0xDC00 && d <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i += 2;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF) {
            snprintf(why, whylen, "UTF-16%s text with an unpaired surrogate at byte %zu", u, i);
            free(out);
            return NULL;
        }
        if (c < 0x80) *q++ = (char)c;
        else if (c < 0x800) { *q++ = (char)(0xC0 | c >> 6); *q++ = (char)(0x80 | (c & 0x3F)); }
        else if (c < 0x10000) {
            *q++ = (char)(0xE0 | c >> 12);
            *q++ = (char)(0x80 | (c >> 6 & 0x3F));
            *q++ = (char)(0x80 | (c & 0x3F));
        } else {
            *q++ = (char)(0xF0 | c >> 18);
            *q++ = (char)(0x80 | (c >> 12 & 0x3F));
            *q++ = (char)(0x80 | (c >> 6 & 0x3F));
            *q++ = (char)(0x80 | (c & 0x3F));
        }
    }
    *q = 0;
    *out_len = (size_t)(q - out);
    return out;
}

/* Read data into out; see cs_x12_read. */
static int parse(const char *data, size_t len, const cs_x12_options *opt, bool stays,
                 cs_x12_file *out, const char *enc_warning, char *err, size_t errlen)
{
    static const cs_x12_options none = {0};
    parser P = {.opt = opt ? opt : &none, .data_stays = stays, .out = out};
    map_load(&P.map, P.opt->rules_dir);
    int rc = 0;
    long num = 0, line = 1;
    size_t i = 0;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
    err[0] = 0;
    if (enc_warning) snprintf(P.file_warning, sizeof P.file_warning, "%s", enc_warning);
    size_t pre = preamble_end(data, len);
    if (pre) {
        for (; i < pre; i++) line += data[i] == '\n';
        char w[128];
        snprintf(w, sizeof w, "warn: lines 1 to %ld: text before the ISA is not X12; skipped",
                 line - 1);
        size_t n = strlen(P.file_warning);
        snprintf(P.file_warning + n, sizeof P.file_warning - n, "%s%s", n ? "\n" : "", w);
    }
    for (;;) {
        while (i < len && isspace((unsigned char)data[i])) line += data[i++] == '\n';
        if (i >= len) break;
        char why[256], u_in[SHORT];
        size_t isa_len = read_isa(data + i, len - i, &P.sp, why, sizeof why, u_in);
        if (!isa_len) {
            if (num == 0) snprintf(err, errlen, "not an X12 file: %s at the start", why);
            else snprintf(err, errlen, "segment %ld (line %ld): after IEA: %s", num + 1, line,
                          why);
            rc = -1;
            break;
        }
        seg s;
        split_seg(&s, data + i, isa_len - 1, isa_len - 1, P.sp.elem);
        s.num = ++num;
        s.line = line;
        fcpy(el(&s, 13), P.isa_control);
        P.isa_warning[0] = 0;
        if (u_in[0])
            snprintf(P.isa_warning, sizeof P.isa_warning, "warn: segment %ld (ISA): ISA11 is "
                     "'U', the standards identifier of versions before 00403; in %s it is the "
                     "repetition separator: read as none", num, u_in);
        P.in_isa = true;
        P.isa_from = out->n;
        P.isa_groups = 0;
        P.isa_num = num;
        P.in_group = false;
        P.gs_version[0] = 0;
        for (size_t k = 0; k < isa_len; k++) line += data[i + k] == '\n';
        i += isa_len;
        bool ended = false;
        while (next_seg(data, len, &i, &P.sp, &num, &line, &s,
                        !(P.t.open && P.t.mapped && P.t.c.rec))) {
            if (ideq(s.id, "IEA")) {
                end_interchange_checks(&P, &s);
                ended = true;
                break;
            }
            if (ideq(s.id, "ISA")) {
                snprintf(err, errlen, "segment %ld (line %ld): ISA inside interchange %s "
                         "(no IEA before it)", num, line, P.isa_control);
                end_interchange_checks(&P, NULL);
                rc = -1;
                goto done;
            }
            if (!on_segment(&P, &s)) { rc = -2; goto done; }
        }
        if (!ended) { end_interchange_checks(&P, NULL); break; }
    }
done:
    free(P.map.id);
    free(P.map.pack);
    for (size_t k = 0; k < out->n && rc == 0; k++)
        if (out->v[k].read_problems == NULL && out->v[k].text == NULL) rc = -2;
    return rc;
}

void cs_x12_free(cs_x12_file *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].read_problems);
        free(f->v[i].id);
    }
    free(f->v);
    while (f->pool) {
        pool_block *next = f->pool->next;
        free(f->pool);
        f->pool = next;
    }
    free(f->text);
    free(f);
}

/* Reading splits the file into claims; cs_x12_map maps each when it is
 * checked or converted. */
/* An interchange that starts with its GS (the ISA left out, as some
 * exports and test files do): a copy of data with an ISA made from the GS's
 * separators put before the GS and an IEA after the end, so that it reads
 * as any interchange; NULL when data does not start (after a byte order
 * mark and white space) with GS and an element separator, or when its GS
 * does not show its separators.  note gets the warning (notelen bytes);
 * *oom when memory ran out. */
static char *supply_isa(const char *data, size_t len, size_t *out_len, char *note,
                        size_t notelen, bool *oom)
{
    size_t g = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (g < len && isspace((unsigned char)data[g])) g++;
    if (len - g < 4 || memcmp(data + g, "GS", 2)) return NULL;
    char e = data[g + 2];
    if (!isgraph((unsigned char)e) || isalnum((unsigned char)e)) return NULL;  /* ASCII only */
    /* the terminator: what ends GS08, after the GS's eighth separator */
    size_t i = g + 2;
    int count = 0;
    for (; i < len && count < 8; i++) if (data[i] == e) count++;
    while (i < len && isalnum((unsigned char)data[i])) i++;
    if (count < 8 || i >= len) return NULL;
    char t = data[i];
    if (t == '\r') t = '\n';
    if (t == e || (t != '\n' && !isgraph((unsigned char)t))) return NULL;
    /* the component separator: ':' as most senders, else '>' (the other
     * usual one); the repetition separator: one the file does not use */
    char comp = e != ':' && t != ':' ? ':' : '>', rep = 0;
    for (const char *c = "^|!{"; *c && !rep; c++)
        if (*c != e && *c != t && *c != comp && !memchr(data + g, *c, len - g)) rep = *c;
    if (!rep) return NULL;
    /* its groups, and its IEA when it has one (its control number is then
     * the ISA's) */
    long groups = 0;
    char control[10] = "000000000";
    bool has_iea = false;
    for (size_t k = g; k + 4 <= len; k++) {
        if (k != g && data[k - 1] != t && data[k - 1] != '\n') continue;
        if (data[k] == 'G' && data[k + 1] == 'S' && data[k + 2] == e) groups++;
        if (!memcmp(data + k, "IEA", 3) && data[k + 3] == e) {
            has_iea = true;
            const char *c2 = memchr(data + k + 4, e, len - k - 4);
            size_t cn = 0;
            while (c2 && c2 + 1 + cn < data + len && isdigit((unsigned char)c2[1 + cn]) && cn < 9)
                cn++;
            if (cn == 9) { memcpy(control, c2 + 1, 9); control[9] = 0; }
        }
    }
    char isa[128], iea[48] = "";
    int ni = snprintf(isa, sizeof isa, "ISA%c00%c          %c00%c          %cZZ%c%-15s%cZZ%c%-15s"
                      "%c000000%c0000%c%c%c00501%c%s%c0%cP%c%c%c", e, e, e, e, e, e, "", e,
                      e, "", e, e, e, rep, e, e, control, e, e, e, comp, t);
    int ne = has_iea ? 0 : snprintf(iea, sizeof iea, "%cIEA%c%ld%c%s%c", t, e, groups, e,
                                    control, t);
    char *out = malloc(len + (size_t)ni + (size_t)ne + 1);
    if (!out) { *oom = true; return NULL; }
    memcpy(out, data, g);
    memcpy(out + g, isa, (size_t)ni);
    memcpy(out + g + ni, data + g, len - g);
    memcpy(out + len + ni, iea, (size_t)ne);
    out[len + ni + ne] = 0;
    *out_len = len + (size_t)ni + (size_t)ne;
    snprintf(note, notelen, "warn: the file has no ISA: its interchange is read with the "
             "separators of its GS (element '%c', segment terminator '%s') and component "
             "separator '%c'; segment numbers count the missing ISA as segment 1", e,
             t == '\n' ? "\\n" : (char[2]){t, 0}, comp);
    return out;
}

static int read_file(const char *data, size_t len, const cs_x12_options *opt, bool stays,
                     cs_x12_file **out, char **err)
{
    char msg[512] = "";
    if (err) *err = NULL;
    *out = NULL;
    cs_x12_file *f = calloc(1, sizeof *f);
    if (!f) return -2;
    size_t bom;
    const char *u = data ? utf16(data, len, &bom) : NULL;
    char enc[512] = "";
    int rc;
    if (u) {                    /* read as UTF-8; the claims refer to it */
        size_t n = 0;
        if (!(f->text = from_utf16(data, len, bom, u, &n, msg, sizeof msg))) {
            rc = strcmp(msg, "out of memory") ? -1 : -2;
            goto out;
        }
        snprintf(enc, sizeof enc, "warn: the file is UTF-16%s text%s; read as UTF-8", u,
                 bom ? "" : " without a byte order mark");
        data = f->text;
        len = n;
        stays = true;
    }
    char gs[256] = "";
    bool oom = false;
    size_t n2 = 0;
    char *with = data ? supply_isa(data, len, &n2, gs, sizeof gs, &oom) : NULL;
    if (oom) { rc = -2; goto out; }
    if (with) {                 /* the claims refer to the copy */
        free(f->text);
        f->text = with;
        data = with;
        len = n2;
        stays = true;
        size_t k = strlen(enc);
        snprintf(enc + k, sizeof enc - k, "%s%s", k ? "\n" : "", gs);
    }
    rc = parse(data ? data : "", data ? len : 0, opt, stays, f, enc[0] ? enc : NULL, msg,
               sizeof msg);
out:
    if (f->oom) rc = -2;
    if (rc == -2 || (rc == -1 && err && !(*err = strdup(msg)))) {
        cs_x12_free(f);
        return -2;
    }
    *out = f;
    return rc;
}

int cs_x12_read(const char *data, size_t len, const cs_x12_options *opt,
                cs_x12_file **out, char **err)
{
    return read_file(data, len, opt, false, out, err);
}

int cs_x12_read_kept(const char *data, size_t len, const cs_x12_options *opt,
                     cs_x12_file **out, char **err)
{
    return read_file(data, len, opt, true, out, err);
}

size_t cs_x12_count(const cs_x12_file *f)
{
    return f ? f->n : 0;
}

void cs_x12_info_of(const cs_x12_claim *c, cs_x12_info *info)
{
    *info = (cs_x12_info){.id = c->id, .segment = c->segment, .line = c->line,
                          .transaction = c->transaction, .warnings = c->warnings};
}

const cs_x12_claim *cs_x12_claim_at(const cs_x12_file *f, size_t i, cs_x12_info *info)
{
    const cs_x12_claim *c = &f->v[i];
    if (info) cs_x12_info_of(c, info);
    return c;
}

/* a, then b, on lines of their own: malloc'd; NULL when both are (or
 * memory ran out: *oom set). */
static char *join_lines(const char *a, const char *b, bool *oom)
{
    size_t na = a ? strlen(a) : 0, nb = b ? strlen(b) : 0;
    if (!na && !nb) return NULL;
    char *p = malloc(na + nb + 2);
    if (!p) { *oom = true; return NULL; }
    size_t n = 0;
    if (na) memcpy(p, a, na);
    n += na;
    if (na && nb) p[n++] = '\n';
    if (nb) memcpy(p + n, b, nb);
    p[n + nb] = 0;
    return p;
}

int cs_x12_problems_fatal(const char *problems)
{
    for (const char *p = problems; p && *p;) {
        size_t n = strcspn(p, "\n");
        if (n && p[0] != '@') return 1;
        p += n + (p[n] == '\n');
    }
    return 0;
}

/* Map the claim's segments, from the loop state saved for it, into its
 * tree and its problems (the only mapping of the claim: reading does not
 * look inside it). */
int cs_x12_map(const cs_x12_claim *x, cJSON **tree, char **problems)
{
    *tree = NULL;
    *problems = NULL;
    bool oom = false;
    if (!x->text) {
        *problems = join_lines(NULL, x->read_problems, &oom);
        return oom ? -2 : 0;
    }
    seps sp = {.elem = x->elem, .comp = x->comp, .term = x->term};
    ctx c = {.sp = &sp, .payer_given = x->payer_given, .txn = "", .total = -1};
    load_loops(&c, x->above);
    size_t i = 0;
    long num = x->segment - 1, line = x->line;
    seg s;
    bool ok = true;
    while (ok && next_seg(x->text, x->len, &i, &sp, &num, &line, &s, true))
        ok = map_segment(&c, &s);
    if (ok) ok = end_claim(&c);
    if (ok && !c.prob.oom) *problems = join_lines(c.prob.p, x->read_problems, &oom);
    free(c.prob.p);
    if (!ok || c.prob.oom || oom) {
        free(*problems);
        *problems = NULL;
        cJSON_Delete(c.claim);
        cJSON_Delete(c.done);
        return -2;
    }
    *tree = c.done;
    return 0;
}

/* Printed outside any arena, so the tree and the text are malloc'd (the
 * hooks fall back to malloc). */
int cs_x12_claim_json(const cs_x12_claim *c, char **json, size_t *len, char **problems)
{
    cJSON *tree;
    char *p;
    if (json) *json = NULL;
    if (len) *len = 0;
    if (problems) *problems = NULL;
    if (cs_x12_map(c, &tree, &p) < 0) return -2;
    char *text = json && tree ? cJSON_PrintUnformatted(tree) : NULL;
    cJSON_Delete(tree);
    if (json && tree && !text) { free(p); return -2; }
    if (json) *json = text;
    if (len) *len = text ? strlen(text) : 0;
    if (problems) *problems = p;
    else free(p);
    return 0;
}
